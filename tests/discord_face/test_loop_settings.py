"""What the bot changes in the process for its event loop while it runs, and puts back on close.

The GIL switch interval is shortened so the loop waits less for the GIL behind a worker thread; the
start-up heap is frozen out of the collector's sight. Both are process-wide: tests start many bots.
"""

from __future__ import annotations

import gc
import sys

import pytest

from bot.app import GIL_SWITCH_SECONDS


async def test_the_bot_shortens_the_gil_switch_and_freezes_its_start_up_heap_until_it_closes(server) -> None:
    before = 0.005  # Python's default
    sys.setswitchinterval(before)
    gc.unfreeze()
    try:
        async with server.bot() as running:
            assert running.is_ready()
            assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_SECONDS)
            assert before > GIL_SWITCH_SECONDS  # shorter than the default
            assert gc.get_freeze_count() > 10_000  # the model, the catalogue, the cogs
        assert sys.getswitchinterval() == pytest.approx(before)
        assert gc.get_freeze_count() == 0
    finally:
        sys.setswitchinterval(before)

"""`practice` on a manual clock: each SIGUSR1 moves the clock on 30 seconds (or HARNESS_STEP_SECONDS).

The pseudo-terminal and piped-input tests run this instead of `python -m bot practice`, so a
deadline passes when the test says so, however slow the machine is.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.cli import _learner, build_parser
from bot.clock import ManualClock, utcnow
from bot.config import get_settings
from bot.services import build_services
from bot.terminal.practice_loop import practice

STEP_SECONDS = int(os.environ.get("HARNESS_STEP_SECONDS", "30"))


def main() -> int:
    args = build_parser().parse_args(["practice", *sys.argv[1:]])
    clock = ManualClock(utcnow())
    signal.signal(signal.SIGUSR1, lambda *_: clock.advance(seconds=STEP_SECONDS))
    services = build_services(get_settings(), clock=clock)
    return asyncio.run(practice(args, services, *_learner(args)))


if __name__ == "__main__":
    raise SystemExit(main())

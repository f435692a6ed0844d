"""The paced send queue (cogs/_pace.py) on an injected clock: the pace is checked, never waited for."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from cogs._pace import Paced, Send


class FakeTime:
    """A clock that moves only when the queue sleeps or a send says it took time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # a turn for the test, as a real sleep gives


async def drained(paced: Paced) -> None:
    await asyncio.wait_for(paced.queue.join(), timeout=10)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


async def test_sends_leave_in_order_no_faster_than_the_pace(fake_time: FakeTime) -> None:
    paced = Paced(per_second=5, clock=fake_time, sleep=fake_time.sleep)
    started: list[tuple[int, float]] = []

    def send(n: int) -> Send:  # a coroutine function, as the cog queues them
        async def go() -> None:
            started.append((n, fake_time.now))
        return go

    for n in range(6):
        paced.put(send(n))
    paced.start()
    await drained(paced)
    await paced.stop()
    assert [n for n, _ in started] == [0, 1, 2, 3, 4, 5]
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(started)]
    assert gaps == pytest.approx([0.2] * 5)


async def test_a_slow_send_is_not_followed_by_a_wait_and_a_quick_one_waits_the_rest(fake_time: FakeTime) -> None:
    paced = Paced(per_second=5, clock=fake_time, sleep=fake_time.sleep)

    def taking(seconds: float) -> Send:
        async def go() -> None:
            fake_time.now += seconds  # the request took this long
        return go

    paced.put(taking(0.5))
    paced.put(taking(0.05))
    paced.start()
    await drained(paced)
    await paced.stop()
    assert fake_time.slept == pytest.approx([0.0, 0.15])


async def test_a_failed_send_is_logged_and_the_queue_goes_on(fake_time: FakeTime,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    paced = Paced(per_second=10, clock=fake_time, sleep=fake_time.sleep)
    sent: list[str] = []

    async def fails() -> None:
        raise RuntimeError("Discord said no")

    async def works() -> None:
        sent.append("after")

    paced.put(fails)
    paced.put(works)
    paced.start()
    await drained(paced)
    await paced.stop()
    assert sent == ["after"]
    assert "a paced send failed" in caplog.text
    assert fake_time.slept == pytest.approx([0.1, 0.1])


async def test_a_stop_lets_the_send_in_flight_finish_and_sends_no_more(fake_time: FakeTime) -> None:
    paced = Paced(per_second=5, clock=fake_time, sleep=fake_time.sleep)
    answered = asyncio.Event()
    done: list[str] = []

    async def in_flight() -> None:
        await answered.wait()  # Discord has not answered yet
        done.append("in flight")

    async def queued() -> None:
        done.append("queued")

    paced.put(in_flight)
    paced.put(queued)
    paced.start()
    await asyncio.sleep(0)
    stopping = asyncio.create_task(paced.stop())
    await asyncio.sleep(0)
    assert paced.stopping and not stopping.done()  # waiting for the send, not cancelling it
    answered.set()
    await asyncio.wait_for(stopping, timeout=10)
    await asyncio.sleep(0)
    assert done == ["in flight"]  # the queued send never ran

"""The terminal quiz loop, and the daily reminder's opt-out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot import jobs
from bot.clock import ManualClock
from bot.guild import set_daily_dm
from bot.jobs import JobRunner
from bot.quiz.cards import Deck, present
from bot.quiz.daily import DAILY_KIND, DueReminder, ensure_daily, on_daily
from bot.quiz.schedule import bring_due
from bot.terminal.quiz import run_terminal_quiz

DECK = Deck.load([Path(__file__).resolve().parents[2] / "scenarios" / "cards"])


def test_terminal_quiz_answers_until_quit(sqlite_database):
    clock = ManualClock()
    shown: list[str] = []
    first, second = (present(DECK.cards[cid]) for cid in DECK.ids()[:2])
    answers = iter(["z", "?", first.correct, second.choices[0].key, "q"])
    n = run_terminal_quiz(sqlite_database, DECK, "local:sam", read=lambda _: next(answers), write=shown.append,
                          clock=clock, timer=iter(range(0, 100, 5)).__next__)
    assert n == 2
    text = "\n".join(shown)
    assert "Please type one of" in text and "✓ Correct" in text
    assert "Stopped after 2 card(s)." in text
    assert first.text in text and second.text in text


def test_terminal_quiz_stops_at_end_of_input(sqlite_database):
    def eof(_: str) -> str:
        raise EOFError

    assert run_terminal_quiz(sqlite_database, DECK, "local:x", read=eof, write=lambda _: None) == 0


def test_daily_reminder_respects_the_opt_out(database):
    clock = ManualClock()
    runner = JobRunner(database)
    runner.register(DAILY_KIND, on_daily)
    with database.session() as s:
        ensure_daily(s, learner_id="L", now=clock.now)
        ensure_daily(s, learner_id="L", now=clock.now + timedelta(hours=1))  # once only
        bring_due(s, learner_id="L", card_ids=["heat-order", "last-order"], now=clock.now)
        assert len(jobs.pending(s, kind=DAILY_KIND)) == 1
    assert runner.run_due(clock.advance(days=1)) == [DueReminder("L", 2)]
    with database.session() as s:
        set_daily_dm(s, guild_id="G", learner_id="L", enabled=False)
    assert runner.run_due(clock.advance(days=1)) == []
    with database.session() as s:
        assert len(jobs.pending(s, kind=DAILY_KIND)) == 1  # still planned, so opting back in works
        set_daily_dm(s, guild_id="G", learner_id="L", enabled=True)
    assert runner.run_due(clock.advance(days=1)) == [DueReminder("L", 2)]


def test_daily_reminders_spread_over_the_morning_hour_and_keep_their_minute():
    from datetime import UTC, datetime, timedelta

    from bot.quiz.daily import next_morning

    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    times = [next_morning(now, f"learner-{n}") for n in range(1000)]
    assert all(t.date() == now.date() + timedelta(days=1) and t.hour == 8 for t in times)
    minutes = {t.minute for t in times}
    assert len(minutes) == 60  # every minute of the hour has some, none has them all
    assert max(sum(t.minute == m for t in times) for m in minutes) < 50
    assert next_morning(times[0] + timedelta(minutes=1), "learner-0") == times[0] + timedelta(days=1)


def test_the_due_counter_drops_by_one_per_answer(sqlite_database):
    """Right or wrong, an answered card leaves the waiting count once (it was reported dropping by two)."""
    clock = ManualClock()
    shown: list[str] = []
    cards = [present(DECK.cards[cid]) for cid in DECK.ids()[:4]]
    wrong = next(c.key for c in cards[1].choices if c.key != cards[1].correct)
    answers = iter([cards[0].correct, wrong, cards[2].correct, "q"])

    def read(_: str) -> str:
        clock.advance(seconds=20)  # each answer takes a little while, as a learner's does
        return next(answers)

    run_terminal_quiz(sqlite_database, DECK, "local:sam", read=read, write=shown.append, clock=clock,
                      timer=iter(range(0, 100, 5)).__next__)
    counts = [int(line.split("]")[0].split("[")[1].split()[0]) for line in shown if line.startswith("\n[")]
    assert counts == [10, 9, 8, 7], counts


def test_the_due_counter_drops_by_one_after_a_role_play_brought_cards_due(sqlite_database):
    """A card a role-play's mistake brought due is not a new card of the day: answering it frees no slot
    and takes none, so the count drops by one (it dropped by two: due one fewer, and one slot fewer)."""
    clock = ManualClock()
    brought = DECK.ids()[-3:]
    with sqlite_database.session() as s:
        bring_due(s, learner_id="local:sam", card_ids=brought, now=clock.now)
    shown: list[str] = []
    asked: list[str] = []

    def read(_: str) -> str:
        clock.advance(seconds=20)
        if len(asked) == 5:
            return "q"
        card = DECK.cards[asked[-1]]
        return present(card).correct

    def write(line: str) -> None:
        shown.append(line)
        if line.startswith("\n["):
            asked.append(next(cid for cid in DECK.ids() if present(DECK.cards[cid]).text in line))

    run_terminal_quiz(sqlite_database, DECK, "local:sam", read=read, write=write, clock=clock,
                      timer=iter(range(0, 100, 5)).__next__)
    counts = [int(line.split("]")[0].split("[")[1].split()[0]) for line in shown if line.startswith("\n[")]
    assert asked[:3] == brought  # the role-play's cards come first
    assert counts == [13, 12, 11, 10, 9], counts  # 3 brought due + 10 new of the day, then one fewer each time

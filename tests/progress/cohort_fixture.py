"""Several learners and sessions with known marks, written to a real database for the progress views.

Every figure the tests check is counted by hand from the tables below (a reply is a list of marks;
"silence" is a missed deadline, which is not a reply).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.models import PracticeSession, Reflection, Turn

DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday

# learner -> [(day offset, scenario, replies, session marks, signed off, reflective log)]
SESSIONS: dict[str, list[tuple[int, str, list, list[str], bool, bool]]] = {
    "lee": [
        (0, "faulty-kettle", [["empathy", "open_question"], ["dismissive"], "silence", ["action", "policy"]],
         ["jumped_to_solution"], True, True),
        (1, "faulty-kettle", [["empathy"], ["paraphrase"], ["dismissive", "defensive"], ["action"]],
         ["listened_first"], True, True),
        (2, "late-delivery-third-contact", [["apology"], ["empathy"], ["action", "record"], ["check"]],
         ["listened_first", "confirmed_resolution"], False, True),
    ],
    "sam": [
        (0, "abusive-caller", [["empathy"], ["unprofessional"], ["action"]], ["no_boundary"], True, False),
        (3, "abusive-caller", [["apology"], ["dismissive"]], ["no_boundary", "jumped_to_solution"], False, False),
    ],
    "kim": [
        (1, "account-data-request", [["empathy", "apology"], ["policy"], ["action", "check"]],
         ["listened_first"], False, False),
    ],
}

QUOTES = {"dismissive": "Calm down, it's only a kettle.", "defensive": "It's not my fault, Dana.",
          "unprofessional": "Whatever, mate 😒", "empathy": "That sounds really stressful, I'm sorry.",
          "open_question": "What happened when you took it back?"}


def learner_id(name: str) -> str:
    return f"local:{name}"


def add_session(s, *, learner: str, day: int, scenario: str, replies: list, session_marks: list[str],
                signed: bool = False, log: bool = False, guild: str | None = "G1", who: str | None = None) -> int:
    """One ended session: a customer line before each reply, the reply's marks with their evidence."""
    start = DAY0 + timedelta(days=day)
    row = PracticeSession(learner_id=who or learner_id(learner), learner_name=learner.title(), guild_id=guild,
                          scenario_id=scenario, status="ended", outcome="resolved", started_at=start,
                          ended_at=start + timedelta(minutes=10), session_marks=session_marks,
                          report={"title": scenario, "persona": "Dana"},
                          signed_off_by="mentor" if signed else None,
                          signed_off_at=start + timedelta(days=1) if signed else None)
    s.add(row)
    s.flush()
    position = 0
    for reply in replies:
        s.add(Turn(session_id=row.id, position=position, speaker="customer", text="It's broken!", mood=-3,
                   created_at=start))
        position += 1
        if reply == "silence":
            s.add(Turn(session_id=row.id, position=position, speaker="learner", kind="silence", created_at=start))
        else:
            text = " ".join(QUOTES.get(m, f"({m})") for m in reply)
            s.add(Turn(session_id=row.id, position=position, speaker="learner", text=text, marks=list(reply),
                       evidence={m: QUOTES.get(m, f"({m})") for m in reply}, created_at=start))
        position += 1
    s.add(Turn(session_id=row.id, position=position, speaker="learner", kind="end", created_at=start))
    if log:
        s.add(Reflection(session_id=row.id, what_happened="A call.", feelings="Nervous.", evaluation="OK.",
                         do_differently="Listen.", action_plan="Practise.", written_at=start))
    return row.id


def plant_cohort(db) -> None:
    with db.session() as s:
        for learner, sessions in SESSIONS.items():
            for day, scenario, replies, marks, signed, log in sessions:
                add_session(s, learner=learner, day=day, scenario=scenario, replies=replies, session_marks=marks,
                            signed=signed, log=log)


def answer_cards(db, *, learner: str, answers: list[tuple[str, bool, int]], scheduler) -> None:
    """Quiz answers through the real FSRS path: (card id, correct, day offset)."""
    from bot.quiz.schedule import record_answer

    for card_id, correct, day in answers:
        with db.session() as s:
            record_answer(s, learner_id=learner_id(learner), card_id=card_id, correct=correct, answer_ms=10_000,
                          now=DAY0 + timedelta(days=day, hours=2), scheduler=scheduler)

"""Everything stored about one learner, table by table, with a note on what each table and column means."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session as DbSession
from sqlmodel import SQLModel, col, or_, select

from bot.storage.forget import LEARNER_TABLES, jobs_about
from bot.storage.models import AccessLogEntry, MentorFeedback, PracticeSession, Reflection, Turn

TABLE_NOTES: dict[str, str] = {
    "practice_session": "One role-play of one scenario: when, where, the outcome, the marks and report, "
                        "and whether a mentor signed it off as portfolio evidence.",
    "turn": "Each line said in a role-play (yours and the simulated customer's), with the marks your "
            "replies earned and the words that earned them.",
    "reflection": "Your reflective log for a session (what happened, feelings, evaluation, what you "
                  "would do differently, action plan).",
    "mentor_feedback": "Written feedback mentors left on your sessions.",
    "access_log": "Each time someone other than you opened, exported, watched, gave feedback on or "
                  "signed off one of your sessions: who (actor_id, actor_name), what (action), when (at).",
    "learner_card": "Your spaced-repetition memory state per quiz card (when it is next due).",
    "card_review": "Every quiz answer you gave: the card, right or wrong, how long you took.",
    "cohort_answer": "Your answers in cohort quizzes run in a server channel.",
    "learner_settings": "Your choices per server: reply-time adjustment and the daily reminder.",
    "scheduled_job": "Timers waiting to run for you: reflective-log reminders, daily quiz messages.",
    "outbox_message": "Messages to you that are waiting to be sent (the daily quiz message, with how many "
                      "cards were due); each is deleted once sent, refused or too old.",
}

COLUMN_NOTES: dict[str, str] = {
    "learner_id": "Your Discord user id, or local:NAME for terminal practice.",
    "guild_id": "The Discord server (empty for terminal practice).",
    "channel_id": "The private thread the role-play ran in.",
    "session_id": "The practice_session this row belongs to.",
    "session_marks": "Marks for the session as a whole (e.g. listened_first).",
    "marks": "Marks a reply earned (e.g. empathy, defensive); see the report for their labels.",
    "evidence": "For each mark, the words in your reply that earned it.",
    "report": "The feedback report shown at the end of the role-play.",
    "signed_off_by": "The Discord id of the mentor who accepted the session as evidence.",
    "actor_id": "The Discord id of the person who accessed your session.",
    "action": "open, export, watch, feedback or signoff.",
    "rating": "The spaced-repetition rating of the answer: 1 again, 2 hard, 3 good, 4 easy.",
    "answer_ms": "How long the answer took, in milliseconds.",
    "new_card": "Whether this was the card's first answer, from the day's allowance of new cards.",
    "payload": "What the timer will act on, or what the waiting message will say.",
    "available_at": "When the waiting message may next be tried.",
    "attempts": "How many times sending (or running) it failed so far.",
}

ALL_TIMES_UTC = "All times are UTC, in ISO 8601."


def learner_rows(session: DbSession, *, learner_id: str) -> dict[str, list[SQLModel]]:
    """Rows about the learner, keyed by table name, in a stable order."""
    sessions = list(session.exec(select(PracticeSession).where(PracticeSession.learner_id == learner_id)
                                 .order_by(col(PracticeSession.id))))
    ids = [r.id for r in sessions]
    found: dict[str, list[SQLModel]] = {"practice_session": list(sessions)}
    for child in (Turn, Reflection, MentorFeedback):
        found[child.__tablename__] = list(session.exec(
            select(child).where(col(child.session_id).in_(ids)).order_by(col(child.session_id), col(child.id))))
    found["access_log"] = [*session.exec(select(AccessLogEntry).where(or_(
        AccessLogEntry.learner_id == learner_id, col(AccessLogEntry.session_id).in_(ids)))
        .order_by(col(AccessLogEntry.at), col(AccessLogEntry.id)))]
    for keyed in LEARNER_TABLES:
        found[keyed.__tablename__] = list(session.exec(select(keyed).where(col(keyed.learner_id) == learner_id)))
    found["scheduled_job"] = [*jobs_about(session, session_ids=[i for i in ids if i is not None],
                                          learner_id=learner_id)]
    return found


def documentation(tables: dict[str, list[SQLModel]]) -> dict[str, Any]:
    """For each table in the export: what it holds, and each column's type and meaning."""
    doc: dict[str, Any] = {}
    for name in tables:
        table = SQLModel.metadata.tables[name]
        doc[name] = {"description": TABLE_NOTES[name],
                     "columns": {c.name: {"type": str(c.type.__class__.__name__),
                                          **({"meaning": COLUMN_NOTES[c.name]} if c.name in COLUMN_NOTES else {})}
                                 for c in table.columns}}
    return doc

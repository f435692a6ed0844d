"""Mentor review: the queue, a session's full record, feedback, sign-off and portfolio export."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot import messages
from bot.progress.gibbs import read_reflection
from bot.reflection import FIELDS, reflection_for
from bot.storage.models import MentorFeedback, PracticeSession, Reflection, Turn


class ReviewError(ValueError):
    """A mentor action that cannot be done; the message says why."""


@dataclass(frozen=True)
class QueueItem:
    """One finished session in a mentor's review queue."""

    session_id: int
    learner_id: str
    learner_name: str
    scenario_id: str
    outcome: str | None
    ended_at: datetime | None
    has_reflection: bool
    feedback_count: int


@dataclass(frozen=True)
class SessionRecord:
    """Everything about one session a mentor reviews or exports."""

    row: PracticeSession
    turns: list[Turn]
    reflection: Reflection | None
    feedback: list[MentorFeedback]


def review_queue(session: DbSession, *, guild_id: str | None, limit: int = 25) -> list[QueueItem]:
    """Finished sessions not yet signed off, oldest first."""
    query = select(PracticeSession).where(
        PracticeSession.status == "ended", col(PracticeSession.signed_off_at).is_(None)
    ).order_by(col(PracticeSession.ended_at), col(PracticeSession.id)).limit(limit)
    if guild_id is not None:
        query = query.where(PracticeSession.guild_id == guild_id)
    items = []
    for row in session.exec(query):
        count = len(list(session.exec(select(MentorFeedback.id).where(MentorFeedback.session_id == row.id))))
        items.append(QueueItem(row.id or 0, row.learner_id, row.learner_name, row.scenario_id, row.outcome,
                               row.ended_at, reflection_for(session, session_id=row.id or 0) is not None,
                               count))
    return items


def load_record(session: DbSession, *, session_id: int, guild_id: str | None = None) -> SessionRecord:
    """A session with its turns, reflection and feedback; guild_id keeps mentors to their server."""
    row = session.get(PracticeSession, session_id)
    if row is None or (guild_id is not None and row.guild_id != guild_id):
        raise ReviewError(messages.NO_SUCH_SESSION.format(session_id=session_id))
    turns = list(session.exec(select(Turn).where(Turn.session_id == session_id).order_by(col(Turn.position))))
    feedback = list(session.exec(select(MentorFeedback).where(MentorFeedback.session_id == session_id)
                                 .order_by(col(MentorFeedback.created_at))))
    return SessionRecord(row, turns, reflection_for(session, session_id=session_id), feedback)


def add_feedback(session: DbSession, *, session_id: int, mentor_id: str, mentor_name: str, text: str,
                 now: datetime, guild_id: str | None = None) -> MentorFeedback:
    """Attach a mentor's written feedback to a finished session."""
    record = load_record(session, session_id=session_id, guild_id=guild_id)
    cleaned = text.replace("\x00", "").strip()
    if not cleaned:
        raise ReviewError("Feedback cannot be empty.")
    if record.row.status != "ended":
        raise ReviewError("That role-play is still in progress.")
    item = MentorFeedback(session_id=session_id, mentor_id=mentor_id, mentor_name=mentor_name[:100],
                          text=cleaned[:4000], created_at=now)
    session.add(item)
    return item


def sign_off(session: DbSession, *, session_id: int, mentor_id: str, now: datetime,
             guild_id: str | None = None, waive_reflection: bool = False) -> PracticeSession:
    """Accept a session as portfolio evidence; it needs a reflective log unless the mentor waives it."""
    record = load_record(session, session_id=session_id, guild_id=guild_id)
    row = record.row
    if row.status != "ended":
        raise ReviewError("That role-play is still in progress.")
    if row.signed_off_at is not None:
        raise ReviewError(f"Session {session_id} was already signed off.")
    if row.learner_id == mentor_id:
        raise ReviewError("You cannot sign off your own session.")
    if record.reflection is None and not waive_reflection:
        raise ReviewError("The learner has not written a reflective log yet. Sign off with "
                          "waive_reflection if you want to accept it without one.")
    row.signed_off_by, row.signed_off_at = mentor_id, now
    row.reflection_waived = row.reflection_waived or (record.reflection is None and waive_reflection)
    session.add(row)
    return row


def transcript_lines(record: SessionRecord) -> list[tuple[str, str, list[str]]]:
    """The transcript as (speaker, text, marks) lines, the customer named as in the report."""
    persona = record.row.report.get("persona", "Customer")
    learner = record.row.learner_name or "Learner"
    lines: list[tuple[str, str, list[str]]] = []
    for t in record.turns:
        if t.speaker == "customer":
            lines.append((persona, t.text, []))
        elif t.kind == "silence":
            lines.append((learner, "[no reply before the deadline]", []))
        elif t.kind == "end":
            lines.append((learner, "[ended the role-play]", []))
        else:
            lines.append((learner, t.text, [messages.MARK_LABELS.get(m, m) for m in t.marks]))
    return lines


def export_markdown(record: SessionRecord) -> str:
    """A portfolio page in Markdown."""
    row, report = record.row, record.row.report
    out = [f"# Role-play evidence: {report.get('title', row.scenario_id)}", "",
           f"- Learner: {row.learner_name or row.learner_id}",
           f"- Session: {row.id}, {row.started_at:%Y-%m-%d %H:%M} UTC",
           f"- Outcome: {report.get('outcome_text', row.outcome)}",
           f"- Signed off: {row.signed_off_at:%Y-%m-%d} by {row.signed_off_by}" if row.signed_off_at
           else "- Signed off: not yet", "", "## Transcript", ""]
    for who, text, marks in transcript_lines(record):
        tag = f"  _({', '.join(marks)})_" if marks else ""
        out.append(f"**{who}:** {text}{tag}  ")
    out += ["", "## Assessment", ""]
    out += [f"- {s['label']}: {s['reason']}" for s in report.get("session_marks", [])]
    out += [f"- {c['label']} x{c['count']}" for c in report.get("credited", [])]
    out += [f"- {p['label']} x{p['count']} (to improve)" for p in report.get("penalised", [])]
    out += ["", "## Reflective log", ""]
    out += _reflection_md(record.reflection, row.reflection_waived)
    out += ["", "## Mentor feedback", ""]
    out += [f"- {f.mentor_name or f.mentor_id} ({f.created_at:%Y-%m-%d}): {f.text}" for f in record.feedback] \
        or ["- none yet"]
    return "\n".join(out) + "\n"


def _reflection_md(reflection: Reflection | None, waived: bool) -> list[str]:
    if reflection is None:
        return ["Waived by the mentor." if waived else "Not written yet."]
    feedback = [f"- {line}" for line in read_reflection(reflection).lines()]
    return [f"**{f.label}**  \n{getattr(reflection, f.key)}\n" for f in FIELDS] + [
        "**Feedback on the log** (rules over the learner's words, not a score)", "", *feedback]


def export_html(record: SessionRecord) -> str:
    """The same page as standalone HTML (escaped) for portfolios that take web pages."""
    body = []
    for line in export_markdown(record).splitlines():
        esc = html.escape(line)
        if line.startswith("# "):
            body.append(f"<h1>{esc[2:]}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{esc[3:]}</h2>")
        elif line.startswith("- "):
            body.append(f"<li>{esc[2:]}</li>")
        elif line.strip():
            body.append(f"<p>{esc}</p>")
    title = html.escape(record.row.report.get("title", record.row.scenario_id))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>" + title +
            "</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")

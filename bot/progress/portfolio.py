"""Portfolio exports: one session's PDF, and a ZIP of a learner's signed-off sessions."""

from __future__ import annotations

import io
import zipfile

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.mentoring import ReviewError, SessionRecord, load_record
from bot.progress.portfolio_pdf import session_pdf
from bot.storage.models import PracticeSession

NONE_SIGNED = "{learner} has no signed-off sessions to export yet."


def pdf_name(record: SessionRecord) -> str:
    """The file name of a session's portfolio PDF."""
    return f"composure-session-{record.row.id}-{record.row.scenario_id}.pdf"


def signed_off_records(session: DbSession, *, learner_id: str, guild_id: str | None = None) -> list[SessionRecord]:
    """The learner's signed-off sessions (in this server, when given), oldest first."""
    query = select(PracticeSession.id).where(PracticeSession.learner_id == learner_id,
                                             col(PracticeSession.signed_off_at).is_not(None))
    if guild_id is not None:
        query = query.where(PracticeSession.guild_id == guild_id)
    ids = list(session.exec(query.order_by(col(PracticeSession.started_at), col(PracticeSession.id))))
    if not ids:
        raise ReviewError(NONE_SIGNED.format(learner=learner_id))
    return [load_record(session, session_id=i) for i in ids if i is not None]


def learner_zip(records: list[SessionRecord]) -> bytes:
    """One PDF per session in a ZIP (records loaded beforehand, so this can run off the event loop)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(pdf_name(record), session_pdf(record))
    return buffer.getvalue()

"""session progress: turn count and reply deadline kept on the session row

The reply path checks its in-memory state against `turn_count` and the timers find overdue
customers through the indexed `reply_due_at`, so neither reads the session's turns.

Revision ID: session_progress
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import bot.storage.types

revision: str = "session_progress"
down_revision: str | None = "privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("practice_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("turn_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reply_due_at", bot.storage.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_practice_session_reply_due_at"), ["reply_due_at"], unique=False)
    op.execute(
        "UPDATE practice_session SET turn_count = "
        "(SELECT count(*) FROM turn WHERE turn.session_id = practice_session.id)"
    )
    op.execute(
        "UPDATE practice_session SET reply_due_at = "
        "(SELECT turn.deadline_at FROM turn WHERE turn.session_id = practice_session.id "
        "AND turn.position = practice_session.turn_count - 1 AND turn.speaker = 'customer') "
        "WHERE status = 'active'"
    )


def downgrade() -> None:
    with op.batch_alter_table("practice_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_session_reply_due_at"))
        batch_op.drop_column("reply_due_at")
        batch_op.drop_column("turn_count")

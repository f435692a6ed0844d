"""session safety: one active role-play per learner (partial unique index), job attempts and
dead-letter state, the Discord message id of each learner turn

Revision ID: session_safety
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import bot.storage.types

revision: str = "session_safety"
down_revision: str | None = "session_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    with op.batch_alter_table("scheduled_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", bot.storage.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("scheduled_job", schema=None) as batch_op:
        batch_op.alter_column("attempts", server_default=None)
    with op.batch_alter_table("turn", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discord_message_id", sqlmodel.sql.sqltypes.AutoString(length=32),
                                      nullable=True))
    # Before the index: if two starts ever raced, keep the newest active session of a learner.
    op.execute("""
        UPDATE practice_session SET status = 'ended', outcome = 'ended_by_learner'
        WHERE status = 'active' AND id NOT IN (
            SELECT max_id FROM (SELECT MAX(id) AS max_id FROM practice_session
                                WHERE status = 'active' GROUP BY learner_id) AS newest)
    """)
    with op.batch_alter_table("practice_session", schema=None) as batch_op:
        batch_op.create_index("uq_session_one_active", ["learner_id"], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade() -> None:
    with op.batch_alter_table("practice_session", schema=None) as batch_op:
        batch_op.drop_index("uq_session_one_active", sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    with op.batch_alter_table("turn", schema=None) as batch_op:
        batch_op.drop_column("discord_message_id")
    with op.batch_alter_table("scheduled_job", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")

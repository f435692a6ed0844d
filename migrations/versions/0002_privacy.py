"""privacy: retention settings per server and the access log

Revision ID: privacy
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.storage.types

revision: str = "privacy"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("keep_signed_off", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("guild_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", bot.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_session", ["session_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_learner_id"), ["learner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_learner_id"))
        batch_op.drop_index("ix_access_log_session")
    op.drop_table("access_log")
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_column("keep_signed_off")
        batch_op.drop_column("retention_days")

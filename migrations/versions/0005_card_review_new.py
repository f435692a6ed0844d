"""card_review.new_card: which answers used the day's new-card allowance, so a card a role-play's
mistake brought due does not also take a new card's place (the quiz's count dropped by two)

Revision ID: card_review_new
Revises: session_safety
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "card_review_new"
down_revision: str | None = "session_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("new_card", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("card_review", schema=None) as batch_op:
        batch_op.alter_column("new_card", server_default=None)
    # Before this, every card's first answer counted against the allowance: keep counting them so.
    op.execute("""
        UPDATE card_review SET new_card = true WHERE id IN (
            SELECT first_id FROM (SELECT MIN(id) AS first_id FROM card_review
                                  GROUP BY learner_id, card_id) AS firsts)
    """)


def downgrade() -> None:
    with op.batch_alter_table("card_review", schema=None) as batch_op:
        batch_op.drop_column("new_card")

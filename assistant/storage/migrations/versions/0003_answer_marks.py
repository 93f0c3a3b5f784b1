"""Answer marks: feedback that names the sentence of the article that answered the caller's question.

``sentence`` is the article's sentence the agent marked (feedback event ``answered``), ``question`` the
call's last caller utterance when it was marked (redacted, as stored in ``utterances``). The live engine
learns answer examples from these rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("sentence", sa.Text, nullable=True))
        batch.add_column(sa.Column("question", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("question")
        batch.drop_column("sentence")

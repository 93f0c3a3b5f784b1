"""Known gaps marked on the gaps page: a content team marks a gap topic as a matter the knowledge base is
known not to cover.

``question`` is the topic's callers' questions joined (redacted), ``label`` the topic's label, ``city`` its
city. The live engine shows no 'answer' card for a like concern of the city while ``removed_at`` is empty
(removing one sets it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_gaps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("known_gaps")

"""The schema as it was before migrations (what ``create_all`` made).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _at(index: bool = False) -> sa.Column[object]:
    return sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=index)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("city", sa.String(64), nullable=False, index=True),
        sa.Column("agent_id", sa.String(128)),
        sa.Column("dialed_number", sa.String(64)),
        sa.Column("sidebar_token_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("topic", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "utterances",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("topic", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("top_score", sa.Float),
        sa.Column("top_article_id", sa.String(256)),
        _at(index=True),
    )
    op.create_index("ix_utterances_call_seq", "utterances", ["call_id", "seq"])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("utterance_id", sa.Integer, sa.ForeignKey("utterances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.String(256), nullable=False, index=True),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("topic", sa.Integer, nullable=False),
        _at(),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("article_id", sa.String(256), nullable=False, index=True),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        _at(),
    )
    op.create_table(
        "searches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("article_ids", sa.JSON, nullable=False),
        sa.Column("top_score", sa.Float),
        _at(index=True),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        _at(),
    )
    op.create_index("ix_events_call_seq", "events", ["call_id", "seq"], unique=True)


def downgrade() -> None:
    for table in ("events", "searches", "feedback", "suggestions", "utterances", "calls"):
        op.drop_table(table)

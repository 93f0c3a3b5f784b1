"""Per-call counters and the engine's memory on the call row.

``event_seq`` / ``utterance_seq`` hand out event and utterance numbers inside the writing transaction
(safe with several writers); ``engine_state`` is the suggestion engine's memory of the call as of event
``state_event_seq``, so any replica can continue a call.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("event_seq", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("utterance_seq", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("engine_state", sa.JSON, nullable=True))
        batch.add_column(sa.Column("state_event_seq", sa.Integer, nullable=True))
    op.execute(
        "UPDATE calls SET "
        "event_seq = COALESCE((SELECT MAX(seq) FROM events WHERE events.call_id = calls.id), 0), "
        "utterance_seq = COALESCE((SELECT MAX(seq) FROM utterances WHERE utterances.call_id = calls.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        for column in ("state_event_seq", "engine_state", "utterance_seq", "event_seq"):
            batch.drop_column(column)

"""Alembic environment: runs on the connection that :func:`assistant.storage.schema.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assistant.storage.models import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `souffleur db upgrade` (assistant.storage.schema.upgrade)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

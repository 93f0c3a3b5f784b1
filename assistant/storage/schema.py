"""Database schema upgrades with Alembic (``souffleur db upgrade``; ``CallStore`` runs it at start).

A database made by the versions before migrations (tables, no ``alembic_version``) is stamped with the
first revision, which is exactly that schema, and then upgraded. On PostgreSQL the upgrade holds an
advisory lock, so replicas starting together migrate once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
INITIAL_REVISION = "0001"
MIGRATION_LOCK_KEY = 0x50FF1E0  # the advisory lock every replica takes while upgrading


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
        try:
            tables = set(inspect(connection).get_table_names())
            if "calls" in tables and "alembic_version" not in tables:
                command.stamp(_config(connection), INITIAL_REVISION)
                connection.commit()
            command.upgrade(_config(connection), revision)
            connection.commit()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()

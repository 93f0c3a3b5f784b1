"""Alembic migrations of the call database (``souffleur db upgrade``; ``serve`` upgrades at start)."""

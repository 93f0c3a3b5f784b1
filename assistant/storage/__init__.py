"""Persistence of calls and what happened in them (SQLAlchemy; SQLite by default, PostgreSQL by URL)."""

"""``python -m assistant.cli``: the same command line as ``souffleur``."""

from assistant.cli.main import app

app()

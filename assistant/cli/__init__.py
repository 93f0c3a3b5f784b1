"""The ``souffleur`` command line (typer): corpus, model, index, search, serve, replay, demo, gaps."""

"""``python -m assistant.cli``: the same command line as ``souffleur``."""

from assistant.cli.main import app

if __name__ == "__main__":  # not in a child process that imports this module (``build_index_apart``)
    app()

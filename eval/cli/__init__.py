"""``souffleur eval``: the evaluation commands, mounted into the root command line by entry point."""

"""The assistant: the live call service (engine, events, storage, privacy), its API and command line,
knowledge gaps, settings and wiring."""

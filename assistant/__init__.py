"""The assistant: settings, command line, and (later) the live call service."""

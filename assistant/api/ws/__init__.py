"""The call WebSocket."""

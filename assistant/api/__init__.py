"""The HTTP and WebSocket API of the live service, and the pages it serves."""

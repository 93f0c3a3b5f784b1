"""Call events: numbering, storage hand-off and fan-out to the sockets watching a call."""

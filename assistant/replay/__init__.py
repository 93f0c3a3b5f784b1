"""Call scripts and playing them into a running service over HTTP (demo, load tests)."""

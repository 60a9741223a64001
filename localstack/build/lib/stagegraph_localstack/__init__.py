"""stagegraph's LocalStack Lambda executor: every function runs as a real process of its own runtime."""

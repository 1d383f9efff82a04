"""Request events: the allowlist of what may be stored, the in-memory queue and the batch writer."""

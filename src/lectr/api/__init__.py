"""The JSON API under /api/v1/, authenticated by X-Lectr-Key."""

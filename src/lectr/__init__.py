"""Lectr: a self-hosted AI gateway that records metadata, never content."""

__version__ = "0.1.0"

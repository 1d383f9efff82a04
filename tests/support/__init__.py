"""Test support: running a real Lectr process against the fake providers."""

"""Reading token usage from provider responses and streams, per wire shape."""

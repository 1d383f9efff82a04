"""Local fake AI providers (OpenAI, Anthropic, Groq, Gemini, Azure) speaking each real wire format.

Usage::

    from tests.fakes.server import FakeProviders, Received

See ``tests/fakes/server.py`` for the public API and ``tests/fakes/scenarios.py`` for the
``X-Fake-Scenario`` request header values.
"""

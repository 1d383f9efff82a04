"""The provider registry: one ProviderSpec value per provider, declared in its own module."""

from __future__ import annotations

from lectr.providers.anthropic import ANTHROPIC
from lectr.providers.azure import AZURE
from lectr.providers.gemini import GEMINI
from lectr.providers.groq import GROQ
from lectr.providers.openai import OPENAI
from lectr.providers.spec import ProviderSpec

REGISTRY: dict[str, ProviderSpec] = {p.name: p for p in (OPENAI, ANTHROPIC, GROQ, GEMINI, AZURE)}

__all__ = ["REGISTRY", "ProviderSpec"]

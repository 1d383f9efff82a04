"""The downgrade map of CONTRACT §7 and the task-type rules, as data. Targets never leave the provider."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Downgrade:
    conservative: str
    aggressive: str | None = None   # only where the contract gives two


# (provider, model) → cheaper model of the same provider.
DOWNGRADES: dict[tuple[str, str], Downgrade] = {
    ("openai", "gpt-4o"): Downgrade("gpt-4o-mini"),
    ("openai", "gpt-4-turbo"): Downgrade("gpt-4o"),
    ("openai", "gpt-4"): Downgrade("gpt-4o"),
    ("openai", "gpt-4.1"): Downgrade("gpt-4.1-mini"),
    ("openai", "gpt-4.1-mini"): Downgrade("gpt-4.1-nano"),
    ("openai", "gpt-3.5-turbo"): Downgrade("gpt-4.1-nano"),
    ("openai", "o1"): Downgrade("o1-mini"),
    ("openai", "o1-mini"): Downgrade("gpt-4o"),
    ("openai", "o3"): Downgrade("o3-mini"),
    ("openai", "o3-mini"): Downgrade("gpt-4o-mini"),
    ("openai", "o4-mini"): Downgrade("gpt-4o-mini"),
    ("anthropic", "claude-3-opus-20240229"): Downgrade("claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022"),
    ("anthropic", "claude-3-5-sonnet-20241022"): Downgrade("claude-3-5-haiku-20241022"),
    ("anthropic", "claude-3-sonnet-20240229"): Downgrade("claude-3-5-haiku-20241022"),
    ("groq", "llama-3.2-90b-vision"): Downgrade("llama-3.1-70b-versatile"),
    ("groq", "llama-3.1-70b-versatile"): Downgrade("llama-3.1-8b-instant"),
    ("groq", "mixtral-8x7b-32768"): Downgrade("llama-3.1-8b-instant"),
    ("groq", "gemma2-9b-it"): Downgrade("llama-3.1-8b-instant"),
    ("gemini", "gemini-1.5-pro"): Downgrade("gemini-1.5-flash"),
    ("gemini", "gemini-2.0-flash"): Downgrade("gemini-1.5-flash"),
}
# Azure deployments are OpenAI models under another name; they are judged through their mapping.
_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")

# Task types that drive recommendations (CONTRACT §2); any other value is ignored.
CLASSIFICATION, SUMMARISATION, EXTRACTION, GENERATION, REASONING = (
    "classification", "summarisation", "extraction", "generation", "reasoning",
)
KNOWN_TASKS = frozenset({CLASSIFICATION, SUMMARISATION, EXTRACTION, GENERATION, REASONING})


def downgrade_for(provider: str, model: str) -> Downgrade | None:
    """The map entry for a model, also under its dated id (gpt-4o-2024-08-06 → gpt-4o)."""
    name = model.lower()
    found = DOWNGRADES.get((provider, name))
    if found is None and provider != "anthropic":  # Anthropic's map keys are dated ids themselves
        found = DOWNGRADES.get((provider, _DATED.sub("", name)))
    return found


def task_of(value: str | None) -> str | None:
    """A recognised task type, or None (untagged, or a value recommendations ignore)."""
    task = (value or "").strip().lower()
    if task == "summarization":
        task = SUMMARISATION
    return task if task in KNOWN_TASKS else None

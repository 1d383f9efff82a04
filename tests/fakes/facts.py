"""Deterministic facts derived from a request: ids, reply text, token usage.

Everything here is a pure function of the request body (and the ``X-Fake-*-Tokens`` headers),
so a request sent straight to a fake and the same request relayed by the gateway get
byte-identical responses.  Ids hash only the content-defining fields (model, messages, ...),
so a gateway that re-serialises the JSON or adds e.g. ``stream_options`` still gets the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z, the fixed `created` of every response
BASE_PROMPT_TOKENS = 11
DEFAULT_REASONING_TOKENS = 16
MODEL_ALIASES: dict[str, str] = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
}
_REASONING_MODEL_PREFIXES = ("o1", "o3", "o4-mini")
_ID_FIELDS = ("model", "messages", "system", "input", "instructions", "prompt")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B32 = "0123456789abcdefghjkmnpqrstvwxyz"


def stable_token(seed: str | bytes, length: int, alphabet: str = _B58) -> str:
    """`length` chars of `alphabet` derived from sha256(seed) (at most ~200 bits' worth)."""
    raw = hashlib.sha256(seed.encode() if isinstance(seed, str) else seed).digest()
    number = int.from_bytes(raw, "big")
    out: list[str] = []
    for _ in range(length):
        number, rem = divmod(number, len(alphabet))
        out.append(alphabet[rem])
    return "".join(out)


def word_count(value: object) -> int:
    """Words in a string, a list of content parts / messages, or a message dict."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(word_count(item) for item in value)
    if isinstance(value, Mapping):
        if "text" in value:
            return word_count(value["text"])
        if "content" in value:
            return word_count(value["content"])
    return 0


def resolve_model(model: str) -> str:
    """The dated model id the real API reports for an alias (others are echoed)."""
    return MODEL_ALIASES.get(model, model)


def is_reasoning_model(model: str) -> bool:
    return model.startswith(_REASONING_MODEL_PREFIXES)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None or raw.strip() == "":
        return None
    return int(raw)


def _last_item(value: object) -> object:
    if isinstance(value, list) and value and not isinstance(value[0], int):
        return value[-1]
    return value


@dataclass(frozen=True)
class Facts:
    """What a fake answers for one request."""

    provider: str
    model: str  # as requested
    digest: str  # hex sha256 of the content-defining request fields
    words: list[str]  # reply words; streaming sends them as deltas (" " prefixed after the first)
    truncated: bool  # max_tokens cut the reply short (finish_reason "length" / "max_tokens")
    prompt_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def deltas(self) -> list[str]:
        return [w if i == 0 else " " + w for i, w in enumerate(self.words)]

    @property
    def completion_tokens(self) -> int:
        """Visible words plus reasoning tokens (reasoning is billed as completion, like OpenAI)."""
        return len(self.words) + self.reasoning_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def token(self, salt: str, length: int, alphabet: str = _B58) -> str:
        """A deterministic id fragment of `length` chars."""
        return stable_token(f"{salt}:{self.digest}", length, alphabet)

    def hex_id(self, salt: str, length: int = 32) -> str:
        return hashlib.sha256(f"{salt}:{self.digest}".encode()).hexdigest()[:length]

    def uuid(self, salt: str) -> str:
        h = self.hex_id(salt)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def groq_request_id(self) -> str:
        return "req_01" + self.token("groq-req", 24, _B32)


def facts_for(provider: str, body: Mapping[str, Any], headers: Mapping[str, str], model: str | None = None) -> Facts:
    """Derive the deterministic reply for `body` (`headers` keys lower-cased; `model` overrides body["model"])."""
    model = model if model is not None else str(body.get("model") or "")
    subset = {k: body[k] for k in _ID_FIELDS if k in body} | {"model": model}
    digest = hashlib.sha256(provider.encode() + b"\n" + orjson.dumps(subset, option=orjson.OPT_SORT_KEYS)).hexdigest()

    prompt_words = sum(word_count(body.get(k)) for k in ("system", "instructions", "messages", "input", "prompt"))
    conversation = body.get("messages", body.get("input", body.get("prompt")))
    last_words = word_count(_last_item(conversation))
    words = ["Hello", "from", f"{provider}!", "You", "sent", str(last_words), "words."]

    limit = body.get("max_completion_tokens", body.get("max_output_tokens", body.get("max_tokens")))
    truncated = isinstance(limit, int) and 0 < limit < len(words)
    if truncated:
        assert isinstance(limit, int)
        words = words[:limit]

    reasoning = _header_int(headers, "x-fake-reasoning-tokens")
    if reasoning is None:
        reasoning = DEFAULT_REASONING_TOKENS if is_reasoning_model(model) else 0
    return Facts(
        provider=provider,
        model=model,
        digest=digest,
        words=words,
        truncated=truncated,
        prompt_tokens=BASE_PROMPT_TOKENS + prompt_words,
        cached_tokens=_header_int(headers, "x-fake-cached-tokens") or 0,
        cache_write_tokens=_header_int(headers, "x-fake-cache-write-tokens") or 0,
        reasoning_tokens=reasoning,
    )

"""Server-sent-event readers that tee a stream: they note usage and model, and may strip what Lectr added."""

from __future__ import annotations

import re

import orjson

from lectr.pricing import Usage
from lectr.usage.shapes import from_anthropic, from_openai

_SEP = re.compile(rb"\r?\n\r?\n")
_USAGE_NULL = re.compile(rb',\s*"usage"\s*:\s*null|"usage"\s*:\s*null\s*,')


def _data_of(event: bytes) -> bytes | None:
    for line in event.splitlines():
        if line.startswith(b"data:"):
            return line[5:].strip()
    return None


class StreamReader:
    """Base: splits the byte stream into complete events; subclasses read each event."""

    def __init__(self) -> None:
        self._buf = b""
        self.usage: Usage | None = None
        self.model: str | None = None
        self.deltas = 0          # content-bearing events seen: the estimate when usage never arrives
        self.finished = False    # the stream's own terminator arrived

    def feed(self, chunk: bytes) -> bytes:
        """Inspect `chunk`; return the bytes to send on to the client."""
        self._buf += chunk
        parts = _SEP.split(self._buf)
        self._buf = parts.pop()
        for event in parts:
            self.on_event(event)
        return chunk

    def flush(self) -> bytes:
        return b""

    def on_event(self, event: bytes) -> None:
        raise NotImplementedError


class OpenAIStream(StreamReader):
    """OpenAI-format chunks: usage from `usage` or Groq's `x_groq.usage`; `[DONE]` ends the stream."""

    def on_event(self, event: bytes) -> None:
        self.read(_data_of(event))

    def read(self, data: bytes | None) -> bool:
        """Note what `data` carries; True when it is the usage-only chunk that include_usage adds."""
        if data is None:
            return False
        if data == b"[DONE]":
            self.finished = True
            return False
        if b'"content"' in data or b'"delta"' in data:
            self.deltas += 1
        if self.model is not None and b'"usage":{' not in data and b'"x_groq"' not in data:
            return False
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(obj, dict):
            return False
        if self.model is None and obj.get("model"):
            self.model = obj["model"]
        usage = from_openai(obj.get("usage"))
        groq = obj.get("x_groq")
        if usage is None and isinstance(groq, dict):
            usage = from_openai(groq.get("usage"))
        if usage is not None:
            self.usage = usage
        return usage is not None and obj.get("choices") == [] and isinstance(obj.get("usage"), dict)


class StrippingOpenAIStream(OpenAIStream):
    """For a stream where Lectr injected include_usage: forward whole events minus what the option added."""

    def feed(self, chunk: bytes) -> bytes:
        self._buf += chunk
        parts = _SEP.split(self._buf)
        self._buf = parts.pop()
        out = []
        for event in parts:
            if self.read(_data_of(event)):
                continue  # the usage-only chunk the client did not ask for
            out.append(_USAGE_NULL.sub(b"", event) if b'"usage"' in event else event)
            out.append(b"\n\n")
        return b"".join(out)

    def flush(self) -> bytes:
        rest, self._buf = self._buf, b""
        return rest

    def on_event(self, event: bytes) -> None:  # pragma: no cover - feed() handles events itself
        self.read(_data_of(event))


class AnthropicStream(StreamReader):
    """Anthropic native: input usage in message_start, cumulative output usage in message_delta."""

    def __init__(self) -> None:
        super().__init__()
        self._start: dict | None = None

    def on_event(self, event: bytes) -> None:
        data = _data_of(event)
        if data is None:
            return
        if b'"content_block_delta"' in data:
            self.deltas += 1
            return
        if b'"message_stop"' in data:
            self.finished = True
            return
        if b'"usage"' not in data:
            return
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == "message_start" and isinstance(obj.get("message"), dict):
            message = obj["message"]
            self.model = message.get("model")
            self._start = message.get("usage") if isinstance(message.get("usage"), dict) else None
            self.usage = from_anthropic(self._start)
        elif kind == "message_delta" and isinstance(obj.get("usage"), dict):
            merged = {**(self._start or {}), **{k: v for k, v in obj["usage"].items() if v is not None}}
            self.usage = from_anthropic(merged)
            self._start = merged

"""Server-sent-event readers that tee a stream: they note usage and model, and may strip what Lectr added."""

from __future__ import annotations

import re
from typing import Any

import orjson

from lectr.pricing import Usage
from lectr.usage.shapes import from_anthropic, from_openai

_SEP = re.compile(rb"(\r?\n\r?\n)")  # captured, so each event keeps its own framing
_USAGE_OBJ = re.compile(rb'"usage"\s*:\s*\{')
_COMPACT_USAGE_NULL = b',"usage":null'
_DONE, _NL_DONE = b"data: [DONE]", b"\ndata: [DONE]"
_USAGE_NULL = re.compile(rb',\s*"usage"\s*:\s*null|"usage"\s*:\s*null\s*,')


def _data_of(event: bytes) -> bytes | None:
    if event.startswith(b"data: ") and b"\n" not in event:  # the usual one-line event
        return event[6:].strip()
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
        for event, _sep in self._events(chunk):
            self.on_event(event)
        return chunk

    def _events(self, chunk: bytes) -> list[tuple[bytes, bytes]]:
        """Complete (event, separator) pairs so far; a partial event waits in the buffer."""
        data = self._buf + chunk if self._buf else chunk
        if b"\r" not in data:  # LF framing: a plain split is many times faster than the regex
            parts = data.split(b"\n\n")
            self._buf = parts.pop()
            return [(part, b"\n\n") for part in parts]
        parts = _SEP.split(data)
        self._buf = parts.pop()
        return list(zip(parts[::2], parts[1::2]))

    def flush(self) -> bytes:
        return b""

    def on_event(self, event: bytes) -> None:
        raise NotImplementedError


class OpenAIStream(StreamReader):
    """OpenAI-format chunks: usage from `usage` or Groq's `x_groq.usage`; `[DONE]` ends the stream."""

    strip = False

    def feed(self, chunk: bytes) -> bytes:
        if self._buf or not chunk.endswith(b"\n\n") or b"\r" in chunk:
            return self._feed_events(chunk)  # a partial event or CRLF framing: parse event by event
        # Whole LF-framed events (the common case). Only the first event (for the model) and events
        # carrying a usage object are parsed; everything else is counted and forwarded at byte level.
        head = b""
        if self.model is None:
            cut = chunk.find(b"\n\n") + 2
            head, chunk = self._one(chunk[:cut]), chunk[cut:]
        if self.strip and _COMPACT_USAGE_NULL in chunk:
            chunk = chunk.replace(_COMPACT_USAGE_NULL, b"")
        if b'"usage"' in chunk:
            chunk = self._with_usage(chunk)
        else:
            self.deltas += chunk.count(b'"delta"')
            if chunk.startswith(_DONE) or _NL_DONE in chunk:
                self.finished = True
        return head + chunk if head else chunk

    def _with_usage(self, chunk: bytes) -> bytes:
        """Whole events, some of them carrying `usage`: parse just those, byte-level for the runs between."""
        out: list[bytes] = []
        pos = 0
        while (found := _USAGE_OBJ.search(chunk, pos)) is not None:
            start = chunk.rfind(b"\n\n", pos, found.start())
            start = pos if start < 0 else start + 2
            end = chunk.find(b"\n\n", found.end()) + 2
            out.append(self._fast(chunk[pos:start]))
            out.append(self._one(chunk[start:end]))
            pos = end
        out.append(self._fast(chunk[pos:]))
        return b"".join(out)

    def _fast(self, run: bytes) -> bytes:
        """Whole events without a usage object: count, spot [DONE], drop the compact `"usage":null`."""
        if not run:
            return run
        if b'"usage"' in run:
            return self._feed_events(run)  # a spelling of `"usage": null` the fast path does not know
        self.deltas += run.count(b'"delta"')
        if run.startswith(_DONE) or _NL_DONE in run:
            self.finished = True
        return run

    def _one(self, event: bytes) -> bytes:
        """One whole LF-framed event, its blank line included: the usual single `data:` line is read directly."""
        line = event[:-2]
        if not line.startswith(b"data: ") or b"\n" in line:
            return self._feed_events(event)
        if self.read(line[6:].strip()) and self.strip:
            return b""  # the usage-only chunk the client did not ask for
        if self.strip and b'"usage"' in line:
            line = line.replace(_COMPACT_USAGE_NULL, b"")
            if b'"usage"' in line:
                line = _USAGE_NULL.sub(b"", line)
            return line + b"\n\n"
        return event

    def _feed_events(self, chunk: bytes) -> bytes:
        events = self._events(chunk)
        if not self.strip:
            for event, _sep in events:
                self.read(_data_of(event))
            return chunk
        out = []
        for event, sep in events:
            if self.read(_data_of(event)):
                continue  # the usage-only chunk the client did not ask for
            if b'"usage"' in event:
                event = event.replace(_COMPACT_USAGE_NULL, b"")
                if b'"usage"' in event:
                    event = _USAGE_NULL.sub(b"", event)
            out.append(event)
            out.append(sep)
        return b"".join(out)

    def flush(self) -> bytes:
        if not self.strip:
            return b""
        rest, self._buf = self._buf, b""
        return rest

    def on_event(self, event: bytes) -> None:
        self.read(_data_of(event))

    def read(self, data: bytes | None) -> bool:
        """Note what `data` carries; True when it is the usage-only chunk that include_usage adds."""
        if data is None:
            return False
        if data == b"[DONE]":
            self.finished = True
            return False
        if b'"delta"' in data:
            self.deltas += 1
        has_usage = b'"usage"' in data and _USAGE_OBJ.search(data) is not None
        if self.model is not None and not has_usage:
            return False
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(obj, dict):
            return False
        if self.model is None and obj.get("model"):
            self.model = obj["model"]
        if not has_usage:
            return False
        usage = _usage_of(obj)
        if usage is not None:
            self.usage = usage
        return usage is not None and obj.get("choices") == [] and isinstance(obj.get("usage"), dict)


def _usage_of(obj: dict[str, Any]) -> Usage | None:
    """Chat chunks carry `usage` (Groq: `x_groq.usage`); Responses-API events carry `response.usage`."""
    usage = from_openai(obj.get("usage"))
    if usage is None and isinstance(obj.get("x_groq"), dict):
        usage = from_openai(obj["x_groq"].get("usage"))
    if usage is None and isinstance(obj.get("response"), dict):
        usage = from_openai(obj["response"].get("usage"))
    return usage


class StrippingOpenAIStream(OpenAIStream):
    """For a stream where Lectr injected include_usage: forward whole events minus what the option added."""

    strip = True


class AnthropicStream(StreamReader):
    """Anthropic native: input usage in message_start, cumulative output usage in message_delta."""

    def __init__(self) -> None:
        super().__init__()
        self._start: dict[str, Any] | None = None

    def feed(self, chunk: bytes) -> bytes:
        # Fast path: whole events of text deltas only (no usage, no end marker) need no parsing.
        if self._buf or not chunk.endswith(b"\n\n") or b'"usage"' in chunk or b"message_stop" in chunk:
            return super().feed(chunk)
        self.deltas += chunk.count(b"event: content_block_delta")
        return chunk

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

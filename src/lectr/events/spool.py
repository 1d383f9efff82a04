"""The on-disk spool: events the store could not take yet, in arrival order, bounded in bytes.

Layout: DATA_DIR/spool/slot-N/ holds append-only segment files of orjson lines (000000000001.jsonl, …)
and a `cursor` file ("segment offset") saying how far replay got. Each gateway process owns one slot,
held by an flock, so workers sharing a data dir never write the same files. A slot left behind by a
process that is gone (say --workers went from 2 to 1) is adopted and replayed before our own, since
its events are older. Replay reads from the cursor; the cursor moves only after the store committed,
so a crash in between replays a batch twice — which the store's uid check makes harmless.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Sequence

import orjson

from lectr.events.record import COLUMNS, Event

log = logging.getLogger("lectr.spool")
_FIELDS = frozenset(f.name for f in fields(Event))
Item = tuple[bytes, Event]   # (uid, event)


@dataclass(frozen=True, slots=True)
class Position:
    """Where replay stands after a read: the slot, segment and offset, and what the read covered."""

    slot: "Slot"
    segment: int
    offset: int
    count: int
    size: int


def encode(uid: bytes, event: Event) -> bytes:
    return orjson.dumps({"uid": uid.hex(), **{c: getattr(event, c) for c in COLUMNS}}) + b"\n"


def decode(line: bytes) -> Item:
    data: dict[str, Any] = orjson.loads(line)
    uid = bytes.fromhex(data.pop("uid"))
    return uid, Event(**{k: v for k, v in data.items() if k in _FIELDS})


class Slot:
    """One directory of segments, owned through an flock on its `lock` file."""

    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path, self._lock_fd = path, lock_fd
        self.segment, self.offset = self._load_cursor()
        self._repair_tail()
        self.depth, self.size = self._measure()

    @classmethod
    def claim(cls, path: Path) -> "Slot | None":
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return cls(path, fd)

    def release(self) -> None:
        os.close(self._lock_fd)

    def segments(self) -> list[int]:
        return sorted(int(p.stem) for p in self.path.glob("*.jsonl") if p.stem.isdigit())

    def file(self, segment: int) -> Path:
        return self.path / f"{segment:012d}.jsonl"

    def _load_cursor(self) -> tuple[int, int]:
        try:
            segment, offset = (self.path / "cursor").read_text().split()
            return int(segment), int(offset)
        except (OSError, ValueError):
            segments = self.segments()
            return (segments[0] if segments else 1), 0

    def _repair_tail(self) -> None:
        """A crash mid-append can leave half a line at the end of the last segment: cut it off."""
        segments = self.segments()
        if not segments:
            return
        path = self.file(segments[-1])
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(path, "r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)

    def _measure(self) -> tuple[int, int]:
        depth = size = 0
        for segment in self.segments():
            if segment < self.segment:
                continue
            data = self.file(segment).read_bytes()
            if segment == self.segment:
                data = data[self.offset:]
            depth += data.count(b"\n")
            size += len(data)
        return depth, size

    def read(self, limit: int) -> tuple[list[Item], Position]:
        items: list[Item] = []
        segment, offset, size, lines = self.segment, self.offset, 0, 0
        for candidate in self.segments():
            if candidate < segment:
                continue
            if candidate > segment:
                segment, offset = candidate, 0
            with open(self.file(segment), "rb") as f:
                f.seek(offset)
                while lines < limit and (line := f.readline()):
                    offset, size, lines = offset + len(line), size + len(line), lines + 1
                    try:
                        items.append(decode(line))
                    except (ValueError, TypeError, KeyError):
                        log.error("spool %s: skipping an unreadable line", self.path.name)
            if lines >= limit:
                break
        if lines == 0:
            self.depth = self.size = 0  # the counters drifted from the files: trust the files
        return items, Position(self, segment, offset, lines, size)

    def commit(self, pos: Position) -> None:
        tmp = self.path / "cursor.tmp"
        tmp.write_text(f"{pos.segment} {pos.offset}")
        os.replace(tmp, self.path / "cursor")
        self.segment, self.offset = pos.segment, pos.offset
        self.depth -= pos.count
        self.size -= pos.size
        for segment in self.segments():
            if segment < pos.segment:
                self.file(segment).unlink(missing_ok=True)

    def append(self, data: bytes, count: int, segment_bytes: int) -> None:
        segments = self.segments()
        tail = segments[-1] if segments else self.segment
        if segments and self.file(tail).stat().st_size >= segment_bytes:
            tail += 1
        with open(self.file(tail), "ab") as f:
            f.write(data)
        self.depth += count
        self.size += len(data)


class Spool:
    """This process's slot plus any adopted ones; all methods are blocking file I/O (call them off the loop)."""

    def __init__(self, root: Path, max_bytes: int, segment_bytes: int = 4 << 20) -> None:
        self.root, self.max_bytes, self.segment_bytes = root, max_bytes, segment_bytes
        self._own: Slot | None = None
        self._adopted: list[Slot] = []

    def open(self) -> None:
        n = 0
        while (own := Slot.claim(self.root / f"slot-{n}")) is None:
            n += 1
        self._own = own
        for path in sorted(self.root.glob("slot-*")):
            if path != own.path and (slot := Slot.claim(path)) is not None:
                if slot.depth:
                    log.info("spool: adopting %d events left in %s", slot.depth, path.name)
                    self._adopted.append(slot)
                else:
                    slot.release()
        if self.depth:
            log.warning("spool: %d events from an earlier run wait to be written", self.depth)

    def close(self) -> None:
        for slot in [*self._adopted, *([self._own] if self._own else [])]:
            slot.release()
        self._own, self._adopted = None, []

    @property
    def depth(self) -> int:
        return sum(s.depth for s in self._slots())

    @property
    def size(self) -> int:
        return sum(s.size for s in self._slots())

    def _slots(self) -> list[Slot]:
        return [*self._adopted, *([self._own] if self._own else [])]

    def append(self, items: Sequence[Item]) -> int:
        """Write `items` at the tail; returns how many did not fit under max_bytes (dropped)."""
        if self._own is None:
            raise RuntimeError("spool is not open")
        data, count, budget = bytearray(), 0, self.max_bytes - self.size
        for uid, event in items:
            line = encode(uid, event)
            if len(data) + len(line) <= budget:
                data += line
                count += 1
        if count:
            self._own.append(bytes(data), count, self.segment_bytes)
        return len(items) - count

    def read(self, limit: int) -> tuple[list[Item], Position | None]:
        """The oldest events (adopted slots first), without consuming them; commit() consumes."""
        for slot in self._slots():
            if slot.depth > 0:
                items, pos = slot.read(limit)
                if pos.count:
                    return items, pos
        return [], None

    def commit(self, pos: Position) -> None:
        pos.slot.commit(pos)
        if pos.slot is not self._own and pos.slot.depth <= 0:
            for segment in pos.slot.segments():
                pos.slot.file(segment).unlink(missing_ok=True)
            (pos.slot.path / "cursor").unlink(missing_ok=True)
            pos.slot.release()
            self._adopted.remove(pos.slot)

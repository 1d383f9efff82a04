"""The disk spool: order across segments, the byte bound, restarts, torn writes, slots and adoption."""

from __future__ import annotations

from pathlib import Path

from lectr.events.record import Event
from lectr.events.spool import Item, Spool, encode


def item(n: int) -> Item:
    event = Event(org_id=1, request_id=f"req_{n}", ts_ms=1_000 + n, endpoint="chat.completions", provider="openai",
                  provider_unknown=False, model_requested="gpt-4o", model_actual="gpt-4o", latency_ms=1.5)
    return n.to_bytes(16, "big"), event


def drain(spool: Spool, batch: int = 3) -> list[str]:
    out: list[str] = []
    while True:
        items, pos = spool.read(batch)
        if pos is None:
            return out
        out += [e.request_id for _, e in items]
        spool.commit(pos)


def opened(root: Path, max_bytes: int = 1 << 20, segment_bytes: int = 4 << 20) -> Spool:
    spool = Spool(root, max_bytes, segment_bytes)
    spool.open()
    return spool


def test_round_trip_in_order_across_segments(tmp_path: Path) -> None:
    spool = opened(tmp_path, segment_bytes=600)  # a few events per segment file
    assert spool.append([item(n) for n in range(5)]) == 0
    assert spool.append([item(n) for n in range(5, 12)]) == 0
    assert len(list((tmp_path / "slot-0").glob("*.jsonl"))) > 1
    assert spool.depth == 12 and spool.size > 0
    uid, event = spool.read(1)[0][0]
    assert uid == item(0)[0] and event == item(0)[1]
    assert drain(spool) == [f"req_{n}" for n in range(12)]
    assert spool.depth == 0 and spool.size == 0
    assert len(list((tmp_path / "slot-0").glob("*.jsonl"))) <= 1  # consumed segments are deleted


def test_bound_drops_what_does_not_fit(tmp_path: Path) -> None:
    line = len(encode(*item(0)))
    spool = opened(tmp_path, max_bytes=line * 3 + 10)
    assert spool.append([item(n) for n in range(5)]) == 2
    assert spool.depth == 3
    assert drain(spool) == ["req_0", "req_1", "req_2"]
    assert spool.append([item(9)]) == 0  # room again once replayed


def test_restart_resumes_at_the_cursor(tmp_path: Path) -> None:
    spool = opened(tmp_path)
    spool.append([item(n) for n in range(6)])
    _, pos = spool.read(4)
    assert pos is not None
    spool.commit(pos)
    spool.close()
    again = opened(tmp_path)
    assert again.depth == 2
    assert drain(again) == ["req_4", "req_5"]


def test_uncommitted_read_is_read_again(tmp_path: Path) -> None:
    spool = opened(tmp_path)
    spool.append([item(n) for n in range(3)])
    spool.read(2)  # the store failed: no commit
    assert drain(spool) == ["req_0", "req_1", "req_2"]


def test_torn_last_line_is_cut_off(tmp_path: Path) -> None:
    spool = opened(tmp_path)
    spool.append([item(0), item(1)])
    spool.close()
    segment = next((tmp_path / "slot-0").glob("*.jsonl"))
    with open(segment, "ab") as f:
        f.write(encode(*item(2))[:25])  # a crash mid-append
    again = opened(tmp_path)
    assert again.depth == 2
    again.append([item(3)])
    assert drain(again) == ["req_0", "req_1", "req_3"]


def test_unreadable_line_is_skipped_not_stuck(tmp_path: Path) -> None:
    spool = opened(tmp_path)
    spool.append([item(0)])
    segment = next((tmp_path / "slot-0").glob("*.jsonl"))
    with open(segment, "ab") as f:
        f.write(b'{"not": "an event"}\n')
    spool.close()
    again = opened(tmp_path)
    again.append([item(1)])
    assert drain(again) == ["req_0", "req_1"] and again.depth == 0


def test_processes_get_their_own_slots(tmp_path: Path) -> None:
    first, second = opened(tmp_path), opened(tmp_path)
    first.append([item(0)])
    second.append([item(1)])
    assert (tmp_path / "slot-0").is_dir() and (tmp_path / "slot-1").is_dir()
    assert drain(first) == ["req_0"] and drain(second) == ["req_1"]


def test_a_slot_left_behind_is_adopted_and_replayed_first(tmp_path: Path) -> None:
    first, second = opened(tmp_path), opened(tmp_path)
    second.append([item(0), item(1)])  # events of a worker that then went away
    second.close()
    first.close()
    survivor = opened(tmp_path)  # takes slot-0, adopts slot-1's backlog
    survivor.append([item(2)])
    assert survivor.depth == 3
    assert drain(survivor) == ["req_0", "req_1", "req_2"]
    assert not list((tmp_path / "slot-1").glob("*.jsonl"))

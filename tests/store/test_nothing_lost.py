"""Nothing lost: a PostgreSQL outage mid-traffic, and a SIGTERM right after a burst, keep every event."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.fakes.server import FakeProviders
from tests.store.traffic import chat, client, health, request_ids, wait_until
from tests.support.gateway import Gateway, gateway_env
from tests.support.postgres import Cluster, Postgres, PrivateServer, require_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = require_postgres()
    yield server
    server.drop_all()


def _gateway(fakes: FakeProviders, data_dir: Path, url: str, **env: str) -> Gateway:
    return Gateway(data_dir, gateway_env(data_dir, fakes.base_urls, LECTR_DATABASE_URL=url, **env))


class Traffic:
    """Sends chat requests one after another from a thread until stopped; remembers each answer."""

    def __init__(self, gw: Gateway, key: str) -> None:
        self.gw, self.key = gw, key
        self.sent: list[httpx.Response] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with client() as http:
            while not self._stop.is_set():
                self.sent.append(chat(http, self.gw.url, self.key))

    def __enter__(self) -> "Traffic":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def wait_for(self, n: int) -> None:
        wait_until(lambda: len(self.sent) >= n, what=f"{n} requests")


@pytest.fixture
def outage_server(postgres: Postgres) -> Iterator[tuple[PrivateServer | Cluster, str]]:
    """A server this test may stop: a private one, else (where none can be made) the machine's own."""
    private = PrivateServer()
    if private.usable() is None:
        yield private.create(), private.url
        private.destroy()
        return
    shared = Cluster(postgres.admin_url)
    if (why := shared.usable()) is not None:
        pytest.skip(f"cannot stop a PostgreSQL server here: {why}; {private.usable()}")
    yield shared, postgres.create_database()


def test_postgres_outage_mid_stream_loses_no_event(
    fakes: FakeProviders, tmp_path: Path, outage_server: tuple[PrivateServer | Cluster, str], http: httpx.Client
) -> None:
    cluster, url = outage_server
    gw = _gateway(fakes, tmp_path / "gw", url, LECTR_STORE_WRITE_TIMEOUT="2").start()
    try:
        key = gw.create_org("acme")
        try:
            with Traffic(gw, key) as traffic:
                traffic.wait_for(20)
                cluster.stop()
                during = len(traffic.sent)
                spooling = wait_until(lambda: (h := health(http, gw))["events_spooled"] > 0 and h, what="spooling")
                assert spooling["store_reachable"] is False and spooling["status"] == "degraded"
                traffic.wait_for(during + 30)  # requests keep flowing while the database is down
                cluster.start()
                traffic.wait_for(len(traffic.sent) + 20)
        finally:
            cluster.start()  # never leave the machine's PostgreSQL stopped
        assert {r.status_code for r in traffic.sent} == {200}
        sent = {r.headers["x-request-id"] for r in traffic.sent}
        assert len(sent) == len(traffic.sent)
        wait_until(lambda: request_ids(http, gw, key) == sent, timeout=30, what="every event after the outage")
        after = health(http, gw)
        assert after["events_spooled"] == 0 and after["events_dropped"] == 0 and after["store_reachable"] is True
    finally:
        gw.stop()


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_sigterm_flushes_the_queue(
    fakes: FakeProviders, tmp_path: Path, store: str, request: pytest.FixtureRequest, http: httpx.Client
) -> None:
    url = (
        request.getfixturevalue("postgres").create_database() if store == "postgres"
        else f"sqlite:///{tmp_path / 'gw' / 'lectr.db'}"
    )
    # Long batch interval and big batches: the events are still in memory when the signal arrives.
    slow = {"LECTR_BATCH_INTERVAL_SECONDS": "3600", "LECTR_BATCH_MAX_EVENTS": "100000"}
    gw = _gateway(fakes, tmp_path / "gw", url, **slow).start()
    key = gw.create_org("acme")
    sent = {chat(http, gw.url, key).headers["x-request-id"] for _ in range(40)}
    assert health(http, gw)["event_queue_depth"] == 40
    assert gw.stop(signal.SIGTERM) == 0
    gw.start()
    try:
        assert request_ids(http, gw, key) == sent
    finally:
        gw.stop()

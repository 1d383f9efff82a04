"""A real `lectr serve` subprocess, its CLI, its log and its database, for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Gateway:
    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "serve.log"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "lectr.db"

    @property
    def store_url(self) -> str:
        return self.env.get("LECTR_DATABASE_URL") or f"sqlite:///{self.db_path}"

    @property
    def on_sqlite(self) -> bool:
        return self.store_url.startswith("sqlite:")

    def stored_bytes(self) -> bytes:
        """Everything the store holds, as bytes to search: the SQLite files, or a PostgreSQL data dump."""
        if self.on_sqlite:
            files = sorted(self.data_dir.glob(self.db_path.name + "*"))  # lectr.db, -wal, -shm
            assert self.db_path in files, f"no database at {self.db_path}"
            return b"".join(p.read_bytes() for p in files)
        dump = subprocess.run(["pg_dump", "--data-only", "--no-owner", self.store_url], capture_output=True, timeout=120)
        assert dump.returncode == 0, dump.stderr.decode()
        return dump.stdout

    def start(self, *extra: str) -> "Gateway":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lectr", "serve", "--port", str(self.port), *extra],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lectr serve exited early:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("lectr serve did not become healthy")

    def stop(self, sig: int | None = None) -> int | None:
        if self.proc is None:
            return None
        if sig is None:
            self.proc.terminate()
        else:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "lectr", *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        if check and result.returncode != 0:
            raise AssertionError(f"lectr {' '.join(args)} failed: {result.stderr}")
        return result

    def create_org(self, name: str) -> str:
        key = json.loads(self.cli("orgs", "create", name, "--json").stdout)["key"]
        self.wait_key_accepted(key)
        return key

    def wait_key_accepted(self, key: str, accepted: bool = True, timeout: float = 5.0) -> float:
        """Seconds until the running gateway accepts (or rejects) `key`."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            status = self.api("/api/v1/events?limit=1", key).status_code
            if (status == 200) == accepted:
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"key not {'accepted' if accepted else 'rejected'} within {timeout}s")

    def api(self, path: str, key: str | None) -> httpx.Response:
        headers = {"X-Lectr-Key": key} if key else {}
        return httpx.get(self.url + path, headers=headers, timeout=10)

    def events(self, key: str, **filters: Any) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={v}" for k, v in {"limit": 100, **filters}.items())
        response = self.api(f"/api/v1/events?{query}", key)
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    def wait_events(self, key: str, count: int, timeout: float = 5.0, **filters: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.events(key, **filters)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} events, found {len(found)}: {found}"
                return found
            time.sleep(0.05)


def gateway_env(data_dir: Path, base_urls: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LECTR_")}
    env.update(
        LECTR_DATA_DIR=str(data_dir),
        LECTR_OPENAI_BASE_URL=base_urls["openai"],
        LECTR_ANTHROPIC_BASE_URL=base_urls["anthropic"],
        LECTR_GROQ_BASE_URL=base_urls["groq"],
        LECTR_GEMINI_BASE_URL=base_urls["gemini"],
        LECTR_READ_TIMEOUT="3",
        LECTR_BATCH_INTERVAL_SECONDS="0.05",
        LECTR_KEY_REFRESH_SECONDS="0.2",
        LECTR_LOG_LEVEL="DEBUG",
    )
    env.update(extra)
    return env

"""Settings, declared once as data: name, environment variable, default, help."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping


def _field(env: str, default: Any, help: str) -> Any:
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: str = _field("LECTR_DATA_DIR", ".lectr", "Directory for the SQLite database and spool.")
    database_url: str = _field(
        "LECTR_DATABASE_URL", "", "sqlite:///PATH or postgresql://…; default: sqlite file in the data dir."
    )
    openai_base_url: str = _field("LECTR_OPENAI_BASE_URL", "https://api.openai.com/v1", "OpenAI base URL.")
    anthropic_base_url: str = _field(
        "LECTR_ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1", "Anthropic base URL (OpenAI-compatible and /messages)."
    )
    groq_base_url: str = _field("LECTR_GROQ_BASE_URL", "https://api.groq.com/openai/v1", "Groq base URL.")
    gemini_base_url: str = _field(
        "LECTR_GEMINI_BASE_URL",
        "https://generativelanguage.googleapis.com/v1beta/openai",
        "Gemini OpenAI-compatible base URL.",
    )
    max_body_bytes: int = _field("LECTR_MAX_BODY_BYTES", 2 * 1024 * 1024, "Largest request body accepted (413 above).")
    connect_timeout: float = _field("LECTR_CONNECT_TIMEOUT", 10.0, "Seconds to connect to a provider (503 after).")
    read_timeout: float = _field(
        "LECTR_READ_TIMEOUT", 600.0, "Seconds to wait for the provider's response headers or next chunk (504 after)."
    )
    org_requests_per_minute: int = _field("LECTR_ORG_REQUESTS_PER_MINUTE", 0, "Per-org request rate limit (0: off).")
    org_max_streams: int = _field("LECTR_ORG_MAX_STREAMS", 0, "Per-org concurrent stream limit (0: off).")
    key_refresh_seconds: float = _field("LECTR_KEY_REFRESH_SECONDS", 0.5, "How often the org-key cache is refreshed.")
    batch_max_events: int = _field("LECTR_BATCH_MAX_EVENTS", 64, "Largest batch of events written at once.")
    batch_interval_seconds: float = _field("LECTR_BATCH_INTERVAL_SECONDS", 0.2, "How often queued events are written.")
    queue_max_events: int = _field("LECTR_QUEUE_MAX_EVENTS", 100_000, "Events held in memory before dropping.")
    spool_max_bytes: int = _field(
        "LECTR_SPOOL_MAX_BYTES", 256 * 1024 * 1024,
        "Disk spool (DATA_DIR/spool) for events while the store is down or slow; events past it are dropped. 0: off.",
    )
    store_write_timeout: float = _field(
        "LECTR_STORE_WRITE_TIMEOUT", 5.0, "Seconds a batch write may take before its events go to the spool."
    )
    retention_days: int = _field("LECTR_RETENTION_DAYS", 30, "Days raw events (the request log) are kept. 0: forever.")
    rollup_retention_days: int = _field(
        "LECTR_ROLLUP_RETENTION_DAYS", 400, "Days hourly rollups (dashboard history) are kept. 0: forever."
    )
    minute_rollup_retention_days: int = _field(
        "LECTR_MINUTE_ROLLUP_RETENTION_DAYS", 30, "Days per-minute rollups are kept. 0: forever."
    )
    prune_interval_seconds: float = _field(
        "LECTR_PRUNE_INTERVAL_SECONDS", 300.0, "How often expired events and rollups are pruned (in small batches)."
    )
    prune_batch: int = _field("LECTR_PRUNE_BATCH", 5000, "Rows deleted per pruning transaction.")
    workers: int = _field("LECTR_WORKERS", 1, "Gateway processes sharing the port (SO_REUSEPORT); `serve --workers`.")
    price_overrides: str = _field(
        "LECTR_PRICE_OVERRIDES", "", "JSON file of price overrides (see src/lectr/pricing/OVERRIDES.md)."
    )
    log_level: str = _field("LECTR_LOG_LEVEL", "INFO", "Log level.")
    session_secret: str = _field(
        "LECTR_SESSION_SECRET", "",
        "Signs dashboard session cookies; default: a random secret kept in the data dir. Set the same value "
        "on every replica behind one load balancer.",
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = type(f.default)(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return "sqlite:///" + str(Path(self.data_dir).resolve() / "lectr.db")


def describe() -> list[tuple[str, str, str]]:
    """(env var, default, help) for every setting: drives `lectr config` and the README table."""
    return [(f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(Settings)]

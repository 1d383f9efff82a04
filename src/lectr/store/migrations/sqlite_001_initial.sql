CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('config_version', 0);
CREATE TABLE IF NOT EXISTS orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    disabled INTEGER NOT NULL DEFAULT 0,
    azure_endpoint TEXT,
    azure_api_version TEXT,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS org_keys (
    key_hash TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
CREATE TABLE IF NOT EXISTS azure_deployments (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    deployment TEXT NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (org_id, deployment)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_unknown INTEGER NOT NULL,
    model_requested TEXT,
    model_actual TEXT,
    model_reported TEXT,
    streaming INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error_category TEXT,
    error_source TEXT,
    latency_ms REAL NOT NULL,
    ttfb_ms REAL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cached_tokens INTEGER,
    cache_write_tokens INTEGER,
    reasoning_tokens INTEGER,
    token_source TEXT NOT NULL,
    cost_usd REAL,
    cost_status TEXT NOT NULL,
    price_source TEXT,
    feature TEXT NOT NULL,
    task_type TEXT,
    rule_applied TEXT
);
CREATE INDEX IF NOT EXISTS events_org_id ON events (org_id, id);
CREATE INDEX IF NOT EXISTS events_org_ts ON events (org_id, ts_ms);

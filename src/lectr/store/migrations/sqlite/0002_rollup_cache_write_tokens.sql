-- Rollups also sum prompt-cache writes, which some providers bill above plain input (recommendations
-- price them at the alternative model's rate). Rows written before this migration count 0.
ALTER TABLE rollups_minute ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_minute_provider ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_hour ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_hour_provider ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_day ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;

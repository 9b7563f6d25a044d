-- keyless history store, version 1 (PRAGMA user_version = 1).
-- One row in `scans` per `keyless scan --record` / `keyless collect --record`; the other
-- tables hold that scan's facts. A scan is written in one transaction: whole or not at all.
-- No secret is ever stored: access key IDs are identifiers, dates and flags only.
-- Dates are ISO-8601 text in UTC ending in Z.
CREATE TABLE scans (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    collected_at TEXT,
    command TEXT NOT NULL CHECK (command IN ('scan', 'collect')),
    source TEXT NOT NULL,
    organization TEXT,
    complete INTEGER NOT NULL CHECK (complete IN (0, 1)),
    keyless_version TEXT NOT NULL
);
CREATE TABLE accounts (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scanned', 'failed', 'skipped')),
    error TEXT,
    PRIMARY KEY (scan_id, account)
);
CREATE TABLE users (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    arn TEXT NOT NULL,
    name TEXT NOT NULL,
    console_access INTEGER NOT NULL CHECK (console_access IN (0, 1)),
    mfa_active INTEGER NOT NULL CHECK (mfa_active IN (0, 1))
);
CREATE INDEX users_by_scan ON users (scan_id, account);
CREATE TABLE access_keys (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    user_arn TEXT NOT NULL,
    slot INTEGER NOT NULL,
    key_id TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created TEXT,
    last_used TEXT
);
CREATE INDEX access_keys_by_scan ON access_keys (scan_id, account);
CREATE TABLE findings (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    account TEXT NOT NULL,
    resource TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX findings_by_scan ON findings (scan_id, account);
CREATE TABLE not_evaluated (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    account TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX not_evaluated_by_scan ON not_evaluated (scan_id);
-- Added to version 1 later: a store written before gains it when it next records.
CREATE TABLE IF NOT EXISTS suppressed_findings (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    account TEXT NOT NULL,
    resource TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS suppressed_findings_by_scan ON suppressed_findings (scan_id);
PRAGMA user_version = 1;

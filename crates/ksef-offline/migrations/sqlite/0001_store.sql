-- The offline store, SQLite. Instants are Unix milliseconds (UTC), dates are YYYY-MM-DD
-- (Warsaw calendar dates), ciphertexts are AES-256-GCM envelopes (see src/envelope.rs).

CREATE TABLE store_meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_check   BLOB    NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE tenants (
    id                 TEXT PRIMARY KEY,
    context_type       TEXT NOT NULL,
    context_value      TEXT NOT NULL,
    permitted_sellers  TEXT NOT NULL DEFAULT '',
    ksef_token         BLOB,
    offline_cert       BLOB,
    offline_key        BLOB,
    created_ms         INTEGER NOT NULL,
    UNIQUE (context_type, context_value)
);

CREATE TABLE invoices (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    seller_nip         TEXT NOT NULL,
    kind               TEXT NOT NULL,
    number             TEXT NOT NULL,
    issue_date         TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('offline24', 'offline', 'emergency', 'total-failure')),
    hash               TEXT NOT NULL,
    size               INTEGER NOT NULL,
    content            BLOB NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'accepted', 'rejected', 'failed', 'not_required')),
    obligation         TEXT NOT NULL CHECK (obligation IN ('due', 'pending', 'not_required')),
    due_date           TEXT,
    deadline_ms        INTEGER,
    deadline_reasoning TEXT NOT NULL DEFAULT '[]',
    kod1               TEXT,
    kod2               TEXT,
    ksef_number        TEXT UNIQUE,
    ksef_reference     TEXT,
    error_code         TEXT,
    error_description  TEXT,
    upo                BLOB,
    lease_owner        TEXT,
    lease_until_ms     INTEGER,
    attempts           INTEGER NOT NULL DEFAULT 0,
    corrects           TEXT REFERENCES invoices (id),
    corrected_by       TEXT REFERENCES invoices (id),
    issued_ms          INTEGER NOT NULL,
    updated_ms         INTEGER NOT NULL
);

-- KSeF's duplicate key (Podmiot1 NIP, RodzajFaktury, P_2). A technical correction keeps the
-- key of the invoice it corrects, so corrections are left out.
CREATE UNIQUE INDEX invoices_duplicate_key ON invoices (seller_nip, kind, number) WHERE corrects IS NULL;
CREATE INDEX invoices_due ON invoices (tenant_id, state, deadline_ms);
CREATE INDEX invoices_deadline ON invoices (deadline_ms) WHERE deadline_ms IS NOT NULL;
CREATE INDEX invoices_hash ON invoices (hash);

CREATE TABLE outages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('unavailability', 'failure', 'total-failure')),
    start_ms     INTEGER NOT NULL,
    end_ms       INTEGER,
    evidence     TEXT NOT NULL,
    recorded_ms  INTEGER NOT NULL,
    UNIQUE (kind, start_ms)
);

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id  TEXT REFERENCES invoices (id),
    tenant_id   TEXT,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    what        TEXT NOT NULL,
    details     TEXT NOT NULL
);
CREATE INDEX events_invoice ON events (invoice_id, seq);

-- The history is append-only.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;

-- The offline store, PostgreSQL. Instants are Unix milliseconds (UTC), dates are YYYY-MM-DD
-- (Warsaw calendar dates): the same encoding as the SQLite backend, so that the store code
-- above the SQL is shared. Ciphertexts are AES-256-GCM envelopes (see src/envelope.rs).

CREATE TABLE store_meta (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    key_check   BYTEA  NOT NULL,
    created_ms  BIGINT NOT NULL
);

CREATE TABLE tenants (
    id                 TEXT PRIMARY KEY,
    context_type       TEXT NOT NULL,
    context_value      TEXT NOT NULL,
    permitted_sellers  TEXT NOT NULL DEFAULT '',
    ksef_token         BYTEA,
    offline_cert       BYTEA,
    offline_key        BYTEA,
    created_ms         BIGINT NOT NULL,
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
    size               BIGINT NOT NULL,
    content            BYTEA NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'accepted', 'rejected', 'failed', 'not_required')),
    obligation         TEXT NOT NULL CHECK (obligation IN ('due', 'pending', 'not_required')),
    due_date           TEXT,
    deadline_ms        BIGINT,
    deadline_reasoning TEXT NOT NULL DEFAULT '[]',
    kod1               TEXT,
    kod2               TEXT,
    ksef_number        TEXT UNIQUE,
    ksef_reference     TEXT,
    error_code         TEXT,
    error_description  TEXT,
    upo                BYTEA,
    lease_owner        TEXT,
    lease_until_ms     BIGINT,
    attempts           BIGINT NOT NULL DEFAULT 0,
    corrects           TEXT REFERENCES invoices (id),
    corrected_by       TEXT REFERENCES invoices (id),
    issued_ms          BIGINT NOT NULL,
    updated_ms         BIGINT NOT NULL
);

-- KSeF's duplicate key (Podmiot1 NIP, RodzajFaktury, P_2). A technical correction keeps the
-- key of the invoice it corrects, so corrections are left out.
CREATE UNIQUE INDEX invoices_duplicate_key ON invoices (seller_nip, kind, number) WHERE corrects IS NULL;
CREATE INDEX invoices_due ON invoices (tenant_id, state, deadline_ms);
CREATE INDEX invoices_deadline ON invoices (deadline_ms) WHERE deadline_ms IS NOT NULL;
CREATE INDEX invoices_hash ON invoices (hash);

CREATE TABLE outages (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('unavailability', 'failure', 'total-failure')),
    start_ms     BIGINT NOT NULL,
    end_ms       BIGINT,
    evidence     TEXT NOT NULL,
    recorded_ms  BIGINT NOT NULL,
    UNIQUE (kind, start_ms)
);

CREATE TABLE events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id  TEXT REFERENCES invoices (id),
    tenant_id   TEXT,
    at_ms       BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    what        TEXT NOT NULL,
    details     TEXT NOT NULL
);
CREATE INDEX events_invoice ON events (invoice_id, seq);

-- The history is append-only.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event history is append-only';
END;
$$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

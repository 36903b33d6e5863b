-- Endpoints an admin registered to hear about events, with the secret that
-- signs every delivery (kept readable: the server must sign with it).
CREATE TABLE webhook_endpoints (
    id SERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- The event types it wants, as a JSON list of names.
    events TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- One event for one endpoint: queued in the event's own transaction, sent by
-- the webhook worker, retried with backoff, like the email outbox.
CREATE TABLE webhook_deliveries (
    id SERIAL PRIMARY KEY,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'delivered', 'failed')),
    tries INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
-- One event reaches one endpoint through one delivery row.
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_try_at);

CREATE TABLE webhook_tries (
    id SERIAL PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    tried_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    succeeded BOOLEAN NOT NULL,
    error TEXT
);
CREATE INDEX webhook_tries_delivery_idx ON webhook_tries (delivery_id);

-- A recruiter's list of graduates invited to a drive: one row per address
-- per drive, so a list uploaded again invites nobody twice. Only the hash of
-- each personal link's token is kept.
CREATE TABLE campus_invitations (
    id SERIAL PRIMARY KEY,
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    degree TEXT,
    institute TEXT,
    score_percent DOUBLE PRECISION,
    token_hash TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP
);
CREATE UNIQUE INDEX campus_invitations_address ON campus_invitations (drive_id, email);
CREATE UNIQUE INDEX campus_invitations_token ON campus_invitations (token_hash);

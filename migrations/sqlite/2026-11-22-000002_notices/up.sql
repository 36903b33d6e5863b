CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL,
    event_key TEXT NOT NULL,
    recipient_id INTEGER REFERENCES users (id),
    recipient_email TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    tries INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
-- One event never mails one person twice.
CREATE UNIQUE INDEX notices_event_key ON notices (event_key);
CREATE INDEX notices_due_idx ON notices (status, next_try_at);

CREATE TABLE notice_tries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    notice_id INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    tried_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL,
    error TEXT
);
CREATE INDEX notice_tries_notice_idx ON notice_tries (notice_id);

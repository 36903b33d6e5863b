-- Sign-in throttling by client address as well as by account. A failure is
-- recorded before the password is checked (and deleted again if it was
-- right); `cleared` marks failures a later right password forgave for the
-- account, which still count against the address they came from.
ALTER TABLE login_failures ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE login_failures ADD COLUMN cleared BOOLEAN NOT NULL DEFAULT 0;
CREATE INDEX login_failures_addr_idx ON login_failures (client_addr, failed_at);

-- Password reset links: only a hash of the token is kept; a link works once,
-- until it expires.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE UNIQUE INDEX password_resets_token_hash_key ON password_resets (token_hash);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id, created_at);

-- Tokens an administrator made for an integration (an ATS, a job portal, a
-- script). Only the SHA-256 of each token is kept; the token itself is shown
-- once, when it is made. A token acts for the administrator who made it,
-- with its scope's role, until it expires or is revoked.
CREATE TABLE service_tokens (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read_only', 'recruiter', 'trainer')),
    token_hash TEXT NOT NULL,
    -- The token's first characters, so a person can tell tokens apart.
    token_prefix TEXT NOT NULL,
    requests_per_minute INTEGER NOT NULL CHECK (requests_per_minute > 0),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by INTEGER REFERENCES users (id),
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX service_tokens_hash ON service_tokens (token_hash);

-- A miskeyed version corrected: the new version with the right key. Attempts
-- that saw the old version are scored with the key at the end of its chain
-- of corrections.
CREATE TABLE key_corrections (
    version_id INTEGER PRIMARY KEY REFERENCES question_versions (id),
    corrected_version_id INTEGER NOT NULL REFERENCES question_versions (id),
    reason TEXT NOT NULL,
    actor INTEGER REFERENCES users (id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX key_corrections_corrected_idx ON key_corrections (corrected_version_id);

-- One row per attempt item re-scored after a miskeyed question was
-- corrected: the attempt keeps the version it was shown (version_id), its
-- score comes from the corrected version (corrected_version_id). Percents are
-- null for an attempt not yet graded (an essay still waiting for marks).
CREATE TABLE regrades (
    id SERIAL PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts (id),
    version_id INTEGER NOT NULL REFERENCES question_versions (id),
    corrected_version_id INTEGER NOT NULL REFERENCES question_versions (id),
    old_score DOUBLE PRECISION,
    new_score DOUBLE PRECISION NOT NULL,
    old_percent DOUBLE PRECISION,
    new_percent DOUBLE PRECISION,
    at TIMESTAMP NOT NULL,
    actor INTEGER REFERENCES users (id)
);
CREATE INDEX regrades_attempt_idx ON regrades (attempt_id);
CREATE INDEX regrades_version_idx ON regrades (version_id);

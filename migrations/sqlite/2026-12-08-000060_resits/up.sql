-- A re-sit a trainer opened: one more attempt at a post-training exam for
-- one trainee, to be started before `until` (even after the exam closed).
CREATE TABLE resits (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    granted_by INTEGER REFERENCES users (id),
    granted_at TIMESTAMP NOT NULL,
    until TIMESTAMP NOT NULL,
    -- The attempt that used it; NULL while it is open.
    attempt_id INTEGER REFERENCES attempts (id)
);
CREATE INDEX resits_by_person ON resits (assessment_id, user_id);

-- A 2PL calibration of the graded attempts of one or more assessments: it
-- runs in the background, so the row holds its progress (EM cycle and
-- log-likelihood), its timings, the report (JSON) or why it failed, and who
-- accepted its parameters onto the question versions.
CREATE TABLE calibrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    assessment_ids TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'accepted')),
    iteration INTEGER NOT NULL DEFAULT 0,
    log_likelihood DOUBLE,
    people INTEGER NOT NULL DEFAULT 0,
    report TEXT,
    error TEXT,
    created_by INTEGER REFERENCES users (id),
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    accepted_by INTEGER REFERENCES users (id),
    accepted_at TIMESTAMP
);

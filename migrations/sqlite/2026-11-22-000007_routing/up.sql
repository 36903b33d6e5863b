CREATE TABLE processes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    client TEXT NOT NULL,
    track TEXT NOT NULL CHECK (track IN ('kpo', 'bpo')),
    tier TEXT NOT NULL CHECK (tier IN ('critical', 'complex', 'standard', 'basic')),
    min_percent DOUBLE NOT NULL,
    -- JSON object: section name to minimum percent.
    section_minimums TEXT NOT NULL,
    seats INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX processes_name_key ON processes (name);

CREATE TABLE routing_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    band_points DOUBLE NOT NULL,
    band_note TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);

CREATE TABLE routing_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES routing_runs (id),
    trainee_id INTEGER NOT NULL REFERENCES users (id),
    rank INTEGER NOT NULL,
    percent DOUBLE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('assigned', 'review', 'retrain')),
    process_id INTEGER REFERENCES processes (id),
    review_process_id INTEGER REFERENCES processes (id),
    previous_process_id INTEGER REFERENCES processes (id),
    explanation TEXT NOT NULL,
    override_reason TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX routing_lines_trainee_key ON routing_lines (run_id, trainee_id);

-- Where each trainee works now: set by published runs only.
CREATE TABLE placements (
    trainee_id INTEGER PRIMARY KEY NOT NULL REFERENCES users (id),
    process_id INTEGER NOT NULL REFERENCES processes (id),
    run_id INTEGER NOT NULL REFERENCES routing_runs (id),
    since TIMESTAMP NOT NULL
);
CREATE INDEX placements_process_idx ON placements (process_id);

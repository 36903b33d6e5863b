CREATE TABLE assessments (
    id SERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('aptitude', 'post_training')),
    -- The sections as JSON: [{name, bank_id, category, count, difficulty_mix, points_each}].
    sections TEXT NOT NULL,
    time_limit_minutes INTEGER NOT NULL,
    pass_percent DOUBLE PRECISION NOT NULL,
    negative_marking DOUBLE PRECISION NOT NULL,
    shuffle_questions BOOLEAN NOT NULL,
    shuffle_options BOOLEAN NOT NULL,
    max_attempts INTEGER NOT NULL,
    grace_seconds INTEGER NOT NULL,
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    show_score BOOLEAN NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE drives (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    min_score_percent DOUBLE PRECISION,
    min_degree_class TEXT,
    -- JSON arrays; empty means any.
    degrees TEXT NOT NULL,
    domains TEXT NOT NULL,
    tie_break_sections TEXT NOT NULL,
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE attempts (
    id SERIAL PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    attempt_no INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'awaiting_marking', 'graded')),
    seed BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    deadline TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    graded_at TIMESTAMP,
    score DOUBLE PRECISION,
    max_score DOUBLE PRECISION NOT NULL,
    percent DOUBLE PRECISION,
    passed BOOLEAN,
    focus_losses INTEGER NOT NULL DEFAULT 0,
    pastes INTEGER NOT NULL DEFAULT 0,
    -- The person's attempt that counts: their latest graded one.
    counting BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX attempts_number_key ON attempts (assessment_id, user_id, attempt_no);
CREATE INDEX attempts_open_deadline_idx ON attempts (status, deadline);
CREATE INDEX attempts_population_idx ON attempts (assessment_id, counting, percent);

-- The form: which question version stands in which slot, with its option order.
CREATE TABLE attempt_items (
    id SERIAL PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts (id),
    position INTEGER NOT NULL,
    section TEXT NOT NULL,
    slot INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    version_id INTEGER NOT NULL REFERENCES question_versions (id),
    qtype TEXT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    option_order TEXT NOT NULL,
    score DOUBLE PRECISION,
    marked_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX attempt_items_question_key ON attempt_items (attempt_id, question_id);
CREATE INDEX attempt_items_version_idx ON attempt_items (version_id);

CREATE TABLE responses (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id),
    question_id INTEGER NOT NULL,
    answer TEXT NOT NULL,
    seq BIGINT NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

CREATE TABLE attempt_signals (
    id SERIAL PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts (id),
    kind TEXT NOT NULL CHECK (kind IN ('focus_loss', 'paste')),
    at TIMESTAMP NOT NULL
);
CREATE INDEX attempt_signals_attempt_idx ON attempt_signals (attempt_id);

CREATE TABLE applications (
    id SERIAL PRIMARY KEY,
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    candidate_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    eligible BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    attempt_id INTEGER REFERENCES attempts (id),
    percent DOUBLE PRECISION,
    tie_break DOUBLE PRECISION,
    submitted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX applications_candidate_key ON applications (drive_id, candidate_id);
CREATE INDEX applications_attempt_idx ON applications (attempt_id);

CREATE TABLE application_events (
    id SERIAL PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX application_events_app_idx ON application_events (application_id);

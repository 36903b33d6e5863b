CREATE TABLE banks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    category TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX banks_name_key ON banks (name);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    bank_id INTEGER NOT NULL REFERENCES banks (id),
    external_id TEXT,
    category TEXT NOT NULL,
    -- The normalised stem: how a question without an external id is found again.
    stem_key TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX questions_external_id_key ON questions (bank_id, external_id);
CREATE INDEX questions_stem_idx ON questions (bank_id, category, stem_key);

-- Immutable: an edit makes a new row; attempts point at the row they showed.
CREATE TABLE question_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    version INTEGER NOT NULL,
    qtype TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    points DOUBLE NOT NULL,
    name TEXT,
    stem TEXT NOT NULL,
    stem_format TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    explanation TEXT,
    content_hash TEXT NOT NULL,
    quarantined BOOLEAN NOT NULL DEFAULT 0,
    quarantine_reason TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX question_versions_key ON question_versions (question_id, version);

CREATE TABLE bank_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    bank_id INTEGER REFERENCES banks (id),
    bank_name TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('previewed', 'applied', 'discarded')),
    skip_unsupported BOOLEAN NOT NULL,
    content TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    applied_at TIMESTAMP
);

-- A recruiter's list of graduates as uploaded on the drive's invitations
-- page, kept between the preview and the "Send" that follows it, so the
-- people sent to are exactly the people previewed. `sent_at` is set once,
-- when the list is sent.
CREATE TABLE campus_uploads (
    id SERIAL PRIMARY KEY,
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    file_name TEXT NOT NULL,
    xlsx BOOLEAN NOT NULL,
    bytes BYTEA NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    invited INTEGER
);
CREATE INDEX campus_uploads_by_drive ON campus_uploads (drive_id);

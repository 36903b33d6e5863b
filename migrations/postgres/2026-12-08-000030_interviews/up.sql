-- Interview slots a recruiter publishes for a drive. `booked` counts the
-- interviews held in the slot; a booking raises it with
-- `UPDATE … SET booked = booked + 1 WHERE booked < capacity`, so two
-- candidates taking the last place at once cannot both get it.
CREATE TABLE interview_slots (
    id SERIAL PRIMARY KEY,
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    starts_at TIMESTAMP NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    place TEXT NOT NULL,
    video_link TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX interview_slots_drive_idx ON interview_slots (drive_id, starts_at);

-- The staff who interview in a slot.
CREATE TABLE interview_panel (
    slot_id INTEGER NOT NULL REFERENCES interview_slots (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (slot_id, user_id)
);

-- One candidate's interview. `uid` and `sequence` are the calendar event's
-- UID and SEQUENCE: the same UID for its whole life, SEQUENCE raised by
-- each reschedule and by the cancellation.
CREATE TABLE interviews (
    id SERIAL PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES interview_slots (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    uid TEXT NOT NULL,
    sequence INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    booked_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX interviews_uid ON interviews (uid);
-- An application holds at most one booked interview.
CREATE UNIQUE INDEX interviews_one_booked ON interviews (application_id) WHERE status = 'booked';
CREATE INDEX interviews_slot_idx ON interviews (slot_id);

-- A notice may carry one attachment (an interview's calendar event).
ALTER TABLE notices ADD COLUMN attachment_name TEXT;
ALTER TABLE notices ADD COLUMN attachment_type TEXT;
ALTER TABLE notices ADD COLUMN attachment_body TEXT;

-- A leave of the test page ends when the person comes back: the page says so,
-- and the server stamps the time on its own clock.
ALTER TABLE attempt_signals ADD COLUMN returned_at TIMESTAMP;

-- Questions a person flagged for review: the review page before submitting
-- lists them, on whichever device the person ends on.
CREATE TABLE attempt_flags (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id),
    question_id INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

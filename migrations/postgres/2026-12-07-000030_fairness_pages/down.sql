DROP TABLE attempt_flags;
ALTER TABLE attempt_signals DROP COLUMN returned_at;

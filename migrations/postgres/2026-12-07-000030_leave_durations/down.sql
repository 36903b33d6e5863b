ALTER TABLE attempt_signals DROP COLUMN returned_at;

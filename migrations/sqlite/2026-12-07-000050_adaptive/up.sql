-- An adaptive blueprint's rules (JSON: lengths, SE target, exposure cap,
-- randomesque k); NULL for a fixed form.
ALTER TABLE assessments ADD COLUMN adaptive TEXT;
-- An adaptive attempt's running ability estimate and its standard error,
-- updated after each answer, and why the test stopped.
ALTER TABLE attempts ADD COLUMN theta DOUBLE;
ALTER TABLE attempts ADD COLUMN theta_se DOUBLE;
ALTER TABLE attempts ADD COLUMN adaptive_stop TEXT;

-- Calibrated 2PL parameters of a question version (assay irt fit), on the
-- theta ~ N(0, 1) logistic metric; both or neither.
ALTER TABLE question_versions ADD COLUMN irt_a DOUBLE PRECISION;
ALTER TABLE question_versions ADD COLUMN irt_b DOUBLE PRECISION;

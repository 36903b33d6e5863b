ALTER TABLE question_versions DROP COLUMN irt_b;
ALTER TABLE question_versions DROP COLUMN irt_a;

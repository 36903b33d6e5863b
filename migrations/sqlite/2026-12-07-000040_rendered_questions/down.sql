ALTER TABLE question_versions DROP COLUMN rendered;

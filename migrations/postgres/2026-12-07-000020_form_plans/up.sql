-- Each section's form plan (how many questions of each difficulty and points
-- value it draws), fixed when the blueprint is saved so every form of the
-- assessment is worth the same. NULL for assessments saved before plans: their
-- plan is worked out from the bank at each start.
ALTER TABLE assessments ADD COLUMN form_plan TEXT;

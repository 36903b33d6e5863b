ALTER TABLE assessments DROP COLUMN form_plan;

-- How many trainees a cohort takes; NULL: no limit.
ALTER TABLE cohorts ADD COLUMN seats INTEGER;

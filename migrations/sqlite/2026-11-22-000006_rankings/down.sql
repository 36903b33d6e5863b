DROP TABLE drive_score_counts;
DROP TABLE application_sections;
DROP INDEX applications_ranking_idx;
ALTER TABLE applications DROP COLUMN sort_key;

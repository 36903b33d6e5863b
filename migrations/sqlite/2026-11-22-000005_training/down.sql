DROP TABLE cohort_exams;
DROP TABLE cohort_trainees;
DROP TABLE cohorts;

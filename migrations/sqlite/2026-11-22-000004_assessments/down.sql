DROP TABLE application_events;
DROP TABLE applications;
DROP TABLE attempt_signals;
DROP TABLE responses;
DROP TABLE attempt_items;
DROP TABLE attempts;
DROP TABLE drives;
DROP TABLE assessments;

DROP TABLE scorecard_ratings;
DROP TABLE scorecards;
DROP TABLE drive_hiring_rules;
DROP TABLE drive_competencies;

ALTER TABLE attempts DROP COLUMN adaptive_stop;
ALTER TABLE attempts DROP COLUMN theta_se;
ALTER TABLE attempts DROP COLUMN theta;
ALTER TABLE assessments DROP COLUMN adaptive;

DROP TABLE audit_log;
DROP TABLE candidate_profiles;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;

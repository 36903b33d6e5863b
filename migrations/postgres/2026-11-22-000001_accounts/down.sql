DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE candidate_profiles;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;

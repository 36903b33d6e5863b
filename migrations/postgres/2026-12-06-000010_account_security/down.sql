DROP TABLE password_resets;
DROP INDEX login_failures_addr_idx;
ALTER TABLE login_failures DROP COLUMN cleared;
ALTER TABLE login_failures DROP COLUMN client_addr;

DROP INDEX drives_invite_code;
ALTER TABLE drives DROP COLUMN invite_code;
ALTER TABLE drives DROP COLUMN state;

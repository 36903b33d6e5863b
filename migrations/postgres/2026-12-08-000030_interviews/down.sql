ALTER TABLE notices DROP COLUMN attachment_body;
ALTER TABLE notices DROP COLUMN attachment_type;
ALTER TABLE notices DROP COLUMN attachment_name;
DROP TABLE interviews;
DROP TABLE interview_panel;
DROP TABLE interview_slots;

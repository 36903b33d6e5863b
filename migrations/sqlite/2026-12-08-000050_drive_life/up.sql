-- Where a drive is in its life: 'open' (takes applications within its
-- window), 'closed' (takes none until reopened), 'archived' (hidden from
-- candidates, read-only for staff).
ALTER TABLE drives ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
-- The code of the drive's shareable invite link (/join/{code}); NULL until
-- a recruiter first asks for the link.
ALTER TABLE drives ADD COLUMN invite_code TEXT;
CREATE UNIQUE INDEX drives_invite_code ON drives (invite_code);

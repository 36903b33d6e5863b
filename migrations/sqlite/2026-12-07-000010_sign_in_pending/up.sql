-- A claimed sign-in slot is `pending` while its password is being checked:
-- it holds a place against the per-address limit (so parallel guesses
-- cannot pass it) but is not yet a failure, so a hall of honest people
-- behind one address waits for a place instead of being refused.
ALTER TABLE login_failures ADD COLUMN pending BOOLEAN NOT NULL DEFAULT 0;

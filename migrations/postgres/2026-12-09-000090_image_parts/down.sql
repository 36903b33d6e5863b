ALTER TABLE version_images DROP COLUMN shown_while_answering;

-- A leave of the test page ends when the person comes back: the page says so,
-- and the server stamps the time on its own clock.
ALTER TABLE attempt_signals ADD COLUMN returned_at TIMESTAMP;

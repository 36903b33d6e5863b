-- Each version's text as shown: sanitised HTML and a plain-text form of the
-- stem, options, feedback and explanation (JSON), rendered once when the
-- version is written. Versions written before this column are rendered when
-- the server starts.
ALTER TABLE question_versions ADD COLUMN rendered TEXT;

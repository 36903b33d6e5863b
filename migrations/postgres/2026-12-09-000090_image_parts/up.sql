-- Whether a version shows an image while the question is answered (in its
-- stem or an option) or only in feedback or the explanation, which staff
-- see but candidates do not: a candidate may fetch only the first kind.
ALTER TABLE version_images ADD COLUMN shown_while_answering BOOLEAN NOT NULL DEFAULT FALSE;

-- Links written before this column: read where each version's stored
-- rendering shows the image.
UPDATE version_images AS vi SET shown_while_answering = TRUE
FROM question_versions AS v
WHERE v.id = vi.version_id
  AND (strpos(v.rendered::json -> 'stem' ->> 'html', vi.sha256) > 0
       OR strpos(v.rendered::json ->> 'options', vi.sha256) > 0);

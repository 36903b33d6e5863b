-- Whether a version shows an image while the question is answered (in its
-- stem or an option) or only in feedback or the explanation, which staff
-- see but candidates do not: a candidate may fetch only the first kind.
ALTER TABLE version_images ADD COLUMN shown_while_answering BOOLEAN NOT NULL DEFAULT 0;

-- Links written before this column: read where each version's stored
-- rendering shows the image.
UPDATE version_images SET shown_while_answering = 1
WHERE EXISTS (
    SELECT 1 FROM question_versions v
    WHERE v.id = version_images.version_id
      AND (instr(json_extract(v.rendered, '$.stem.html'), version_images.sha256) > 0
           OR instr(json_extract(v.rendered, '$.options'), version_images.sha256) > 0)
);

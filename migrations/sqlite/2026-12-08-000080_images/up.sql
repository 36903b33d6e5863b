-- Images questions show: imported from Moodle XML (<file>, Moodle 1.9's
-- <image_base64>) or uploaded in the editor. Known by the SHA-256 of their
-- bytes, so the same picture is stored once however many questions use it.
-- The content type was read from the bytes (PNG, JPEG, GIF or WebP), never
-- from a file name.
CREATE TABLE images (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- Which versions show which images: a candidate may fetch an image only
-- through a version on one of their attempts.
CREATE TABLE version_images (
    version_id INTEGER NOT NULL REFERENCES question_versions (id),
    sha256 TEXT NOT NULL REFERENCES images (sha256),
    PRIMARY KEY (version_id, sha256)
);
CREATE INDEX version_images_by_image ON version_images (sha256);

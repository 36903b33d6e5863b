DROP TABLE version_images;
DROP TABLE images;

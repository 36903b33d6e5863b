DROP TABLE regrades;
DROP TABLE key_corrections;

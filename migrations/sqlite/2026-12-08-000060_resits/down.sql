DROP TABLE resits;

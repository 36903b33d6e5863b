DROP TABLE campus_uploads;

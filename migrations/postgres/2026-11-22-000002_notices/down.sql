DROP TABLE notice_tries;
DROP TABLE notices;

-- One sortable key per graded application: percent (high first), tie-break
-- score (high first), submission (early first), id. Keyset paging on it is
-- the same index walk on page 1,000 as on page 1.
ALTER TABLE applications ADD COLUMN sort_key TEXT;
CREATE INDEX applications_ranking_idx ON applications (drive_id, sort_key);

-- Each graded application's section percents, for the sections column and
-- for sorting by a section.
CREATE TABLE application_sections (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    section TEXT NOT NULL,
    percent DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (application_id, section)
);
CREATE INDEX application_sections_sort_idx ON application_sections (drive_id, section, percent, application_id);

-- How many graded applications share each (percent, tie-break) score, so
-- ranks and percentiles come from a small table instead of counting rows.
CREATE TABLE drive_score_counts (
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    percent DOUBLE PRECISION NOT NULL,
    tie_break DOUBLE PRECISION NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (drive_id, percent, tie_break)
);

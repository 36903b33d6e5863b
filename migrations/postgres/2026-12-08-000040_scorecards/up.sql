-- A drive's interview competencies, in order. A drive with none uses the
-- default five (drives::scorecards::competencies::defaults).
CREATE TABLE drive_competencies (
    drive_id INTEGER NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- What a rating of 1 to 5 means: a JSON list of five sentences, 1 first.
    anchors TEXT NOT NULL,
    PRIMARY KEY (drive_id, position)
);

-- How a drive weighs its test against its interviews, and where its offers
-- start. A drive with no row uses 60/40, KPO from 70, BPO from 50.
CREATE TABLE drive_hiring_rules (
    drive_id INTEGER PRIMARY KEY NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    -- Percent of the combined score the test makes; the interview makes the rest.
    test_weight INTEGER NOT NULL CHECK (test_weight BETWEEN 0 AND 100),
    kpo_min DOUBLE PRECISION NOT NULL,
    bpo_min DOUBLE PRECISION NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- One interviewer's scorecard for one application: a draft until submitted,
-- final after.
CREATE TABLE scorecards (
    id SERIAL PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    interviewer_id INTEGER NOT NULL REFERENCES users (id),
    recommendation TEXT CHECK (recommendation IN ('kpo', 'bpo', 'no_offer')),
    summary TEXT NOT NULL,
    submitted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX scorecards_one_per_interviewer ON scorecards (application_id, interviewer_id);

-- A scorecard's rating of one competency (named as the drive named it) and
-- the evidence for it.
CREATE TABLE scorecard_ratings (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id) ON DELETE CASCADE,
    competency TEXT NOT NULL,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    evidence TEXT NOT NULL,
    PRIMARY KEY (scorecard_id, competency)
);

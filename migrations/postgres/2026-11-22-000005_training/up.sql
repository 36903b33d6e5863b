CREATE TABLE cohorts (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    starts_on TIMESTAMP NOT NULL,
    ends_on TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE cohort_trainees (
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    application_id INTEGER REFERENCES applications (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_trainees_user_idx ON cohort_trainees (user_id);

CREATE TABLE cohort_exams (
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (cohort_id, assessment_id)
);

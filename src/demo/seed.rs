//! The demo's drive and cohort: a graduate drive on the shipped aptitude
//! banks with applicants in several statuses (most of them tested), two
//! client processes, and a training cohort of the hired with its exam
//! taken, so every page has something to show. Made through the same
//! services the pages use, so the data obeys every rule the app keeps.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::accounts::service::{self as accounts, NewAccount};
use crate::accounts::validate::ProfileInput;
use crate::app::AppState;
use crate::assessments::blueprint::Blueprint;
use crate::attempts::grading;
use crate::attempts::service::{self as attempts, Prepared, Start};
use crate::banks::question::QuestionBody;
use crate::db::schema::{applications, banks, drives};
use crate::db::{ApplicationStatus, AssessmentId, BankId, DbConn, DriveId, Role, UserId};
use crate::drives::pipeline::{self, Mover, Moving, Words};
use crate::drives::service::{self as drive_service, ApplicationRow, NewDrive};
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::mail::MailContext;

/// The demo drive's name; a database that has it is seeded already.
pub const DRIVE_NAME: &str = "Graduate analysts, spring intake";

/// Demo candidates: name, degree score, and how likely each answers right.
const PEOPLE: [(&str, f64, f64); 10] = [
    ("Aarav Sharma", 82.0, 0.9),
    ("Priya Iyer", 78.5, 0.85),
    ("Rohan Mehta", 74.0, 0.75),
    ("Ananya Gupta", 88.0, 0.7),
    ("Karthik Reddy", 69.5, 0.6),
    ("Meera Nair", 71.0, 0.5),
    ("Vikram Singh", 65.0, 0.35),
    ("Sneha Kulkarni", 77.0, 0.0),
    ("Farhan Qureshi", 63.0, 0.0),
    ("Divya Pillai", 55.0, 0.0),
];

/// How many of `PEOPLE`, in order, take the test.
const TESTED: usize = 7;

/// What the seeding made, for the command line to print.
pub struct Seeded {
    pub applicants: usize,
    pub tested: usize,
    pub hired: usize,
    pub cohort: String,
}

/// The staff accounts the demo acts as.
pub struct Staff {
    pub recruiter: UserId,
    pub trainer: UserId,
    pub admin: UserId,
}

/// Seeds the drive and the cohort once; `None` when they exist already.
/// `candidate_hash` is the hash of the password every demo candidate shares.
pub fn seed(state: &AppState, staff: &Staff, candidate_hash: &str) -> AppResult<Option<Seeded>> {
    let mut conn = state.pool.get()?;
    let conn = &mut *conn;
    let seeded: i64 = drives::table
        .filter(drives::name.eq(DRIVE_NAME))
        .count()
        .get_result(conn)?;
    if seeded > 0 {
        return Ok(None);
    }
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let (test, exam) = assessments(conn, staff.trainer, now)?;
    let drive = drive(conn, test, staff.recruiter, now)?;
    let mut people = Vec::new();
    for (i, (name, score, skill)) in PEOPLE.iter().enumerate() {
        let user = candidate(conn, name, *score, candidate_hash, now)?;
        drive_service::apply(conn, drive, &user, now, &mail)?;
        if i < TESTED {
            take(state, conn, test, &user, *skill, now)?;
        }
        people.push(user);
    }
    let hired = decide(conn, drive, staff.recruiter, now, &mail)?;
    let cohort = cohort(state, conn, staff, exam, &hired, now, &mail)?;
    processes(conn, staff.admin, now)?;
    Ok(Some(Seeded {
        applicants: people.len(),
        tested: TESTED,
        hired: hired.len(),
        cohort,
    }))
}

fn from_json<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> AppResult<T> {
    serde_json::from_value(value).map_err(|e| AppError::internal(format!("the demo's {what}"), e))
}

fn bank(conn: &mut DbConn, name: &str) -> AppResult<BankId> {
    banks::table
        .filter(banks::name.eq(name))
        .select(banks::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::Internal(format!("the shipped bank '{name}' was not imported")))
}

/// The drive's aptitude test and the cohort's post-training exam.
fn assessments(conn: &mut DbConn, trainer: UserId, now: NaiveDateTime) -> AppResult<(AssessmentId, AssessmentId)> {
    let quant = bank(conn, "Quantitative aptitude")?;
    let logic = bank(conn, "Logical reasoning")?;
    let sections = json!([
        {"name": "Quantitative", "bank_id": quant, "count": 6},
        {"name": "Logical", "bank_id": logic, "count": 6}
    ]);
    let test: Blueprint = from_json(
        json!({"title": "Graduate aptitude test", "kind": "aptitude", "time_limit_minutes": 30,
               "pass_percent": 50, "max_attempts": 1, "sections": sections}),
        "aptitude test",
    )?;
    let exam: Blueprint = from_json(
        json!({"title": "Analyst post-training exam", "kind": "post_training", "time_limit_minutes": 40,
               "pass_percent": 60, "max_attempts": 1, "sections": sections}),
        "post-training exam",
    )?;
    Ok((
        crate::assessments::service::create(conn, &test, trainer, now)?,
        crate::assessments::service::create(conn, &exam, trainer, now)?,
    ))
}

fn drive(conn: &mut DbConn, test: AssessmentId, recruiter: UserId, now: NaiveDateTime) -> AppResult<DriveId> {
    let drive: NewDrive = from_json(
        json!({"name": DRIVE_NAME,
               "description": "Analyst roles in our KPO finance and research teams. Graduates of 2026 with 60% or more may apply.",
               "assessment_id": test, "eligibility": {"min_score_percent": 60.0},
               "tie_break_sections": ["Quantitative"]}),
        "drive",
    )?;
    drive_service::create(conn, &drive, recruiter, now)
}

fn candidate(conn: &mut DbConn, name: &str, score: f64, hash: &str, now: NaiveDateTime) -> AppResult<User> {
    let email = format!("{}@demo.assay.example", name.to_lowercase().replace(' ', "."));
    let account = NewAccount::parse(&email, name, "demo-candidate")?;
    let user = match accounts::find_by_email(conn, &email)? {
        Some(row) => accounts::find_user(conn, row.id)?,
        None => accounts::create_user(conn, &account, hash, Role::Candidate, None, now)?,
    };
    let profile: ProfileInput = from_json(
        json!({"degree": "B.Com", "institute": "University of Mumbai", "graduation_year": 2026,
               "score_percent": score}),
        "profile",
    )?;
    accounts::put_profile(conn, user.id, &profile, now)?;
    Ok(user)
}

/// Takes the test as `user`, answering each question right with probability
/// `skill` (a fixed pattern, so every demo is the same), and grades it.
fn take(
    state: &AppState,
    conn: &mut DbConn,
    test: AssessmentId,
    user: &User,
    skill: f64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let prepared = attempts::prepare_start(conn, test, user, now, state.config.firm_zone)?;
    let Prepared::New(new) = prepared else {
        return Ok(());
    };
    let Start::New(id) = conn.transaction(|c| attempts::write_start(c, &new))? else {
        return Ok(());
    };
    let later = now + Duration::minutes(20);
    for (n, (item, _, body)) in crate::attempts::views::items_with_bodies(conn, id)?
        .into_iter()
        .enumerate()
    {
        let right = f64::from(u32::try_from(n % 10).unwrap_or(0)) / 10.0 < skill;
        let answer = answer(&body, &item.option_order(), right);
        crate::attempts::saving::save_response(conn, id, user.id, item.question_id, &answer, 1, later)?;
    }
    grading::grade(conn, id, later, &state.effects())
}

/// A right or a wrong answer to a question, as the test page would send it.
fn answer(body: &QuestionBody, order: &[usize], right: bool) -> Value {
    let shown = |pick: &dyn Fn(f64) -> bool| -> Vec<usize> {
        order
            .iter()
            .enumerate()
            .filter(|(_, stored)| body.options().get(**stored).is_some_and(|o| pick(o.credit)))
            .map(|(displayed, _)| displayed)
            .collect()
    };
    match body {
        QuestionBody::SingleChoice { .. } => {
            let picks = if right {
                shown(&|c| c >= 1.0)
            } else {
                shown(&|c| c <= 0.0)
            };
            picks.first().map_or(Value::Null, |d| json!(d))
        }
        QuestionBody::MultipleResponse { .. } => json!(shown(&|c| if right { c > 0.0 } else { c <= 0.0 })),
        QuestionBody::TrueFalse { answer } => json!(if right { *answer } else { !*answer }),
        QuestionBody::Numeric { answers } => answers
            .first()
            .map_or(Value::Null, |a| json!(if right { a.value } else { a.value + 7.0 })),
        QuestionBody::ShortText { answers } => answers.first().map_or(Value::Null, |a| {
            json!(if right { a.text.clone() } else { "not sure".into() })
        }),
        QuestionBody::Essay => Value::Null,
    }
}

/// Moves the tested applications on: the best three shortlisted, two of
/// them hired, the next offered a BPO role, the last rejected. Returns the
/// hired (candidate, application).
fn decide(
    conn: &mut DbConn,
    drive: DriveId,
    recruiter: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Vec<(UserId, crate::db::ApplicationId)>> {
    let tested: Vec<ApplicationRow> = applications::table
        .filter(applications::drive_id.eq(drive))
        .filter(applications::status.eq(ApplicationStatus::Tested))
        .select(ApplicationRow::as_select())
        .load(conn)?;
    let mut ranked: Vec<(f64, ApplicationRow)> = Vec::new();
    for app in tested {
        let best: Option<Option<f64>> = crate::db::schema::attempts::table
            .filter(crate::db::schema::attempts::user_id.eq(app.candidate_id))
            .filter(crate::db::schema::attempts::counting.eq(true))
            .select(crate::db::schema::attempts::percent)
            .first(conn)
            .optional()?;
        ranked.push((best.flatten().unwrap_or(0.0), app));
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let words = Words {
        note: "demo",
        message: "",
    };
    let mut hired = Vec::new();
    let last = ranked.len().saturating_sub(1);
    for (i, (_, app)) in ranked.iter().enumerate() {
        let path: &[ApplicationStatus] = match i {
            0 | 1 => &[ApplicationStatus::ShortlistedKpo, ApplicationStatus::Hired],
            2 => &[ApplicationStatus::ShortlistedKpo],
            3 => &[ApplicationStatus::OfferedBpo],
            _ if i == last => &[ApplicationStatus::Rejected],
            _ => &[],
        };
        let mut moving = Moving::from(app);
        for to in path {
            pipeline::transition(conn, &moving, *to, Mover::Staff(recruiter), words, now, mail)?;
            moving.from = *to;
        }
        if path.last() == Some(&ApplicationStatus::Hired) {
            hired.push((app.candidate_id, app.id));
        }
    }
    Ok(hired)
}

/// A cohort of the hired, with its exam assigned and taken.
fn cohort(
    state: &AppState,
    conn: &mut DbConn,
    staff: &Staff,
    exam: AssessmentId,
    hired: &[(UserId, crate::db::ApplicationId)],
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<String> {
    use crate::training::service::{self as training, NewCohort};
    let name = "Analysts, spring intake".to_string();
    let starts_on = now.date();
    let cohort = training::create(
        conn,
        &NewCohort {
            name: name.clone(),
            starts_on,
            ends_on: starts_on + Duration::days(90),
            seats: Some(12),
        },
        staff.trainer,
        now,
    )?;
    training::assign_exam(conn, cohort, exam, staff.trainer, now)?;
    for (n, (candidate, _)) in hired.iter().enumerate() {
        training::add_hired(conn, cohort, *candidate, staff.recruiter, now, mail)?;
        let user = accounts::find_user(conn, *candidate)?;
        take(state, conn, exam, &user, if n == 0 { 0.9 } else { 0.4 }, now)?;
    }
    Ok(name)
}

/// Two client processes for routing to fill.
fn processes(conn: &mut DbConn, admin: UserId, now: NaiveDateTime) -> AppResult<()> {
    for process in [
        json!({"name": "Equity research support", "client": "Northbridge Capital", "track": "kpo",
               "tier": "complex", "min_percent": 70.0, "seats": 2}),
        json!({"name": "Invoice processing", "client": "Acme Retail", "track": "kpo",
               "tier": "basic", "min_percent": 50.0, "seats": 5}),
    ] {
        let process: crate::routing::service::NewProcess = from_json(process, "process")?;
        crate::routing::service::create_process(conn, &process, admin, now)?;
    }
    Ok(())
}

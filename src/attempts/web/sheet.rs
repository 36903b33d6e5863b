//! What the test and confirm pages show: the attempt read in one go, the
//! question on show with its saved answer filled in, the navigator, and the
//! no-script form's fields turned into the API's answers.

use std::collections::{HashMap, HashSet};

use askama::Template;
use chrono::{Duration, NaiveDateTime};
use serde_json::Value;

use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::attempts::models::AttemptRow;
use crate::attempts::scoring::Answer;
use crate::attempts::views::{self, QuestionView};
use crate::attempts::{flags, grading};
use crate::banks::question::QuestionType;
use crate::db::{AttemptId, AttemptStatus, DbConn, QuestionId};
use crate::error::{AppError, AppResult};
use crate::events::Effects;
use crate::identity::User;
use crate::web::pages::Chrome;

/// The attempt, if `user` is the person taking it.
pub(super) fn owned(conn: &mut DbConn, id: AttemptId, user: &User) -> AppResult<AttemptRow> {
    match views::find_for(conn, id, user)? {
        attempt if attempt.user_id == user.id => Ok(attempt),
        _ => Err(AppError::NotFound(format!("There is no attempt {id} of yours."))),
    }
}

/// Everything the test and confirm pages show, read in one go.
pub(super) struct Sheet {
    pub attempt: AttemptRow,
    pub assessment: AssessmentRow,
    pub questions: Vec<QuestionView>,
    pub saved: HashMap<QuestionId, (Value, i64)>,
    /// For an adaptive test, the number of the question on show (the
    /// questions given so far, this one included).
    pub adaptive_number: Option<usize>,

    pub flagged: HashSet<QuestionId>,
}

impl Sheet {
    /// The answer as given, if there is one worth counting as answered.
    fn answer(&self, q: &QuestionView) -> Option<Answer> {
        let (value, _) = self.saved.get(&q.id)?;
        let qtype = q.qtype;
        Answer::parse(qtype, value, q.options.len())
            .ok()
            .flatten()
            .filter(|a| !a.is_blank())
    }

    pub fn unanswered(&self) -> Vec<usize> {
        self.questions
            .iter()
            .enumerate()
            .filter(|(_, q)| self.answer(q).is_none())
            .map(|(i, _)| i + 1)
            .collect()
    }

    /// The numbers of the questions flagged for review.
    pub fn flagged_numbers(&self) -> Vec<usize> {
        self.questions
            .iter()
            .enumerate()
            .filter(|(_, q)| self.flagged.contains(&q.id))
            .map(|(i, _)| i + 1)
            .collect()
    }
}

/// Loads an open attempt of `user`'s; `None` once it is submitted, after
/// grading it if its time and grace ran out before the sweeper came by.
pub(super) fn open_sheet(
    conn: &mut DbConn,
    id: AttemptId,
    user: &User,
    now: NaiveDateTime,
    effects: &Effects,
) -> AppResult<Option<Sheet>> {
    let attempt = owned(conn, id, user)?;
    if attempt.status != AttemptStatus::Open {
        return Ok(None);
    }
    let assessment = assessments::find(conn, attempt.assessment_id)?;
    if now > attempt.deadline + Duration::seconds(i64::from(assessment.grace_seconds)) {
        grading::grade(conn, id, now, effects)?;
        return Ok(None);
    }
    let questions = views::question_views(conn, &attempt)?;
    let adaptive_number = match attempt.is_adaptive() {
        true => Some(views::items(conn, id)?.len()),
        false => None,
    };
    let saved = views::saved_answers(conn, id)?
        .into_iter()
        .map(|(q, a, s)| (q, (a, s)))
        .collect();
    let flagged = flags::flagged(conn, id)?;
    Ok(Some(Sheet {
        attempt,
        assessment,
        questions,
        saved,
        adaptive_number,

        flagged,
    }))
}

pub(super) fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// "29:58", or "1:04:05" for an hour or more: the same as test.js shows.
fn clock_text(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

fn points_text(points: f64) -> String {
    if points == 1.0 {
        "1 point".into()
    } else {
        format!("{points} points")
    }
}

pub struct NavItem {
    pub number: usize,
    pub question_id: QuestionId,
    pub answered: bool,
    pub flagged: bool,
    pub current: bool,
    pub seq: i64,
}

pub struct NavSection {
    pub name: String,
    pub items: Vec<NavItem>,
}

pub struct Choice {
    pub value: String,
    /// The option as sanitised HTML.
    pub html: String,
    pub checked: bool,
}

/// The question on show, with its saved answer filled in.
pub struct Current {
    pub number: usize,
    pub question_id: QuestionId,
    pub qtype: &'static str,
    /// radio, checkbox, number, text or textarea
    pub input: &'static str,
    pub section: String,
    /// The stem as sanitised HTML.
    pub stem_html: String,
    pub points: String,
    pub choices: Vec<Choice>,
    pub text: String,
    pub seq: i64,
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "attempts/take.html")]
pub(super) struct TestPage {
    chrome: Chrome,
    attempt_id: AttemptId,
    title: String,
    deadline_ms: i64,
    server_now_ms: i64,
    time_left: String,
    ends_at: crate::zone::Moment,
    total: usize,
    answered: usize,
    sections: Vec<NavSection>,
    current: Current,
    error: Option<String>,
    /// For an adaptive test: this question's number and the most there can be.
    adaptive: Option<(usize, u32)>,
}

/// Builds the page for question `number` (1-based); `typed` replaces the
/// saved answer when a refused form comes back as the person left it.
pub(super) fn test_page(
    chrome: Chrome,
    sheet: &Sheet,
    number: usize,
    now: NaiveDateTime,
    typed: Option<(Value, String)>,
) -> TestPage {
    let total = sheet.questions.len();
    let number = number.clamp(1, total.max(1));
    let mut sections: Vec<NavSection> = Vec::new();
    for (i, q) in sheet.questions.iter().enumerate() {
        let item = NavItem {
            number: i + 1,
            question_id: q.id,
            answered: sheet.answer(q).is_some(),
            flagged: sheet.flagged.contains(&q.id),
            current: i + 1 == number,
            seq: sheet.saved.get(&q.id).map_or(0, |(_, s)| *s),
        };
        match sections.last_mut() {
            Some(s) if s.name == q.section => s.items.push(item),
            _ => sections.push(NavSection {
                name: q.section.clone(),
                items: vec![item],
            }),
        }
    }
    let answered = sections.iter().flat_map(|s| &s.items).filter(|i| i.answered).count();
    let (error, typed) = typed.map_or((None, None), |(v, e)| (Some(e), Some(v)));
    let current = sheet
        .questions
        .get(number - 1)
        .map(|q| current(sheet, q, number, typed.as_ref()));
    TestPage {
        ends_at: chrome.zone.moment(sheet.attempt.deadline),
        chrome,
        attempt_id: sheet.attempt.id,
        title: sheet.assessment.title.clone(),
        deadline_ms: millis(sheet.attempt.deadline),
        server_now_ms: millis(now),
        // Rounded up, as the script does: "10:00" at the start, "00:00" only at the end.
        time_left: clock_text(((sheet.attempt.deadline - now).num_milliseconds() + 999).div_euclid(1000)),
        total,
        answered,
        sections,
        current: current.unwrap_or_else(|| Current {
            number: 0,
            question_id: QuestionId(0),
            qtype: "",
            input: "",
            section: String::new(),
            stem_html: "This test has no questions.".into(),
            points: String::new(),
            choices: vec![],
            text: String::new(),
            seq: 0,
            flagged: false,
        }),
        error,
        adaptive: sheet
            .adaptive_number
            .zip(sheet.assessment.adaptive().map(|a| a.max_length)),
    }
}

fn current(sheet: &Sheet, q: &QuestionView, number: usize, typed: Option<&Value>) -> Current {
    let qtype = q.qtype;
    let given = match typed {
        Some(v) => Answer::parse(qtype, v, q.options.len()).ok().flatten(),
        None => sheet.answer(q),
    };
    let checked = |id: usize| match &given {
        Some(Answer::Option(o)) => *o == id,
        Some(Answer::Options(os)) => os.contains(&id),
        Some(Answer::Bool(b)) => *b == (id == 0),
        _ => false,
    };
    let text = match (&given, typed) {
        (Some(Answer::Number(n)), _) => n.to_string(),
        (Some(Answer::Text(t)), _) => t.clone(),
        (None, Some(Value::String(raw))) => raw.clone(),
        _ => String::new(),
    };
    let input = match qtype {
        QuestionType::SingleChoice | QuestionType::TrueFalse => "radio",
        QuestionType::MultipleResponse => "checkbox",
        QuestionType::Numeric => "number",
        QuestionType::ShortText => "text",
        QuestionType::Essay => "textarea",
    };
    let choices = q
        .options
        .iter()
        .map(|o| Choice {
            // True/false answers travel as booleans: True is displayed first.
            value: if qtype == QuestionType::TrueFalse {
                (o.id == 0).to_string()
            } else {
                o.id.to_string()
            },
            html: o.html.clone(),
            checked: checked(o.id),
        })
        .collect();
    Current {
        number,
        question_id: q.id,
        qtype: q.qtype.as_str(),
        input,
        section: q.section.clone(),
        stem_html: q.stem_html.clone(),
        points: points_text(q.points),
        choices,
        text,
        seq: sheet.saved.get(&q.id).map_or(0, |(_, s)| *s),
        flagged: sheet.flagged.contains(&q.id),
    }
}

/// A form answer as the API's JSON: an option id, a list of them, a boolean,
/// a number or a string, and null for nothing given. What cannot be read
/// goes through as given, so the save refuses it with the API's sentence.
pub(super) fn form_answer(qtype: QuestionType, values: &[&str]) -> Value {
    let given: Vec<&str> = values.iter().copied().filter(|v| !v.trim().is_empty()).collect();
    let option = |v: &str| {
        v.trim()
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(v))
    };
    match (qtype, given.first()) {
        (_, None) => Value::Null,
        (QuestionType::MultipleResponse, _) => Value::Array(given.iter().map(|v| option(v)).collect()),
        (QuestionType::SingleChoice, Some(v)) => option(v),
        (QuestionType::TrueFalse, Some(v)) => match v.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::from(other),
        },
        (QuestionType::Numeric, Some(v)) => v
            .trim()
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::from(*v), Value::Number),
        (QuestionType::ShortText | QuestionType::Essay, Some(v)) => Value::from(*v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_fields_become_the_apis_answers() {
        assert_eq!(form_answer(QuestionType::SingleChoice, &["2"]), json!(2));
        assert_eq!(form_answer(QuestionType::MultipleResponse, &["0", "3"]), json!([0, 3]));
        assert_eq!(form_answer(QuestionType::MultipleResponse, &[]), Value::Null);
        assert_eq!(form_answer(QuestionType::TrueFalse, &["false"]), json!(false));
        assert_eq!(form_answer(QuestionType::Numeric, &[" 1,250.5 "]), json!(1250.5));
        assert_eq!(form_answer(QuestionType::Numeric, &["abc"]), json!("abc"));
        assert_eq!(form_answer(QuestionType::ShortText, &["   "]), Value::Null);
        assert_eq!(
            form_answer(QuestionType::Essay, &["Line one\nline two"]),
            json!("Line one\nline two")
        );
    }

    #[test]
    fn the_clock_reads_like_the_scripts() {
        assert_eq!(clock_text(29 * 60 + 58), "29:58");
        assert_eq!(clock_text(3600 + 4 * 60 + 5), "1:04:05");
        assert_eq!(clock_text(-3), "00:00");
    }
}

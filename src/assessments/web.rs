//! Assessment pages for trainers and recruiters: the list, the blueprint
//! form, and one assessment's staff view.

mod adaptive;
mod form;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub use self::form::{FormErrors, FormFields};
use super::blueprint::{Blueprint, DifficultyMix, Kind, Section};
use super::models::AssessmentRow;
use super::service;
use crate::app::AppState;
use crate::db::{AssessmentId, BankId, Role};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::auth::AssessorUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager, PAGE_SIZE};

struct Listed {
    row: AssessmentRow,
    sections: String,
}

#[derive(Template)]
#[template(path = "assessments/list.html")]
struct ListPage {
    chrome: Chrome,
    assessments: Vec<Listed>,
    pager: Pager,
    first_page: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    before: Option<i32>,
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _a: AssessorUser,
    query: Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let before = query.before.map(AssessmentId);
    let rows = state
        .db(move |conn| service::page(conn, before, paging::fetch(PAGE_SIZE)))
        .await?;
    let Page { rows, next } = Page::cut(rows, PAGE_SIZE, |r| r.id);
    let assessments = rows
        .into_iter()
        .map(|row| {
            let sections = row
                .sections()?
                .iter()
                .map(|s| format!("{} ({})", s.name, s.count))
                .collect::<Vec<_>>()
                .join(", ");
            Ok(Listed { row, sections })
        })
        .collect::<AppResult<Vec<_>>>()?;
    render(&ListPage {
        chrome: ctx.chrome("Assessments"),
        assessments,
        pager: Pager::next("/assessments", "", "before", next, "Older assessments").with_first(
            before.is_none(),
            "/assessments",
            "Back to the newest",
        ),
        first_page: before.is_none(),
    })
}

/// The form shows this many section rows; empty ones are ignored.
const SECTION_ROWS: usize = 4;

/// One section row of the form, as typed, with its problems.
struct SectionRow {
    index: usize,
    name: String,
    bank: String,
    category: String,
    count: String,
    easy: String,
    medium: String,
    hard: String,
    points: String,
    errors: Vec<String>,
}

impl SectionRow {
    fn read(form: &FormFields, index: usize, errors: &FormErrors) -> SectionRow {
        let v = |part: &str| form.value(&format!("s{index}_{part}")).to_string();
        SectionRow {
            index,
            name: v("name"),
            bank: v("bank"),
            category: v("category"),
            count: v("count"),
            easy: v("easy"),
            medium: v("medium"),
            hard: v("hard"),
            points: v("points"),
            errors: errors
                .all(&format!("sections[{index}]"))
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }

    fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.category,
            &self.count,
            &self.easy,
            &self.medium,
            &self.hard,
            &self.points,
        ]
        .iter()
        .all(|v| v.is_empty())
    }
}

#[derive(Template)]
#[template(path = "assessments/new.html")]
struct NewPage {
    chrome: Chrome,
    form: FormFields,
    errors: FormErrors,
    rows: Vec<SectionRow>,
    banks: Vec<(BankId, String)>,
    kinds: [Kind; 2],
    can_upload: bool,
}

impl NewPage {
    fn build(ctx: &PageCtx, form: FormFields, errors: FormErrors, banks: Vec<(BankId, String)>) -> NewPage {
        let rows = (0..SECTION_ROWS).map(|i| SectionRow::read(&form, i, &errors)).collect();
        let can_upload = ctx
            .user
            .as_ref()
            .is_some_and(|u| matches!(u.role, Role::Trainer | Role::Admin));
        NewPage {
            chrome: ctx.chrome("New assessment"),
            form,
            errors,
            rows,
            banks,
            kinds: [Kind::Aptitude, Kind::PostTraining],
            can_upload,
        }
    }

    fn bank_selected(&self, row: &SectionRow, id: &BankId) -> bool {
        row.bank == id.to_string()
    }
}

async fn new_page(state: web::Data<AppState>, ctx: PageCtx, _a: AssessorUser) -> AppResult<HttpResponse> {
    let banks = state.db(service::bank_names).await?;
    let form = FormFields::from_pairs(&[
        ("kind", Kind::Aptitude.as_str()),
        ("time_limit_minutes", "60"),
        ("pass_percent", "50"),
        ("negative_marking", "0"),
        ("max_attempts", "1"),
        ("grace_seconds", "30"),
        ("show_score", "1"),
    ]);
    render(&NewPage::build(&ctx, form, FormErrors::default(), banks))
}

/// A blueprint read from the page's form, with the form row of each
/// section, so problems the service reports by section number land on the
/// row that was typed.
struct PostedBlueprint {
    blueprint: Blueprint,
    rows: Vec<usize>,
}

impl TryFrom<&FormFields> for PostedBlueprint {
    type Error = AppError;

    /// Every field is checked before any is refused, so the page shows all
    /// its problems at once.
    fn try_from(form: &FormFields) -> AppResult<Self> {
        let mut errors = Vec::new();
        let settings = Settings::read(form, &mut errors);
        let adaptive = adaptive::read(form, &mut errors);
        let mut sections = Vec::new();
        let mut rows = Vec::new();
        for index in 0..SECTION_ROWS {
            if let Some(section) = read_section(form, index, &mut errors) {
                sections.push(section);
                rows.push(index);
            }
        }
        if sections.is_empty()
            && errors
                .iter()
                .all(|e| !e.field.as_deref().unwrap_or("").starts_with("sections"))
        {
            errors.push(ErrorDetail::field("sections", "Fill in at least one section."));
        }
        match (
            errors.is_empty(),
            settings.kind,
            settings.time_limit,
            settings.pass_percent,
        ) {
            (true, Some(kind), Some(time_limit_minutes), Some(pass_percent)) => Ok(PostedBlueprint {
                blueprint: Blueprint {
                    title: form.value("title").to_string(),
                    kind,
                    time_limit_minutes,
                    pass_percent,
                    negative_marking: settings.negative_marking.unwrap_or(0.0),
                    shuffle_questions: form.checked("shuffle_questions"),
                    shuffle_options: form.checked("shuffle_options"),
                    max_attempts: settings.max_attempts.unwrap_or(1),
                    grace_seconds: settings.grace_seconds.unwrap_or(0),
                    opens_at: settings.opens_at,
                    closes_at: settings.closes_at,
                    show_score: form.checked("show_score"),
                    sections,
                    adaptive,
                },
                rows,
            }),
            _ => Err(AppError::invalid("Some fields need fixing; nothing was saved.", errors)),
        }
    }
}

/// The assessment's own fields, each `None` when missing or refused.
struct Settings {
    kind: Option<Kind>,
    time_limit: Option<i32>,
    pass_percent: Option<f64>,
    negative_marking: Option<f64>,
    max_attempts: Option<i32>,
    grace_seconds: Option<i32>,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
}

impl Settings {
    fn read(form: &FormFields, errors: &mut Vec<ErrorDetail>) -> Settings {
        let kind = form.value("kind").parse::<Kind>().ok();
        if kind.is_none() {
            errors.push(ErrorDetail::field(
                "kind",
                "Choose an aptitude test or a post-training exam.",
            ));
        }
        for (name, what) in [
            ("time_limit_minutes", "the time limit in minutes"),
            ("pass_percent", "the pass mark"),
        ] {
            if form.optional(name).is_none() {
                errors.push(ErrorDetail::field(name, format!("Enter {what}.")));
            }
        }
        Settings {
            kind,
            time_limit: form.number(
                "time_limit_minutes",
                "time_limit_minutes",
                "a whole number of minutes",
                errors,
            ),
            pass_percent: form.number("pass_percent", "pass_percent", "a percentage", errors),
            negative_marking: form.number(
                "negative_marking",
                "negative_marking",
                "a fraction such as 0.25",
                errors,
            ),
            max_attempts: form.number("max_attempts", "max_attempts", "a whole number", errors),
            grace_seconds: form.number("grace_seconds", "grace_seconds", "a whole number of seconds", errors),
            opens_at: form.when("opens_at", errors),
            closes_at: form.when("closes_at", errors),
        }
    }
}

/// Section row `index` of the form: `None` when it is blank or cannot
/// become a section (its problems are in `errors`).
fn read_section(form: &FormFields, index: usize, errors: &mut Vec<ErrorDetail>) -> Option<Section> {
    let row = SectionRow::read(form, index, &FormErrors::default());
    if row.is_blank() {
        return None;
    }
    let field = format!("sections[{index}]");
    let n = index + 1;
    let bank_id = match row.bank.parse::<BankId>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(ErrorDetail::field(
                &field,
                format!("Choose the bank section {n} draws from."),
            ));
            None
        }
    };
    let prefix = format!("s{index}_");
    let count: Option<u32> = form.number(&format!("{prefix}count"), &field, "a whole number of questions", errors);
    if row.count.is_empty() {
        errors.push(ErrorDetail::field(
            &field,
            format!("Say how many questions section {n} draws."),
        ));
    }
    let mix = if [&row.easy, &row.medium, &row.hard].iter().all(|v| v.is_empty()) {
        None
    } else {
        let mut part = |p: &str| {
            form.number::<u32>(&format!("{prefix}{p}"), &field, "a whole number", errors)
                .unwrap_or(0)
        };
        Some(DifficultyMix {
            easy: part("easy"),
            medium: part("medium"),
            hard: part("hard"),
        })
    };
    let points_each = form.number(&format!("{prefix}points"), &field, "a number of points", errors);
    Some(Section {
        name: row.name.clone(),
        bank_id: bank_id?,
        category: Some(row.category.clone()).filter(|c| !c.is_empty()),
        count: count?,
        difficulty_mix: mix,
        points_each,
    })
}

/// The service numbers sections as sent; the page numbers the form's rows.
fn to_rows(err: AppError, rows: &[usize]) -> AppError {
    match err {
        AppError::Invalid { message, mut details } => {
            for d in &mut details {
                let k = d
                    .field
                    .as_deref()
                    .and_then(|f| f.strip_prefix("sections["))
                    .and_then(|f| f.strip_suffix(']'))
                    .and_then(|k| k.parse::<usize>().ok());
                if let Some(row) = k.and_then(|k| rows.get(k)) {
                    d.field = Some(format!("sections[{row}]"));
                }
            }
            AppError::Invalid { message, details }
        }
        other => other,
    }
}

async fn create(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AssessorUser(user): AssessorUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = FormFields::new(pairs).in_zone(ctx.zone);
    let now = state.clock.now();
    let outcome = match PostedBlueprint::try_from(&form) {
        Ok(PostedBlueprint { blueprint, rows }) => state
            .db(move |conn| service::create(conn, &blueprint, user.id, now))
            .await
            .map_err(|e| to_rows(e, &rows)),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(redirect(&format!("/assessments/{id}?created=1"))),
        Err(e @ AppError::Invalid { .. }) => {
            let banks = state.db(service::bank_names).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage::build(&ctx, form, FormErrors::from_error(e), banks),
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "assessments/show.html")]
struct ShowPage {
    chrome: Chrome,
    assessment: AssessmentRow,
    sections: Vec<Section>,
    banks: Vec<(BankId, String)>,
    counts: service::StatusCounts,
    created: bool,
    can_mark: bool,
}

impl ShowPage {
    fn bank_name(&self, id: &BankId) -> String {
        self.banks
            .iter()
            .find(|(b, _)| b == id)
            .map_or_else(|| format!("bank {id}"), |(_, name)| name.clone())
    }
}

#[derive(Deserialize)]
struct ShowQuery {
    created: Option<String>,
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AssessorUser(user): AssessorUser,
    path: web::Path<AssessmentId>,
    query: Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (assessment, banks, counts) = state
        .db(move |conn| {
            Ok((
                service::find(conn, id)?,
                service::bank_names(conn)?,
                service::status_counts(conn, id)?,
            ))
        })
        .await?;
    let sections = assessment.sections()?;
    render(&ShowPage {
        chrome: ctx.chrome(assessment.title.clone()),
        assessment,
        sections,
        banks,
        counts,
        created: query.created.is_some(),
        can_mark: matches!(user.role, Role::Trainer | Role::Admin),
    })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assessments", web::get().to(list))
        .route("/assessments", web::post().to(create))
        .route("/assessments/new", web::get().to(new_page))
        .route("/assessments/{id}", web::get().to(show));
}

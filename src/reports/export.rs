//! The item table as CSV (and as an Excel workbook): one row per question version, the API's fields
//! and values. Text cells are neutralised so a spreadsheet never runs them.

use actix_web::{web, HttpResponse};

use super::analysis::{self, Analysis};
use super::charts::option_letter;
use super::view::ItemView;
use crate::app::AppState;
use crate::db::AssessmentId;
use crate::error::{AppError, AppResult};
use crate::web::auth::TrainerUser;
use crate::web::spreadsheet::neutralise;
use crate::web::xlsx::{self, column, Cell, Column, Kind};

/// A share as the CSV writes it inside the distractors cell.
fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{:.0}%", 100.0 * v))
}

const CSV_HEADER: [&str; 22] = [
    "question_id",
    "version_id",
    "version",
    "section",
    "slot",
    "type",
    "stem",
    "n",
    "max_mark",
    "facility_percent",
    "sd_percent",
    "random_guess_percent",
    "intended_weight_percent",
    "effective_weight_percent",
    "discrimination_index",
    "discriminative_efficiency",
    "point_biserial",
    "upper_lower_index",
    "group_size",
    "distractors",
    "flags",
    "quarantined",
];

/// The item table as CSV: one row per question version, the API's fields
/// and values. Text cells are neutralised so a spreadsheet never runs them.
pub fn csv(a: &Analysis) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| AppError::internal("csv", e);
    writer.write_record(CSV_HEADER).map_err(err)?;
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for item in a.items.iter().map(ItemView::from) {
        let distractors = item
            .distractors
            .iter()
            .map(|d| {
                format!(
                    "{}{} all {} upper {} lower {}",
                    option_letter(d.option_id),
                    if d.is_key { " (key)" } else { "" },
                    share(d.share_all),
                    share(d.share_upper),
                    share(d.share_lower)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let flags = if item.enough_responses {
            item.flags.iter().map(|f| f.name).collect::<Vec<_>>().join("; ")
        } else {
            "not enough responses yet".to_owned()
        };
        writer
            .write_record([
                item.question_id.to_string(),
                item.version_id.to_string(),
                item.version.to_string(),
                neutralise(&item.section),
                item.slot.to_string(),
                item.qtype.to_string(),
                neutralise(&item.stem),
                item.n.to_string(),
                item.max_mark.to_string(),
                num(item.facility_percent),
                num(item.sd_percent),
                num(item.random_guess_percent),
                item.intended_weight_percent.to_string(),
                num(item.effective_weight_percent),
                num(item.discrimination_index),
                num(item.discriminative_efficiency),
                num(item.point_biserial),
                num(item.upper_lower_index),
                item.group_size.to_string(),
                neutralise(&distractors),
                neutralise(&flags),
                item.quarantined.to_string(),
            ])
            .map_err(err)?;
    }
    writer.into_inner().map_err(|e| AppError::internal("csv", e))
}

const XLSX_COLUMNS: [Column; 20] = [
    column("Question", Kind::Whole, 10.0),
    column("Version id", Kind::Whole, 10.0),
    column("Version", Kind::Whole, 8.0),
    column("Section", Kind::Text, 16.0),
    column("Slot", Kind::Whole, 6.0),
    column("Type", Kind::Text, 18.0),
    column("Question text", Kind::Text, 50.0),
    column("Attempts", Kind::Whole, 9.0),
    column("Max mark", Kind::Decimal, 9.0),
    column("Facility %", Kind::Decimal, 10.0),
    column("SD %", Kind::Decimal, 8.0),
    column("Random guess %", Kind::Decimal, 14.0),
    column("Intended weight %", Kind::Decimal, 16.0),
    column("Effective weight %", Kind::Decimal, 17.0),
    column("Discrimination index", Kind::Decimal, 19.0),
    column("Discriminative efficiency", Kind::Decimal, 22.0),
    column("Point-biserial", Kind::Decimal, 13.0),
    column("Upper-lower index", Kind::Decimal, 16.0),
    column("What the numbers suggest", Kind::Text, 60.0),
    column("Quarantined", Kind::Flag, 12.0),
];

/// The item table as an Excel workbook: one row per question version,
/// numbers typed as numbers, flags in sentences.
pub fn xlsx(a: &Analysis) -> AppResult<Vec<u8>> {
    let whole = |n: usize| Cell::Whole(crate::convert::len_i64(n));
    let rows: Vec<Vec<Cell>> = a
        .items
        .iter()
        .map(ItemView::from)
        .map(|item| {
            let flags = item
                .flags
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                Cell::Whole(i64::from(item.question_id.0)),
                Cell::Whole(i64::from(item.version_id.0)),
                Cell::Whole(i64::from(item.version)),
                Cell::Text(item.section.clone()),
                whole(item.slot),
                Cell::Text(item.qtype.replace('_', " ")),
                Cell::Text(item.stem.clone()),
                whole(item.n),
                Cell::Decimal(item.max_mark),
                item.facility_percent.into(),
                item.sd_percent.into(),
                item.random_guess_percent.into(),
                Cell::Decimal(item.intended_weight_percent),
                item.effective_weight_percent.into(),
                item.discrimination_index.into(),
                item.discriminative_efficiency.into(),
                item.point_biserial.into(),
                item.upper_lower_index.into(),
                Cell::Text(flags),
                Cell::Flag(item.quarantined),
            ]
        })
        .collect();
    xlsx::workbook("Item analysis", &XLSX_COLUMNS, &rows)
}

pub async fn report_xlsx(
    state: web::Data<AppState>,
    _t: TrainerUser,
    path: web::Path<AssessmentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let min_responses = state.config.flag_min_responses;
    let body = state
        .db(move |conn| xlsx(&analysis::analyse(conn, id, min_responses)?))
        .await?;
    let mut response = HttpResponse::Ok();
    for header in xlsx::attachment(&format!("item-analysis-{id}.xlsx")) {
        response.insert_header(header);
    }
    Ok(response.body(body))
}

pub async fn report_csv(
    state: web::Data<AppState>,
    _t: TrainerUser,
    path: web::Path<AssessmentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let min_responses = state.config.flag_min_responses;
    let body = state
        .db(move |conn| csv(&analysis::analyse(conn, id, min_responses)?))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"item-analysis-{id}.csv\""),
        ))
        .body(body))
}

//! The item table as CSV: one row per question version, the API's fields
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

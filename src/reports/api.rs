//! The reports part of the JSON API: item analysis, quarantine and key
//! correction. Trainers and administrators only.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::analysis;
use super::correction::{self, Correction};
use super::keys::Fix;
use super::quarantine::{self, VersionState};
use super::view::ItemAnalysisView;
use crate::app::AppState;
use crate::banks::question::QuestionBody;
use crate::db::{AssessmentId, VersionId};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::web::auth::TrainerUser;
use crate::web::input::Json;
use crate::web::input::Note;
use crate::web::openapi::ApiRoutes;

/// The item analysis of an assessment's counting attempts.
///
/// For trainers and administrators. Test statistics (mean, spread,
/// reliability, standard error of measurement), and for each question
/// version its facility, discrimination, each option's share among all,
/// the upper and the lower group, and flags such as `likely_miskey` once
/// enough attempts saw it. Counting graded attempts enter, one per person.
#[utoipa::path(tag = "reports", params(("id" = i32, Path, description = "The assessment's id.")),
    responses((status = 200, body = ItemAnalysisView, description = "The analysis, with every counting result and the histogram."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/assessments/{id}/item-analysis")]
pub async fn item_analysis(
    state: web::Data<AppState>,
    _t: TrainerUser,
    path: web::Path<AssessmentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let min_responses = state.config.flag_min_responses;
    let analysis = state.db(move |conn| analysis::analyse(conn, id, min_responses)).await?;
    Ok(HttpResponse::Ok().json(ItemAnalysisView::from(&analysis)))
}

/// Why a version is quarantined.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Shared on a Telegram group before the Chennai drive"}))]
pub struct QuarantineRequest {
    /// Why; kept in the audit log and shown on the report.
    pub reason: Note,
}

/// Quarantine a question version.
///
/// For trainers and administrators. The version is drawn into no new form;
/// attempts that already show it keep it, and it is shown as quarantined on
/// the item analysis with the reason. Quarantining it again changes
/// nothing. Recorded in the audit log.
#[utoipa::path(tag = "reports", params(("id" = i32, Path, description = "The question version's id.")),
    request_body = QuarantineRequest,
    responses((status = 200, body = VersionState, description = "The version, now quarantined."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/question-versions/{id}/quarantine")]
pub async fn quarantine_version(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<VersionId>,
    body: Json<QuarantineRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let reason = body.into_inner().reason;
    let version = state
        .db(move |conn| quarantine::quarantine(conn, id, &reason, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(version))
}

/// Either `key` or `body`, with a reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The key marked Endowment; a term policy is pure protection", "key": [0]}))]
pub struct CorrectKeyRequest {
    /// Why; kept in the audit log.
    pub reason: Note,
    /// For choice questions: the right options as original indices (the
    /// report's `option_id`, 0 = A). Single choice: each earns full credit;
    /// multiple response: they share it; true/false: `[0]` True, `[1]` False.
    pub key: Option<Vec<usize>>,
    /// Or the whole corrected body (a question body as banks store it:
    /// `{"type": "numeric", "answers": [...]}`); the only way for numeric and
    /// short text. Choice options must keep their wording and order.
    #[schema(value_type = Option<Object>)]
    pub body: Option<Value>,
}

impl CorrectKeyRequest {
    fn fix(self) -> AppResult<(Fix, String)> {
        let fix = match (self.key, self.body) {
            (Some(key), None) => Fix::Key(key),
            (None, Some(body)) => Fix::Body(
                serde_json::from_value::<QuestionBody>(body)
                    .map_err(|e| AppError::invalid_field("body", format!("The body could not be read: {e}.")))?,
            ),
            _ => {
                return Err(AppError::invalid_field(
                    "key",
                    "Send either `key` or `body`, not both and not neither.",
                ))
            }
        };
        Ok((fix, self.reason.into_inner()))
    }
}

/// Correct a miskeyed question version.
///
/// For trainers and administrators. A new version with the right key
/// becomes current, open attempts move to it, every submitted attempt that
/// saw the old one is re-scored (and recorded), and changed results move
/// the rankings and are told by email. Only the question's current version
/// can be corrected (409 otherwise). Recorded in the audit log.
#[utoipa::path(tag = "reports", params(("id" = i32, Path, description = "The question version's id.")),
    request_body = CorrectKeyRequest,
    responses((status = 200, body = Correction, description = "What the correction did, attempt by attempt."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/question-versions/{id}/correct-key")]
pub async fn correct_key(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<VersionId>,
    body: Json<CorrectKeyRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let (fix, reason) = body.into_inner().fix()?;
    let done = state
        .db(move |conn| correction::correct_key(conn, id, &fix, &reason, user.id, now, &effects))
        .await?;
    Ok(HttpResponse::Ok().json(done))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(item_analysis)
        .service(quarantine_version)
        .service(correct_key);
}

//! The append-only audit log: who did what, when, to which record. The
//! tables refuse UPDATE and DELETE by trigger on both backends.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::db::schema::audit_log;
use crate::db::{DbConn, UserId};
use crate::error::AppResult;

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry<'a> {
    actor_id: Option<UserId>,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<i32>,
    detail: &'a str,
    at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    pub id: i32,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i32>,
    pub detail: String,
    pub at: NaiveDateTime,
}

/// What happened, for `record`.
pub struct Event<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i32>,
    pub detail: &'a str,
}

pub fn record(conn: &mut DbConn, event: Event<'_>, at: NaiveDateTime) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values(NewEntry {
            actor_id: event.actor,
            action: event.action,
            entity: event.entity,
            entity_id: event.entity_id,
            detail: event.detail,
            at,
        })
        .execute(conn)?;
    Ok(())
}

/// Filters on the audit log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only entries about this kind of record, e.g. `drive` or `question`.
    #[param(max_length = 64, example = "drive")]
    pub entity: Option<String>,
    /// Only entries about this record (with `entity`).
    pub entity_id: Option<i32>,
    /// Only what this user did.
    pub actor_id: Option<i32>,
}

/// Like `page`, with filters.
pub fn filtered_page(
    conn: &mut DbConn,
    filter: &AuditFilter,
    before: Option<i32>,
    limit: i64,
) -> AppResult<Vec<Entry>> {
    let mut query = audit_log::table
        .select(Entry::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    if let Some(entity) = filter.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        query = query.filter(audit_log::entity.eq(entity.to_string()));
    }
    if let Some(id) = filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(id));
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(UserId(actor)));
    }
    Ok(query.load(conn)?)
}

/// The newest entries first, `limit` at a time, before the entry id `before`.
pub fn page(conn: &mut DbConn, before: Option<i32>, limit: i64) -> AppResult<Vec<Entry>> {
    let mut query = audit_log::table
        .select(Entry::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    Ok(query.load(conn)?)
}

//! The append-only audit log: who did what, when, to which record. The
//! tables refuse UPDATE and DELETE by trigger on both backends.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::db::schema::{audit_log, users};
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
    /// Only what people whose name or email contains this did.
    #[param(max_length = 200, example = "priya")]
    pub person: Option<String>,
    /// Only this action, e.g. `drive.close` or `user.deactivate`.
    #[param(max_length = 64, example = "drive.close")]
    pub action: Option<String>,
    /// Only entries on or after this day (UTC).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub from: Option<NaiveDate>,
    /// Only entries on or before this day (UTC).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
}

use crate::db::search::{contains, lower};

/// An entry with the name and email of who acted (none for the system).
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Named {
    pub entry: Entry,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
}

/// Like `page`, with filters, and the names of the people who acted.
pub fn filtered_page(
    conn: &mut DbConn,
    filter: &AuditFilter,
    before: Option<i32>,
    limit: i64,
) -> AppResult<Vec<Named>> {
    let mut query = audit_log::table
        .left_join(users::table.on(users::id.nullable().eq(audit_log::actor_id)))
        .select((Entry::as_select(), users::full_name.nullable(), users::email.nullable()))
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
    if let Some(action) = filter.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        query = query.filter(audit_log::action.eq(action.to_string()));
    }
    if let Some(person) = filter.person.as_deref().filter(|p| !p.trim().is_empty()) {
        let like = contains(person);
        query = query.filter(
            lower(users::full_name)
                .like(like.clone())
                .escape('\\')
                .or(lower(users::email).like(like).escape('\\')),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from.and_time(NaiveTime::MIN)));
    }
    if let Some(to) = filter.to.and_then(|t| t.succ_opt()) {
        query = query.filter(audit_log::at.lt(to.and_time(NaiveTime::MIN)));
    }
    Ok(query
        .load::<(Entry, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(entry, actor_name, actor_email)| Named {
            entry,
            actor_name,
            actor_email,
        })
        .collect())
}

/// The actions the log holds, for a filter's choices.
pub fn actions(conn: &mut DbConn) -> AppResult<Vec<String>> {
    Ok(audit_log::table
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action.asc())
        .load(conn)?)
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

//! Staff administration: administrators search accounts, change a person's
//! name and role, and deactivate or reactivate accounts. Deactivating ends
//! every session of the account at once: the rows go here, and the handlers
//! drop the server's cached sessions (`identity::SessionCache`).

pub mod api;
pub mod pages;
pub mod staff_list;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::validate::check_full_name;
use crate::audit::{self, Event};
use crate::db::schema::{sessions, users};
use crate::db::{DbConn, Role, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};

/// An account as administrators see it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = users)]
#[schema(example = json!({"id": 57, "email": "priya.venkataraman@gmail.com", "full_name": "Priya Venkataraman", "role": "candidate", "active": true, "created_at": "2026-11-02T10:15:00"}))]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// False once deactivated: the person cannot sign in.
    pub active: bool,
    #[schema(value_type = String, example = "2026-12-07T09:00:00")]
    pub created_at: NaiveDateTime,
}

/// Filters on the list of users.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserSearch {
    /// Only people whose name or email contains this (any case).
    #[param(max_length = 200, example = "priya")]
    pub q: Option<String>,
    /// Only people with this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    pub active: Option<bool>,
}

use crate::db::search::{contains, lower};

/// People with accounts in the order they joined, after `after`, at most `limit`.
pub fn search(conn: &mut DbConn, filter: &UserSearch, after: Option<UserId>, limit: i64) -> AppResult<Vec<Account>> {
    let mut query = users::table
        .select(Account::as_select())
        .order(users::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(term) = filter.q.as_deref().filter(|t| !t.trim().is_empty()) {
        if term.chars().count() > 200 {
            return Err(AppError::invalid_field("q", "Search with at most 200 characters."));
        }
        let like = contains(term);
        query = query.filter(
            lower(users::full_name)
                .like(like.clone())
                .escape('\\')
                .or(lower(users::email).like(like).escape('\\')),
        );
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    Ok(query.load(conn)?)
}

pub fn find(conn: &mut DbConn, id: UserId) -> AppResult<Account> {
    users::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no user {id}.")))
}

/// What an administrator changes about a person; a field left out stays.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(example = json!({"full_name": "Rahul Menon", "role": "trainer"}))]
pub struct UserEdit {
    #[schema(max_length = 200)]
    pub full_name: Option<String>,
    pub role: Option<Role>,
}

fn record(
    conn: &mut DbConn,
    admin: UserId,
    action: &str,
    id: UserId,
    detail: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    audit::record(
        conn,
        Event {
            actor: Some(admin),
            action,
            entity: "user",
            entity_id: Some(id.0),
            detail,
        },
        now,
    )
}

/// Changes a person's name and role. An administrator cannot change their
/// own role (so the last one cannot lock everyone out).
pub fn edit(conn: &mut DbConn, id: UserId, change: &UserEdit, admin: UserId, now: NaiveDateTime) -> AppResult<Account> {
    let name = match change.full_name.as_deref() {
        Some(n) => Some(
            check_full_name(n)
                .map_err(|m| AppError::invalid("The name needs fixing.", vec![ErrorDetail::field("full_name", m)]))?,
        ),
        None => None,
    };
    conn.transaction(|conn| {
        let before = find(conn, id)?;
        let role = change.role.filter(|r| *r != before.role);
        if role.is_some() && id == admin {
            return Err(AppError::conflict(
                "own_role",
                "You cannot change your own role; ask another administrator to.",
            ));
        }
        let name = name.filter(|n| *n != before.full_name);
        let mut changes = Vec::new();
        if let Some(n) = &name {
            diesel::update(users::table.find(id))
                .set(users::full_name.eq(n))
                .execute(conn)?;
            changes.push(format!("name '{}' → '{n}'", before.full_name));
        }
        if let Some(r) = role {
            diesel::update(users::table.find(id))
                .set(users::role.eq(r))
                .execute(conn)?;
            changes.push(format!("role {} → {r}", before.role));
        }
        if !changes.is_empty() {
            let detail = format!("{}: {}", before.email, changes.join("; "));
            record(conn, admin, "user.edit", id, &detail, now)?;
        }
        find(conn, id)
    })
}

/// Deactivates (ending every session of the account) or reactivates an
/// account. An administrator cannot deactivate themselves.
pub fn set_active(
    conn: &mut DbConn,
    id: UserId,
    active: bool,
    admin: UserId,
    now: NaiveDateTime,
) -> AppResult<Account> {
    if !active && id == admin {
        return Err(AppError::conflict(
            "own_account",
            "You cannot deactivate your own account; ask another administrator to.",
        ));
    }
    conn.transaction(|conn| {
        let before = find(conn, id)?;
        if before.active == active {
            let sentence = if active {
                format!("{} is active already.", before.full_name)
            } else {
                format!("{} is deactivated already.", before.full_name)
            };
            return Err(AppError::conflict("unchanged", sentence));
        }
        diesel::update(users::table.find(id))
            .set(users::active.eq(active))
            .execute(conn)?;
        let action = if active {
            "user.reactivate"
        } else {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
            "user.deactivate"
        };
        record(conn, admin, action, id, &before.email, now)?;
        find(conn, id)
    })
}

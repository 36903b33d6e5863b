//! Who a person is: the account row every area reads, roles, email
//! addresses and sessions. Below the web layer and every area, so the
//! extractors in `web::auth` and the areas can all name a `User` without
//! importing each other.

mod email;
pub mod sessions;

pub use email::EmailAddress;
pub use sessions::SessionCache;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::users;
use crate::db::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Candidate,
    Recruiter,
    Trainer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Candidate, Role::Recruiter, Role::Trainer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Candidate => "candidate",
            Role::Recruiter => "recruiter",
            Role::Trainer => "trainer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Candidate => "Candidate",
            Role::Recruiter => "Recruiter",
            Role::Trainer => "Trainer",
            Role::Admin => "Administrator",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub accommodation_factor: f64,
    pub created_at: NaiveDateTime,
}

/// A signed-in person, as the request sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub full_name: String,
    pub role: Role,
}

impl User {
    pub fn is_staff(&self) -> bool {
        self.role != Role::Candidate
    }
}

impl TryFrom<UserRow> for User {
    type Error = crate::error::AppError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| crate::error::AppError::Internal(format!("unknown role {:?}", row.role)))?;
        Ok(User {
            id: row.id,
            email: row.email,
            full_name: row.full_name,
            role,
        })
    }
}

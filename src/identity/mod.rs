//! Who a person is: the account row every area reads, roles, email
//! addresses and sessions. Below the web layer and every area, so the
//! extractors in `web::auth` and the areas can all name a `User` without
//! importing each other.

mod email;
pub mod service_tokens;
pub mod sessions;

pub use email::EmailAddress;
pub use service_tokens::TokenThrottle;
pub use sessions::SessionCache;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::users;
use crate::db::{Role, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    pub accommodation_factor: f64,
    pub created_at: NaiveDateTime,
}

/// A signed-in person, as the request sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 57, "email": "priya.venkataraman@gmail.com", "full_name": "Priya Venkataraman", "role": "candidate"}))]
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

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            email: row.email,
            full_name: row.full_name,
            role: row.role,
        }
    }
}

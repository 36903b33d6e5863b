use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{candidate_profiles, sessions, users};
use crate::db::{Role, UserId};

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub active: bool,
    pub accommodation_factor: f64,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub user_id: UserId,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = candidate_profiles, treat_none_as_null = true)]
pub struct ProfileRow {
    pub user_id: UserId,
    pub degree: Option<String>,
    pub institute: Option<String>,
    pub graduation_year: Option<i32>,
    pub score_percent: Option<f64>,
    pub degree_class: Option<String>,
    pub domain: Option<String>,
    pub experience_years: Option<i32>,
    pub preferred_track: Option<String>,
    pub updated_at: NaiveDateTime,
}

//! Typed ids: an attempt id cannot be passed where a user id is wanted.
//! Each is an `Integer` column on both backends.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Integer;
use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($name:ident),+ $(,)?) => {$(
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, AsExpression, FromSqlRow, utoipa::ToSchema,
        )]
        #[diesel(sql_type = Integer)]
        #[serde(transparent)]
        #[schema(value_type = i32)]
        pub struct $name(pub i32);

        impl<DB: diesel::backend::Backend> ToSql<Integer, DB> for $name
        where
            i32: ToSql<Integer, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB: diesel::backend::Backend> FromSql<Integer, DB> for $name
        where
            i32: FromSql<Integer, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i32::from_sql(bytes).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )+};
}

typed_id!(
    UserId,
    SessionId,
    NoticeId,
    BankId,
    QuestionId,
    VersionId,
    ImportId,
    AssessmentId,
    DriveId,
    AttemptId,
    ApplicationId,
    CohortId,
    ProcessId,
    RunId,
    WebhookId,
    DeliveryId,
    CalibrationId,
    ServiceTokenId,
    SlotId,
    InterviewId,
    CampusUploadId,
);

//! Column types for values kept in `Text` columns: enums stored by name and
//! JSON documents. A row holds the typed value, and a stored value that does
//! not decode is an error when it is read, never a default: a status nobody
//! wrote on purpose must not quietly become `open`.

use std::fmt;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::MultiBackend;

/// A stored or submitted name that is none of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// An enum whose values have fixed names: `as_str`, `Display`, a `FromStr`
/// that refuses any other name, `ALL` in declaration order, and serde as the
/// same names. Pure: it brings no database types, so the pure cores use it
/// too. Add `text_column!` to store the enum in a `Text` column.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::db::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::db::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
            }
        }
    };
}
pub(crate) use text_enum;

/// Stores a `text_enum!` type (anything with `as_str` and `FromStr`) in a
/// `Text` column on every backend; an unknown stored name fails the read.
/// Separate from `text_enum!` so that an enum of a pure core gets its column
/// type where it is stored, not where it is defined.
macro_rules! text_column {
    ($($ty:ty),+ $(,)?) => {$(
        const _: () = {
            // diesel's foreign derive: the expression and row impls for `$ty`,
            // written through a local stand-in.
            #[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
            #[diesel(foreign_derive)]
            #[diesel(sql_type = diesel::sql_types::Text)]
            #[allow(dead_code)]
            struct Column($ty);

            impl<DB: diesel::backend::Backend> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $ty
            where
                str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
            {
                fn to_sql<'b>(
                    &'b self,
                    out: &mut diesel::serialize::Output<'b, '_, DB>,
                ) -> diesel::serialize::Result {
                    <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
                }
            }

            impl<DB: diesel::backend::Backend> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $ty
            where
                String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
            {
                fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                    let stored = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                    Ok(stored.parse::<$ty>()?)
                }
            }
        };
    )+};
}
pub(crate) use text_column;

/// An enum kept in a `Text` column: `text_enum!` and `text_column!` at once.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $body:tt
    ) => {
        $crate::db::text_enum!($(#[$meta])* $vis enum $name $body);
        $crate::db::text_column!($name);
    };
}
pub(crate) use stored_enum;

/// A JSON document kept in a `Text` column. Reading one that does not decode
/// as `T` is an error.
#[derive(Debug, Clone, Default, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T, DB> FromSql<Text, DB> for Json<T>
where
    T: DeserializeOwned,
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let stored = String::from_sql(bytes)?;
        Ok(Json(serde_json::from_str(&stored)?))
    }
}

impl<T: Serialize + fmt::Debug> ToSql<Text, Sqlite> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}

impl<T: Serialize + fmt::Debug> ToSql<Text, Pg> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

/// The connection enum binds through each backend's own impl above.
impl<T> ToSql<Text, MultiBackend> for Json<T>
where
    T: Serialize + fmt::Debug + Send + Sync + 'static,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self));
        Ok(IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    stored_enum! {
        /// A test enum.
        pub enum Colour {
            Red = "red",
            /// Two words, one name.
            DarkBlue = "dark_blue",
        }
    }

    diesel::table! {
        paint (id) {
            id -> Integer,
            colour -> Text,
            mix -> Text,
        }
    }

    #[derive(Debug, PartialEq, Queryable, Selectable, Insertable)]
    #[diesel(table_name = paint)]
    struct Paint {
        id: i32,
        colour: Colour,
        mix: Json<Vec<usize>>,
    }

    fn connection() -> crate::db::DbConn {
        let mut conn =
            crate::db::DbConn::Sqlite(diesel::SqliteConnection::establish(":memory:").expect("an in-memory database"));
        conn.batch_execute("CREATE TABLE paint (id INTEGER PRIMARY KEY, colour TEXT NOT NULL, mix TEXT NOT NULL)")
            .expect("the table");
        conn
    }

    #[test]
    fn names_round_trip_through_str_serde_and_display() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse::<Colour>(), Ok(colour));
            assert_eq!(colour.to_string(), colour.as_str());
            let json = serde_json::to_string(&colour).expect("serialised");
            assert_eq!(json, format!("\"{}\"", colour.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).expect("deserialised"), colour);
        }
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
    }

    #[test]
    fn an_unknown_name_is_refused_not_defaulted() {
        assert_eq!(
            "green".parse::<Colour>(),
            Err(UnknownValue {
                kind: "Colour",
                value: "green".into()
            })
        );
        assert!(serde_json::from_str::<Colour>("\"Red\"").is_err());
    }

    #[test]
    fn a_row_round_trips_its_enum_and_json_columns() {
        let mut conn = connection();
        let row = Paint {
            id: 1,
            colour: Colour::DarkBlue,
            mix: Json(vec![2, 0, 1]),
        };
        diesel::insert_into(paint::table)
            .values(&row)
            .execute(&mut conn)
            .expect("inserted");
        let stored: (String, String) = paint::table
            .select((paint::colour, paint::mix))
            .first(&mut conn)
            .expect("raw columns");
        assert_eq!(stored, ("dark_blue".to_string(), "[2,0,1]".to_string()));
        let read: Paint = paint::table.select(Paint::as_select()).first(&mut conn).expect("read");
        assert_eq!(read, row);
        let found: i32 = paint::table
            .filter(paint::colour.eq(Colour::DarkBlue))
            .select(paint::id)
            .first(&mut conn)
            .expect("found by its enum");
        assert_eq!(found, 1);
    }

    #[test]
    fn reading_an_unknown_stored_name_or_bad_json_is_an_error() {
        let mut conn = connection();
        conn.batch_execute("INSERT INTO paint VALUES (1, 'green', '[1]'), (2, 'red', 'not json')")
            .expect("raw rows");
        let colour = paint::table
            .find(1)
            .select(paint::colour)
            .first::<Colour>(&mut conn)
            .expect_err("green is no colour");
        assert!(
            matches!(colour, diesel::result::Error::DeserializationError(_)),
            "{colour}"
        );
        let cause = format!("{colour:?}");
        assert!(cause.contains("UnknownValue") && cause.contains("green"), "{cause}");
        let mix = paint::table
            .find(2)
            .select(paint::mix)
            .first::<Json<Vec<usize>>>(&mut conn)
            .expect_err("not JSON");
        assert!(matches!(mix, diesel::result::Error::DeserializationError(_)), "{mix}");
    }
}

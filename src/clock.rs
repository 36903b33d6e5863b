//! The server's clock, the only clock that decides deadlines. Tests move it
//! forward instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC, as stored in the database.
    pub fn now(&self) -> NaiveDateTime {
        (Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))).naive_utc()
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

/// Serialises stored (UTC) times as RFC 3339 with a `Z`, as the API promises.
pub mod rfc3339 {
    use chrono::{NaiveDateTime, SecondsFormat};
    use serde::Serializer;

    pub fn format(t: &NaiveDateTime) -> String {
        t.and_utc().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&format(t)),
                None => s.serialize_none(),
            }
        }
    }
}

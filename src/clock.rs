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

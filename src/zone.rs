//! Times as people read them. Stored times are UTC; pages and emails show
//! them in the firm's time zone (`FIRM_TIMEZONE`, an IANA name, default
//! `UTC`) and name the zone, so "11:00" is never ambiguous. On pages a
//! [`Moment`] renders as `<time datetime=… data-zone=…>`, and
//! `static/time.js` adds the viewer's own time when their browser is in
//! another zone.

use std::fmt;

use chrono::{NaiveDateTime, SecondsFormat, TimeZone};
use chrono_tz::Tz;

/// A stored UTC time, by value or behind any number of references (as
/// templates hold them).
pub trait Instant {
    fn utc(&self) -> NaiveDateTime;
}

impl Instant for NaiveDateTime {
    fn utc(&self) -> NaiveDateTime {
        *self
    }
}

impl<T: Instant + ?Sized> Instant for &T {
    fn utc(&self) -> NaiveDateTime {
        (**self).utc()
    }
}

/// The firm's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirmZone(Tz);

impl Default for FirmZone {
    fn default() -> Self {
        FirmZone(Tz::UTC)
    }
}

impl FirmZone {
    /// Reads an IANA zone name ("Asia/Kolkata", "UTC"), or says what is wrong.
    pub fn parse(name: &str) -> Result<FirmZone, String> {
        name.trim().parse::<Tz>().map(FirmZone).map_err(|_| {
            format!(
                "FIRM_TIMEZONE must be an IANA time zone name such as Asia/Kolkata or Europe/London; \
                 \"{}\" is not one",
                name.trim()
            )
        })
    }

    /// The IANA name, as browsers report theirs.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// A stored UTC time, in this zone.
    pub fn moment(&self, utc: impl Instant) -> Moment {
        let utc = utc.utc();
        let local = self.0.from_utc_datetime(&utc);
        Moment {
            iso: utc.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
            zone: self.name(),
            text: local.format("%a %-d %b %Y, %H:%M %Z").to_string(),
        }
    }

    /// For emails and plain text: the time with its zone's abbreviation and,
    /// where that differs, its full name ("Mon 7 Dec 2026, 11:00 IST
    /// (Asia/Kolkata)").
    pub fn text(&self, utc: impl Instant) -> String {
        let moment = self.moment(utc);
        if moment.text.ends_with(self.name()) {
            moment.text
        } else {
            format!("{} ({})", moment.text, self.name())
        }
    }

    /// A wall-clock time typed in this zone, as stored UTC; the earlier of
    /// two when the clocks go back, none in the hour they skip.
    pub fn to_utc(&self, local: NaiveDateTime) -> Option<NaiveDateTime> {
        self.0.from_local_datetime(&local).earliest().map(|t| t.naive_utc())
    }

    /// The hint beside a date-and-time field: times are typed in this zone
    /// ("Asia/Kolkata time; empty for now").
    pub fn typed_hint(&self, rest: &str) -> String {
        format!("{} time; {rest}", self.name())
    }

    /// A UTC time as this zone's wall clock, for a `datetime-local` field.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        self.0.from_utc_datetime(&utc).naive_local()
    }

    /// A calendar date in this zone ("7 December 2026").
    pub fn date(&self, utc: impl Instant) -> String {
        self.0.from_utc_datetime(&utc.utc()).format("%-d %B %Y").to_string()
    }
}

/// One instant as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Moment {
    /// RFC 3339 in UTC, for `datetime=` and the API.
    pub iso: String,
    /// The firm's zone name, which the page script compares with the viewer's.
    pub zone: &'static str,
    /// "Mon 7 Dec 2026, 11:00 IST".
    pub text: String,
}

/// Renders `<time datetime="…" data-zone="…">text</time>`. Every part is
/// made by chrono's formatting or is a zone name from the tz database, so
/// nothing here needs escaping.
impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<time datetime=\"{}\" data-zone=\"{}\">{}</time>",
            self.iso, self.zone, self.text
        )
    }
}

impl askama::filters::HtmlSafe for Moment {}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap()
    }

    #[test]
    fn a_stored_utc_time_is_shown_in_the_firms_zone_with_the_zone_named() {
        let kolkata = FirmZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.moment(at(5, 30)).text, "Mon 7 Dec 2026, 11:00 IST");
        assert_eq!(kolkata.text(at(5, 30)), "Mon 7 Dec 2026, 11:00 IST (Asia/Kolkata)");
        assert_eq!(FirmZone::default().text(at(5, 30)), "Mon 7 Dec 2026, 05:30 UTC");
        assert_eq!(kolkata.date(at(20, 0)), "8 December 2026");
        assert_eq!(
            kolkata.to_utc(at(11, 0)),
            Some(at(5, 30)),
            "a typed 11:00 IST is stored as 05:30 UTC"
        );
    }

    #[test]
    fn an_unknown_zone_name_is_refused_with_an_example_of_a_good_one() {
        let err = FirmZone::parse("India").unwrap_err();
        assert!(err.contains("Asia/Kolkata") && err.contains("\"India\""), "{err}");
    }

    #[derive(Template)]
    #[template(source = "<p>Ends {{ when }}</p>", ext = "html")]
    struct Page {
        when: Moment,
    }

    #[test]
    fn a_moment_renders_as_a_time_element_the_page_script_can_read() {
        let page = Page {
            when: FirmZone::parse("Asia/Kolkata").unwrap().moment(at(5, 30)),
        };
        assert_eq!(
            page.render().unwrap(),
            "<p>Ends <time datetime=\"2026-12-07T05:30:00Z\" data-zone=\"Asia/Kolkata\">Mon 7 Dec 2026, 11:00 IST</time></p>"
        );
    }
}

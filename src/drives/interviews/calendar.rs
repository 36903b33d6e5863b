//! An interview as a calendar event (`.ics`, RFC 5545) that calendar
//! programs import from an email. The event keeps one UID for its whole
//! life; each reschedule or cancellation sends it again with a higher
//! SEQUENCE, so the program updates or removes the event it already has
//! instead of adding another. Escaping, line folding at 75 octets and CRLF
//! line ends are the `icalendar` crate's.

use chrono::{Duration, NaiveDateTime};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

use crate::mail::Attachment;

/// What the email asks the calendar program to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the event, or update the one with the same UID.
    Request,
    /// Remove the event with the same UID.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// Someone taking part: a name and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// One interview as the calendar sees it.
#[derive(Debug, Clone)]
pub struct Invite<'a> {
    pub uid: &'a str,
    pub sequence: i32,
    pub method: Method,
    pub starts_at: NaiveDateTime,
    pub minutes: i32,
    pub summary: &'a str,
    pub description: &'a str,
    pub place: &'a str,
    pub video_link: &'a str,
    /// The recruitment team's address (where replies go).
    pub organizer: &'a Person,
    pub attendees: &'a [Person],
    /// When this version of the event was made (DTSTAMP).
    pub stamp: NaiveDateTime,
}

/// A parameter value may not hold a double quote or a control character.
fn param_safe(value: &str) -> String {
    value
        .chars()
        .map(|c| if c == '"' || c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn mailbox(key: &str, person: &Person) -> Property {
    let mut property = Property::new(key, format!("mailto:{}", person.email));
    let name = param_safe(&person.name);
    if !name.is_empty() {
        property.add_parameter("CN", &name);
    }
    property.done()
}

impl Invite<'_> {
    /// The whole `VCALENDAR` text.
    pub fn to_ics(&self) -> String {
        let mut event = Event::new();
        event
            .uid(self.uid)
            .sequence(u32::try_from(self.sequence).unwrap_or(0))
            .timestamp(self.stamp.and_utc())
            .starts(self.starts_at.and_utc())
            .ends((self.starts_at + Duration::minutes(i64::from(self.minutes))).and_utc())
            .summary(self.summary)
            .description(self.description);
        let location = match (self.place.is_empty(), self.video_link.is_empty()) {
            (false, _) => self.place,
            (true, false) => self.video_link,
            (true, true) => "",
        };
        if !location.is_empty() {
            event.location(location);
        }
        if !self.video_link.is_empty() {
            event.url(self.video_link);
        }
        event.append_property(mailbox("ORGANIZER", self.organizer));
        for person in self.attendees {
            let mut attendee = mailbox("ATTENDEE", person);
            attendee.add_parameter("ROLE", "REQ-PARTICIPANT");
            event.append_multi_property(attendee.done());
        }
        event.status(match self.method {
            Method::Request => EventStatus::Confirmed,
            Method::Cancel => EventStatus::Cancelled,
        });
        let mut calendar = Calendar::empty();
        calendar
            .append_property(("VERSION", "2.0"))
            .append_property(("PRODID", "-//Assay//Interviews//EN"))
            .append_property(("CALSCALE", "GREGORIAN"))
            .append_property(("METHOD", self.method.as_str()))
            .push(event.done());
        calendar.done().to_string()
    }

    /// The event as an email attachment; `text/calendar` with its method,
    /// as calendar programs look for.
    pub fn attachment(&self) -> Attachment {
        let name = match self.method {
            Method::Request => "interview.ics",
            Method::Cancel => "interview-cancelled.ics",
        };
        Attachment {
            name: name.to_string(),
            content_type: format!("text/calendar; charset=utf-8; method={}", self.method.as_str()),
            body: self.to_ics(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 9)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    fn ics(method: Method, sequence: i32, place: &str) -> String {
        let organizer = Person {
            name: "Recruitment".into(),
            email: "hiring@example.com".into(),
        };
        let attendees = [
            Person {
                name: "Sita \"S\" Rao".into(),
                email: "sita@example.com".into(),
            },
            Person {
                name: "Ira Menon".into(),
                email: "ira@example.com".into(),
            },
        ];
        Invite {
            uid: "abc123@assay.test",
            sequence,
            method,
            starts_at: at(5),
            minutes: 45,
            summary: "Interview: Finance drive, Sita Rao",
            description: "Bring your ID; questions, if any, to hiring@example.com.\nSee you there.",
            place,
            video_link: "https://meet.example.com/x",
            organizer: &organizer,
            attendees: &attendees,
            stamp: at(1),
        }
        .to_ics()
    }

    #[test]
    fn an_invitation_is_crlf_folded_text_with_the_events_uid_sequence_and_times_in_utc() {
        let text = ics(Method::Request, 0, "Room 4, Tower B; 2nd floor");
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "only CRLF line ends: {text:?}"
        );
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "folded at 75 octets: {line:?}");
        }
        let unfolded = text.replace("\r\n ", "");
        for expected in [
            "METHOD:REQUEST",
            "UID:abc123@assay.test",
            "SEQUENCE:0",
            "DTSTART:20261209T050000Z",
            "DTEND:20261209T054500Z",
            "STATUS:CONFIRMED",
            "LOCATION:Room 4\\, Tower B\\; 2nd floor",
            "DESCRIPTION:Bring your ID\\; questions\\, if any\\, to hiring@example.com.\\nSee you there.",
            "ORGANIZER;CN=Recruitment:mailto:hiring@example.com",
            "ATTENDEE;CN=Sita  S  Rao;ROLE=REQ-PARTICIPANT:mailto:sita@example.com",
        ] {
            assert!(unfolded.contains(expected), "{expected} in {unfolded}");
        }
    }

    #[test]
    fn a_cancellation_keeps_the_uid_and_says_cancel_with_a_higher_sequence() {
        let text = ics(Method::Cancel, 2, "").replace("\r\n ", "");
        for expected in [
            "METHOD:CANCEL",
            "STATUS:CANCELLED",
            "UID:abc123@assay.test",
            "SEQUENCE:2",
            "LOCATION:https://meet.example.com/x",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
    }
}

//! The whole interview flow over HTTP, with the emails as the real SMTP
//! server received them and their calendar events parsed back.

use assay::notices::outbox::drain_once;
use awc::http::StatusCode;
use chrono::{Duration, NaiveDateTime, SubsecRound};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventStatus};
use mail_parser::MimeHeaders;
use serde_json::json;

use super::{from_now, notices_of, pick, publish, shortlisted_drive};
use crate::helpers::spawn_app_with;
use crate::notices::sink::{free_port, Received, SmtpSink};

/// What one received email's calendar event says.
#[derive(Debug)]
pub(crate) struct Seen {
    pub to: String,
    pub subject: String,
    pub method: String,
    pub uid: String,
    pub sequence: u32,
    pub status: Option<EventStatus>,
    pub starts: NaiveDateTime,
}

/// Every received email with a calendar attachment, parsed with the
/// `icalendar` parser.
pub(crate) fn calendar_emails(received: &[Received]) -> Vec<Seen> {
    received
        .iter()
        .filter_map(|mail| {
            let parsed = mail.parsed();
            let part = parsed.attachments().find(|a| {
                a.content_type()
                    .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
            })?;
            let text = String::from_utf8(part.contents().to_vec()).expect("utf-8 calendar");
            assert!(text.contains("\r\n"), "CRLF line ends: {text:?}");
            let calendar: icalendar::Calendar = text.parse().expect("the .ics parses");
            let event = calendar.events().next().expect("one event").clone();
            let starts = match event.get_start() {
                Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(dt))) => dt.naive_utc(),
                other => panic!("a start time, not {other:?}"),
            };
            Some(Seen {
                to: mail.rcpt_tos.join(","),
                subject: parsed.subject().unwrap_or_default().to_string(),
                method: calendar.property_value("METHOD").unwrap_or_default().to_string(),
                uid: event.get_uid().expect("UID").to_string(),
                sequence: event.get_sequence().expect("SEQUENCE"),
                status: event.get_status(),
                starts,
            })
        })
        .collect()
}

#[actix_web::test]
async fn a_booked_moved_and_cancelled_interview_reaches_candidate_and_panel_as_one_calendar_event() {
    let sink = SmtpSink::start(free_port());
    let app = spawn_app_with(|c| {
        c.smtp_url = Some(sink.url());
        c.firm_zone = assay::zone::FirmZone::parse("Asia/Kolkata").expect("zone");
    })
    .await;
    let d = shortlisted_drive(&app, &["Sita"]).await;
    let (application, sita) = d.candidates[0].clone();
    let first_time = from_now(&app, 3, 0).trunc_subsecs(0);
    let later_time = from_now(&app, 4, 2).trunc_subsecs(0);
    let first = publish(&app, &d, first_time, 1).await;
    let later = publish(&app, &d, later_time, 2).await;

    // Publishing invited Sita once, with a link to choose.
    let invitations = notices_of(&app, "interview_invitation");
    assert_eq!(invitations.len(), 1, "{invitations:?}");
    assert_eq!(invitations[0].0, "sita@example.com");

    let (status, slots) = app
        .get_json(&format!("/api/v1/drives/{}/interview-slots", d.s.drive_id), Some(&sita))
        .await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    assert_eq!(slots["items"].as_array().map(Vec::len), Some(2), "{slots}");
    assert!(
        slots["items"][0]["when"]
            .as_str()
            .is_some_and(|w| w.contains("IST (Asia/Kolkata)")),
        "times named in the firm's zone: {slots}"
    );

    let (status, booked) = pick(&app, &sita, first).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(
        (booked["status"].as_str(), booked["sequence"].as_i64()),
        (Some("booked"), Some(0))
    );
    let id = booked["id"].as_i64().expect("interview id");
    let (_, appl) = app
        .get_json(&format!("/api/v1/applications/{application}"), Some(&sita))
        .await;
    assert_eq!(appl["status"], "interviewing", "{appl}");

    // The reminder waits in the outbox for the day before.
    let reminders = notices_of(&app, "interview_reminder");
    assert_eq!(reminders.len(), 2, "candidate and interviewer: {reminders:?}");
    for (_, status, due) in &reminders {
        assert_eq!((status.as_str(), *due), ("queued", first_time - Duration::days(1)));
    }
    drain_once(&app.outbox()).await.expect("drain");
    let booked_mails = calendar_emails(&sink.received());
    assert_eq!(booked_mails.len(), 2, "{booked_mails:?}");
    let uid = booked_mails[0].uid.clone();
    for seen in &booked_mails {
        assert_eq!(
            (seen.method.as_str(), seen.sequence, seen.starts),
            ("REQUEST", 0, first_time),
            "{seen:?}"
        );
        assert_eq!(seen.uid, uid);
        assert_eq!(seen.status, Some(EventStatus::Confirmed));
    }
    let mut to: Vec<&str> = booked_mails.iter().map(|s| s.to.as_str()).collect();
    to.sort();
    assert_eq!(to, ["ira@example.com", "sita@example.com"]);
    assert!(
        booked_mails.iter().all(|s| s.subject.contains("IST")),
        "{booked_mails:?}"
    );
    assert!(
        notices_of(&app, "interview_reminder").iter().all(|r| r.1 == "queued"),
        "not sent early"
    );

    // Moved: the same event, SEQUENCE 1, the new time; the old reminder is taken back.
    let (status, moved) = app
        .post_json(
            &format!("/api/v1/interviews/{id}/reschedule"),
            &json!({"slot_id": later, "message": "The panel asked for a later time."}),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["sequence"], 1);
    let reminders = notices_of(&app, "interview_reminder");
    assert_eq!(reminders.len(), 2, "{reminders:?}");
    assert!(
        reminders.iter().all(|r| r.2 == later_time - Duration::days(1)),
        "{reminders:?}"
    );
    drain_once(&app.outbox()).await.expect("drain");
    let all = calendar_emails(&sink.received());
    let moved_mails: Vec<&Seen> = all.iter().filter(|s| s.sequence == 1).collect();
    assert_eq!(moved_mails.len(), 2, "{all:?}");
    for seen in &moved_mails {
        assert_eq!(
            (seen.method.as_str(), seen.uid.as_str(), seen.starts),
            ("REQUEST", uid.as_str(), later_time)
        );
    }

    // Cancelled: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE 2, the same UID.
    let (status, cancelled) = app
        .post_json(
            &format!("/api/v1/interviews/{id}/cancel"),
            &json!({}),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["sequence"].as_i64()),
        (Some("cancelled"), Some(2))
    );
    assert!(
        notices_of(&app, "interview_reminder").is_empty(),
        "no reminder for a cancelled interview"
    );
    drain_once(&app.outbox()).await.expect("drain");
    let all = calendar_emails(&sink.received());
    let cancel_mails: Vec<&Seen> = all.iter().filter(|s| s.sequence == 2).collect();
    assert_eq!(cancel_mails.len(), 2, "{all:?}");
    for seen in &cancel_mails {
        assert_eq!(
            (seen.method.as_str(), seen.uid.as_str(), seen.status),
            ("CANCEL", uid.as_str(), Some(EventStatus::Cancelled))
        );
    }

    // Sita is shortlisted again, the place is free, and she can choose anew.
    let (_, appl) = app
        .get_json(&format!("/api/v1/applications/{application}"), Some(&sita))
        .await;
    assert_eq!(appl["status"], "shortlisted_kpo", "{appl}");
    let (_, mine) = app.get_json("/api/v1/me/interviews", Some(&sita)).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine["next_after"], serde_json::Value::Null);
    let (status, again) = pick(&app, &sita, first).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_ne!(
        again["calendar_uid"].as_str(),
        Some(uid.as_str()),
        "a new interview, a new event"
    );
    let (_, listed) = app
        .get_json(
            &format!("/api/v1/drives/{}/interviews?limit=1", d.s.drive_id),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1), "{listed}");
    let after = listed["next_after"].as_str().expect("a second page");
    let (_, rest) = app
        .get_json(
            &format!("/api/v1/drives/{}/interviews?limit=1&after={after}", d.s.drive_id),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(rest["items"][0]["status"], "cancelled", "{rest}");
}

#[actix_web::test]
async fn a_slot_is_refused_without_a_future_time_a_place_or_staff_interviewers() {
    let app = crate::helpers::spawn_app().await;
    let d = shortlisted_drive(&app, &["Tara"]).await;
    let (_, tara) = d.candidates[0].clone();
    let path = format!("/api/v1/drives/{}/interview-slots", d.s.drive_id);
    let good = json!({"starts_at": super::rfc3339(from_now(&app, 2, 0)), "minutes": 30, "place": "Room 1",
                      "interviewer_ids": [d.interviewer.0], "capacity": 1});
    let (candidate_id, _) = app.candidate("not-staff@example.com").await;
    for (change, field) in [
        (json!({"starts_at": super::rfc3339(from_now(&app, -1, 0))}), "starts_at"),
        (json!({"place": "", "video_link": ""}), "place"),
        (json!({"video_link": "javascript:alert(1)"}), "video_link"),
        (json!({"minutes": 0}), "minutes"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"interviewer_ids": []}), "interviewer_ids"),
        (json!({"interviewer_ids": [candidate_id]}), "interviewer_ids"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, answer) = app.post_json(&path, &body, Some(&d.s.recruiter)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {answer}");
        assert_eq!(
            crate::helpers::error_fields(&answer),
            vec![field.to_string()],
            "{answer}"
        );
    }
    let (status, _) = app.post_json(&path, &good, Some(&tara)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "candidates cannot publish");
    let slot = publish(&app, &d, from_now(&app, 2, 0), 3).await;
    let (status, _) = pick(&app, &tara, slot).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, again) = pick(&app, &tara, slot).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "already_booked", "{again}");
}

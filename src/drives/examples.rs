//! Examples of what the drives API answers, shown in the OpenAPI document.
//! One campus drive's story runs through them (Priya Nair's application to
//! a claims-analyst drive, her interview and her panel), so the examples of
//! related answers agree with each other. The schemas name these functions
//! (`#[schema(example = …)]`) and paged answers wrap them in a page; the
//! `openapi` API tests check every example against its schema.

use serde_json::{json, Value};

/// `base` with the fields of `changes` put over its own.
fn with(mut base: Value, changes: Value) -> Value {
    if let (Some(fields), Value::Object(changes)) = (base.as_object_mut(), changes) {
        fields.extend(changes);
    }
    base
}

/// A drive, as `DriveRow` serializes it (stored times are UTC, written
/// without an offset).
pub fn drive() -> Value {
    json!({
        "id": 12,
        "name": "Claims Analyst, Motor Insurance: Campus 2026",
        "description": "Claims adjudication and policy servicing for a UK motor insurer, from our Pune centre. Graduates in commerce or finance; rotational shifts.",
        "assessment_id": 7,
        "min_score_percent": 60.0,
        "min_degree_class": "first",
        "opens_at": "2026-12-01T03:30:00",
        "closes_at": "2026-12-20T12:30:00",
        "created_at": "2026-11-24T06:10:00",
        "state": "open"
    })
}

/// An application, as `ApplicationRow` serializes it.
pub fn application() -> Value {
    json!({
        "id": 3051,
        "drive_id": 12,
        "candidate_id": 214,
        "status": "tested",
        "eligible": true,
        "reason": "You meet this drive's academic guidelines.",
        "attempt_id": 8812,
        "percent": 78.5,
        "tie_break": 82.0,
        "submitted_at": "2026-12-03T05:42:10",
        "created_at": "2026-12-02T08:15:00",
        "updated_at": "2026-12-03T05:42:10"
    })
}

/// The application after the recruiter confirmed the KPO offer.
pub fn offered_application() -> Value {
    with(
        application(),
        json!({"status": "offered_kpo", "updated_at": "2026-12-10T09:20:00"}),
    )
}

/// Just applied.
pub fn applied() -> Value {
    json!({"application_id": 3051, "eligible": true, "reason": "You meet this drive's academic guidelines."})
}

/// A slot with places left, as `SlotView` serializes it.
pub fn slot() -> Value {
    json!({
        "id": 41,
        "drive_id": 12,
        "starts_at": "2026-12-09T05:00:00.000Z",
        "ends_at": "2026-12-09T05:30:00.000Z",
        "when": "Wed 9 Dec 2026, 10:30 IST (Asia/Kolkata)",
        "minutes": 30,
        "place": "Room 4, Tower B, Magarpatta City, Pune",
        "video_link": "",
        "capacity": 4,
        "booked": 1,
        "places_left": 3,
        "interviewers": [{"id": 9, "name": "Rahul Mehta"}, {"id": 11, "name": "Kavita Iyer"}]
    })
}

/// A booked interview, as `InterviewView` serializes it.
pub fn interview() -> Value {
    json!({
        "id": 77,
        "application_id": 3051,
        "candidate_id": 214,
        "candidate_name": "Priya Nair",
        "drive_id": 12,
        "drive": "Claims Analyst, Motor Insurance: Campus 2026",
        "status": "booked",
        "calendar_uid": "interview-3f9c0a7e51d24b8c9e6f1a2b3c4d5e6f@assay.example",
        "sequence": 0,
        "slot": slot()
    })
}

/// The interview moved to another slot: the calendar event's SEQUENCE rose.
pub fn moved_interview() -> Value {
    let slot = with(
        slot(),
        json!({"id": 43, "starts_at": "2026-12-10T08:30:00.000Z", "ends_at": "2026-12-10T09:00:00.000Z",
            "when": "Thu 10 Dec 2026, 14:00 IST (Asia/Kolkata)"}),
    );
    with(interview(), json!({"sequence": 1, "slot": slot}))
}

/// The interview cancelled.
pub fn cancelled_interview() -> Value {
    with(interview(), json!({"status": "cancelled", "sequence": 1}))
}

/// A drive's own competencies, each with its five anchors.
pub fn competency_set() -> Value {
    json!({"competencies": competencies(), "default": false, "fixed": false})
}

/// The drive's three competencies.
fn competencies() -> Value {
    json!([
        {"name": "Claims analysis", "anchors": [
            "Could not say what the claim turns on; accepted or refused it without reasons.",
            "Found the policy clause that applies but missed facts that change the outcome.",
            "Worked through cover, exclusions and quantum in order and reached a sound decision with prompting.",
            "Decided the claim unprompted, checked the figures and explained each step clearly.",
            "Decided quickly, spotted the possible fraud indicator and weighed the customer and the insurer fairly."
        ]},
        {"name": "Spoken English", "anchors": [
            "Could not hold the conversation without repeated help; often misunderstood questions.",
            "Held a simple conversation but struggled with follow-up questions or was often hard to understand.",
            "Understood every question and answered clearly, with occasional slips that did not block meaning.",
            "Spoke fluently and clearly at a natural pace and explained technical points simply.",
            "Fluent and confident under pressure; would be at ease leading a call with an overseas client."
        ]},
        {"name": "Client orientation", "anchors": [
            "Showed no sense of who the client is or why deadlines and accuracy matter to them.",
            "Recognised the client's needs when prompted, but put their own convenience first in the scenarios.",
            "Put the client's needs first in the scenarios and knew when to escalate a problem.",
            "Anticipated what the client would ask next and balanced quality, deadline and confidentiality well.",
            "Handled the difficult-client scenario with tact and judgment, protecting both the relationship and the work's quality."
        ]}
    ])
}

/// The drive's hiring rules.
pub fn hiring_rules() -> Value {
    json!({"test_weight": 60, "interview_weight": 40, "kpo_min": 70.0, "bpo_min": 50.0})
}

/// Rahul Mehta's submitted scorecard for Priya Nair.
pub fn scorecard() -> Value {
    json!({
        "application_id": 3051,
        "interviewer_id": 9,
        "interviewer": "Rahul Mehta",
        "submitted": true,
        "submitted_at": "2026-12-09T05:48:00.000Z",
        "hidden": false,
        "recommendation": "kpo",
        "summary": "Sound on motor claims; worked the total-loss case carefully. Nervous at first on the call role-play.",
        "ratings": [
            {"competency": "Claims analysis", "rating": 4, "evidence": "Applied the excess and the depreciation schedule correctly on the total-loss case and asked for the surveyor's report."},
            {"competency": "Spoken English", "rating": 2, "evidence": "Needed two questions repeated; answers were short until the second half."},
            {"competency": "Client orientation", "rating": 4, "evidence": "Offered the policyholder a call-back time and explained the delay without jargon."}
        ]
    })
}

/// A fellow interviewer's scorecard while the viewer has not submitted
/// their own: who and whether, but no values.
pub fn hidden_scorecard() -> Value {
    json!({
        "application_id": 3051,
        "interviewer_id": 11,
        "interviewer": "Kavita Iyer",
        "submitted": true,
        "submitted_at": "2026-12-09T05:52:00.000Z",
        "hidden": true,
        "recommendation": null,
        "summary": "",
        "ratings": []
    })
}

/// The viewer's own scorecard, with the competencies it rates.
pub fn my_scorecard() -> Value {
    json!({
        "application_id": 3051,
        "competencies": competencies(),
        "scorecard": scorecard()
    })
}

/// The panel's view of Priya Nair after both interviewers submitted.
pub fn panel() -> Value {
    json!({
        "application_id": 3051,
        "competencies": [
            {"competency": "Claims analysis", "mean": 4.5, "ratings": 2, "lowest": 4, "highest": 5, "disagreement": false},
            {"competency": "Spoken English", "mean": 3.0, "ratings": 2, "lowest": 2, "highest": 4, "disagreement": true},
            {"competency": "Client orientation", "mean": 4.5, "ratings": 2, "lowest": 4, "highest": 5, "disagreement": false}
        ],
        "scorecards": 2,
        "test_percent": 78.5,
        "interview_percent": 75.0,
        "combined": 77.1,
        "rules": hiring_rules(),
        "proposal": "kpo_offer",
        "reason": "Combined 77.1 (test 78.5% weighted 60%, interview 75.0 weighted 40%, from 2 scorecards) meets the KPO offer threshold of 70. The panel disagreed on Spoken English."
    })
}

/// One row of the decision page.
pub fn proposal() -> Value {
    json!({
        "application_id": 3051,
        "candidate_id": 214,
        "full_name": "Priya Nair",
        "status": "interviewing",
        "panel": panel(),
        "disagreements": ["Spoken English"],
        "proposed_status": "offered_kpo",
        "proposal_label": "KPO offer"
    })
}

/// What confirming the proposal did.
pub fn decided() -> Value {
    json!({"application": offered_application(), "proposed": "offered_kpo", "overridden": false})
}

/// One ranked applicant.
pub fn ranking_row() -> Value {
    json!({
        "rank": 1,
        "application_id": 3051,
        "candidate_id": 214,
        "full_name": "Priya Nair",
        "status": "interviewing",
        "percent": 78.5,
        "percentile": 96.4,
        "interview_percent": 75.0,
        "combined": 77.1,
        "sections": [{"name": "Quantitative aptitude", "percent": 82.0}, {"name": "Verbal ability", "percent": 75.0}],
        "eligible": true,
        "domain": "finance",
        "degree": "B.Com",
        "focus_losses": 0,
        "pastes": 0,
        "tested_at": "2026-12-03T05:42:10.000Z"
    })
}

/// The email a KPO offer would send.
pub fn decision_preview() -> Value {
    json!({"email": {
        "to_email": "priya.nair@example.in",
        "to_name": "Priya Nair",
        "subject": "An offer from Meridian Analytics",
        "text": "Dear Priya Nair,\n\nThank you for your interviews in Claims Analyst, Motor Insurance: Campus 2026. We are glad to offer you a role\nin our KPO operations.\n\nTo accept, or to ask any questions, please write to careers@meridian-analytics.example\n(replying to this email reaches the same address). Once you accept, we will\ntell you when and where your training starts.\n\nWith regards,\nMeridian Analytics recruitment and training\nhttps://assay.example/\n",
        "html": "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Meridian Analytics</title></head>\n<body>\n<p>Dear Priya Nair,</p>\n<p>Thank you for your interviews in <strong>Claims Analyst, Motor Insurance: Campus 2026</strong>. We are glad to offer you a role in our KPO operations.</p>\n<p>To accept, or to ask any questions, please write to <a href=\"mailto:careers@meridian-analytics.example\">careers@meridian-analytics.example</a> (replying to this email reaches the same address). Once you accept, we will tell you when and where your training starts.</p>\n<p>With regards,<br>Meridian Analytics recruitment and training<br><a href=\"https://assay.example/\">https://assay.example</a></p>\n</body>\n</html>\n"
    }})
}

/// A drive's invite link.
pub fn invite_link() -> Value {
    json!({"url": "https://assay.example/join/9c1e4b7a2f6d3e8a5b0c7d1f", "code": "9c1e4b7a2f6d3e8a5b0c7d1f"})
}

/// What a list of graduates did (or would do): two new, one invited before.
pub fn invitation_outcome() -> Value {
    json!({
        "invited": 2,
        "new": [
            {"line": 2, "full_name": "Ananya Krishnan", "email": "ananya.krishnan@example.in", "degree": "B.Com",
                "institute": "Symbiosis College of Arts and Commerce, Pune", "score_percent": 82.4},
            {"line": 4, "full_name": "Mohammed Farhan Shaikh", "email": "farhan.shaikh@example.in", "degree": "BBA (Finance)",
                "institute": "MIT World Peace University, Pune", "score_percent": 74.0}
        ],
        "already_invited": ["rohit.sharma@example.in"],
        "already_applied": ["sneha.kulkarni@example.in"]
    })
}

/// An invitation as its link shows it.
pub fn invitation() -> Value {
    json!({
        "drive_id": 12,
        "full_name": "Ananya Krishnan",
        "email": "ananya.krishnan@example.in",
        "degree": "B.Com",
        "institute": "Symbiosis College of Arts and Commerce, Pune",
        "score_percent": 82.4,
        "accepted": false
    })
}

/// An accepted invitation: the account, its application and a session.
pub fn invitation_accepted() -> Value {
    json!({
        "user_id": 215,
        "application_id": 3052,
        "eligible": true,
        "reason": "You meet this drive's academic guidelines.",
        "token": "5b2f0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"
    })
}

/// The same list previewed: nobody is invited yet.
pub fn invitation_preview() -> Value {
    with(invitation_outcome(), json!({"invited": 0}))
}

/// The drive closed to new applications.
pub fn closed_drive() -> Value {
    with(drive(), json!({"state": "closed"}))
}

/// The application withdrawn by its candidate.
pub fn withdrawn_application() -> Value {
    with(
        application(),
        json!({"status": "withdrawn", "updated_at": "2026-12-04T11:05:00"}),
    )
}

/// The application shortlisted for a KPO interview.
pub fn shortlisted_application() -> Value {
    with(
        application(),
        json!({"status": "shortlisted_kpo", "updated_at": "2026-12-05T10:40:00"}),
    )
}

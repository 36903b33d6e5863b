//! Every email Assay sends: a plain-text and an HTML twin per kind, rendered
//! by askama from `templates/email/<kind>.txt` and `.html`, which extend a
//! shared layout. Rendered when queued, so the outbox holds exactly what the
//! person will read.

use askama::Template;

use crate::error::AppResult;
use crate::mail::MailContext;

/// An email ready for the outbox.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub trait Mail {
    fn render_mail(&self) -> AppResult<Rendered>;
}

/// Declares one kind of email: its fields, its subject and its two
/// templates. The same data renders both parts, so they cannot drift apart.
macro_rules! email {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $txt:literal, $html:literal,
     { $($field:ident : $ty:ty),* $(,)? }, |$s:ident| $subject:expr) => {
        $(#[$doc])*
        pub struct $name<'a> {
            pub ctx: &'a MailContext,
            $(pub $field: $ty,)*
        }

        const _: () = {
            #[derive(Template)]
            #[template(path = $txt, escape = "none")]
            struct Text<'b, 'a> {
                m: &'b $name<'a>,
            }

            #[derive(Template)]
            #[template(path = $html)]
            struct Html<'b, 'a> {
                m: &'b $name<'a>,
            }

            impl Mail for $name<'_> {
                fn render_mail(&self) -> AppResult<Rendered> {
                    let $s = self;
                    Ok(Rendered {
                        kind: $kind,
                        subject: $subject,
                        text: Text { m: self }.render()?,
                        html: Html { m: self }.render()?,
                    })
                }
            }
        };
    };
}

email!(
    /// After registration.
    Welcome, "welcome", "email/welcome.txt", "email/welcome.html",
    { name: &'a str },
    |m| format!("Welcome to {}", m.ctx.firm)
);

email!(
    /// A personal invitation to a campus drive, from a recruiter's list.
    CampusInvitation, "campus_invitation", "email/campus_invitation.txt", "email/campus_invitation.html",
    { name: &'a str, drive: &'a str, link: String },
    |m| format!("You are invited to apply: {}", m.drive)
);

email!(
    /// An application was received, eligible or not (with the reason).
    ApplicationReceived, "application_received", "email/application_received.txt", "email/application_received.html",
    { name: &'a str, drive: &'a str, eligible: bool, reason: &'a str, link: String },
    |m| format!("Your application to {}", m.drive)
);

email!(
    /// A test was graded: the score, or "we will be in touch".
    TestResult, "test_result", "email/test_result.txt", "email/test_result.html",
    { name: &'a str, assessment: &'a str, show_score: bool, percent: f64, passed: bool, link: String },
    |m| format!("Your result for {}", m.assessment)
);

email!(
    /// Shortlisted for a KPO interview.
    Shortlisted, "shortlisted", "email/shortlisted.txt", "email/shortlisted.html",
    { name: &'a str, drive: &'a str, message: &'a str },
    |m| format!("Shortlisted for interview: {}", m.drive)
);

email!(
    /// Offered KPO work after the interviews.
    OfferedKpo, "offered_kpo", "email/offered_kpo.txt", "email/offered_kpo.html",
    { name: &'a str, drive: &'a str, message: &'a str },
    |m| format!("An offer from {}", m.ctx.firm)
);

email!(
    /// Offered a BPO role instead.
    OfferedBpo, "offered_bpo", "email/offered_bpo.txt", "email/offered_bpo.html",
    { name: &'a str, drive: &'a str, message: &'a str },
    |m| format!("An offer from {}", m.ctx.firm)
);

email!(
    /// Not selected, said with respect.
    NotSelected, "not_selected", "email/not_selected.txt", "email/not_selected.html",
    { name: &'a str, drive: &'a str, message: &'a str },
    |m| format!("Your application to {}", m.drive)
);

email!(
    /// The candidate withdrew their application: what it means, in writing.
    Withdrawn, "withdrawn", "email/withdrawn.txt", "email/withdrawn.html",
    { name: &'a str, drive: &'a str, message: &'a str },
    |m| format!("You withdrew your application to {}", m.drive)
);

email!(
    /// Hired into a training cohort.
    Hired, "hired", "email/hired.txt", "email/hired.html",
    { name: &'a str, cohort: &'a str, starts_on: String, message: &'a str },
    |m| format!("Welcome aboard: training starts {}", m.starts_on)
);

email!(
    /// A post-training exam was graded.
    ExamResult, "exam_result", "email/exam_result.txt", "email/exam_result.html",
    { name: &'a str, exam: &'a str, percent: f64, passed: bool, link: String },
    |m| format!("Your result for {}", m.exam)
);

email!(
    /// Where the routing run placed the trainee, and why.
    RoutingDecision, "routing_decision", "email/routing_decision.txt", "email/routing_decision.html",
    { name: &'a str, process: Option<&'a str>, tier: Option<&'a str>, status: &'a str, explanation: &'a str,
      next: Option<String> },
    |m| match m.process {
        Some(p) => format!("Your placement: {p}"),
        None => "Your post-training result: a re-exam is due".to_string(),
    }
);

email!(
    /// A trainer opened a re-sit of a post-training exam; `next` is the same
    /// sentence the trainee's page shows.
    ResitOpened, "resit_opened", "email/resit_opened.txt", "email/resit_opened.html",
    { name: &'a str, exam: &'a str, next: String },
    |m| format!("A re-sit of {} is open for you", m.exam)
);

email!(
    /// A result changed after a question was corrected.
    CorrectedResult, "corrected_result", "email/corrected_result.txt", "email/corrected_result.html",
    { name: &'a str, assessment: &'a str, show_score: bool, old_percent: f64, new_percent: f64, passed: bool, link: String },
    |m| format!("Corrected result for {}", m.assessment)
);

email!(
    /// A link to choose a new password; it works once, until it expires.
    PasswordReset, "password_reset", "email/password_reset.txt", "email/password_reset.html",
    { name: &'a str, link: String, valid_minutes: i64 },
    |m| format!("Choose a new password for {}", m.ctx.firm)
);

email!(
    /// Someone tried to register with an address that already has an
    /// account; registration itself does not say so.
    RegistrationAttempt, "registration_attempt", "email/registration_attempt.txt", "email/registration_attempt.html",
    { name: &'a str, reset_link: String },
    |m| format!("Someone tried to register with your email at {}", m.ctx.firm)
);

/// An email's kind in words, for the admin's pages; a kind added later
/// without words here still reads as words, never as its stored name.
pub fn kind_label(kind: &str) -> String {
    let words = match kind {
        "welcome" => "Welcome",
        "campus_invitation" => "Campus invitation",
        "application_received" => "Application received",
        "test_result" => "Test result",
        "shortlisted" => "Shortlisted for a KPO interview",
        "offered_bpo" => "Offered a BPO role",
        "not_selected" => "Not selected",
        "withdrawn" => "Application withdrawn",
        "hired" => "Hired",
        "exam_result" => "Exam result",
        "routing_decision" => "Routing decision",
        "corrected_result" => "Corrected result",
        "password_reset" => "Password reset",
        "registration_attempt" => "Registration attempt",
        other => {
            let spaced = other.replace(['_', '.'], " ");
            let mut chars = spaced.chars();
            return chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
        }
    };
    words.to_string()
}
/// What every interview email says about the interview.
#[derive(Debug, Clone)]
pub struct InterviewDetails {
    pub drive: String,
    /// In the firm's time zone, named.
    pub when: String,
    pub minutes: i32,
    pub place: String,
    pub video_link: String,
    pub candidate: String,
    /// The interviewers' names.
    pub panel: String,
    /// The candidate's email, or an interviewer's.
    pub for_candidate: bool,
    pub link: String,
}

email!(
    /// Interview times are open: pick one.
    InterviewInvitation, "interview_invitation", "email/interview_invitation.txt", "email/interview_invitation.html",
    { name: &'a str, drive: &'a str, link: String },
    |m| format!("Choose your interview time: {}", m.drive)
);

email!(
    /// An interview was booked; the calendar event is attached.
    InterviewBooked, "interview_booked", "email/interview_booked.txt", "email/interview_booked.html",
    { name: &'a str, details: &'a InterviewDetails, message: &'a str },
    |m| format!("Interview on {}: {}", m.details.when, m.details.drive)
);

email!(
    /// An interview moved; the updated calendar event is attached.
    InterviewMoved, "interview_moved", "email/interview_moved.txt", "email/interview_moved.html",
    { name: &'a str, details: &'a InterviewDetails, message: &'a str },
    |m| format!("Interview moved to {}: {}", m.details.when, m.details.drive)
);

email!(
    /// An interview was cancelled; the cancelled calendar event is attached.
    InterviewCancelled, "interview_cancelled", "email/interview_cancelled.txt", "email/interview_cancelled.html",
    { name: &'a str, details: &'a InterviewDetails, message: &'a str },
    |m| format!("Interview cancelled: {}", m.details.drive)
);

email!(
    /// The day before an interview.
    InterviewReminder, "interview_reminder", "email/interview_reminder.txt", "email/interview_reminder.html",
    { name: &'a str, details: &'a InterviewDetails },
    |m| format!("Reminder: your interview on {}", m.details.when)
);

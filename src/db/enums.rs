//! The enums that several areas store and read, kept here so that any area
//! names them without importing another. Each is a `Text` column holding
//! exactly these names (see `stored.rs`).

use super::stored_enum;

stored_enum! {
    #[derive(utoipa::ToSchema)]
    pub enum Role {
        Candidate = "candidate",
        Recruiter = "recruiter",
        Trainer = "trainer",
        Admin = "admin",
    }
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Candidate => "Candidate",
            Role::Recruiter => "Recruiter",
            Role::Trainer => "Trainer",
            Role::Admin => "Administrator",
        }
    }
}

stored_enum! {
    #[derive(utoipa::ToSchema)]
    pub enum AttemptStatus {
        Open = "open",
        AwaitingMarking = "awaiting_marking",
        Graded = "graded",
    }
}

stored_enum! {
    /// Where an application stands in a drive's pipeline
    /// (`drives::pipeline` holds the moves between them).
    pub enum ApplicationStatus {
        Applied = "applied",
        Tested = "tested",
        ShortlistedKpo = "shortlisted_kpo",
        /// Offered KPO work after the interviews.
        OfferedKpo = "offered_kpo",
        /// Holds a booked interview (`drives::interviews`).
        Interviewing = "interviewing",
        OfferedBpo = "offered_bpo",
        Hired = "hired",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

stored_enum! {
    /// Where a drive is in its life (`drives::life` holds the moves).
    #[derive(utoipa::ToSchema)]
    pub enum DriveState {
        Open = "open",
        Closed = "closed",
        Archived = "archived",
    }
}

stored_enum! {
    /// A bank import: previewed first, then applied or discarded.
    pub enum ImportStatus {
        Previewed = "previewed",
        Applied = "applied",
        Discarded = "discarded",
    }
}

stored_enum! {
    /// An email in the outbox.
    pub enum NoticeStatus {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

stored_enum! {
    /// One webhook delivery, as the outbox's notices.
    pub enum DeliveryStatus {
        Queued = "queued",
        Sending = "sending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

stored_enum! {
    /// What a webhook tells its endpoint about.
    pub enum WebhookEvent {
        ApplicationReceived = "application.received",
        StatusChanged = "application.status_changed",
        AttemptGraded = "attempt.graded",
        InterviewScheduled = "interview.scheduled",
        Hired = "application.hired",
        RoutingPublished = "routing.published",
        NoticeFailed = "notice.failed",
    }
}

stored_enum! {
    /// What a service token may do: read everything an administrator can
    /// read and change nothing, or act as a recruiter or a trainer.
    #[derive(utoipa::ToSchema)]
    pub enum TokenScope {
        ReadOnly = "read_only",
        Recruiter = "recruiter",
        Trainer = "trainer",
    }
}

impl TokenScope {
    /// The role a request made with such a token acts with.
    pub fn role(self) -> Role {
        match self {
            TokenScope::ReadOnly => Role::Admin,
            TokenScope::Recruiter => Role::Recruiter,
            TokenScope::Trainer => Role::Trainer,
        }
    }

    /// Whether the token may change anything.
    pub fn may_write(self) -> bool {
        self != TokenScope::ReadOnly
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenScope::ReadOnly => "Read only",
            TokenScope::Recruiter => "Recruiter",
            TokenScope::Trainer => "Trainer",
        }
    }
}

stored_enum! {
    /// A routing run: a draft until it is published.
    pub enum RunStatus {
        Draft = "draft",
        Published = "published",
    }
}

stored_enum! {
    /// Why an adaptive attempt stopped giving questions.
    #[derive(utoipa::ToSchema)]
    pub enum AdaptiveStop {
        /// The standard error of θ reached the blueprint's target.
        Precision = "precision",
        MaxLength = "max_length",
        /// No question of the calibrated pool was left to give.
        PoolExhausted = "pool_exhausted",
        /// Time ran out, or the candidate submitted, before a rule stopped it.
        Submitted = "submitted",
    }
}

stored_enum! {
    /// What the test page reported: leaving it (another tab or window) or
    /// pasting into an answer. Shown to staff, never judged.
    pub enum SignalKind {
        FocusLoss = "focus_loss",
        Paste = "paste",
    }
}

stored_enum! {
    /// An interview in a slot: booked (and perhaps moved), or cancelled.
    #[derive(utoipa::ToSchema)]
    pub enum InterviewStatus {
        Booked = "booked",
        Cancelled = "cancelled",
    }
}

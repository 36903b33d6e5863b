//! Recruitment drives: eligibility rules, an aptitude test, applications.

pub mod api;
pub mod applicants;
pub mod charts;
pub mod eligibility;
pub mod examples;
pub mod interviews;
pub mod invitations;
pub mod life;

pub mod letters;

pub mod listing;
pub mod pipeline;
pub mod rankings;
pub mod results;
pub mod scorecards;
pub mod service;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
    rankings::api::configure(cfg);
    applicants::api::configure(cfg);
    invitations::api::configure(cfg);
    scorecards::api::configure(cfg);
    interviews::api::configure(cfg);
    life::api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    rankings::pages::configure(cfg);
    applicants::pages::configure(cfg);
    life::pages::configure(cfg);
    web::configure(cfg);
    invitations::web::configure(cfg);
    invitations::pages::configure(cfg);
    scorecards::pages::configure(cfg);
    interviews::pages::configure(cfg);
}

/// A status in a few words, for a chart's axis.
pub fn short_label(status: crate::db::ApplicationStatus) -> &'static str {
    use crate::db::ApplicationStatus::*;
    match status {
        Applied => "Applied",
        Tested => "Tested",
        ShortlistedKpo => "Shortlisted (KPO)",
        Interviewing => "Interviewing",
        OfferedKpo => "Offered KPO",
        OfferedBpo => "Offered BPO",
        Hired => "Hired",
        Rejected => "Not selected",
        Withdrawn => "Withdrawn",
    }
}

/// A status as the candidate reads it on their own drive page.
pub fn candidate_label(status: crate::db::ApplicationStatus) -> &'static str {
    use crate::db::ApplicationStatus::*;
    match status {
        Applied => "Application received",
        Tested => "Test taken",
        ShortlistedKpo => "Shortlisted for a KPO interview",
        Interviewing => "Interview booked",
        OfferedKpo => "Offered KPO work",
        OfferedBpo => "Offered BPO work",
        Hired => "Hired",
        Rejected => "Not selected",
        Withdrawn => "Withdrawn",
    }
}

/// A status in the words a recruiter uses, for staff pages (never the stored value).
pub fn staff_label(status: crate::db::ApplicationStatus) -> &'static str {
    use crate::db::ApplicationStatus::*;
    match status {
        Applied => "Applied, not yet tested",
        Tested => "Tested",
        ShortlistedKpo => "Shortlisted for KPO interview",
        OfferedKpo => "Offered KPO work",
        Interviewing => "Interview booked",
        OfferedBpo => "Offered BPO work",
        Hired => "Hired",
        Rejected => "Not selected",
        Withdrawn => "Withdrawn",
    }
}

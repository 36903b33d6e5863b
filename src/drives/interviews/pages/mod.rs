//! Interview pages: the recruiter's (publish slots, assign, move, cancel
//! with confirmation) and the candidate's (pick a time, see my interview).

mod candidate;
mod staff;

/// This part's pages.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    staff::configure(cfg);
    candidate::configure(cfg);
}

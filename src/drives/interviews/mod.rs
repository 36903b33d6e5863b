//! Interviews for a drive's shortlisted applicants. A recruiter publishes
//! slots (a time, a length, a place or video link, a panel of staff, a
//! number of places); each shortlisted applicant is emailed a link and picks
//! a slot, or a recruiter assigns one. The candidate and the panel get the
//! interview as a calendar event (`calendar`), updated with the same UID
//! when it moves and cancelled when it is cancelled, and a reminder the day
//! before through the outbox. No slot takes more than its places, also when
//! two candidates pick the last one at once (`slots::take_place`).

pub mod api;
pub mod booking;
pub mod calendar;
pub mod letters;
pub mod listing;
pub mod pages;
pub mod slots;

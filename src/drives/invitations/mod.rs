//! Campus drives from a spreadsheet: a recruiter uploads a placement
//! office's list for a drive, previews it with every bad row named, and
//! invites each person with a personal link (through the outbox). The
//! person sets a password, finds the profile filled in from the list, and
//! applies in one step. One invitation per address per drive: a list
//! uploaded again invites only the people new on it.

pub mod api;
pub mod list;
pub mod pages;
pub mod service;
pub mod uploads;
pub mod web;

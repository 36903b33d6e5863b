//! Pages speak people's language: no stored value (`single_choice`,
//! `moodle_xml`, `kpo`, `first`, `offered_bpo`…) reaches a page or an email.
//! Every page each role reaches from its home page, and every email the
//! seeded app queued, is read for them.

use std::collections::{BTreeSet, VecDeque};

use assay::db::schema::notices;
use diesel::prelude::*;

use crate::everyone::{everyone, PEOPLE};
use crate::helpers::{signed_in, spawn_app, Browser};

/// Every stored value of the enums people's pages and emails talk about.
fn stored_values() -> Vec<&'static str> {
    let mut values: Vec<&'static str> = Vec::new();
    values.extend(assay::db::ApplicationStatus::ALL.map(|s| s.as_str()));
    values.extend(assay::db::AttemptStatus::ALL.map(|s| s.as_str()));
    values.extend(assay::banks::question::QuestionType::ALL.map(|s| s.as_str()));
    values.extend(assay::banks::formats::Format::ALL.map(|s| s.as_str()));
    values.extend(assay::assessments::blueprint::Kind::ALL.map(|s| s.as_str()));
    values.extend(assay::routing::engine::Track::ALL.map(|s| s.as_str()));
    values.extend(assay::routing::engine::Tier::ALL.map(|s| s.as_str()));
    values.extend(assay::routing::engine::Status::ALL.map(|s| s.as_str()));
    values.extend(assay::accounts::validate::DEGREE_CLASSES);
    values
}

/// A stored value that no sentence uses: a code with an underscore, or the
/// lower-case line-of-business codes.
fn is_code(value: &str) -> bool {
    value.contains('_') || value == "kpo" || value == "bpo"
}

/// Elements inside a line of text: they do not start a line of their own.
const INLINE: [&str; 12] = [
    "a", "strong", "em", "small", "span", "b", "i", "code", "abbr", "time", "mark", "kbd",
];

/// The text a person reads: no tags, scripts or styles, each block's text
/// on its own line. A textarea holds what a person is editing (a question's
/// source), not the page's words, so it is left out too.
fn visible_lines(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let after = &rest[open..];
        let skip_to = ["<script", "<style", "<title", "<textarea"]
            .iter()
            .find(|t| after.starts_with(**t))
            .and_then(|t| after.find(&format!("</{}>", &t[1..])));
        let end = match skip_to {
            Some(close) => after[close..].find('>').map(|e| close + e),
            None => after.find('>'),
        };
        let name: String = after
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        text.push(if INLINE.contains(&name.as_str()) { ' ' } else { '\n' });
        match end {
            Some(e) => rest = &after[e + 1..],
            None => rest = "",
        }
    }
    text.push_str(rest);
    text.lines()
        .map(|l| {
            l.replace("&nbsp;", " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// The stored values a text shows: a code anywhere as a word, or any stored
/// value as the whole text of an element (a cell reading `tested`).
fn leaks(lines: &[String], values: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for line in lines {
        let words: Vec<&str> = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
        for v in values {
            let whole = line.trim_end_matches(['.', ',', ':', ')']).trim_start_matches('(') == *v;
            if whole || (is_code(v) && words.contains(v)) {
                found.push(format!("`{v}` in “{line}”"));
            }
        }
    }
    found
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .filter(|h| crate::accessible::walkable(h))
        .collect()
}

async fn walk(browser: &mut Browser<'_>, who: &str, values: &[&str]) -> (usize, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/".to_string()].into();
    let mut found = Vec::new();
    while let Some(next) = queue.pop_front() {
        if seen.len() >= 60 || !seen.insert(crate::accessible::shape(&next)) {
            continue;
        }
        let page = browser.get(&next).await;
        if !page.status.is_success() {
            continue;
        }
        for leak in leaks(&visible_lines(&page.body), values) {
            found.push(format!("{who} {next}: {leak}"));
        }
        queue.extend(links(&page.body));
    }
    (seen.len(), found)
}

#[actix_web::test]
async fn no_stored_value_reaches_a_page_or_an_email() {
    let app = spawn_app().await;
    everyone(&app).await;
    let values = stored_values();
    let mut found = Vec::new();
    for (who, email) in PEOPLE {
        let mut browser = signed_in(&app, email).await;
        let (pages, more) = walk(&mut browser, who, &values).await;
        assert!(pages >= 4, "the {who}'s walk reached only {pages} pages");
        found.extend(more);
    }
    let mails: Vec<(String, String, String, String)> = {
        let mut conn = app.state.pool.get().expect("conn");
        notices::table
            .select((notices::kind, notices::subject, notices::body_text, notices::body_html))
            .load(&mut *conn)
            .expect("notices")
    };
    let kinds: BTreeSet<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    for needed in ["shortlisted", "offered_bpo", "routing_decision"] {
        assert!(kinds.contains(needed), "no {needed} email among {kinds:?}");
    }
    for (kind, subject, text, html) in &mails {
        let mut lines = vec![subject.clone()];
        lines.extend(text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()));
        lines.extend(visible_lines(html));
        for leak in leaks(&lines, &values) {
            found.push(format!("email {kind}: {leak}"));
        }
    }
    found.dedup();
    assert!(
        found.is_empty(),
        "{} stored values shown:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn a_cell_reading_a_stored_value_and_a_code_in_a_sentence_are_both_caught() {
    let lines = visible_lines(
        "<td>tested</td><p>Moved to shortlisted_kpo today.</p><p>She tested well.</p><li><strong>2</strong> open</li>",
    );
    let found = leaks(&lines, &["tested", "shortlisted_kpo", "open"]);
    assert_eq!(found.len(), 2, "{found:?}");
}

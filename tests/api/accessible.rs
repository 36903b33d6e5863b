//! Accessible by measurement: axe-core (the npm package) runs inside the real
//! headless Chromium on every page each role reaches from its home page, and
//! no serious or critical WCAG 2.1 AA violation may be found. Without
//! Chromium or axe-core the test says so and passes, unless CI is set: CI
//! installs both (`.ci/run`), so there a missing one is a failure.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::path::PathBuf;

use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::browser::{click, driver_or_skip, eventually, fill, path};
use crate::everyone::{everyone, PEOPLE};
use crate::helpers::{spawn_app, PASSWORD};

/// Set to the path of `axe.min.js` to use that copy.
const AXE_ENV: &str = "ASSAY_AXE_JS";
/// The most pages of one kind a role's walk checks; one page per address
/// shape (`/drives/{id}`) is enough to judge its template.
const MOST_PAGES: usize = 40;

/// axe-core's script: `ASSAY_AXE_JS`, else the global npm folder (`npm root -g`),
/// else the usual global folders.
fn axe_script() -> Option<String> {
    let mut places: Vec<PathBuf> = std::env::var_os(AXE_ENV).map(PathBuf::from).into_iter().collect();
    if let Ok(out) = std::process::Command::new("npm").args(["root", "-g"]).output() {
        let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !root.is_empty() {
            places.push(PathBuf::from(root).join("axe-core/axe.min.js"));
        }
    }
    for root in [
        "/usr/local/lib/node_modules",
        "/usr/lib/node_modules",
        "/usr/share/nodejs",
    ] {
        places.push(PathBuf::from(root).join("axe-core/axe.min.js"));
    }
    places.iter().find_map(|p| std::fs::read_to_string(p).ok())
}

/// The script, or `None` after saying why the test is skipped; under CI a
/// missing axe-core fails instead.
pub(crate) fn axe_or_skip(test: &str) -> Option<String> {
    let script = axe_script();
    if script.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but axe-core is missing: run `npm install -g axe-core` or set {AXE_ENV}"
        );
        let _ = writeln!(
            std::io::stderr(),
            "accessibility test {test} skipped: axe-core is missing; run `npm install -g axe-core` to enable it"
        );
    }
    script
}

const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations']
}).then(function (r) {
  done(r.violations
    .filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
    .map(function (v) {
      return v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
        v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(', ');
    }));
}).catch(function (e) { done(['axe failed: ' + e]); });
"#;

/// The serious and critical violations axe finds on the page on show.
pub(crate) async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}\n;return typeof window.axe;"), vec![])
        .await
        .expect("inject axe-core");
    let found = c.execute_async(RUN_AXE, vec![]).await.expect("run axe-core");
    found
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default()
}

/// An address's shape: numbers become `{id}`, and a query keeps only its names.
pub(crate) fn shape(path_and_query: &str) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let path = path
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut names: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        path
    } else {
        format!("{path}?{}", names.join("&"))
    }
}

/// A link the walk follows: a page of this site, not a download, a static
/// file, the API or a way out.
pub(crate) fn walkable(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    href.starts_with('/')
        && !["/api/", "/static/", "/signout", "/healthz", "/readyz", "/favicon"]
            .iter()
            .any(|p| path.starts_with(p))
        && ![
            ".csv",
            ".xlsx",
            ".json",
            ".xml",
            ".toml",
            ".txt",
            "/export",
            "/download",
        ]
        .iter()
        .any(|s| path.ends_with(s))
        // A bank's downloads, one per format (`/banks/{id}/export/gift`).
        && !path.contains("/export/")
}

/// The site's links on the page on show, as paths with their queries.
async fn links(c: &Client, base: &str) -> Vec<String> {
    let found = c
        .execute(
            "return Array.from(document.querySelectorAll('a[href]')).map(function (a) { return a.href; });",
            vec![],
        )
        .await
        .expect("links");
    found
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .filter_map(|href| href.strip_prefix(base))
                .map(|p| p.split('#').next().unwrap_or_default().to_string())
                .filter(|p| walkable(p))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn sign_in(c: &Client, base: &str, email: &str) {
    c.delete_all_cookies().await.expect("sign out");
    c.goto(&format!("{base}/signin")).await.expect("sign-in page");
    fill(c, "#email", email).await;
    fill(c, "#password", PASSWORD).await;
    click(c, Locator::Css("form[action='/signin'] button[type='submit']")).await;
    eventually("signed in", || async move { path(c).await != "/signin" }).await;
}

/// Walks from `starts` through the site's links, one page per address shape,
/// and returns each page's serious and critical violations.
async fn walk(c: &Client, base: &str, axe: &str, who: &str, starts: &[String]) -> (usize, Vec<String>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = starts.iter().cloned().collect();
    let mut found = Vec::new();
    let mut checked = 0;
    while let Some(next) = queue.pop_front() {
        if checked >= MOST_PAGES || !seen.insert(shape(&next)) {
            continue;
        }
        c.goto(&format!("{base}{next}")).await.expect("a page");
        checked += 1;
        for v in violations(c, axe).await {
            found.push(format!("{who} {next}: {v}"));
        }
        queue.extend(links(c, base).await);
    }
    (checked, found)
}

#[actix_web::test]
async fn every_page_of_every_role_passes_axe_with_no_serious_or_critical_violation() {
    let Some(axe) = axe_or_skip("every_page_of_every_role") else {
        return;
    };
    let Some(driver) = driver_or_skip("every_page_of_every_role").await else {
        return;
    };
    let app = spawn_app().await;
    let seeded = everyone(&app).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();

    // Signed out: the pages anyone sees, and a page that is not there.
    let open = ["/", "/signin", "/register", "/forgot", "/no-such-page"].map(String::from);
    let (mut checked, mut found) = walk(c, &base, &axe, "anyone", &open).await;
    for (who, email) in PEOPLE {
        sign_in(c, &base, email).await;
        let mut starts = vec!["/".to_string(), "/no-such-page".to_string(), "/admin/users".to_string()];
        if who == "candidate" {
            starts.push(seeded.test_page.clone());
            starts.push(format!("{}/confirm", seeded.test_page));
        }
        if who == "recruiter" {
            starts.push(seeded.campus_list.clone());
        }
        let (n, more) = walk(c, &base, &axe, who, &starts).await;
        assert!(n >= 4, "the {who}'s walk reached only {n} pages");
        checked += n;
        found.extend(more);
    }
    let _ = c.clone().close().await;
    let _ = writeln!(std::io::stderr(), "axe-core checked {checked} pages");
    assert!(found.is_empty(), "{} violations:\n{}", found.len(), found.join("\n"));
}

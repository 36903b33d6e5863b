//! The house's one rule, checked on the code itself: the top-level modules
//! of `src/` import each other (`crate::…`, outside tests) without a cycle,
//! `web/` (what areas share for HTTP) imports no area, and only `server`
//! and the command line import `server`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const AREAS: [&str; 10] = [
    "accounts",
    "assessments",
    "attempts",
    "banks",
    "drives",
    "notices",
    "reports",
    "routing",
    "training",
    "webhooks",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.file_name().is_some_and(|n| n == "tests.rs" || n == "proptests.rs")
        {
            out.push(path);
        }
    }
}

/// The code of a file that ships: comments and the test module left out.
fn shipped_code(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names: `crate::x::…` and the
/// members of `use crate::{x::…, y::…}`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        names.insert(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self" && n != "on_backend");
    names
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("a module");
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        let uses = named_modules(&shipped_code(&text));
        let entry = graph.entry(top.clone()).or_default();
        entry.extend(uses.into_iter().filter(|m| *m != top));
    }
    graph
}

/// A cycle through `start`, if there is one, as the modules along it.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_top_level_modules_of_src_import_each_other_without_a_cycle() {
    let graph = module_graph();
    assert!(graph.len() > 15, "the graph was read: {:?}", graph.keys());
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| format!("{} -> {}", c.join(" -> "), c[0]))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn web_and_the_app_state_import_no_area() {
    let graph = module_graph();
    for shared in ["web", "app", "identity", "events", "mail", "db", "error", "config"] {
        let areas: Vec<&String> = graph[shared].iter().filter(|m| AREAS.contains(&m.as_str())).collect();
        assert!(areas.is_empty(), "{shared} imports the areas {areas:?}");
    }
}

#[test]
fn only_the_command_line_imports_the_server_module() {
    let graph = module_graph();
    let importers: Vec<&String> = graph
        .iter()
        .filter(|(m, uses)| uses.contains("server") && m.as_str() != "cli")
        .map(|(m, _)| m)
        .collect();
    assert!(importers.is_empty(), "{importers:?} import server");
}

#[test]
fn the_module_reader_sees_grouped_and_inline_imports() {
    let code = "use crate::{db::DbConn, error::{AppError, AppResult}};\nfn f() { crate::notices::queue(); }";
    let names: Vec<String> = named_modules(code).into_iter().collect();
    assert_eq!(names, ["db", "error", "notices"]);
    assert!(shipped_code("use crate::a;\n#[cfg(test)]\nuse crate::b;").contains("crate::a"));
    assert!(!shipped_code("// crate::c\n").contains("crate::c"));
}

//! No import loops between the core's modules.
//!
//! The test reads every `src/**/*.rs`, builds the graph of which module uses which, and fails on
//! a loop, printing the modules in it and, for one cycle through them, the line that makes each
//! step.
//!
//! What counts:
//! - **A module** is a file under `src/`: `a.rs` and `a/mod.rs` are `a`, `a/b.rs` is `a::b`.
//!   `lib.rs` (the crate root) and the tests (`tests.rs` files, and an inline
//!   `#[cfg(test)] mod tests { … }`, which here always ends its file) are not modules of the graph;
//!   tests may use anything.
//! - **A dependency** of module `m` on module `n` is a path in `m`'s code (comment lines aside)
//!   that starts with `crate::` or `super::`: in a `use`, in an expression or a type, or in a
//!   string (`#[serde(deserialize_with = "crate::time::deserialize")]`). The path names the
//!   longest module it starts with; when the next name is one that module imports or re-exports
//!   (`use`, `pub use`, the root's `pub use` included), it is followed to the module it comes from:
//!   `crate::Config` is a dependency on `config`, `crate::tus::ResumeToken` on `tus::token`.
//! - **A module contains its children**: what a child uses, its parent (and theirs) uses too, so a
//!   child cannot use something that uses its parent. A dependency on a module is on that file
//!   alone, not on its children.
//! - **A parent and its own children** (and theirs) do not depend on each other as far as this
//!   test is concerned: a parent declares and re-exports its children, and a child may use its
//!   parent's items.
//! - Not seen: the `$crate::` paths of macros (the `debug_with_dates!` of `lib.rs`), and names
//!   reached without a `crate::` or `super::` path.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::Path;

/// One module: its path (`api::files`, `""` for the root), its file and its code.
struct Module {
    path: String,
    file: String,
    code: String,
}

/// Where a dependency was seen: the file, the line, the path as written.
#[derive(Clone)]
struct Seen {
    file: String,
    line: usize,
    text: String,
}

fn read_modules(dir: &Path, src: &Path, out: &mut Vec<Module>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_modules(&path, src, out);
            continue;
        }
        let rel = path.strip_prefix(src).expect("under src/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let Some(stem) = rel.strip_suffix(".rs") else {
            continue;
        };
        if stem == "tests" || stem.ends_with("/tests") {
            continue;
        }
        let module = match stem {
            "lib" => String::new(),
            s => s.strip_suffix("/mod").unwrap_or(s).replace('/', "::"),
        };
        let text = fs::read_to_string(&path).expect("a source file is UTF-8");
        out.push(Module {
            path: module,
            file: format!("src/{rel}"),
            code: library_code(&text),
        });
    }
}

/// The file's code without comment lines (kept as empty lines, so line numbers hold) and without
/// its inline test module (from `#[cfg(test)]` + `mod tests {` to the end of the file).
fn library_code(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut code = String::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod tests {"))
        {
            break;
        }
        if !trimmed.starts_with("//") {
            code.push_str(line);
        }
        code.push('\n');
    }
    code
}

/// Whether `b` can be part of a name (the crate's module and item names are ASCII).
fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A `use` tree or a path at `code[*i..]`: every leaf path it names, each with the name it is
/// known by here (its last segment, or its `as` alias). Stops at the first byte that continues
/// neither.
fn parse_tree(code: &[u8], i: &mut usize) -> Vec<(String, Vec<String>)> {
    let skip_ws = |i: &mut usize| {
        while *i < code.len() && code[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let ident = |i: &mut usize| {
        let start = *i;
        while *i < code.len() && is_ident(code[*i]) {
            *i += 1;
        }
        String::from_utf8_lossy(&code[start..*i]).into_owned()
    };
    let mut segments = Vec::new();
    loop {
        skip_ws(i);
        if code.get(*i) == Some(&b'{') {
            *i += 1;
            let mut leaves = Vec::new();
            loop {
                skip_ws(i);
                match code.get(*i) {
                    Some(b'}') => {
                        *i += 1;
                        break;
                    }
                    Some(b',') => *i += 1,
                    None => break,
                    _ => {
                        let before = *i;
                        for (name, sub) in parse_tree(code, i) {
                            let mut full = segments.clone();
                            // `{self, …}` names the module before the braces.
                            if sub != ["self"] {
                                full.extend(sub);
                            }
                            let name = if name == "self" {
                                full.last().cloned().unwrap_or_default()
                            } else {
                                name
                            };
                            leaves.push((name, full));
                        }
                        if *i == before {
                            *i += 1;
                        }
                    }
                }
            }
            return leaves;
        }
        if code.get(*i) == Some(&b'*') {
            *i += 1;
            return vec![(String::from("*"), segments)];
        }
        let segment = ident(i);
        if segment.is_empty() {
            break;
        }
        segments.push(segment);
        let after = *i;
        skip_ws(i);
        if code[*i..].starts_with(b"::") {
            *i += 2;
            continue;
        }
        *i = after;
        break;
    }
    let mut name = segments.last().cloned().unwrap_or_default();
    let after = *i;
    skip_ws(i);
    if code[*i..].starts_with(b"as ") {
        *i += 3;
        skip_ws(i);
        name = ident(i);
    } else {
        *i = after;
    }
    vec![(name, segments)]
}

/// `segments` (as written in module `at`) from the crate root, if they start at a module of the
/// crate: `crate::`, `super::`, `self::`, or a child module's name.
fn absolute(at: &str, segments: &[String], modules: &BTreeSet<String>) -> Option<Vec<String>> {
    let mut base: Vec<String> = if at.is_empty() {
        Vec::new()
    } else {
        at.split("::").map(str::to_owned).collect()
    };
    let mut rest = segments;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let child = if at.is_empty() {
                first.to_owned()
            } else {
                format!("{at}::{first}")
            };
            if !modules.contains(&child) {
                return None;
            }
        }
        None => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The module a path from the root names: the longest module it starts with, or, when the next
/// segment is a name that module imports, the module that name comes from.
fn resolve(
    path: &[String],
    modules: &BTreeSet<String>,
    imports: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
    depth: usize,
) -> String {
    let mut at = 0;
    for n in 1..=path.len() {
        if modules.contains(&path[..n].join("::")) {
            at = n;
        }
    }
    let module = path[..at].join("::");
    if depth < 8
        && let Some(next) = path.get(at)
        && let Some(target) = imports.get(&module).and_then(|names| names.get(next))
        && target.as_slice() != &path[..=at]
    {
        let mut followed = target.clone();
        followed.extend(path[at + 1..].iter().cloned());
        return resolve(&followed, modules, imports, depth + 1);
    }
    module
}

/// The line of byte `index`.
fn line_of(code: &[u8], index: usize) -> usize {
    code[..index].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Whether `inner` is `outer` or inside it.
fn within(inner: &str, outer: &str) -> bool {
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}::"))
}

type Graph = BTreeMap<String, BTreeMap<String, Seen>>;

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut list = Vec::new();
    read_modules(&src, &src, &mut list);
    let names: BTreeSet<String> = list.iter().map(|m| m.path.clone()).collect();

    // What each module imports: name → path from the root.
    let mut imports: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for m in &list {
        let code = m.code.as_bytes();
        let mut line_start = 0;
        while line_start < code.len() {
            let mut i = line_start;
            while i < code.len() && (code[i] == b' ' || code[i] == b'\t') {
                i += 1;
            }
            let keyword = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
                .into_iter()
                .find(|k| code[i..].starts_with(k.as_bytes()));
            if let Some(keyword) = keyword {
                i += keyword.len();
                for (name, segments) in parse_tree(code, &mut i) {
                    if let Some(path) = absolute(&m.path, &segments, &names)
                        && name != "*"
                    {
                        imports
                            .entry(m.path.clone())
                            .or_default()
                            .insert(name, path);
                    }
                }
            }
            while i < code.len() && code[i] != b'\n' {
                i += 1;
            }
            line_start = i + 1;
        }
    }

    let mut graph = Graph::new();
    for m in list.iter().filter(|m| !m.path.is_empty()) {
        graph.entry(m.path.clone()).or_default();
        let code = m.code.as_bytes();
        let mut i = 0;
        while i < code.len() {
            let boundary = i == 0 || !(is_ident(code[i - 1]) || code[i - 1] == b'$');
            let path_start = code[i..].starts_with(b"crate::") || code[i..].starts_with(b"super::");
            if !(boundary && path_start) {
                i += 1;
                continue;
            }
            let start = i;
            let leaves = parse_tree(code, &mut i);
            let text = String::from_utf8_lossy(&code[start..i]);
            for (_, segments) in leaves {
                let Some(path) = absolute(&m.path, &segments, &names) else {
                    continue;
                };
                let to = resolve(&path, &names, &imports, 0);
                // The module and every module it is inside uses `to`.
                let mut from = m.path.as_str();
                while !from.is_empty() {
                    if !within(&to, from) && !within(from, &to) {
                        graph
                            .entry(from.to_owned())
                            .or_default()
                            .entry(to.clone())
                            .or_insert_with(|| Seen {
                                file: m.file.clone(),
                                line: line_of(code, start),
                                text: text.split_whitespace().collect::<Vec<_>>().join(" "),
                            });
                    }
                    from = from.rsplit_once("::").map_or("", |(parent, _)| parent);
                }
            }
            i = i.max(start + 1);
        }
    }
    graph
}

/// The shortest way from `from` back to itself, if there is one.
fn shortest_cycle(graph: &Graph, from: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(at) = queue.pop_front() {
        for next in graph.get(at).into_iter().flat_map(BTreeMap::keys) {
            if next == from {
                let mut cycle = vec![at.to_owned()];
                let mut back = at;
                while back != from {
                    back = came_from[back];
                    cycle.push(back.to_owned());
                }
                cycle.reverse();
                cycle.push(from.to_owned());
                return Some(cycle);
            }
            if !came_from.contains_key(next.as_str()) {
                came_from.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Every module `from` reaches.
fn reach(graph: &Graph, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(at) = stack.pop() {
        for next in graph.get(&at).into_iter().flat_map(BTreeMap::keys) {
            if seen.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    seen
}

#[test]
fn the_core_modules_have_no_import_loop() {
    let graph = graph();
    // The reader works: the modules are found, and a dependency known to exist is seen.
    assert!(graph.len() > 40, "only {} modules read", graph.len());
    assert!(
        graph["exchange"].contains_key("config"),
        "exchange's use of config not seen"
    );

    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(&graph, m))).collect();
    let mut report = String::new();
    let mut shown: BTreeSet<&String> = BTreeSet::new();
    for (m, from_m) in &reached {
        if shown.contains(m) || !from_m.contains(*m) {
            continue;
        }
        // The loop's modules: those that reach `m` and that `m` reaches.
        let group: Vec<&String> = reached
            .iter()
            .filter(|(n, from_n)| from_m.contains(**n) && from_n.contains(*m))
            .map(|(n, _)| *n)
            .collect();
        shown.extend(group.iter().copied());
        report.push_str(&format!(
            "\na loop of {} modules: {}\n",
            group.len(),
            group
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(cycle) = shortest_cycle(&graph, m) {
            report.push_str("  for one, the shortest through the first:\n");
            for pair in cycle.windows(2) {
                let seen = &graph[&pair[0]][&pair[1]];
                report.push_str(&format!(
                    "    {} -> {}   ({}:{}: {})\n",
                    pair[0], pair[1], seen.file, seen.line, seen.text
                ));
            }
        }
    }
    assert!(report.is_empty(), "import loops between modules:{report}");
}

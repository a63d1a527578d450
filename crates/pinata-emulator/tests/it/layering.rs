//! The emulator's modules form layers: no import loops between them.
//!
//! The test reads every `src/**/*.rs`, takes each `crate::…` path in its code (comments and
//! string literals left out; `use crate::{a, b::c}` groups included) and draws an edge from the
//! top-level module the file belongs to (`src/x.rs` or `src/x/…` is `x`) to the top-level module
//! the path names. A name the crate root re-exports (`crate::Emulator`, from `pub use server::…`
//! in `lib.rs`) counts as the module it comes from; the root's own items (`crate::VERSION`) and
//! the root itself (`lib.rs`, `main.rs`) are not layers. A module and its own children are one
//! node, so `api/files.rs` naming `crate::api::receive` is no edge.
//!
//! Modules name each other by `crate::` paths (`super::` is only used inside a module, between
//! its children or from a `tests` module to its parent), so those are the edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where an edge was seen: file and line.
type Seen = Vec<(String, usize)>;

/// The graph: module → module it names → where.
type Graph = BTreeMap<String, BTreeMap<String, Seen>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` with comments and the contents of string and character literals blanked (newlines
/// kept, so line numbers stay).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        out.push(blank(chars[i]));
                        i += 1;
                    }
                }
            }
            'r' if (next == Some('"') || next == Some('#'))
                && !chars
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_') =>
            {
                // A raw string: r"…", r#"…"#, …
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    out.push(c);
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    match chars.get(j) {
                        None => break,
                        Some('"') if (1..=hashes).all(|h| chars.get(j + h) == Some(&'#')) => {
                            j += 1 + hashes;
                            break;
                        }
                        Some(&ch) => out.push(blank(ch)),
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    if let Some(&ch) = chars.get(i) {
                        out.push(blank(ch));
                    }
                    i += 1;
                }
                out.push_str("\"\"");
                i += 1;
            }
            // A character literal ('x', '\n', '\u{1F}'), not a lifetime ('a).
            '\'' if next == Some('\\') || chars.get(i + 2) == Some(&'\'') => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                out.push_str("' '");
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first segment of each path in a `{…}` group starting at `chars[at]` (after the `{`), and
/// where the group ends.
fn group_heads(chars: &[char], mut at: usize) -> (Vec<String>, usize) {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expecting = true;
    while at < chars.len() {
        let c = chars[at];
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return (heads, at + 1),
            '}' => depth -= 1,
            ',' if depth == 0 => expecting = true,
            c if expecting && depth == 0 && is_ident(c) => {
                let start = at;
                while at < chars.len() && is_ident(chars[at]) {
                    at += 1;
                }
                heads.push(chars[start..at].iter().collect());
                expecting = false;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    (heads, at)
}

/// Every `crate::…` head in `code` (the first segment after `crate::`), with its line.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        let starts = chars[i..].starts_with(&['c', 'r', 'a', 't', 'e', ':', ':'])
            && !(i > 0 && (is_ident(chars[i - 1]) || chars[i - 1] == '$'));
        if !starts {
            i += 1;
            continue;
        }
        let mut at = i + "crate::".len();
        while chars.get(at).is_some_and(|c| c.is_whitespace()) {
            at += 1;
        }
        if chars.get(at) == Some(&'{') {
            let (heads, end) = group_heads(&chars, at + 1);
            for head in heads {
                found.push((head, line));
            }
            line += chars[i..end].iter().filter(|c| **c == '\n').count();
            i = end;
            continue;
        }
        let start = at;
        while at < chars.len() && is_ident(chars[at]) {
            at += 1;
        }
        if at > start {
            found.push((chars[start..at].iter().collect(), line));
        }
        i = at;
    }
    found
}

/// The names `lib.rs` re-exports from a top-level module (`pub use server::{Emulator, …};`).
fn root_reexports(lib: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let code = code_only(lib);
    let mut names = BTreeMap::new();
    for statement in code.split(';') {
        // What precedes the statement (an item ending in `}`) is not part of it.
        let Some(at) = statement.find("pub use ") else {
            continue;
        };
        let path = &statement[at + "pub use ".len()..];
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        let module = module.trim();
        if !modules.contains(module) {
            continue;
        }
        // `a::b::{Name, Other as Alias}` or `a::Name`.
        let items = match rest.find('{') {
            Some(open) => rest[open + 1..].trim_end().trim_end_matches('}'),
            None => rest,
        };
        for item in items.split(',') {
            let exported = match item.split_once(" as ") {
                Some((_, alias)) => alias,
                None => item.rsplit("::").next().unwrap_or(item),
            };
            let exported = exported.trim();
            if !exported.is_empty() {
                names.insert(exported.to_owned(), module.to_owned());
            }
        }
    }
    names
}

/// The graph of the crate's top-level modules.
fn graph() -> Graph {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_module(&root, f)).collect();
    let lib = std::fs::read_to_string(root.join("lib.rs")).expect("src/lib.rs");
    let reexports = root_reexports(&lib, &modules);
    let mut graph = Graph::new();
    for file in &files {
        let Some(from) = top_module(&root, file) else {
            continue;
        };
        graph.entry(from.clone()).or_default();
        let text = std::fs::read_to_string(file).expect("a source file");
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (head, line) in crate_paths(&code_only(&text)) {
            let to = if modules.contains(&head) {
                head
            } else if let Some(module) = reexports.get(&head) {
                module.clone()
            } else {
                // An item of the root itself (`crate::VERSION`): not a layer.
                continue;
            };
            if to != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .push((shown.clone(), line));
            }
        }
    }
    graph
}

/// The top-level module `file` belongs to; `None` for the crate roots.
fn top_module(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).ok()?;
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_str()?.to_owned();
    if parts.next().is_some() {
        return Some(first);
    }
    let stem = first.strip_suffix(".rs")?;
    (!matches!(stem, "lib" | "main")).then(|| stem.to_owned())
}

/// The strongly connected components of `graph` with more than one module (Tarjan).
fn loops(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flat_map(|e| e.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

/// A shortest cycle through `start` inside `component` (by BFS), from `start` back to it.
fn cycle_in(graph: &Graph, component: &[String], start: &String) -> Vec<String> {
    let inside: BTreeSet<&String> = component.iter().collect();
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            if !inside.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![start.clone(), v.clone()];
                let mut at = v;
                while let Some(prev) = came_from.get(at) {
                    path.push((*prev).clone());
                    at = prev;
                }
                path.pop();
                path.push(start.clone());
                path.reverse();
                path.dedup();
                return path;
            }
            if !came_from.contains_key(w) && w != start {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    component.to_vec()
}

#[test]
fn the_modules_have_no_import_loops() {
    let graph = graph();
    let found = loops(&graph);
    let mut report = String::new();
    for component in &found {
        report.push_str(&format!("\nloop among {{{}}}:\n", component.join(", ")));
        // A shortest cycle through each of its modules (each cycle once).
        let mut cycles: Vec<Vec<String>> = Vec::new();
        for start in component {
            let cycle = cycle_in(&graph, component, start);
            let mut nodes = cycle.clone();
            nodes.sort();
            nodes.dedup();
            if !cycles.iter().any(|c| {
                let mut other = c.clone();
                other.sort();
                other.dedup();
                other == nodes
            }) {
                cycles.push(cycle);
            }
        }
        for cycle in cycles {
            report.push_str(&format!("  {}\n", cycle.join(" -> ")));
            for pair in cycle.windows(2) {
                let seen = &graph[&pair[0]][&pair[1]];
                let places: Vec<String> = seen
                    .iter()
                    .take(3)
                    .map(|(file, line)| format!("{file}:{line}"))
                    .collect();
                report.push_str(&format!(
                    "    {} -> {}: {}{}\n",
                    pair[0],
                    pair[1],
                    places.join(", "),
                    if seen.len() > 3 { ", …" } else { "" }
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the emulator's modules import each other in a loop:{report}"
    );
}

#[test]
fn the_graph_is_read() {
    let graph = graph();
    // Known edges: the pipeline calls the handlers, which read the shared state.
    for (from, to) in [("routes", "api"), ("api", "state"), ("server", "routes")] {
        assert!(
            graph.get(from).is_some_and(|e| e.contains_key(to)),
            "no edge {from} -> {to}: the source is not read as expected"
        );
    }
    // A root re-export counts as its module; `use crate::{…}` groups are read.
    assert!(graph["cli"].contains_key("server"), "{:?}", graph["cli"]);
}

#[test]
fn paths_are_found_in_code_only() {
    let code = code_only(
        "use crate::{a::B, c as d, e::{f, g}};\n// crate::comment\nlet s = \"crate::string\";\n\
         let r = r#\"crate::raw\"#; let c = '\"'; fn x<'a>(v: &'a crate::h::I) {}\n/* crate::block */ \
         $crate::j; crate::k::l",
    );
    let heads: Vec<String> = crate_paths(&code).into_iter().map(|(h, _)| h).collect();
    assert_eq!(heads, ["a", "c", "e", "h", "k"]);
}

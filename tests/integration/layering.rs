//! The module layering (issue #17): every top-level module of `src/` says at its top which
//! other modules it may use (`//! May use: a, b.` or `//! May use: nothing else of pintu.`),
//! its code uses no others, and the declared graph has no loop. Imports are read from the
//! source (`crate::<module>` outside comments), so a new upward import fails here with the
//! file that made it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAY_USE: &str = "//! May use:";

/// A top-level module: its name, the file that starts it, every file in it.
struct Module {
    root: PathBuf,
    files: Vec<PathBuf>,
}

fn modules(src: &Path) -> BTreeMap<String, Module> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("utf-8 name").to_owned();
        if path.is_dir() {
            let mut files = Vec::new();
            collect(&path, &mut files);
            let root = path.join("mod.rs");
            let module = out.entry(name).or_insert(Module { root, files: Vec::new() });
            module.files.extend(files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            if name == "lib" || name == "main" {
                continue;
            }
            let module =
                out.entry(name).or_insert(Module { root: path.clone(), files: Vec::new() });
            // `x.rs` with its children in `x/`: the file is the root.
            module.root = path.clone();
            module.files.push(path);
        }
    }
    out
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The modules this code names as `crate::<module>`, each with the first file that does.
fn used(module: &str, files: &[PathBuf], known: &BTreeSet<String>) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read source");
        for line in text.lines() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if name != module && known.contains(&name) {
                    out.entry(name).or_insert_with(|| file.clone());
                }
            }
        }
    }
    out
}

/// The `May use:` sentence of a module's root file (it may go on over several `//!` lines, up
/// to its full stop).
fn declared(root: &Path) -> Option<BTreeSet<String>> {
    let text = std::fs::read_to_string(root).ok()?;
    let doc: Vec<&str> = text.lines().take_while(|l| l.starts_with("//!")).collect();
    let start = doc.iter().position(|l| l.starts_with(MAY_USE))?;
    let mut sentence = String::new();
    for line in &doc[start..] {
        sentence.push_str(line.trim_start_matches("//!").trim());
        sentence.push(' ');
        if line.trim_end().ends_with('.') {
            break;
        }
    }
    let list = sentence["May use:".len()..].trim().trim_end_matches('.');
    if list.starts_with("nothing") {
        return Some(BTreeSet::new());
    }
    Some(list.split(',').map(|m| m.trim().trim_matches('`').to_owned()).collect())
}

/// A loop in `graph`, as the modules along it, if there is one.
fn find_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph.keys().find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

#[test]
fn modules_use_only_what_they_declare_and_the_layers_have_no_loop() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut problems = Vec::new();
    let mut graph = BTreeMap::new();
    for (name, module) in &modules {
        let Some(allowed) = declared(&module.root) else {
            problems.push(format!("{}: no `{MAY_USE} …` line at the top", module.root.display()));
            continue;
        };
        for unknown in allowed.difference(&known) {
            problems
                .push(format!("{}: declares unknown module `{unknown}`", module.root.display()));
        }
        for (target, file) in used(name, &module.files, &known) {
            if !allowed.contains(&target) {
                problems.push(format!(
                    "{}: uses `{target}`, which `{name}` does not declare (add it to the `May use:` \
                     line of {} only if it keeps the layers loop-free)",
                    file.display(),
                    module.root.display()
                ));
            }
        }
        graph.insert(name.clone(), allowed);
    }
    if let Some(cycle) = find_loop(&graph) {
        problems.push(format!("the declared layers have a loop: {}", cycle.join(" -> ")));
    }
    assert!(problems.is_empty(), "layering:\n{}", problems.join("\n"));
}

#[test]
fn a_loop_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec![])]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
            .collect();
    assert_eq!(find_loop(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let mut layered = graph.clone();
    layered.insert("c".into(), BTreeSet::new());
    assert_eq!(find_loop(&layered), None);
}

//! The layering, enforced: src/lib.rs's doc comment lists the top-level modules in layers, top to
//! bottom, and every import in src/ (a `use` line or an inline `crate::` path) must point to a
//! lower layer. An import to a higher layer, or to another module of the same layer (the way a
//! cycle starts), fails here with the file and line. README's code layout shows the same layers.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const FENCE: &str = "//! ```text";

/// The layers as lib.rs writes them: each line's module names, top layer first.
fn layers() -> Vec<(String, Vec<String>)> {
    let lib = fs::read_to_string("src/lib.rs").expect("src/lib.rs");
    let start = lib
        .find(FENCE)
        .expect("lib.rs has its layers in a ```text block");
    lib[start + FENCE.len()..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| l.trim_start_matches("//!").trim().to_owned())
        .map(|line| {
            let names = line.split("  ").next().unwrap_or_default();
            let names = names.split_whitespace().map(str::to_owned).collect();
            (line, names)
        })
        .collect()
}

/// Every top-level module of src/: its files.
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir("src").expect("src/") {
        let path = entry.expect("a src/ entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let files = match path.is_dir() {
            true => rust_files(&path),
            false if path.extension().is_some_and(|e| e == "rs") => vec![path],
            false => continue,
        };
        found.insert(name, files);
    }
    found
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    for entry in fs::read_dir(dir).expect("a src/ folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without its comments and unit tests (which may reach anywhere).
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("a source file");
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a line names: `crate::x` and the first names of `crate::{x, y::z}`.
fn imports(line: &str) -> Vec<String> {
    let mut names = vec![];
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            names.extend(top_level_parts(group).iter().map(|p| first_name(p.trim())));
        } else {
            names.push(first_name(rest));
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

/// The comma-separated parts of a `{...}` group up to its closing brace, nested groups whole.
fn top_level_parts(group: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut from) = (vec![], 0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                parts.push(&group[from..i]);
                return parts;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&group[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&group[from..]);
    parts
}

fn first_name(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn every_import_points_to_a_lower_layer() {
    let layers = layers();
    let mut rank = BTreeMap::new();
    for (i, (_, names)) in layers.iter().enumerate() {
        for name in names {
            assert!(
                rank.insert(name.clone(), i).is_none(),
                "{name} is in two layers"
            );
        }
    }
    let modules = modules();
    let listed: Vec<_> = rank.keys().cloned().collect();
    let present: Vec<_> = modules.keys().cloned().collect();
    assert_eq!(
        listed, present,
        "lib.rs's layers must name every top-level module once"
    );
    let mut upward = vec![];
    for (module, files) in &modules {
        for file in files {
            for (n, line) in code_of(file).lines().enumerate() {
                for target in imports(line) {
                    let Some(&to) = rank.get(&target) else {
                        continue;
                    };
                    if target != *module && to <= rank[module] {
                        let how = if to == rank[module] {
                            "its own layer"
                        } else {
                            "a higher layer"
                        };
                        upward.push(format!(
                            "{}:{}: {module} imports {target}, in {how}",
                            file.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that do not point down:\n{}",
        upward.join("\n")
    );
}

#[test]
fn readme_shows_the_same_layers() {
    let readme = fs::read_to_string("README.md").expect("README.md");
    for (line, _) in layers() {
        assert!(
            readme.lines().any(|l| l.trim_end() == line),
            "README's code layout lacks the layer line {line:?} of src/lib.rs"
        );
    }
}

#[test]
fn the_reader_finds_every_kind_of_import() {
    let line = "use crate::{a::B, b, c::{d, e}, g}; let x = crate::f::g(); crate::h::I";
    assert_eq!(imports(line), ["a", "b", "c", "g", "f", "h"]);
}

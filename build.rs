//! Stamps the build: a version of the web assets (so their URLs change when they do and can be
//! cached for a year) and the version string `carstore --version` prints.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=web");
    println!("cargo:rerun-if-changed=.git/HEAD");
    // Embedded at compile time by refinery's macro, which cargo cannot see reading them: a new
    // migration must rebuild the crate.
    println!("cargo:rerun-if-changed=src/store/postgres/migrations");
    let mut hasher = DefaultHasher::new();
    hash_dir(Path::new("web"), &mut hasher);
    println!(
        "cargo:rustc-env=WEB_ASSET_VERSION={:012x}",
        hasher.finish() & 0xffff_ffff_ffff
    );

    let pkg = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let version = match git_commit() {
        Some(sha) => format!("{pkg} ({sha})"),
        None => pkg,
    };
    println!("cargo:rustc-env=BUILD_VERSION_TEXT={version}");
}

/// Paths and contents, in a fixed order, so the same tree always gives the same version.
fn hash_dir(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_dir(&path, hasher);
        } else if let Ok(bytes) = std::fs::read(&path) {
            path.to_string_lossy().hash(hasher);
            bytes.hash(hasher);
        }
    }
}

fn git_commit() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short=8", "HEAD"])
        .output()
        .ok()?;
    let sha = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !sha.is_empty()).then_some(sha)
}

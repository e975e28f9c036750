//! Loading the bundled policies for integration tests.
#![allow(dead_code)]

pub mod requests;

use std::path::{Path, PathBuf};

use caselock::check::Checked;
use caselock::compile::{self, DecisionTable};
use caselock::span::SourceMap;

/// A checked and compiled policy.
pub struct Loaded {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its sources.
    pub sources: SourceMap,
    /// The checked policy.
    pub checked: Checked,
    /// The compiled table.
    pub table: DecisionTable,
}

/// Loads, checks and compiles the one policy at `path` (a file or a directory).
pub fn load(path: &Path) -> Loaded {
    let mut sources = SourceMap::new();
    let found = caselock::loader::discover(path, &mut sources)
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()));
    assert_eq!(found.len(), 1, "{} holds one policy", path.display());
    let checked = caselock::check_files(&sources, &found[0].files)
        .unwrap_or_else(|d| panic!("{} does not check: {d:?}", path.display()));
    let table = compile::compile(&checked, &sources);
    Loaded {
        path: path.to_path_buf(),
        sources,
        checked,
        table,
    }
}

/// Every policy the project bundles: each directory under `policies/` and `examples/policies/`,
/// and each `.policy` file under `tests/fixtures/policies/`, in name order.
pub fn bundled() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (dir, want_dir) in [
        ("policies", true),
        ("examples/policies", true),
        ("tests/fixtures/policies", false),
    ] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                if want_dir {
                    p.is_dir()
                } else {
                    p.extension().is_some_and(|x| x == "policy")
                }
            })
            .collect();
        paths.sort();
        out.extend(paths);
    }
    out
}

/// The address a `caselock serve` child announces on its first line of standard error; the rest
/// of standard error is drained in the background so the child never blocks on it.
pub fn announced_addr(child: &mut std::process::Child) -> String {
    use std::io::{BufRead, BufReader, Read};
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = stderr.read_to_end(&mut sink);
    });
    first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in `{first}`"))
        .to_string()
}

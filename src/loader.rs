//! Reads policies from disk: a `.policy` file, or a directory whose `.policy` files form one policy.
//!
//! This is the one place the library touches the file system for policies; every later stage
//! works on the [`SourceMap`] it returns.

use std::path::{Path, PathBuf};

use crate::span::{FileId, SourceMap};

/// One policy's files, loaded into a shared source map.
#[derive(Debug, Clone)]
pub struct PolicyFiles {
    /// The path the policy was found at (file or directory).
    pub root: PathBuf,
    /// Its files, in path order.
    pub files: Vec<FileId>,
}

/// Why a path could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The path holds no policy files.
    #[error("no `.policy` files found in `{0}`")]
    Empty(String),
}

/// Finds the policies at a path: a file is one policy; a directory with `.policy` files in it
/// is one policy; a directory without is searched for policy directories and files below it.
pub fn discover(path: &Path, sources: &mut SourceMap) -> Result<Vec<PolicyFiles>, LoadError> {
    let mut out = Vec::new();
    walk(path, sources, &mut out)?;
    if out.is_empty() {
        return Err(LoadError::Empty(path.display().to_string()));
    }
    Ok(out)
}

fn walk(path: &Path, sources: &mut SourceMap, out: &mut Vec<PolicyFiles>) -> Result<(), LoadError> {
    let io = |e| LoadError::Io {
        path: path.display().to_string(),
        source: e,
    };
    if path.is_file() {
        let id = read(path, sources)?;
        sources.set_policy_path(id, file_name(path));
        out.push(PolicyFiles {
            root: path.to_path_buf(),
            files: vec![id],
        });
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let policy_files: Vec<&PathBuf> = entries.iter().filter(|p| is_policy_file(p)).collect();
    if !policy_files.is_empty() {
        let mut files = Vec::new();
        for p in policy_files {
            let id = read(p, sources)?;
            sources.set_policy_path(id, file_name(p));
            files.push(id);
        }
        out.push(PolicyFiles {
            root: path.to_path_buf(),
            files,
        });
        return Ok(());
    }
    for e in entries.iter().filter(|p| p.is_dir()) {
        walk(e, sources, out)?;
    }
    Ok(())
}

/// The files of the policy that `file` belongs to, in path order: every `.policy` file of its
/// directory (a directory of policy files is one policy), `file` included even when it is not
/// on disk yet.
pub fn policy_of(file: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut paths: Vec<PathBuf> = policy_files(dir)?
        .into_iter()
        .filter(|p| p.file_name() != file.file_name())
        .collect();
    paths.push(file.to_path_buf());
    paths.sort();
    Ok(paths)
}

/// The `.policy` files directly in a directory, in path order.
pub fn policy_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| LoadError::Io {
            path: dir.display().to_string(),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_policy_file(p))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Loads the policy that `file` belongs to (see [`policy_of`]), taking the text of any of its
/// files from `given` (an editor's unsaved buffer, standard input) rather than from disk.
pub fn load_with(
    file: &Path,
    given: &dyn Fn(&Path) -> Option<String>,
    sources: &mut SourceMap,
) -> Result<PolicyFiles, LoadError> {
    load_paths(&policy_of(file)?, given, sources)
}

/// Loads the files at `paths` as one policy, taking a file's text from `given` when it has it.
pub fn load_paths(
    paths: &[PathBuf],
    given: &dyn Fn(&Path) -> Option<String>,
    sources: &mut SourceMap,
) -> Result<PolicyFiles, LoadError> {
    let mut files = Vec::new();
    for p in paths {
        let id = match given(p) {
            Some(text) => sources.add(display_name(p), text),
            None => read(p, sources)?,
        };
        sources.set_policy_path(id, file_name(p));
        files.push(id);
    }
    let root = paths
        .first()
        .and_then(|p| p.parent())
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok(PolicyFiles { root, files })
}

/// Whether a path names a policy file.
pub fn is_policy_file(p: &Path) -> bool {
    p.is_file() && p.extension().is_some_and(|e| e == "policy")
}

fn read(path: &Path, sources: &mut SourceMap) -> Result<FileId, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    Ok(sources.add(display_name(path), text))
}

/// A file's name, as its policy's root sees it (policy files are never nested).
fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| display_name(path), |n| n.to_string_lossy().into_owned())
}

/// A path as diagnostics show it: relative, with `/` separators.
pub fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

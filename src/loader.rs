//! Reads policies from disk: a `.policy` file, or a directory whose `.policy` files form one policy.
//!
//! This is the one place the library touches the file system for policies; every later stage
//! works on the [`SourceMap`] it returns.

use std::collections::HashMap;
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
    /// A directory was reached a second time, through a symbolic link: a loop (`ln -s . a`) or
    /// two links to one directory, whose policies would otherwise be read twice or forever.
    #[error(
        "`{path}` leads to `{first}` again (a symbolic link loop, or a second link to one directory); \
         remove the link"
    )]
    Revisited {
        /// The path that reached the directory again.
        path: String,
        /// Where the walk first read that directory.
        first: String,
    },
}

/// The directories already read, by canonical path, with the path they were first read through.
#[derive(Default)]
struct Seen(HashMap<PathBuf, PathBuf>);

impl Seen {
    /// The entries of a directory in path order, or an error if the walk has read it before.
    fn entries(&mut self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let io = |e| LoadError::Io {
            path: display_name(dir),
            source: e,
        };
        let canonical = std::fs::canonicalize(dir).map_err(io)?;
        if let Some(first) = self.0.get(&canonical) {
            return Err(LoadError::Revisited {
                path: display_name(dir),
                first: display_name(first),
            });
        }
        self.0.insert(canonical, dir.to_path_buf());
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .map_err(io)?;
        entries.sort();
        Ok(entries)
    }
}

/// Finds the policies at a path: a file is one policy; a directory with `.policy` files in it
/// is one policy; a directory without is searched for policy directories and files below it.
///
/// The walk keeps its own stack (no recursion, however deep the tree) and reads each directory
/// once: a symbolic link back to a directory already read is an error, not an endless walk.
pub fn discover(path: &Path, sources: &mut SourceMap) -> Result<Vec<PolicyFiles>, LoadError> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.is_file() {
            let id = read(&dir, sources)?;
            sources.set_policy_path(id, file_name(&dir));
            out.push(PolicyFiles {
                root: dir,
                files: vec![id],
            });
            continue;
        }
        let entries = seen.entries(&dir)?;
        let policy_files: Vec<&PathBuf> = entries.iter().filter(|p| is_policy_file(p)).collect();
        if policy_files.is_empty() {
            // Reversed, so the stack hands the subdirectories back in path order.
            stack.extend(entries.iter().rev().filter(|p| p.is_dir()).cloned());
            continue;
        }
        let mut files = Vec::new();
        for p in policy_files {
            let id = read(p, sources)?;
            sources.set_policy_path(id, file_name(p));
            files.push(id);
        }
        out.push(PolicyFiles { root: dir, files });
    }
    if out.is_empty() {
        return Err(LoadError::Empty(path.display().to_string()));
    }
    Ok(out)
}

/// Every `.policy` file at or below a path, in path order, for the formatter: a named file is
/// taken as it is, a directory is searched all the way down, each directory read once.
pub(crate) fn policy_file_paths(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if !path.is_dir() {
        std::fs::metadata(path).map_err(|e| LoadError::Io {
            path: display_name(path),
            source: e,
        })?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut seen = Seen::default();
    let mut files = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(entry) = stack.pop() {
        if entry.is_dir() {
            stack.extend(seen.entries(&entry)?.into_iter().rev());
        } else if is_policy_file(&entry) {
            files.push(entry);
        }
    }
    Ok(files)
}

/// The files of the policy that `file` belongs to, in path order: every `.policy` file of its
/// directory (a directory of policy files is one policy), `file` included even when it is not
/// on disk yet.
pub(crate) fn policy_of(file: &Path) -> Result<Vec<PathBuf>, LoadError> {
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
pub(crate) fn load_with(
    file: &Path,
    given: &dyn Fn(&Path) -> Option<String>,
    sources: &mut SourceMap,
) -> Result<PolicyFiles, LoadError> {
    load_paths(&policy_of(file)?, given, sources)
}

/// Loads the files at `paths` as one policy, taking a file's text from `given` when it has it.
pub(crate) fn load_paths(
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
pub(crate) fn is_policy_file(p: &Path) -> bool {
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

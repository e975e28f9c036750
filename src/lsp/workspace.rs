//! The documents the editor has open and the policies they belong to, each checked as a whole.
//!
//! A file's policy is its directory's (every `.policy` file there, as `caselock check DIR`
//! reads it), with the editor's unsaved text in place of what is on disk; a buffer that is not
//! a file (`untitled:`) is a policy of its own. An edit marks its policy stale; the policy is
//! checked again when the editor is idle or asks something of it.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use lsp_types::Uri;

use super::position::{LineIndex, path_to_uri, uri_to_path};
use crate::check::index::NameIndex;
use crate::diag::Diagnostic;
use crate::loader;
use crate::span::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// Which policy a document belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKey {
    /// The `.policy` files of a directory.
    Dir(PathBuf),
    /// A buffer that is not a file, alone.
    Buffer(String),
}

/// One file of a checked policy.
#[derive(Debug)]
pub struct FileView {
    /// Its id in the snapshot's sources.
    pub id: FileId,
    /// Its URI, as the editor spells it when the editor has it open.
    pub uri: Uri,
    /// Its line starts.
    pub lines: LineIndex,
    /// Its syntax tree, or the items of it that parse.
    pub tree: Option<ast::File>,
}

/// A policy as last checked.
#[derive(Debug)]
pub struct Snapshot {
    /// The texts checked.
    pub sources: SourceMap,
    /// Its files.
    pub files: Vec<FileView>,
    /// Where each name is declared and used.
    pub index: NameIndex,
    /// Every diagnostic, as `caselock check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// Why the policy could not be read or analysed, when it could not.
    pub failure: Option<String>,
}

impl Snapshot {
    /// The file with this URI.
    pub fn file(&self, uri: &Uri) -> Option<&FileView> {
        self.files.iter().find(|f| &f.uri == uri)
    }

    /// The file with this id.
    pub fn file_by_id(&self, id: FileId) -> Option<&FileView> {
        self.files.iter().find(|f| f.id == id)
    }

    /// The text of a file.
    pub fn text(&self, id: FileId) -> &str {
        self.sources.get(id).map_or("", |s| s.text.as_str())
    }

    /// The URI and range of a span.
    pub fn location(&self, span: Span) -> Option<lsp_types::Location> {
        let f = self.file_by_id(span.file)?;
        let text = self.text(span.file);
        Some(lsp_types::Location::new(
            f.uri.clone(),
            f.lines.range(text, span.start as usize, span.end as usize),
        ))
    }
}

/// The open documents and the checked policies.
#[derive(Debug, Default)]
pub struct Workspace {
    open: HashMap<Uri, String>,
    snapshots: HashMap<PolicyKey, Snapshot>,
    stale: BTreeSet<PolicyKey>,
    unpublished: BTreeSet<PolicyKey>,
}

impl Workspace {
    /// The policy a document belongs to.
    pub fn key(uri: &Uri) -> PolicyKey {
        match uri_to_path(uri) {
            Some(p) => PolicyKey::Dir(dir_of(&p)),
            None => PolicyKey::Buffer(uri.as_str().to_string()),
        }
    }

    /// The editor opened or changed a document.
    pub fn set(&mut self, uri: Uri, text: String) {
        self.stale.insert(Self::key(&uri));
        self.open.insert(uri, text);
    }

    /// The editor closed a document: its policy reads the file from disk again.
    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
        let key = Self::key(uri);
        if matches!(key, PolicyKey::Buffer(_)) {
            self.snapshots.remove(&key);
        } else {
            self.stale.insert(key);
        }
    }

    /// A file changed on disk (saved, or changed by another program).
    pub fn touch(&mut self, uri: &Uri) {
        let key = Self::key(uri);
        if self.snapshots.contains_key(&key) || self.open.keys().any(|u| Self::key(u) == key) {
            self.stale.insert(key);
        }
    }

    /// Checks every stale policy again; returns every policy checked since the last call,
    /// whose diagnostics are to be published.
    pub fn refresh(&mut self) -> Vec<PolicyKey> {
        for k in std::mem::take(&mut self.stale) {
            self.recheck(k);
        }
        std::mem::take(&mut self.unpublished).into_iter().collect()
    }

    /// The policy of a document, checked again first if it is stale.
    pub fn snapshot(&mut self, uri: &Uri) -> Option<&Snapshot> {
        let key = Self::key(uri);
        if self.stale.remove(&key) || !self.snapshots.contains_key(&key) {
            self.recheck(key.clone());
        }
        self.snapshots.get(&key)
    }

    fn recheck(&mut self, key: PolicyKey) {
        let snap = self.check(&key);
        self.snapshots.insert(key.clone(), snap);
        self.unpublished.insert(key);
    }

    /// A checked policy.
    pub fn checked(&self, key: &PolicyKey) -> Option<&Snapshot> {
        self.snapshots.get(key)
    }

    fn check(&self, key: &PolicyKey) -> Snapshot {
        let mut sources = SourceMap::new();
        let mut uris = Vec::new();
        let mut failure = None;
        match key {
            PolicyKey::Buffer(name) => {
                if let Some((uri, text)) = self.open.iter().find(|(u, _)| u.as_str() == name) {
                    sources.add(name.clone(), text.clone());
                    uris.push(uri.clone());
                }
            }
            PolicyKey::Dir(dir) => {
                let by_path: HashMap<PathBuf, (&Uri, &String)> = self
                    .open
                    .iter()
                    .filter_map(|(u, t)| uri_to_path(u).map(|p| (p, (u, t))))
                    .filter(|(p, _)| &dir_of(p) == dir)
                    .collect();
                // The files on disk, and the open buffers not saved yet.
                let mut paths = BTreeSet::new();
                match loader::policy_files(dir) {
                    Ok(v) => paths.extend(v),
                    Err(e) => failure = Some(e.to_string()),
                }
                paths.extend(by_path.keys().cloned());
                let paths: Vec<PathBuf> = paths.into_iter().collect();
                let given = |p: &Path| by_path.get(p).map(|(_, t)| (*t).clone());
                // Every file needs a URI to publish under, or the policy is not checked at all:
                // checking it without one of its files would report what is not so.
                let named: Option<Vec<Uri>> = paths
                    .iter()
                    .map(|p| {
                        by_path
                            .get(p)
                            .map(|(u, _)| (*u).clone())
                            .or_else(|| path_to_uri(p))
                    })
                    .collect();
                match (named, loader::load_paths(&paths, &given, &mut sources)) {
                    (Some(named), Ok(_)) => uris = named,
                    (None, _) => {
                        failure = Some(format!("cannot name the files of `{}`", dir.display()));
                        sources = SourceMap::new();
                    }
                    (_, Err(e)) => {
                        failure = Some(e.to_string());
                        sources = SourceMap::new();
                    }
                }
            }
        }
        let ids: Vec<FileId> = sources.iter().map(|(id, _)| id).collect();
        let mut whole = Vec::new();
        let mut broken = false;
        let files: Vec<FileView> = ids
            .iter()
            .zip(uris)
            .map(|(&id, uri)| {
                let text = sources.get(id).map_or("", |s| s.text.as_str());
                let tree = match syntax::parse(id, text) {
                    Ok(t) => {
                        whole.push(t.clone());
                        Some(t)
                    }
                    Err(_) => {
                        broken = true;
                        syntax::parse_lenient(id, text)
                    }
                };
                FileView {
                    id,
                    uri,
                    lines: LineIndex::new(text),
                    tree,
                }
            })
            .collect();
        let index = NameIndex::new(files.iter().filter_map(|f| f.tree.as_ref()));
        let diagnostics = if ids.is_empty() {
            Vec::new()
        } else if broken {
            crate::parse_files(&sources, &ids).err().unwrap_or_default()
        } else {
            crate::diagnose_parsed(&sources, &whole).unwrap_or_else(|e| {
                failure = Some(e.to_string());
                crate::check_files(&sources, &ids).err().unwrap_or_default()
            })
        };
        Snapshot {
            sources,
            files,
            index,
            diagnostics,
            failure,
        }
    }
}

fn dir_of(path: &Path) -> PathBuf {
    path.parent().map_or_else(PathBuf::new, Path::to_path_buf)
}

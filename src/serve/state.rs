//! The policies served: each loaded, checked and compiled off to the side and swapped in
//! atomically; a version that fails `check` never replaces the running one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::metrics::ReloadResult;
use crate::audit::{Event, PolicyEntry, RejectedEntry};
use crate::compile;
use crate::diag::Renderer;
use crate::eval::Decider;
use crate::loader;
use crate::span::SourceMap;

/// One compiled version of a policy, ready to decide.
#[derive(Debug)]
pub struct Version {
    /// The policy's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its declared version.
    pub version: Option<u32>,
    /// The SHA-256 of its sources.
    pub hash: String,
    /// When this version started being served.
    pub loaded_at: DateTime<Utc>,
    /// Its categories' names.
    pub categories: Vec<String>,
    /// The decider.
    pub decider: Decider,
}

/// A reload that was refused.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// When.
    pub at: DateTime<Utc>,
    /// The diagnostics, rendered as text.
    pub error: String,
}

/// A policy the service serves: where it is read from and the version in use.
#[derive(Debug)]
pub struct Slot {
    /// The file or directory it is read from.
    pub root: PathBuf,
    /// The version in use.
    pub current: ArcSwap<Version>,
    /// The last refused reload, until a later one succeeds.
    pub failure: Mutex<Option<Failure>>,
    /// The fingerprint of the sources last tried, so a watcher tries each change once.
    fingerprint: Mutex<String>,
}

/// The result of a reload, per policy.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadOutcome {
    /// The policy's id.
    pub policy_id: String,
    /// `reloaded`, `unchanged` or `rejected`.
    pub result: &'static str,
    /// The hash now served.
    pub hash: String,
    /// Why a new version was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip)]
    kind: ReloadResult,
    #[serde(skip)]
    pub(super) event: Option<Event>,
}

impl ReloadOutcome {
    /// How it ended.
    pub fn kind(&self) -> ReloadResult {
        self.kind
    }
}

/// Reads, checks and compiles every policy under `path`, with the fingerprint of its sources.
fn build(path: &Path) -> Result<(Vec<Version>, String), String> {
    let mut sources = SourceMap::new();
    let found = loader::discover(path, &mut sources).map_err(|e| e.to_string())?;
    let fingerprint = fingerprint(&sources, &found);
    let mut out = Vec::new();
    for p in &found {
        let checked = crate::check_files(&sources, &p.files).map_err(|diags| {
            Renderer::new(&sources, false, 100)
                .render_all(&diags)
                .trim_end()
                .to_string()
        })?;
        let table = compile::compile(&checked, &sources);
        out.push(Version {
            id: table.policy.id.clone(),
            title: table.policy.title.clone(),
            version: table.policy.version,
            hash: table.source_hash.clone(),
            loaded_at: Utc::now(),
            categories: table.categories.iter().map(|c| c.name.clone()).collect(),
            decider: Decider::new(&table),
        });
    }
    Ok((out, fingerprint))
}

/// A SHA-256 over the names and texts of the policies found.
fn fingerprint(sources: &SourceMap, found: &[loader::PolicyFiles]) -> String {
    let mut h = Sha256::new();
    for f in found.iter().flat_map(|p| &p.files) {
        if let Some(s) = sources.get(*f) {
            h.update(s.name.as_bytes());
            h.update([0]);
            h.update(s.text.as_bytes());
            h.update([0]);
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of the sources under `path` now, or `None` when they cannot be read.
pub fn current_fingerprint(path: &Path) -> Option<String> {
    let mut sources = SourceMap::new();
    let found = loader::discover(path, &mut sources).ok()?;
    Some(fingerprint(&sources, &found))
}

/// Loads every policy under the paths: one slot per policy found.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Slot>, String> {
    let mut slots: Vec<Slot> = Vec::new();
    for path in paths {
        let mut sources = SourceMap::new();
        let found = loader::discover(path, &mut sources).map_err(|e| e.to_string())?;
        for p in found {
            let (versions, fp) =
                build(&p.root).map_err(|e| format!("`{}`: {e}", p.root.display()))?;
            for v in versions {
                if slots.iter().any(|s| s.current.load().id == v.id) {
                    return Err(format!(
                        "two policies have the id `{}`; each policy served needs its own id",
                        v.id
                    ));
                }
                slots.push(Slot {
                    root: p.root.clone(),
                    current: ArcSwap::from_pointee(v),
                    failure: Mutex::new(None),
                    fingerprint: Mutex::new(fp.clone()),
                });
            }
        }
    }
    Ok(slots)
}

impl Slot {
    /// Reads the policy again; swaps the new version in if it checks, keeps the running one
    /// (and records why) if not. Blocking: run it off the async workers.
    pub fn reload(&self) -> ReloadOutcome {
        let running = self.current.load_full();
        let outcome = |kind, hash: &str, error: Option<String>| ReloadOutcome {
            policy_id: running.id.clone(),
            result: match kind {
                ReloadResult::Reloaded => "reloaded",
                ReloadResult::Unchanged => "unchanged",
                ReloadResult::Rejected => "rejected",
            },
            hash: hash.to_string(),
            error,
            kind,
            event: None,
        };
        let built = build(&self.root).and_then(|(mut versions, fp)| {
            *self
                .fingerprint
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = fp;
            match (versions.pop(), versions.is_empty()) {
                (Some(v), true) if v.id == running.id => Ok(v),
                (Some(v), true) => Err(format!(
                    "the policy's id changed from `{}` to `{}`; restart the service to serve another policy",
                    running.id, v.id
                )),
                _ => Err(format!(
                    "`{}` must hold exactly one policy",
                    self.root.display()
                )),
            }
        });
        match built {
            Ok(v) if v.hash == running.hash => {
                self.set_failure(None);
                outcome(ReloadResult::Unchanged, &running.hash, None)
            }
            Ok(v) => {
                let mut o = outcome(ReloadResult::Reloaded, &v.hash, None);
                o.event = Some(Event::PolicyLoaded(PolicyEntry {
                    policy_id: v.id.clone(),
                    policy_version: v.version,
                    policy_hash: v.hash.clone(),
                }));
                self.current.store(Arc::new(v));
                self.set_failure(None);
                o
            }
            Err(error) => {
                self.set_failure(Some(Failure {
                    at: Utc::now(),
                    error: error.clone(),
                }));
                let mut o = outcome(ReloadResult::Rejected, &running.hash, Some(error.clone()));
                o.event = Some(Event::PolicyRejected(RejectedEntry {
                    policy_id: running.id.clone(),
                    error,
                }));
                o
            }
        }
    }

    /// Whether the sources differ from those last tried.
    pub fn changed(&self) -> bool {
        let last = self
            .fingerprint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        current_fingerprint(&self.root).is_some_and(|now| now != last)
    }

    fn set_failure(&self, f: Option<Failure>) {
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = f;
    }

    /// The last refused reload.
    pub fn failure(&self) -> Option<Failure> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// How many versions [`History`] keeps.
pub const HISTORY: usize = 64;

/// Every version served since start, by hash, so a logged decision can be explained again
/// with the exact policy that made it.
#[derive(Debug, Default)]
pub struct History(Mutex<HashMap<String, Arc<Version>>>);

impl History {
    /// Remembers a version, forgetting the oldest beyond [`HISTORY`] versions.
    pub fn remember(&self, v: Arc<Version>) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(v.hash.clone()).or_insert(v);
        if map.len() > HISTORY {
            let oldest = map
                .values()
                .min_by_key(|v| v.loaded_at)
                .map(|v| v.hash.clone());
            if let Some(h) = oldest {
                map.remove(&h);
            }
        }
    }

    /// The version with this hash, if it was served since start.
    pub fn get(&self, hash: &str) -> Option<Arc<Version>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(hash)
            .cloned()
    }
}

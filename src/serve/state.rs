//! The policies served: each loaded, checked and compiled off to the side and swapped in
//! atomically; a version that fails `check` never replaces the running one.
//!
//! A policy comes from a bundle (`--table`: compiled and, in production, signed in CI, written
//! atomically) or from its source files (`--policy`, for development). Sources are loaded only
//! as a settled, consistent snapshot: every file read and hashed twice, `settle` apart, equal
//! both times, and the whole set compiled and swapped at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::metrics::ReloadResult;
use crate::audit::{Event, PolicyEntry, RejectedEntry};
use crate::compile::{self, DecisionTable};
use crate::diag::Diagnostic;
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
    /// The id of the key whose signature on the bundle was verified.
    pub signed_by: Option<String>,
    /// The decider.
    pub decider: Decider,
}

impl Version {
    fn new(table: &DecisionTable, signed_by: Option<String>) -> Version {
        Version {
            id: table.policy.id.clone(),
            title: table.policy.title.clone(),
            version: table.policy.version,
            hash: table.source_hash.clone(),
            loaded_at: Utc::now(),
            categories: table.categories.iter().map(|c| c.name.clone()).collect(),
            signed_by,
            decider: Decider::new(table),
        }
    }
}

/// Where a policy is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A policy file or directory, compiled by the service.
    Files(PathBuf),
    /// A bundle written by `caselock compile`.
    Bundle(PathBuf),
}

impl Origin {
    /// The path.
    pub fn path(&self) -> &Path {
        match self {
            Origin::Files(p) | Origin::Bundle(p) => p,
        }
    }
}

/// How policies are loaded.
#[derive(Debug, Clone, Default)]
pub struct Loading {
    /// The key bundles must be signed by; `None` accepts unsigned bundles.
    pub trust: Option<ed25519_dalek::VerifyingKey>,
    /// How long source files must stay unchanged to be loaded.
    pub settle: Duration,
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
    /// Where it is read from.
    pub origin: Origin,
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

/// Reads, checks and compiles every policy under `path` from a settled snapshot of its files,
/// with the fingerprint of those files.
fn build_files(path: &Path, settle: Duration) -> Result<(Vec<Version>, String), Refused> {
    let (_, _, first) = snapshot(path).map_err(Refused::retry)?;
    if !settle.is_zero() {
        std::thread::sleep(settle);
    }
    let (sources, found, second) = snapshot(path).map_err(Refused::retry)?;
    if first != second {
        return Err(Refused::retry(format!(
            "the policy's files changed while they were being read; nothing was loaded (they are loaded once unchanged for {} s; a signed bundle is the safe way to change a served policy)",
            settle.as_secs_f64()
        )));
    }
    let tried = |message| Refused {
        fingerprint: Some(second.clone()),
        message,
    };
    for p in &found {
        outside_links(&p.root, &sources, &p.files).map_err(tried)?;
    }
    let mut out = Vec::new();
    for p in &found {
        let checked = crate::check_files(&sources, &p.files)
            .map_err(|diags| tried(compact(&sources, &diags)))?;
        let table = compile::compile(&checked, &sources);
        out.push(Version::new(&table, None));
    }
    Ok((out, second))
}

/// Every policy under `path`, read once, with the fingerprint of its files.
fn snapshot(path: &Path) -> Result<(SourceMap, Vec<loader::PolicyFiles>, String), String> {
    let mut sources = SourceMap::new();
    let found = loader::discover(path, &mut sources).map_err(|e| e.to_string())?;
    let fp = fingerprint(&sources, &found);
    Ok((sources, found, fp))
}

/// Refuses a policy file in a policy directory that is a symbolic link to a file outside it
/// (such as `/etc/passwd`), before anything of its contents is shown anywhere.
fn outside_links(
    root: &Path,
    sources: &SourceMap,
    files: &[crate::span::FileId],
) -> Result<(), String> {
    if !root.is_dir() {
        return Ok(());
    }
    let Ok(base) = root.canonicalize() else {
        return Ok(());
    };
    for f in files {
        let Some(src) = sources.get(*f) else { continue };
        let p = Path::new(&src.name);
        let link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
        let inside = p.canonicalize().is_ok_and(|t| t.starts_with(&base));
        if link && !inside {
            return Err(format!(
                "`{}` is a symbolic link to a file outside the policy directory; it is not loaded",
                src.name
            ));
        }
    }
    Ok(())
}

/// Diagnostics as one line each, `file:line: error[CODE]: message`, without the source lines a
/// terminal rendering quotes: these go to `GET /v1/policy` and the decision log.
fn compact(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            format!(
                "{}: error[{}]: {}",
                sources.cite(d.primary.span),
                d.code,
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and verifies a bundle, with the fingerprint of its bytes.
fn build_bundle(path: &Path, loading: &Loading) -> Result<(Vec<Version>, String), Refused> {
    let (text, fp) = read_bundle(path).map_err(Refused::retry)?;
    let loaded = compile::bundle::load(&text, loading.trust.as_ref()).map_err(|e| Refused {
        fingerprint: Some(fp.clone()),
        message: e.to_string(),
    })?;
    Ok((vec![Version::new(&loaded.table, loaded.verified_by)], fp))
}

/// Why a version was not loaded, and the fingerprint of what was tried, if it was read whole
/// (so the watcher does not try the same files again).
#[derive(Debug)]
struct Refused {
    fingerprint: Option<String>,
    message: String,
}

impl Refused {
    /// A refusal the watcher tries again at its next look (files unreadable or changing).
    fn retry(message: String) -> Refused {
        Refused {
            fingerprint: None,
            message,
        }
    }
}

fn read_bundle(path: &Path) -> Result<(String, String), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the bundle: {e}"))?;
    let fp = crate::digest::sha256_hex(&bytes);
    let text = String::from_utf8(bytes).map_err(|_| "the bundle is not UTF-8 JSON".to_string())?;
    Ok((text, fp))
}

fn build(origin: &Origin, loading: &Loading) -> Result<(Vec<Version>, String), Refused> {
    match origin {
        Origin::Files(p) => build_files(p, loading.settle),
        Origin::Bundle(p) => build_bundle(p, loading),
    }
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
    hex::encode(h.finalize())
}

/// The fingerprint of a policy's files or bundle now, or `None` when they cannot be read.
pub fn current_fingerprint(origin: &Origin) -> Option<String> {
    match origin {
        Origin::Files(p) => snapshot(p).ok().map(|(_, _, fp)| fp),
        Origin::Bundle(p) => read_bundle(p).ok().map(|(_, fp)| fp),
    }
}

/// Loads every policy from the source paths and the bundles: one slot per policy found.
pub fn load(
    policies: &[PathBuf],
    bundles: &[PathBuf],
    loading: &Loading,
) -> Result<Vec<Slot>, String> {
    let mut origins = Vec::new();
    for path in policies {
        let mut sources = SourceMap::new();
        let found = loader::discover(path, &mut sources).map_err(|e| e.to_string())?;
        origins.extend(found.into_iter().map(|p| Origin::Files(p.root)));
    }
    origins.extend(bundles.iter().cloned().map(Origin::Bundle));
    let mut slots: Vec<Slot> = Vec::new();
    for origin in origins {
        let (versions, fp) = build(&origin, loading)
            .map_err(|e| format!("`{}`: {}", origin.path().display(), e.message))?;
        for v in versions {
            if slots.iter().any(|s| s.current.load().id == v.id) {
                return Err(format!(
                    "two policies have the id `{}`; each policy served needs its own id",
                    v.id
                ));
            }
            slots.push(Slot {
                origin: origin.clone(),
                current: ArcSwap::from_pointee(v),
                failure: Mutex::new(None),
                fingerprint: Mutex::new(fp.clone()),
            });
        }
    }
    Ok(slots)
}

impl Slot {
    /// Reads the policy again; swaps the new version in if it checks, keeps the running one
    /// (and records why) if not. Blocking: run it off the async workers.
    pub fn reload(&self, loading: &Loading) -> ReloadOutcome {
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
        let remember = |fp: String| {
            *self
                .fingerprint
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = fp;
        };
        let built = build(&self.origin, loading)
            .map_err(|refused| {
                if let Some(fp) = refused.fingerprint {
                    remember(fp);
                }
                refused.message
            })
            .and_then(|(mut versions, fp)| {
            remember(fp);
            match (versions.pop(), versions.is_empty()) {
                (Some(v), true) if v.id == running.id => Ok(v),
                (Some(v), true) => Err(format!(
                    "the policy's id changed from `{}` to `{}`; restart the service to serve another policy",
                    running.id, v.id
                )),
                _ => Err(format!(
                    "`{}` must hold exactly one policy",
                    self.origin.path().display()
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
        current_fingerprint(&self.origin).is_some_and(|now| now != last)
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

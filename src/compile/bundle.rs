//! Policy bundles: what `caselock compile` writes and what a production service loads. A bundle
//! is the compiled [`DecisionTable`] with a manifest of the source files it was compiled from
//! (paths relative to the policy's root, with their SHA-256) and, optionally, an ed25519
//! signature over the manifest, which holds the SHA-256 of the table. The paths are the ones the
//! table cites (relative to the policy's root), so a bundle does not depend on where the policy
//! was compiled.
//!
//! The signature covers the manifest as this build serialises it after reading it, and the
//! manifest covers the table as this build serialises it after reading it: what is checked is
//! exactly what is used, whatever the bytes of the file (pretty or compact, escapes).
//!
//! A plain SHA-256 can be recomputed by anyone who edits a table, so without a signature a
//! bundle is only checked for corruption; with `--trust KEY` only a bundle signed by that key
//! is accepted. No error ever states a hash computed from the bundle's contents: that value is
//! exactly what a forger would need.

use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::keys::key_id;
use super::{DecisionTable, TableError, load_bare, to_json};
use crate::digest::sha256_hex;
use crate::span::SourceMap;

/// The bundle format this build writes and reads.
pub const BUNDLE_FORMAT: u32 = 1;

/// What the signature signs: this prefix, then the manifest's JSON.
const SIGNED_PREFIX: &[u8] = b"caselock policy bundle v1\n";

/// A compiled table with its manifest and optional signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub caselock_bundle: u32,
    /// What the table was compiled from, and the table's hash.
    pub manifest: Manifest,
    /// The signature over the manifest, if the bundle is signed.
    pub signature: Option<SignatureEntry>,
    /// The compiled table.
    pub table: DecisionTable,
}

/// What a bundle holds and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The policy's id.
    pub policy_id: String,
    /// The policy's declared version.
    pub policy_version: Option<u32>,
    /// The table's `source_hash` (the policy hash decisions carry).
    pub policy_hash: String,
    /// The compiler that wrote the bundle.
    pub compiler: String,
    /// SHA-256 of the table as compact JSON (`caselock compile`'s canonical bytes), hex.
    pub table_sha256: String,
    /// The source files, in the order the compiler read them.
    pub files: Vec<FileEntry>,
}

/// One source file of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Its path relative to the policy's root (a directory, or the file itself), `/`-separated.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A signature over the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureEntry {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The signing key's id ([`key_id`] of its public key).
    pub key_id: String,
    /// The signature, hex.
    pub value: String,
}

/// A bundle or table that loaded, and how far it could be trusted.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The table.
    pub table: DecisionTable,
    /// The manifest, when it came from a bundle.
    pub manifest: Option<Manifest>,
    /// The id of the key whose signature was verified, when one was required.
    pub verified_by: Option<String>,
}

impl Bundle {
    /// A bundle for a table compiled from `sources` (the files of that one policy).
    pub fn new(table: DecisionTable, sources: &SourceMap) -> Bundle {
        let files = table
            .policy
            .files
            .iter()
            .filter_map(|path| {
                let (_, src) = sources.iter().find(|(_, s)| s.policy_path == *path)?;
                Some(FileEntry {
                    path: path.clone(),
                    sha256: sha256_hex(src.text.as_bytes()),
                    bytes: src.text.len() as u64,
                })
            })
            .collect();
        Bundle {
            caselock_bundle: BUNDLE_FORMAT,
            manifest: Manifest {
                policy_id: table.policy.id.clone(),
                policy_version: table.policy.version,
                policy_hash: table.source_hash.clone(),
                compiler: table.compiler.clone(),
                table_sha256: sha256_hex(to_json(&table).as_bytes()),
                files,
            },
            signature: None,
            table,
        }
    }

    /// Signs the manifest with `key`.
    pub fn sign(&mut self, key: &SigningKey) {
        let sig = key.sign(&signed_bytes(&self.manifest));
        self.signature = Some(SignatureEntry {
            algorithm: "ed25519".to_string(),
            key_id: key_id(&key.verifying_key()),
            value: hex::encode(sig.to_bytes()),
        });
    }

    /// The bundle as JSON with a final newline; `pretty` indents it (the checks are the same).
    pub fn to_json(&self, pretty: bool) -> String {
        let mut s = if pretty {
            crate::json::to_string_pretty(self)
        } else {
            crate::json::to_string(self)
        };
        s.push('\n');
        s
    }
}

/// The bytes a signature covers.
fn signed_bytes(manifest: &Manifest) -> Vec<u8> {
    let mut out = SIGNED_PREFIX.to_vec();
    out.extend(crate::json::to_vec(manifest));
    out
}

/// Reads a bundle, or (without `trust`) a bare table from an older `caselock compile`.
///
/// With `trust`, only a bundle signed by that key is accepted. Every bundle's manifest must
/// match its table, and its file list must be well formed.
pub fn load(text: &str, trust: Option<&VerifyingKey>) -> Result<Loaded, TableError> {
    #[derive(Deserialize)]
    struct Probe {
        caselock_bundle: Option<u32>,
    }
    let probe: Probe =
        serde_json::from_str(text).map_err(|e| TableError::Malformed(e.to_string()))?;
    let Some(format) = probe.caselock_bundle else {
        if trust.is_some() {
            return Err(TableError::Unsigned(
                "this is a bare table, not a signed bundle".to_string(),
            ));
        }
        return Ok(Loaded {
            table: load_bare(text)?,
            manifest: None,
            verified_by: None,
        });
    };
    if format != BUNDLE_FORMAT {
        return Err(TableError::Manifest(format!(
            "bundle format {format} is not supported (this caselock reads format {BUNDLE_FORMAT})"
        )));
    }
    let bundle: Bundle =
        serde_json::from_str(text).map_err(|e| TableError::Malformed(e.to_string()))?;
    let verified_by = match trust {
        None => None,
        Some(key) => Some(verify_signature(&bundle, key)?),
    };
    check_manifest(&bundle)?;
    // The table's own hash and format version, as for a bare table.
    super::check_table(&bundle.table)?;
    Ok(Loaded {
        table: bundle.table,
        manifest: Some(bundle.manifest),
        verified_by,
    })
}

fn verify_signature(bundle: &Bundle, key: &VerifyingKey) -> Result<String, TableError> {
    let trusted = key_id(key);
    let Some(sig) = &bundle.signature else {
        return Err(TableError::Unsigned(format!(
            "the bundle is not signed; the service trusts only bundles signed by key {trusted}"
        )));
    };
    if sig.algorithm != "ed25519" {
        return Err(TableError::Signature(format!(
            "unsupported signature algorithm `{}`",
            sig.algorithm
        )));
    }
    if sig.key_id != trusted {
        return Err(TableError::Signature(format!(
            "the bundle is signed by key {}, not by the trusted key {trusted}",
            sig.key_id
        )));
    }
    let bytes = hex::decode(&sig.value)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| TableError::Signature("the signature is not 64 hex bytes".to_string()))?;
    key.verify(
        &signed_bytes(&bundle.manifest),
        &Signature::from_bytes(&bytes),
    )
    .map_err(|_| {
        TableError::Signature(
            "the signature does not match the manifest: the bundle was changed after it was signed"
                .to_string(),
        )
    })?;
    Ok(trusted)
}

/// The manifest must describe the table it travels with.
fn check_manifest(bundle: &Bundle) -> Result<(), TableError> {
    let m = &bundle.manifest;
    let t = &bundle.table;
    let bad = |what: String| Err(TableError::Manifest(what));
    if sha256_hex(to_json(t).as_bytes()) != m.table_sha256 {
        return bad(
            "the table does not match the manifest's `table_sha256`: the table was edited or corrupted after compilation"
                .to_string(),
        );
    }
    if m.policy_id != t.policy.id {
        return bad(format!(
            "the manifest names policy `{}` but the table holds `{}`",
            m.policy_id, t.policy.id
        ));
    }
    if m.policy_version != t.policy.version || m.policy_hash != t.source_hash {
        return bad("the manifest's policy version or hash differs from the table's".to_string());
    }
    if m.files.is_empty() {
        return bad("the manifest lists no source files".to_string());
    }
    let mut seen = std::collections::HashSet::new();
    for (i, f) in m.files.iter().enumerate() {
        let p = Path::new(&f.path);
        let escapes = p.is_absolute()
            || f.path.starts_with('/')
            || f.path.contains('\\')
            || p.components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)));
        if f.path.is_empty() || escapes {
            return bad(format!(
                "`files[{i}].path` must be a path relative to the policy's root, without `..`"
            ));
        }
        if !seen.insert(&f.path) {
            return bad(format!("`files[{i}].path` is listed twice"));
        }
        if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return bad(format!("`files[{i}].sha256` is not a SHA-256"));
        }
    }
    Ok(())
}

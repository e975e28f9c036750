//! Per-client credentials: each connected system has its own bearer token (not one shared
//! token), optionally its own mapping of names, and its name is recorded as `client` on every
//! decision it asks for. The clients file is read again on every reload, so revoking one client
//! (removing it, then SIGHUP or `POST /v1/reload`) leaves the others as they were.
//!
//! ```toml
//! [[client]]
//! name = "liquid_logic"
//! token-file = "tokens/liquid_logic.token"   # or token-sha256 = "<64 hex digits>"
//! mapping = "systems/liquid_logic.toml"      # optional: its own names for roles and teams
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::diag::Renderer;
use crate::eval::Decider;
use crate::mapping::{self, Mapping, Vocabulary};
use crate::span::SourceMap;

/// One connected system.
#[derive(Debug)]
pub struct Client {
    /// Its name, recorded on every decision it asks for.
    pub name: String,
    /// The SHA-256 of its token.
    digest: [u8; 32],
    /// Its own names for roles, teams and organisations, if it does not use the policy's.
    pub mapping: Option<Mapping>,
}

/// Every client the service accepts.
#[derive(Debug, Default)]
pub struct Clients {
    list: Vec<Arc<Client>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    client: Vec<RawClient>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClient {
    name: String,
    token_file: Option<PathBuf>,
    token_sha256: Option<String>,
    mapping: Option<PathBuf>,
}

impl Clients {
    /// Reads a clients file; token files and mappings are relative to its directory, and each
    /// mapping is checked against every policy served (`deciders`). Any fault refuses the whole
    /// file, naming the client and field.
    pub fn read(path: &Path, deciders: &[&Decider]) -> Result<Clients, String> {
        let at = |m: String| format!("clients file `{}`: {m}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
        let raw: RawFile = toml::from_str(&text).map_err(|e| at(e.message().to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut list: Vec<Arc<Client>> = Vec::new();
        for (i, c) in raw.client.into_iter().enumerate() {
            let here = |m: String| at(format!("client {} (`{}`): {m}", i + 1, c.name));
            if !crate::audit::valid_instance(&c.name) {
                return Err(here(
                    "`name` must be 1 to 63 letters, digits, `.`, `_` or `-`".to_string(),
                ));
            }
            if list.iter().any(|o| o.name == c.name) {
                return Err(here("another client has this name".to_string()));
            }
            let digest = match (&c.token_file, &c.token_sha256) {
                (Some(f), None) => token_digest(&base.join(f)).map_err(here)?,
                (None, Some(h)) => hex::decode(h.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| here("`token-sha256` must be 64 hex digits".to_string()))?,
                _ => {
                    return Err(here(
                        "give exactly one of `token-file` and `token-sha256`".to_string(),
                    ));
                }
            };
            if list.iter().any(|o| o.digest == digest) {
                return Err(here(
                    "has the same token as another client; each system needs its own".to_string(),
                ));
            }
            let mapping = match &c.mapping {
                None => None,
                Some(m) => Some(read_mapping(&base.join(m), deciders).map_err(here)?),
            };
            list.push(Arc::new(Client {
                name: c.name,
                digest,
                mapping,
            }));
        }
        if list.is_empty() {
            return Err(at(
                "lists no `[[client]]`; no request could be authorised".to_string()
            ));
        }
        Ok(Clients { list })
    }

    /// The client whose token this is. Every client's digest is compared in constant time, so
    /// the timing shows neither which client nor how much of a token matched.
    pub fn find(&self, token: &[u8]) -> Option<Arc<Client>> {
        let digest: [u8; 32] = Sha256::digest(token).into();
        let mut found = None;
        for c in &self.list {
            if bool::from(subtle::ConstantTimeEq::ct_eq(&digest[..], &c.digest[..])) {
                found = Some(c.clone());
            }
        }
        found
    }

    /// The clients' names, in file order.
    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|c| c.name.as_str()).collect()
    }
}

/// The SHA-256 of a token file's contents (surrounding whitespace ignored; never quoted).
fn token_digest(path: &Path) -> Result<[u8; 32], String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("`token-file` `{}`: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("`token-file` `{}` is empty", path.display()));
    }
    Ok(Sha256::digest(token.as_bytes()).into())
}

/// Reads a mapping and checks it against every policy served.
fn read_mapping(path: &Path, deciders: &[&Decider]) -> Result<Mapping, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("`mapping` `{}`: {e}", path.display()))?;
    let mut sources = SourceMap::new();
    let file = sources.add(crate::loader::display_name(path), text.clone());
    let render = |diags: Vec<crate::diag::Diagnostic>| {
        format!(
            "`mapping` `{}` has errors:\n{}",
            path.display(),
            Renderer::new(&sources, false, 100)
                .render_all(&diags)
                .trim_end()
        )
    };
    let parsed = mapping::parse(file, &text).map_err(|d| render(vec![d]))?;
    let mut built = None;
    for d in deciders {
        built = Some(parsed.mapping(&Vocabulary::of(d.table())).map_err(render)?);
    }
    built.ok_or_else(|| "no policy to check the mapping against".to_string())
}

//! How a log's lines are hashed: a plain SHA-256 chain, which shows edits, removals and
//! reordering but which anyone who can write the file can extend, or a keyed chain (HMAC-SHA256
//! under a secret key kept away from the log), which nobody without the key can extend.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::digest::sha256_hex;

/// The prefixes of a line's hash, unkeyed then keyed.
pub(super) const ALGORITHMS: [&str; 2] = [UNKEYED, KEYED];
const UNKEYED: &str = "sha256:";
const KEYED: &str = "hmac-sha256:";

/// The fewest bytes a log key may have.
const MIN_KEY: usize = 32;

/// A secret key for a keyed log, with its HMAC state prepared once.
#[derive(Clone)]
pub struct LogKey {
    bytes: Vec<u8>,
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogKey(..)")
    }
}

impl LogKey {
    /// A new key of 32 random bytes.
    pub fn generate() -> Result<LogKey, String> {
        let mut k = vec![0u8; MIN_KEY];
        getrandom::fill(&mut k).map_err(|e| format!("cannot get random bytes for a key: {e}"))?;
        LogKey::new(k)
    }

    fn new(bytes: Vec<u8>) -> Result<LogKey, String> {
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&bytes)
            .map_err(|_| "the key has a length HMAC-SHA256 does not take".to_string())?;
        Ok(LogKey { bytes, mac })
    }

    /// The key as a key file holds it: hex and a newline.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", hex::encode(&self.bytes))
    }

    /// Reads a key file: at least 64 hex digits (32 bytes), surrounding whitespace ignored.
    /// The file's contents are never quoted in an error.
    pub fn read(path: &Path) -> Result<LogKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("log key file `{}`: {e}", path.display()))?;
        let t = text.trim();
        let bytes = hex::decode(t)
            .ok()
            .filter(|b| b.len() >= MIN_KEY)
            .ok_or_else(|| {
                format!(
                    "log key file `{}` must hold at least {} hex digits (make one with `caselock keygen --log-key`)",
                    path.display(),
                    MIN_KEY * 2
                )
            })?;
        LogKey::new(bytes)
    }
}

/// How a log's lines are hashed.
#[derive(Debug, Clone)]
pub enum Chain {
    /// SHA-256 of each line: anyone who can write the log can append lines that verify.
    Unkeyed,
    /// HMAC-SHA256 of each line under the key.
    Keyed(LogKey),
}

impl Chain {
    /// Whether lines are keyed.
    pub fn is_keyed(&self) -> bool {
        matches!(self, Chain::Keyed(_))
    }

    /// The hash of a line's text, with its algorithm prefix.
    pub fn digest(&self, text: &str) -> String {
        match self {
            Chain::Unkeyed => format!("{UNKEYED}{}", sha256_hex(text.as_bytes())),
            Chain::Keyed(key) => {
                let mut m = key.mac.clone();
                m.update(text.as_bytes());
                format!("{KEYED}{}", hex::encode(m.finalize().into_bytes()))
            }
        }
    }

    /// Checks a line's recorded hash (`alg:hex`, already well formed) against its text.
    pub fn check(&self, text: &str, recorded: &str) -> Result<(), String> {
        match (self, recorded.strip_prefix(KEYED)) {
            (Chain::Unkeyed, Some(_)) => Err(
                "the line is keyed (HMAC-SHA256): verify the log with its key (`--key FILE`)"
                    .to_string(),
            ),
            (Chain::Keyed(_), None) => Err(
                "the line is not keyed (plain SHA-256) in a log checked with a key: it was written without the key"
                    .to_string(),
            ),
            (Chain::Unkeyed, None) => {
                if self.digest(text) == recorded {
                    Ok(())
                } else {
                    Err("the line's contents do not match its hash: the line was edited".to_string())
                }
            }
            (Chain::Keyed(key), Some(hexed)) => {
                let bytes = hex::decode(hexed).ok();
                let mut m = key.mac.clone();
                m.update(text.as_bytes());
                match bytes {
                    Some(b) if m.verify_slice(&b).is_ok() => Ok(()),
                    _ => Err(
                        "the line's HMAC does not match under the key: the line was edited or forged, or this is not the log's key"
                            .to_string(),
                    ),
                }
            }
        }
    }
}

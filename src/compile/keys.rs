//! ed25519 keys for signing policy bundles, as PKCS#8 / SPKI PEM files (the formats
//! `openssl genpkey -algorithm ed25519` writes, so either tool can make them).

use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// Why a key could not be made, read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("key file `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not hold a key of the expected kind. The file's contents are never quoted.
    #[error("key file `{path}` does not hold {expected}")]
    Format {
        /// The file.
        path: String,
        /// What it should hold.
        expected: &'static str,
    },
    /// The operating system gave no randomness.
    #[error("cannot get random bytes for a new key: {0}")]
    Random(String),
}

/// A short, public id for a key: the first 16 hex digits of the SHA-256 of its public key.
pub fn key_id(key: &VerifyingKey) -> String {
    crate::digest::sha256_hex(key.as_bytes())
        .chars()
        .take(16)
        .collect()
}

/// A new signing key from the operating system's randomness.
pub fn generate() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The private key as PKCS#8 PEM and the public key as SPKI PEM.
pub fn to_pem(key: &SigningKey) -> Result<(String, String), KeyError> {
    let format = |_| KeyError::Format {
        path: String::new(),
        expected: "an ed25519 key",
    };
    let private = key.to_pkcs8_pem(LineEnding::LF).map_err(format)?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| KeyError::Format {
            path: String::new(),
            expected: "an ed25519 public key",
        })?;
    Ok((private.to_string(), public))
}

fn read(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a signing key (PKCS#8 PEM).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(&read(path)?).map_err(|_| KeyError::Format {
        path: path.display().to_string(),
        expected: "an ed25519 private key (PKCS#8 PEM, as `caselock keygen` writes)",
    })
}

/// Reads a public key (SPKI PEM).
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_public_key_pem(&read(path)?).map_err(|_| KeyError::Format {
        path: path.display().to_string(),
        expected: "an ed25519 public key (SPKI PEM, as `caselock keygen` writes to KEY.pub)",
    })
}

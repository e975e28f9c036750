//! SHA-256 in lowercase hex, said once: the table's and the sources' hashes, a bundle's
//! manifest, an unkeyed audit chain, a key's id and a bundle's fingerprint all read alike.

use sha2::{Digest, Sha256};

/// The SHA-256 of some bytes, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_is_the_known_digest_in_lowercase() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

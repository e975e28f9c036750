//! Signed links to the caseworker page (`/why/{decision_id}?expires=T&sig=S`): a
//! case-management system sends a refused caseworker to the explanation of the decision it was
//! given, without the caseworker holding the service's token and without anything about the
//! record in the address. The signature is HMAC-SHA256, under a secret key only the service and
//! the case-management system hold (`--link-key`), over
//!
//! ```text
//! caselock-why-link-v1 \n DECISION_ID \n SUBJECT_ID \n EXPIRES
//! ```
//!
//! (joined by newlines, no spaces; `EXPIRES` in seconds since 1970 UTC, as in the link), in
//! lower-case hex. The subject is the logged decision's, read by the service, so a link opens
//! only the decision it was made for, for the person who was refused, until it expires; it never
//! carries the subject either. Ids cannot hold a newline (control characters are refused), so
//! the fields cannot run into each other.

use std::path::Path;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The fewest bytes a link key may have.
const MIN_KEY: usize = 32;

/// What a signature covers first, so it can never be mistaken for another use of the key.
const CONTEXT: &str = "caselock-why-link-v1";

/// How long a link may be valid at most, from now: longer links are refused, so a link copied
/// into an email or a ticket stops working within a week even if its issuer erred.
pub const MAX_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;

/// How long a link the service issues is valid when the caller does not say.
pub const DEFAULT_LIFETIME_SECS: i64 = 15 * 60;

/// The secret key links are signed with.
#[derive(Clone)]
pub struct LinkKey {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(..)")
    }
}

impl LinkKey {
    /// A key from its bytes (at least 32).
    pub fn new(bytes: &[u8]) -> Result<LinkKey, String> {
        if bytes.len() < MIN_KEY {
            return Err(format!("a link key must have at least {MIN_KEY} bytes"));
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(bytes)
            .map_err(|_| "the key has a length HMAC-SHA256 does not take".to_string())?;
        Ok(LinkKey { mac })
    }

    /// Reads a key file: at least 64 hex digits (32 bytes), surrounding whitespace ignored
    /// (`caselock keygen --log-key -o link.key` writes one). The file's contents are never
    /// quoted in an error.
    pub fn read(path: &Path) -> Result<LinkKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("link key file `{}`: {e}", path.display()))?;
        let bytes = hex::decode(text.trim())
            .ok()
            .filter(|b| b.len() >= MIN_KEY)
            .ok_or_else(|| {
                format!(
                    "link key file `{}` must hold at least {} hex digits (make one with `caselock keygen --log-key -o FILE`)",
                    path.display(),
                    MIN_KEY * 2
                )
            })?;
        LinkKey::new(&bytes)
    }

    fn mac(&self, decision_id: &str, subject: &str, expires: i64) -> Hmac<Sha256> {
        let mut m = self.mac.clone();
        m.update(format!("{CONTEXT}\n{decision_id}\n{subject}\n{expires}").as_bytes());
        m
    }

    /// The signature of a link, in hex.
    pub fn sign(&self, decision_id: &str, subject: &str, expires: i64) -> String {
        hex::encode(
            self.mac(decision_id, subject, expires)
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `sig` (hex) is the signature of this link, compared in constant time.
    fn verifies(&self, decision_id: &str, subject: &str, expires: i64, sig: &str) -> bool {
        hex::decode(sig).is_ok_and(|b| {
            self.mac(decision_id, subject, expires)
                .verify_slice(&b)
                .is_ok()
        })
    }
}

/// The link to the caseworker page for a decision, valid until `expires`.
pub fn path(key: &LinkKey, decision_id: &str, subject: &str, expires: DateTime<Utc>) -> String {
    let t = expires.timestamp();
    format!(
        "/why/{decision_id}?expires={t}&sig={}",
        key.sign(decision_id, subject, t)
    )
}

/// The query of a link.
#[derive(Debug, Default, Deserialize)]
pub struct LinkQuery {
    /// When the link stops working, in seconds since 1970 UTC.
    pub expires: Option<String>,
    /// The signature, hex.
    pub sig: Option<String>,
}

/// Why a link does not open the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// The link has no signature or expiry (or the service has no link key).
    Missing,
    /// The link expired.
    Expired,
    /// The link is valid for longer than [`MAX_LIFETIME_SECS`] from now.
    TooLong,
    /// The signature is not the service's for this decision: forged, altered or for another one.
    NotValid,
}

impl LinkQuery {
    /// Whether the query carries a link at all.
    pub fn given(&self) -> bool {
        self.expires.is_some() || self.sig.is_some()
    }

    /// Whether each part given has its form: `expires` 1 to 12 digits, `sig` 64 lower-case hex
    /// digits (a part may be absent: then the link is not given, or not complete).
    pub fn well_formed(&self) -> bool {
        let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
            n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        let hex =
            |s: &str| s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        self.expires.as_deref().is_none_or(|e| digits(e, 1..=12))
            && self.sig.as_deref().is_none_or(hex)
    }

    /// The expiry, checked against `now` before anything is looked up: cheap refusals first.
    pub fn expiry(&self, now: DateTime<Utc>) -> Result<i64, LinkProblem> {
        let (Some(expires), Some(_)) = (&self.expires, &self.sig) else {
            return Err(LinkProblem::Missing);
        };
        let t: i64 = expires.parse().map_err(|_| LinkProblem::NotValid)?;
        let now = now.timestamp();
        if t <= now {
            return Err(LinkProblem::Expired);
        }
        if t - now > MAX_LIFETIME_SECS {
            return Err(LinkProblem::TooLong);
        }
        Ok(t)
    }

    /// Checks the link for this decision and subject, at `now`.
    pub fn check(
        &self,
        key: Option<&LinkKey>,
        decision_id: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<(), LinkProblem> {
        let expires = self.expiry(now)?;
        let (Some(key), Some(sig)) = (key, &self.sig) else {
            return Err(LinkProblem::Missing);
        };
        if key.verifies(decision_id, subject, expires, sig) {
            Ok(())
        } else {
            Err(LinkProblem::NotValid)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn query(p: &str) -> LinkQuery {
        let q = p.split_once('?').unwrap().1;
        let mut out = LinkQuery::default();
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap();
            match k {
                "expires" => out.expires = Some(v.to_string()),
                "sig" => out.sig = Some(v.to_string()),
                _ => panic!("{k}"),
            }
        }
        out
    }

    #[test]
    fn a_link_opens_only_its_own_decision_for_its_own_subject_until_it_expires() {
        let key = LinkKey::new(&[7; 32]).unwrap();
        let other = LinkKey::new(&[8; 32]).unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let expires = now + chrono::Duration::minutes(15);
        let p = path(&key, "a:0190", "u-1042", expires);
        assert!(p.starts_with("/why/a:0190?expires=1800000900&sig="), "{p}");
        let q = query(&p);
        assert_eq!(q.check(Some(&key), "a:0190", "u-1042", now), Ok(()));
        let refused = [
            (
                q.check(Some(&key), "a:0191", "u-1042", now),
                LinkProblem::NotValid,
            ),
            (
                q.check(Some(&key), "a:0190", "u-1043", now),
                LinkProblem::NotValid,
            ),
            (
                q.check(Some(&other), "a:0190", "u-1042", now),
                LinkProblem::NotValid,
            ),
            (q.check(None, "a:0190", "u-1042", now), LinkProblem::Missing),
            (
                q.check(Some(&key), "a:0190", "u-1042", expires),
                LinkProblem::Expired,
            ),
        ];
        for (got, want) in refused {
            assert_eq!(got, Err(want));
        }
        // A later expiry with the old signature, or one too far ahead, is refused.
        let mut moved = query(&p);
        moved.expires = Some("1800000960".to_string());
        assert_eq!(
            moved.check(Some(&key), "a:0190", "u-1042", now),
            Err(LinkProblem::NotValid)
        );
        let far = now + chrono::Duration::seconds(MAX_LIFETIME_SECS + 1);
        let q = query(&path(&key, "a:0190", "u-1042", far));
        assert_eq!(
            q.check(Some(&key), "a:0190", "u-1042", now),
            Err(LinkProblem::TooLong)
        );
        assert_eq!(
            LinkQuery::default().check(Some(&key), "a:0190", "u-1042", now),
            Err(LinkProblem::Missing)
        );
    }
}

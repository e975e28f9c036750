//! JSON of caselock's own types, said once: serialising them cannot fail.
//!
//! `serde_json` fails only on a map with non-string keys or a `Serialize` impl that returns an
//! error; caselock's types have neither. A failure would therefore be a bug in caselock, and it
//! stops the program rather than writing (or hashing) an empty document in place of a table, a
//! decision or a report.

use serde::Serialize;

const OWN_TYPES: &str = "caselock's own types always serialise to JSON";

/// Compact JSON.
#[expect(clippy::expect_used, reason = "caselock's own types always serialise")]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect(OWN_TYPES)
}

/// Indented JSON.
#[expect(clippy::expect_used, reason = "caselock's own types always serialise")]
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect(OWN_TYPES)
}

/// Compact JSON bytes.
#[expect(clippy::expect_used, reason = "caselock's own types always serialise")]
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect(OWN_TYPES)
}

/// A JSON value.
#[expect(clippy::expect_used, reason = "caselock's own types always serialise")]
pub fn to_value<T: Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).expect(OWN_TYPES)
}

//! What a valid subject or record id is (the evaluator's `Id` holds one): a rule below both the
//! evaluator, which checks requests, and the checker, which checks the ids a test writes.
//!
//! An id that is empty, or carries leading or trailing whitespace or any control character, is
//! an input error naming the field: such an id is a fault in the calling system.

use crate::word::{below_space, none_flagged, past_printable};

/// Why a text is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// It is empty.
    Empty,
    /// It starts or ends with whitespace.
    Whitespace,
    /// It holds a control character.
    Control,
}

impl IdProblem {
    /// The problem in words, for an input error.
    pub fn describe(self) -> &'static str {
        match self {
            IdProblem::Empty => "an id may not be empty",
            IdProblem::Whitespace => "an id may not start or end with whitespace",
            IdProblem::Control => "an id may not contain control characters",
        }
    }
}

/// Whether every byte is printable ASCII (a space to a tilde), looked at eight bytes at a time
/// (a request carries several ids, and a byte at a time was a tenth of reading one).
fn printable(b: &[u8]) -> bool {
    // The high bit of a byte below a space, of a byte of 0x7f or more, or of a byte after one
    // of 0xff (which is itself flagged): exact as to whether there is any.
    let bad = |w: u64| below_space(w) | past_printable(w);
    none_flagged(b, bad, |c| !(b' '..0x7f).contains(&c))
}

/// Checks a text against the id rules: the one rule for a request's ids and a test's.
pub fn check_id(text: &str) -> Result<(), IdProblem> {
    let b = text.as_bytes();
    // The usual id: printable ASCII from end to end, nothing to look at character by character.
    if let ([first, ..], [.., last]) = (b, b) {
        if *first > b' ' && *last > b' ' && printable(b) {
            return Ok(());
        }
    }
    if text.is_empty() {
        Err(IdProblem::Empty)
    } else if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        Err(IdProblem::Whitespace)
    } else if text.chars().any(char::is_control) {
        Err(IdProblem::Control)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Eight bytes at a time, `printable` answers as looking at each byte would, whatever
        /// the length and wherever the first byte outside a space to a tilde lies.
        #[test]
        fn printable_agrees_with_each_byte_looked_at(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    0x21u8..0x7f,
                    proptest::sample::select(vec![0u8, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xc3, 0xfe, 0xff]),
                ],
                0..40,
            ),
        ) {
            let each = bytes.iter().all(|c| (b' '..0x7f).contains(c));
            proptest::prop_assert_eq!(printable(&bytes), each);
        }
    }
}

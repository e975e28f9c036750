//! What a valid subject or record id is (the evaluator's `Id` holds one): a rule below both the
//! evaluator, which checks requests, and the checker, which checks the ids a test writes.
//!
//! An id that is empty, or carries leading or trailing whitespace or any control character, is
//! an input error naming the field: such an id is a fault in the calling system.

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

/// Checks a text against the id rules: the one rule for a request's ids and a test's.
pub fn check_id(text: &str) -> Result<(), IdProblem> {
    let b = text.as_bytes();
    // The usual id: printable ASCII from end to end, nothing to look at character by character.
    if let ([first, ..], [.., last]) = (b, b) {
        if *first > b' ' && *last > b' ' && b.iter().all(|c| (b' '..0x7f).contains(c)) {
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

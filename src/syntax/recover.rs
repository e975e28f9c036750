//! Error recovery: after a failed parse, every top-level item is parsed on its own so one run
//! reports the first syntax error of each item, not just the first of the file.

use pest::Parser as _;

use super::error::{self, SyntaxError};
use super::parser::{PolicyParser, Rule};
use crate::span::FileId;

/// Words that start a top-level item when written at the start of a line.
const ITEM_STARTS: &[&str] = &[
    "policy ",
    "source ",
    "systems ",
    "updated ",
    "action ",
    "role ",
    "team ",
    "person ",
    "organisation ",
    "group ",
    "obligation ",
    "escalation ",
    "approve ",
    "unrestricted",
    "category ",
    "retention ",
    "test ",
];

/// The syntax errors of a file that failed to parse: at most one per top-level item, in order.
pub fn all_errors(file: FileId, text: &str) -> Vec<SyntaxError> {
    let starts = chunk_starts(text);
    let mut errors = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let masked = mask(text, start, end);
        if let Err(e) = PolicyParser::parse(Rule::file, &masked) {
            // A chunk that runs off its end failed where the next item begins; report it
            // there, against the real text, as a whole-file parse would have.
            let pos = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            let real = if pos >= end {
                error::from_pest_at(file, text, e, end)
            } else {
                error::from_pest(file, text, e)
            };
            errors.push(real);
        }
    }
    if errors.is_empty() {
        // The items parse alone but not together (they cannot, today); fall back to the
        // whole-file error so nothing is lost.
        if let Err(e) = PolicyParser::parse(Rule::file, text) {
            errors.push(error::from_pest(file, text, e));
        }
    }
    errors
}

/// Byte offsets where top-level items begin: lines starting, unindented, with an item word.
fn chunk_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && ITEM_STARTS.iter().any(|w| line.starts_with(w)) {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

/// The text with everything outside `start..end` blanked, newlines kept, so byte offsets in
/// errors stay those of the real file.
fn mask(text: &str, start: usize, end: usize) -> String {
    text.char_indices()
        .map(|(i, c)| {
            if (start..end).contains(&i) || c == '\n' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

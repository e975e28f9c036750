//! Error recovery: after a failed parse, every top-level item is parsed on its own so one run
//! reports the first syntax error of each item, not just the first of the file.

use pest::Parser as _;

use super::ast::File;
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
    "flag ",
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

/// The items of a file that failed to parse which parse on their own, as one tree with the
/// spans of the real text: what an editor can still resolve names in while a statement is
/// half-typed. `None` when not even that parses.
pub fn partial(file: FileId, text: &str) -> Option<File> {
    let starts = chunk_starts(text);
    let mut masked = String::with_capacity(text.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let chunk = text.get(start..end).unwrap_or("");
        // Alone, a chunk parses exactly when it parses among blanks, and costs only its length.
        if PolicyParser::parse(Rule::file, chunk).is_ok() {
            masked.push_str(chunk);
        } else {
            masked.push_str(&blank(chunk));
        }
    }
    super::parse(file, &masked).ok()
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
    let (before, rest) = text.split_at(start.min(text.len()));
    let (inside, after) = rest.split_at(end.saturating_sub(start).min(rest.len()));
    [blank(before).as_str(), inside, blank(after).as_str()].concat()
}

/// The text with every character but newlines blanked, byte for byte: a blanked `é` is two
/// spaces, so every later offset still points into the real text.
fn blank(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\n' {
                "\n"
            } else {
                &"    "[..c.len_utf8()]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_after_non_ascii_text_point_at_the_real_place() {
        let text = "policy p \"Café — résumé\"\naction view\n\ncategory c {\n  restriction universal\n  grant view to\n}\n\ncategory d {\n  grant bad bad\n}\n";
        let at: Vec<usize> = all_errors(FileId(0), text)
            .iter()
            .map(|e| e.to_diagnostic().primary.span.start as usize)
            .collect();
        let close = text.find("}\n\ncategory d").unwrap_or(0);
        let second_bad = text.rfind("bad").unwrap_or(0);
        assert_eq!(at, vec![close, second_bad]);
    }

    #[test]
    fn partial_keeps_the_items_that_parse_with_their_real_spans() {
        let text = "policy p \"Café\"\nteam a\n\ncategory c {\n  grant view to\n}\n\nteam b\n";
        let file = partial(FileId(0), text);
        let names: Vec<(String, usize)> = file
            .iter()
            .flat_map(|f| &f.items)
            .filter_map(|i| match i {
                crate::syntax::ast::Item::Decl(d) => d.entries.first(),
                _ => None,
            })
            .map(|e| (e.name.name.clone(), e.name.span.start as usize))
            .collect();
        let b = text.rfind('b').unwrap_or(0);
        assert_eq!(
            names,
            vec![
                ("a".to_string(), text.find(" a").unwrap_or(0) + 1),
                ("b".to_string(), b)
            ]
        );
    }
}

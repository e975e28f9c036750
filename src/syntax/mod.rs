//! Stage 1, syntax: text to [`ast::File`], and the formatter that turns it back into text.

pub mod ast;
mod comments;
mod error;
mod format;
pub(crate) mod keywords;
mod lower;
mod parser;
mod recover;
pub(crate) mod tokens;

pub use error::{LiteralError, ParseError, SyntaxError};
pub use format::{WIDTH, format, format_file};
pub use tokens::{TokenClass, tokens};

/// The version of the policy language this parser reads (docs/language.md). It changes only when
/// a policy that was valid before stops being read the same way.
pub const LANGUAGE_VERSION: u32 = 1;

use pest::Parser as _;

use crate::span::FileId;

/// Parses one file's text.
pub fn parse(file: FileId, text: &str) -> Result<ast::File, SyntaxError> {
    let mut pairs = parser::PolicyParser::parse(parser::Rule::file, text)
        .map_err(|e| error::from_pest(file, text, e))?;
    let root = pairs
        .next()
        .ok_or(SyntaxError::Internal(crate::span::Span::new(file, 0, 0)))?;
    lower::Lowerer::new(file).file(root, comments::scan(file, text))
}

/// The file's tree if it parses; otherwise the tree of the top-level items that parse on their
/// own (the broken ones left out), so names can still be resolved in a file being edited.
pub(crate) fn parse_lenient(file: FileId, text: &str) -> Option<ast::File> {
    match parse(file, text) {
        Ok(f) => Some(f),
        Err(SyntaxError::Parse(_)) => recover::partial(file, text),
        Err(_) => None,
    }
}

/// Every syntax error of a file: at most one grammar error per top-level item, or every
/// malformed literal; empty if the file parses.
pub fn syntax_errors(file: FileId, text: &str) -> Vec<SyntaxError> {
    match parse(file, text) {
        Ok(_) => Vec::new(),
        Err(SyntaxError::Parse(_)) => recover::all_errors(file, text),
        Err(first) => {
            let all = literal_errors(file, text);
            if all.is_empty() { vec![first] } else { all }
        }
    }
}

/// Every malformed literal of a file that follows the grammar.
fn literal_errors(file: FileId, text: &str) -> Vec<SyntaxError> {
    let Some(root) = parser::PolicyParser::parse(parser::Rule::file, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
    else {
        return Vec::new();
    };
    let lowerer = lower::Lowerer::new(file);
    let _ = lowerer.file(root, Vec::new());
    lowerer.take_literal_errors()
}

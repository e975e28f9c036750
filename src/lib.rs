//! caselock: a policy-as-code compiler and evaluator for the rules that restrict sensitive
//! social-care case records.
//!
//! The pipeline, one module per stage:
//! [`syntax`] (text to syntax tree) → [`check`] (names resolved, policy checked) →
//! [`compile`] (decision table) → [`eval`] (decisions and explanations).

pub mod analyse;
pub mod audit;
pub mod check;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod diff;
pub mod durable;
pub mod eval;
pub mod loader;
pub mod report;
pub mod serve;
pub mod span;
pub mod syntax;
pub mod testing;

use diag::Diagnostic;
use span::{FileId, SourceMap};

/// Parses and checks the files of one policy: every syntax error of every file, then (if all
/// parsed) every semantic error, sorted by place.
pub fn check_files(
    sources: &SourceMap,
    files: &[FileId],
) -> Result<check::Checked, Vec<Diagnostic>> {
    let mut asts = Vec::new();
    let mut errors = Vec::new();
    for &id in files {
        let Some(src) = sources.get(id) else { continue };
        match syntax::parse(id, &src.text) {
            Ok(f) => asts.push(f),
            Err(_) => errors.extend(
                syntax::syntax_errors(id, &src.text)
                    .iter()
                    .map(syntax::SyntaxError::to_diagnostic),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    check::check(&asts)
}

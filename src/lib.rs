//! caselock: a policy-as-code compiler and evaluator for the rules that restrict sensitive
//! social-care case records.
//!
//! The pipeline, one module per stage:
//! [`syntax`] (text to syntax tree) → [`check`] (names resolved, policy checked) →
//! [`compile`] (decision table) → [`eval`] (decisions and explanations).
//!
//! The crate root re-exports what a library user needs for that path: load policy files
//! ([`discover`] into a [`SourceMap`]), check them ([`check_files`], or [`diagnose`] for every
//! diagnostic with the analysis findings), compile ([`compile()`]) or load a compiled table
//! ([`load_table`], [`load_bundle`] to require a signature), decide ([`Decider`], [`Request`],
//! [`Decision`], [`Response`]) and compare two tables ([`diff()`]). The stage modules hold the rest
//! of what the command line, the service, the benches and the tests use; everything else is
//! private to the crate, so the compiler reports code nothing uses.

pub mod analyse;
pub mod audit;
pub mod check;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod diff;
mod digest;
mod durable;
pub mod eval;
mod json;
mod json_schema;
pub mod loader;
pub mod lsp;
pub mod mapping;
mod markdown;
pub mod policy;
pub mod report;
pub mod serve;
pub mod span;
pub mod syntax;
pub mod testing;
mod word;

pub use analyse::{SpaceTooLarge, analyse};
pub use check::Checked;
pub use compile::{Bundle, DecisionTable, TableError, compile, load_bundle, load_table};
pub use diag::Diagnostic;
pub use diff::{Diff, DiffError, diff};
pub use eval::{Audience, Decider, Decision, Request, Response};
pub use loader::{PolicyFiles, discover};
pub use span::{FileId, SourceMap, Span};

/// Parses and checks the files of one policy: every syntax error of every file, then (if all
/// parsed) every semantic error, sorted by place.
pub fn check_files(
    sources: &SourceMap,
    files: &[FileId],
) -> Result<check::Checked, Vec<Diagnostic>> {
    check::check(&parse_files(sources, files)?)
}

/// Parses the files of one policy: their trees, or every syntax error of every file.
pub fn parse_files(
    sources: &SourceMap,
    files: &[FileId],
) -> Result<Vec<syntax::ast::File>, Vec<Diagnostic>> {
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
    if errors.is_empty() {
        Ok(asts)
    } else {
        Err(errors)
    }
}

/// Every diagnostic of one policy as `caselock check` reports it: the syntax and check errors,
/// or, once it checks, the checker's warnings and the analysis findings (CL02xx), sorted by
/// place. An error only when the policy declares more names than the analysis can hold.
pub fn diagnose(
    sources: &SourceMap,
    files: &[FileId],
) -> Result<Vec<Diagnostic>, analyse::SpaceTooLarge> {
    match parse_files(sources, files) {
        Ok(trees) => diagnose_parsed(sources, &trees),
        Err(syntax_errors) => Ok(syntax_errors),
    }
}

/// [`diagnose`] for a policy whose files (in `sources`) are already parsed.
pub(crate) fn diagnose_parsed(
    sources: &SourceMap,
    trees: &[syntax::ast::File],
) -> Result<Vec<Diagnostic>, analyse::SpaceTooLarge> {
    let mut diags = match check::check(trees) {
        Ok(c) => {
            let mut d = c.warnings.clone();
            d.extend(analyse::analyse(&c, sources)?);
            d
        }
        Err(d) => d,
    };
    diag::sort(&mut diags);
    Ok(diags)
}

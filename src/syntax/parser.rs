//! The pest parser generated from `grammar/caselock.pest`; its `Rule` type stays in this crate.

use pest_derive::Parser;

/// The generated parser.
#[derive(Parser)]
#[grammar = "../grammar/caselock.pest"]
pub(crate) struct PolicyParser;

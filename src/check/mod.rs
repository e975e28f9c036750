//! Stage 2, check: syntax trees to a resolved [`model::Policy`], with every error found.

mod graph;
pub mod index;
pub mod model;
mod names;
mod resolve;
pub(crate) mod values;

pub use names::{RESERVED, SymbolKind};

use crate::diag::{self, Diagnostic};
use crate::syntax::ast;

/// A policy that passed the checks, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The resolved policy.
    pub policy: model::Policy,
    /// Warnings; they do not stop compilation.
    pub warnings: Vec<Diagnostic>,
}

/// Checks the files of one policy (exactly one of them carries the header).
///
/// Returns every error found, sorted by place, or the policy with its warnings.
pub fn check(files: &[ast::File]) -> Result<Checked, Vec<Diagnostic>> {
    let mut r = resolve::Resolver::default();
    let policy = r.policy(files);
    let mut diags = r.into_diagnostics();
    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    match policy {
        Some(policy) => Ok(Checked {
            policy,
            warnings: diags,
        }),
        None => Err(diags),
    }
}

//! Stage 2, check: syntax trees to a resolved [`crate::policy::Policy`], with every error found.

mod acting;
mod approvals;
mod categories;
mod declarations;
mod disclosure;
mod flags;
mod graph;
mod hierarchy;
pub(crate) mod index;
mod lasts;
mod names;
mod resolve;
mod restriction_rules;
mod retention;
mod shared;
mod subjects;
mod tests;
pub(crate) mod values;

pub use index::NameIndex;
pub use names::{RESERVED, SymbolKind};

use crate::diag::{self, Diagnostic};
use crate::syntax::ast;

/// CL0130: a file without its closing `end`, which is how a file cut short looks.
fn incomplete(file: &ast::File) -> Option<Diagnostic> {
    if file.end.is_some() {
        return None;
    }
    let stop = crate::span::Span::new(
        file.span.file,
        file.span.end as usize,
        file.span.end as usize,
    );
    let mut d = Diagnostic::error(
        diag::Code::IncompleteFile,
        "the file does not end with `end`: it may have been cut short",
        stop,
        "the file stops here",
    );
    if let Some(last) = file.items.last() {
        d = d.with_label(last.span(), "the last item read");
    }
    Some(d.with_help(
        "a policy file ends with a line `end`, so that a file cut short while it is written or copied is an error, not a weaker policy; add `end` after the last item",
    ))
}

pub use crate::policy::Checked;

/// Checks the files of one policy (exactly one of them carries the header).
///
/// Returns every error found, sorted by place, or the policy with its warnings.
pub fn check(files: &[ast::File]) -> Result<Checked, Vec<Diagnostic>> {
    let mut r = resolve::Resolver::default();
    let policy = r.policy(files);
    let mut diags = r.into_diagnostics();
    diags.extend(files.iter().filter_map(incomplete));
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

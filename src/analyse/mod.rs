//! Stage 5, analyse: exact questions about a compiled policy over its condition space — who a
//! rule can reach, which rules overlap, who can take an action — and the checks built on them.
//!
//! [`space`] is the engine: the space of every subject a request can describe, and regions of it
//! as binary decision diagrams. [`partition`] splits the space by outcome for one category and
//! action, as the evaluator decides. [`witness`] turns a point of the space back into a request.
//! [`analyse`] runs every check (CL02xx) on a checked policy.

mod access;
mod disclosure;
mod escalation;
mod lifecycle;
pub(crate) mod partition;
mod rules;
mod schedule;
pub(crate) mod space;
pub(crate) mod who_can;
mod widening;
pub(crate) mod witness;

pub use partition::{Cell, Decides, Outcome, Partition, decides};
pub use space::{REQUEST_RELATIONS, Region, Side, Space, SpaceTooLarge, Witness};
pub use who_can::who_can;

use crate::check::Checked;
use crate::compile::compile;
use crate::diag::Diagnostic;
use crate::span::SourceMap;
use rules::CategoryView;

/// Every analysis finding on a checked policy whose files are in `sources`, sorted by place;
/// an error only when the policy declares more names than the engine can hold.
pub fn analyse(checked: &Checked, sources: &SourceMap) -> Result<Vec<Diagnostic>, SpaceTooLarge> {
    let p = &checked.policy;
    let table = compile(checked, sources);
    let mut out = Vec::new();
    escalation::cycles(p, &mut out);
    let space = Space::new(&table)?;
    let categories = p.unrestricted.iter().chain(&p.categories);
    let tables = table.unrestricted.iter().chain(&table.categories);
    let views: Vec<CategoryView> = categories
        .zip(tables)
        .map(|(category, t)| CategoryView {
            policy: p,
            category,
            table: t,
            partitions: Partition::each_action(&space, 0, &table, t, p.actions.len()),
        })
        .collect();
    for v in &views {
        rules::conflicts(&space, v, &mut out);
        rules::reach(&space, v, &mut out);
        if !v.table.is_restriction() {
            continue;
        }
        widening::check(&space, &table, v, &mut out);
        access::locked_out(&space, v, &mut out);
        access::denied_approvers(&space, v, &mut out);
        escalation::dead_ends(&space, v, &mut out);
        lifecycle::never_lifted(v, &mut out);
        lifecycle::distinct_approvers(v, &mut out);
        lifecycle::self_approval_only(v, &mut out);
        schedule::check(p, v.category, &mut out);
    }
    p.flags.iter().for_each(|f| schedule::flag(f, &mut out));
    access::dead_actions(&space, &views, &mut out);
    disclosure::check(&space, &views, &mut out);
    crate::diag::sort(&mut out);
    Ok(out)
}

//! CL0220: a category's rule that would give someone what the unrestricted record refuses.
//!
//! The evaluator reads the unrestricted block first on a restricted record, so a restriction
//! never widens access by construction (docs/semantics.md). This check reads each category as
//! written, without that gate, and reports every allowing rule (a grant, or temporary access)
//! that reaches a subject the gate refuses: the rule never takes effect for them, which is rarely
//! what its author meant. An `exclude` category's default ("normal access") is not reported: it
//! defers to the unrestricted record by definition.

use super::partition::{Cell, Decides, Partition};
use super::rules::CategoryView;
use super::space::Space;
use crate::compile::table::{DecisionTable, Layer, RowEffect};
use crate::diag::{Code, Diagnostic};
use crate::policy::ActionId;

/// Reports each allowing rule of `v`'s category that reaches subjects the gate refuses.
pub(super) fn check(
    space: &Space,
    table: &DecisionTable,
    v: &CategoryView,
    out: &mut Vec<Diagnostic>,
) {
    let Some(unrestricted) = table.unrestricted.as_ref() else {
        return;
    };
    let mut reported: Vec<String> = Vec::new();
    for (a, gated) in v.partitions.iter().enumerate() {
        let a = a as ActionId;
        let refused = gated
            .cells
            .iter()
            .filter(|c| matches!(c.decides, Decides::Gate(_)))
            .fold(space.nobody(), |acc, c| acc.or(&c.region));
        if refused.is_empty() {
            continue;
        }
        let written = Partition::as_written(space, 0, v.table, a);
        let Some(list) = v.table.decisions.get(a as usize) else {
            continue;
        };
        for Cell { decides, region } in &written.cells {
            let Decides::Row(i) = *decides else { continue };
            let Some(row) = list.rows.get(i) else {
                continue;
            };
            let allows = row.effect == RowEffect::Allow && row.layer != Layer::Default;
            let id = row.overrides.as_deref().unwrap_or(&row.id).to_string();
            if !allows || reported.contains(&id) {
                continue;
            }
            let Some(w) = space.witness(&region.and(&refused)) else {
                continue;
            };
            reported.push(id.clone());
            let action = table
                .vocabulary
                .actions
                .get(a as usize)
                .map_or("?", |x| x.name.as_str());
            let (span, name) = v.place(row);
            let mut d = Diagnostic::warning(
                Code::RestrictionWidens,
                format!("{name} would give `{action}` to subjects the unrestricted record refuses"),
                span,
                format!("for example {}", w.describe()),
            );
            let gate_row = gated.cells.iter().find_map(|c| match c.decides {
                Decides::Gate(g) if c.region.overlaps(&region.and(&refused)) => unrestricted
                    .decisions
                    .get(a as usize)
                    .and_then(|l| l.rows.get(g)),
                _ => None,
            });
            if let Some(g) = gate_row.and_then(|g| v.policy_span(g)) {
                d = d.with_label(g, "the unrestricted record refuses them here");
            }
            out.push(d.with_help(
                "a restriction only narrows access, so this rule never reaches them; widen the `unrestricted` block if they should have access, or narrow the rule",
            ));
        }
    }
}

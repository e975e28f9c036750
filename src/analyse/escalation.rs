//! Escalation checks with petgraph: approval chains that go round in circles (CL0208), and
//! chains that never reach someone the evaluator accepts as a grant's approver, or a step
//! nobody can fill (CL0210).

use std::collections::BTreeMap;

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::rules::CategoryView;
use super::space::Space;
use crate::diag::{Code, Diagnostic};
use crate::policy::{
    Approval, Approver, ApproverPart, Atom, Chain, Condition, Policy, Purpose, Relation,
};
use crate::span::Span;

/// A chain's steps with `via` resolved to the named path's steps.
fn steps<'a>(p: &'a Policy, c: &'a Chain) -> &'a [Vec<Approver>] {
    c.via
        .and_then(|e| p.escalations.get(e as usize))
        .map_or(&c.steps, |e| &e.chain.steps)
}

/// Every chain the policy writes: named paths, approvals (policy-wide and per category) and
/// reviewers, with where each is written and what to call it.
fn chains(p: &Policy) -> Vec<(&Chain, String)> {
    let mut out: Vec<(&Chain, String)> = p
        .escalations
        .iter()
        .map(|e| (&e.chain, format!("escalation path `{}`", e.named.name)))
        .collect();
    let approval =
        |a: &'_ Approval, scope: &str| format!("the `{}` approval{scope}", a.purpose.word());
    out.extend(p.approvals.iter().map(|a| (&a.chain, approval(a, ""))));
    for c in p.unrestricted.iter().chain(&p.categories) {
        let scope = format!(" of `{}`", c.name);
        out.extend(c.approvals.iter().map(|a| (&a.chain, approval(a, &scope))));
        if let Some(r) = c.review.as_ref().and_then(|r| r.reviewer.as_ref()) {
            out.push((r, format!("the review of `{}`", c.name)));
        }
    }
    out
}

/// CL0208: the graph "approver X escalates to approver Y", over every chain, has a cycle.
pub(super) fn cycles(p: &Policy, out: &mut Vec<Diagnostic>) {
    let all = chains(p);
    // An approver is a node by what was written (`role a and owner` is one node).
    let mut nodes: BTreeMap<&[ApproverPart], NodeIndex> = BTreeMap::new();
    let mut graph: DiGraph<&Approver, ()> = DiGraph::new();
    // Which chain first wrote each edge, to point at it.
    let mut writer: BTreeMap<(NodeIndex, NodeIndex), usize> = BTreeMap::new();
    for (ci, (chain, _)) in all.iter().enumerate() {
        // A `via` chain repeats its path's edges; the path itself is checked.
        if chain.via.is_some() {
            continue;
        }
        for pair in chain.steps.windows(2) {
            for from in &pair[0] {
                for to in &pair[1] {
                    let f = *nodes
                        .entry(&from.parts)
                        .or_insert_with(|| graph.add_node(from));
                    let t = *nodes.entry(&to.parts).or_insert_with(|| graph.add_node(to));
                    if let std::collections::btree_map::Entry::Vacant(e) = writer.entry((f, t)) {
                        e.insert(ci);
                        graph.add_edge(f, t, ());
                    }
                }
            }
        }
    }
    let name_of = |n: NodeIndex| graph.node_weight(n).map_or("?".to_string(), |a| a.label(p));
    // `kosaraju_scc` keeps its own stack; a chain of any length cannot overflow ours.
    for scc in kosaraju_scc(&graph) {
        let looped = scc.len() > 1 || scc.first().is_some_and(|n| graph.contains_edge(*n, *n));
        if !looped {
            continue;
        }
        let members: std::collections::BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let mut edges: Vec<usize> = writer
            .iter()
            .filter(|((f, t), _)| members.contains(f) && members.contains(t))
            .map(|(_, c)| *c)
            .collect();
        edges.sort();
        edges.dedup();
        let Some((first, rest)) = edges.split_first() else {
            continue;
        };
        let Some((chain, name)) = all.get(*first) else {
            continue;
        };
        let mut cycle: Vec<String> = members.iter().map(|n| name_of(*n)).collect();
        if let Some(c) = cycle.first().cloned() {
            cycle.push(c);
        }
        let mut d = Diagnostic::error(
            Code::EscalationCycle,
            format!("escalation goes round in a circle: {}", cycle.join(" -> ")),
            chain.span,
            format!("{name} escalates here"),
        );
        for c in rest {
            if let Some((chain, name)) = all.get(*c) {
                d = d.with_label(chain.span, format!("{name} escalates the other way"));
            }
        }
        out.push(d.with_help("each step should hand the decision to someone more senior, once"));
    }
}

/// CL0210: an approval chain with a step nobody can fill, or an access approval that never
/// reaches someone whose approval the category's temporary access accepts.
pub(super) fn dead_ends(space: &Space, v: &CategoryView, out: &mut Vec<Diagnostic>) {
    let p = v.policy;
    for purpose in Purpose::ALL {
        let Some(approval) = p.approval(v.category, purpose) else {
            continue;
        };
        let chain_steps = steps(p, &approval.chain);
        for step in chain_steps {
            let fillable = step.iter().any(|a| {
                a.condition_atoms()
                    .any(|x| x == Atom::Relation(Relation::LineManager))
                    || !space.condition(0, v.table, 0, &a.condition).is_empty()
            });
            if !fillable {
                out.push(dead_end(
                    approval.chain.span,
                    format!(
                        "nobody can be {} in the `{}` approval of `{}`",
                        step.iter()
                            .map(|a| a.label(p))
                            .collect::<Vec<_>>()
                            .join(" or "),
                        purpose.word(),
                        v.category.name
                    ),
                    None,
                ));
            }
        }
        if purpose != Purpose::Access {
            continue;
        }
        let (Some(t), Some(last)) = (v.category.temporary.first(), chain_steps.last()) else {
            continue;
        };
        // The final approver must be able to be someone the evaluator accepts on a grant of
        // some kind.
        let accepted = v
            .category
            .temporary
            .iter()
            .flat_map(|t| &t.approved_by)
            .fold(space.nobody(), |acc, a| {
                acc.or(&approver_region(space, v, a))
            });
        let reaches = last.iter().any(|a| {
            a.condition_atoms().all(|x| matches!(x, Atom::Relation(_)))
                || approver_region(space, v, a).overlaps(&accepted)
        });
        if !reaches {
            out.push(dead_end(
                approval.chain.span,
                format!(
                    "the access approval of `{}` ends with {}, whose approval its temporary access does not accept",
                    v.category.name,
                    last.iter()
                        .map(|a| a.label(p))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                Some((t.span, "temporary access accepts only these approvers")),
            ));
        }
    }
}

/// Who can be an approver: people, roles and teams as the space has them; relations are to the
/// record, and anyone can stand in one, so they count as everyone (an approver of several parts
/// keeps its other parts).
fn approver_region(space: &Space, v: &CategoryView, a: &Approver) -> super::space::Region {
    let without_relations = Condition {
        terms: a
            .condition
            .terms
            .iter()
            .map(|t| {
                t.iter()
                    .copied()
                    .filter(|l| !matches!(l.atom, Atom::Relation(_)))
                    .collect()
            })
            .collect(),
    };
    space.condition(0, v.table, 0, &without_relations)
}

fn dead_end(span: Span, message: String, other: Option<(Span, &str)>) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::EscalationDeadEnd,
        message,
        span,
        "this escalation cannot end in a grant",
    );
    if let Some((s, m)) = other {
        d = d.with_label(s, m);
    }
    d.with_help(
        "end the chain with someone who can approve: a person or relation the category accepts",
    )
}

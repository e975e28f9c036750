//! Lifecycle checks (docs/semantics.md, "Lifecycle actions"): a restriction nobody can ever be
//! asked to lift (CL0240), a chain whose named people cannot fill its steps as different people
//! (CL0241, an exact matching), and temporary access only its own holder could approve, which
//! nobody may (CL0242).

use std::collections::BTreeSet;

use super::rules::CategoryView;
use crate::diag::{Code, Diagnostic};
use crate::policy::{Approver, Atom, Chain, Condition, Policy, Purpose, Relation};

/// CL0240: the policy says who approves placing the category but nothing about who lifts it —
/// no `approve lift`, here or for the whole policy, and no `approve lift unstated "why"` — so it
/// can be placed and every request to lift it is refused. (A policy that says nothing about any
/// lifecycle action is not asked about this one.)
pub(super) fn never_lifted(v: &CategoryView, out: &mut Vec<Diagnostic>) {
    let (p, c) = (v.policy, v.category);
    let Some(place) = p.approval(c, Purpose::Place) else {
        return;
    };
    if p.approval(c, Purpose::Lift).is_some() || p.unstated_approval(c, Purpose::Lift).is_some() {
        return;
    }
    out.push(
        Diagnostic::warning(
            Code::NeverLifted,
            format!("category `{}` can be placed but nobody can ever approve lifting it", c.name),
            c.name_span,
            "no `approve lift` for this category or the policy",
        )
        .with_label(place.span, "placing it is approved here")
        .with_help(
            "say who approves lifting (`approve lift by role service_manager`), or that the source names no one (`approve lift unstated \"why\"`)",
        ),
    );
}

/// CL0241: every step of a chain must be approved by a different person (maker-checker), so the
/// steps that only named people can fill need as many different people as there are such steps.
/// Found exactly as a bipartite matching of those steps to their people.
pub(super) fn distinct_approvers(v: &CategoryView, out: &mut Vec<Diagnostic>) {
    let p = v.policy;
    for purpose in Purpose::ALL {
        // A policy-wide approval is checked once, with the first category that uses it.
        let Some(approval) = p.approval(v.category, purpose) else {
            continue;
        };
        let own = v.category.approvals.iter().any(|a| a.purpose == purpose);
        let first_user = p
            .categories
            .iter()
            .find(|c| !c.approvals.iter().any(|a| a.purpose == purpose))
            .is_some_and(|c| c.name == v.category.name);
        if !own && !first_user {
            continue;
        }
        let steps = steps(p, &approval.chain);
        let finite: Vec<BTreeSet<u32>> = steps.iter().filter_map(|s| people(s)).collect();
        if finite.is_empty() || matched(&finite) == finite.len() {
            continue;
        }
        out.push(
            Diagnostic::error(
                Code::TooFewApprovers,
                format!(
                    "the `{}` chain needs {} different people who are named, and only {} can fill its steps",
                    purpose.word(),
                    finite.len(),
                    matched(&finite)
                ),
                approval.chain.span,
                "steps only the same people can approve",
            )
            .with_help(
                "nobody approves two steps of one chain: name more people (or a role) for one of the steps",
            ),
        );
    }
}

/// CL0242: a kind of temporary access that only its holder could approve: its approvers and the
/// people it may be given to are the same single person (the restriction's owner, or one named
/// person) — and nobody may approve their own access, so no grant of it ever counts.
pub(super) fn self_approval_only(v: &CategoryView, out: &mut Vec<Diagnostic>) {
    for t in &v.category.temporary {
        let Some(to) = &t.to else { continue };
        let approvers = Condition {
            terms: t
                .approved_by
                .iter()
                .flat_map(|a| a.condition.terms.iter().cloned())
                .collect(),
        };
        let both: Vec<Atom> = singular(&approvers)
            .intersection(&singular(to))
            .copied()
            .collect();
        if both.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::warning(
                Code::SelfApprovalOnly,
                format!(
                    "only the holder of this temporary access of `{}` could approve it, and nobody may approve their own access",
                    v.category.name
                ),
                t.span,
                "approved by and given to the same one person",
            )
            .with_help("name an approver other than the person the access is given to"),
        );
    }
}

/// A chain's steps with `via` resolved.
fn steps<'a>(p: &'a Policy, c: &'a Chain) -> &'a [Vec<Approver>] {
    c.via
        .and_then(|e| p.escalations.get(e as usize))
        .map_or(&c.steps, |e| &e.chain.steps)
}

/// The people who alone can fill a step, when every way to fill it names a person; `None` when
/// a role, team or relation can (anyone may come to hold one).
fn people(step: &[Approver]) -> Option<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for term in step.iter().flat_map(|a| &a.condition.terms) {
        let person = term.iter().find_map(|l| match (l.atom, l.negated) {
            (Atom::Person(i), false) => Some(i),
            _ => None,
        })?;
        out.insert(person);
    }
    Some(out)
}

/// The largest number of steps that distinct people can fill (Kuhn's augmenting paths).
fn matched(steps: &[BTreeSet<u32>]) -> usize {
    let mut holder: std::collections::BTreeMap<u32, usize> = std::collections::BTreeMap::new();
    let mut count = 0;
    for s in 0..steps.len() {
        let mut seen = BTreeSet::new();
        if augment(steps, s, &mut seen, &mut holder) {
            count += 1;
        }
    }
    count
}

fn augment(
    steps: &[BTreeSet<u32>],
    s: usize,
    seen: &mut BTreeSet<u32>,
    holder: &mut std::collections::BTreeMap<u32, usize>,
) -> bool {
    let Some(candidates) = steps.get(s) else {
        return false;
    };
    for &person in candidates {
        if !seen.insert(person) {
            continue;
        }
        // Bounded: each call marks a new person seen, so the depth is at most the people named.
        let free = match holder.get(&person).copied() {
            None => true,
            Some(other) => augment(steps, other, seen, holder),
        };
        if free {
            holder.insert(person, s);
            return true;
        }
    }
    false
}

/// The atoms only one person can stand for (the restriction's owner, a named person) that every
/// way of meeting a condition requires.
fn singular(c: &Condition) -> BTreeSet<Atom> {
    let mut terms = c.terms.iter().map(|t| {
        t.iter()
            .filter(|l| {
                !l.negated && matches!(l.atom, Atom::Person(_) | Atom::Relation(Relation::Owner))
            })
            .map(|l| l.atom)
            .collect::<BTreeSet<Atom>>()
    });
    let Some(first) = terms.next() else {
        return BTreeSet::new();
    };
    terms.fold(first, |acc, t| acc.intersection(&t).copied().collect())
}

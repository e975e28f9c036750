//! Checks on the rules about restrictions themselves, exact over every set of a record's facts
//! (a condition is a disjunction of terms, so two conditions hold together exactly when some
//! pair of their terms requires and excludes no fact alike): a trigger or `never restrict` whose
//! condition can never hold (CL0245), a trigger that a `never restrict` forbids for some record
//! (CL0246), and two triggers that require categories an `exclusive` forbids together (CL0247).

use crate::diag::{Code, Diagnostic};
use crate::policy::{FactSet, Policy, fact_bit};

/// Every finding on the policy's rules about restrictions.
pub(super) fn check(p: &Policy, out: &mut Vec<Diagnostic>) {
    let r = &p.restriction_rules;
    for t in &r.triggers {
        if t.when.witness().is_none() {
            out.push(never_holds("trigger", t.span));
        }
    }
    for n in &r.never {
        if n.when.witness().is_none() {
            out.push(never_holds("never restrict", n.span));
        }
    }
    for t in &r.triggers {
        for n in r.never.iter().filter(|n| n.covers(&t.category)) {
            if let Some(facts) = t.when.overlap(&n.when) {
                out.push(
                    Diagnostic::warning(
                        Code::TriggerForbidden,
                        format!(
                            "a record with {} must be restricted under `{}`, and may not be",
                            facts_text(p, facts),
                            t.category
                        ),
                        t.span,
                        "this trigger requires the restriction",
                    )
                    .with_label(n.span, "this rule forbids it")
                    .with_help(
                        "narrow one of the conditions (`and not FACT`) so that no record meets both",
                    ),
                );
            }
        }
    }
    for (i, a) in r.triggers.iter().enumerate() {
        for b in r.triggers.iter().skip(i + 1) {
            if a.category == b.category {
                continue;
            }
            let Some(e) = r
                .exclusive
                .iter()
                .find(|e| e.categories.contains(&a.category) && e.categories.contains(&b.category))
            else {
                continue;
            };
            if let Some(facts) = a.when.overlap(&b.when) {
                out.push(
                    Diagnostic::warning(
                        Code::TriggerExclusive,
                        format!(
                            "a record with {} must be restricted under both `{}` and `{}`, which may not be combined",
                            facts_text(p, facts),
                            a.category,
                            b.category
                        ),
                        b.span,
                        "this trigger requires the second",
                    )
                    .with_label(a.span, "this trigger requires the first")
                    .with_label(e.span, "this rule forbids the two together")
                    .with_help(
                        "narrow one trigger's condition (`and not FACT`) so that no record meets both",
                    ),
                );
            }
        }
    }
}

fn never_holds(statement: &str, span: crate::span::Span) -> Diagnostic {
    Diagnostic::error(
        Code::TriggerNeverHolds,
        format!("this `{statement}` statement's condition can never hold"),
        span,
        "every alternative requires a fact and its absence",
    )
    .with_help("remove the contradiction (`FACT and not FACT`), or the statement")
}

/// "facts `a`, `b`", or "no facts".
fn facts_text(p: &Policy, facts: FactSet) -> String {
    let names: Vec<String> = p
        .facts
        .iter()
        .enumerate()
        .filter(|(i, _)| facts & fact_bit(*i as u32) != 0)
        .map(|(_, f)| format!("`{}`", f.name))
        .collect();
    if names.is_empty() {
        "no facts".to_string()
    } else {
        format!("the facts {}", names.join(", "))
    }
}

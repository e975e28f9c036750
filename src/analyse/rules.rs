//! Rule checks over each category's partitions: conflicting rules of equal precedence
//! (CL0201), rules that never decide (CL0202), and rules whose removal changes no decision
//! (CL0203).

use std::collections::BTreeMap;

use super::partition::Partition;
use super::space::{Region, Space};
use crate::compile::table::{CategoryTable, Layer, Row, RowEffect};
use crate::diag::{Code, Diagnostic};
use crate::policy::{ActionId, Category, Policy};
use crate::span::Span;

/// One category's partitions, one per action, with its rules' rows.
pub(super) struct CategoryView<'a> {
    pub(super) policy: &'a Policy,
    pub(super) category: &'a Category,
    pub(super) table: &'a CategoryTable,
    pub(super) partitions: Vec<Partition>,
}

impl CategoryView<'_> {
    fn rows(&self, action: ActionId) -> &[Row] {
        self.table
            .decisions
            .get(action as usize)
            .map_or(&[], |l| l.rows.as_slice())
    }

    /// Where a row is written, and how to name it in a label.
    pub(super) fn place(&self, row: &Row) -> (Span, String) {
        if let Some(rule) = row.rule.and_then(|i| self.rule(i)) {
            return (rule.span, format!("rule `{}`", rule.id));
        }
        match row.layer {
            Layer::NamedExclusion => (
                self.category.span,
                "the record's exclusion list (`named_deny`)".into(),
            ),
            Layer::Temporary | Layer::TemporaryOverride => (
                self.category
                    .temporary
                    .first()
                    .map_or(self.category.span, |t| t.span),
                "temporary access".into(),
            ),
            _ => (
                self.category.span,
                format!(
                    "the category's default (`restriction {}`)",
                    match self.category.restriction {
                        crate::policy::RestrictionType::Universal => "universal",
                        crate::policy::RestrictionType::Exclude => "exclude",
                    }
                ),
            ),
        }
    }

    fn rule(&self, index: u32) -> Option<&crate::policy::Rule> {
        self.category.rules.get(index as usize)
    }

    /// Where a row of the unrestricted block is written: its rule, or the block itself for the
    /// built-in rows.
    pub(super) fn policy_span(&self, row: &Row) -> Option<Span> {
        let u = self.policy.unrestricted.as_ref()?;
        Some(
            row.rule
                .and_then(|i| u.rules.get(i as usize))
                .map_or(u.span, |r| r.span),
        )
    }

    fn action_name(&self, a: ActionId) -> &str {
        self.policy
            .actions
            .get(a as usize)
            .map_or("?", |n| n.name.as_str())
    }
}

/// A row's outcome for comparing rules: allow, view, obligations, temporary.
/// Whether two rows give the same response: decision, view, kind of deny, whether nothing
/// overrides it (which decides what a refused person is told about temporary access),
/// obligations, and whether the allow rests on a temporary grant.
fn same_outcome(a: &Row, b: &Row) -> bool {
    let temporary = |r: &Row| matches!(r.layer, Layer::Temporary | Layer::TemporaryOverride);
    let not_permitted = |r: &Row| r.layer == Layer::Default;
    let absolute = |r: &Row| matches!(r.layer, Layer::AbsoluteDeny | Layer::NamedExclusion);
    a.effect == b.effect
        && a.view == b.view
        && a.obligations == b.obligations
        && temporary(a) == temporary(b)
        && (a.effect == RowEffect::Allow
            || (not_permitted(a) == not_permitted(b) && absolute(a) == absolute(b)))
}

/// CL0202 and CL0203 for one category.
pub(super) fn reach(space: &Space, v: &CategoryView, out: &mut Vec<Diagnostic>) {
    // For each rule: whether any of its rows decides anything, per action.
    let mut decides: BTreeMap<u32, bool> = BTreeMap::new();
    for (a, part) in v.partitions.iter().enumerate() {
        for (i, row) in v.rows(a as ActionId).iter().enumerate() {
            if let Some(rule) = row.rule {
                let live = part.row(i).is_some_and(|r| !r.is_empty());
                *decides.entry(rule).or_default() |= live;
            }
        }
    }
    for (rule, index) in v.category.rules.iter().zip(0u32..) {
        match decides.get(&index) {
            Some(false) => out.push(unreachable(space, v, rule, index)),
            Some(true) => {
                if let Some(d) = redundant(v, rule, index) {
                    out.push(d);
                }
            }
            None => {}
        }
    }
}

fn unreachable(
    space: &Space,
    v: &CategoryView,
    rule: &crate::policy::Rule,
    index: u32,
) -> Diagnostic {
    let Some(a) = rule
        .actions
        .iter()
        .find(|a| (*a as usize) < v.partitions.len())
    else {
        return Diagnostic::error(Code::UnreachableRule, "", rule.span, "");
    };
    let rows = v.rows(a);
    let own = rows
        .iter()
        .position(|r| r.rule == Some(index) && r.layer != Layer::TemporaryOverride);
    let region = own
        .and_then(|i| rows.get(i))
        .map(|r| {
            space
                .condition(0, v.table, a, &r.condition)
                .and(&space.known(0))
        })
        .unwrap_or_else(|| space.nobody());
    let mut d = Diagnostic::error(
        Code::UnreachableRule,
        format!("rule `{}` never decides any request", rule.id),
        rule.span,
        "this rule never applies",
    );
    if region.is_empty() {
        return d
            .with_note(format!(
                "its subjects ({}) match nobody a request can describe on a `{}` record",
                rule.subjects_text, v.category.name
            ))
            .with_help("check the rule's conditions: they contradict each other or the category");
    }
    // The earlier rows that take its subjects: one that covers it all if there is one, else
    // every earlier row that takes some.
    let earlier: Vec<&Row> = rows
        .iter()
        .take(own.unwrap_or(0))
        .filter(|r| {
            space
                .condition(0, v.table, a, &r.condition)
                .overlaps(&region)
        })
        .collect();
    let covering = earlier
        .iter()
        .find(|r| space.condition(0, v.table, a, &r.condition).covers(&region));
    let shown: Vec<&Row> = match covering {
        Some(r) => vec![*r],
        None => earlier,
    };
    let mut seen: Vec<Span> = Vec::new();
    for r in shown {
        let (span, name) = v.place(r);
        if seen.iter().any(|s| s.same_place(&span)) {
            continue;
        }
        seen.push(span);
        d = d.with_label(
            span,
            format!(
                "{name} decides every `{}` request it would",
                v.action_name(a)
            ),
        );
    }
    d.with_help("remove the rule, or narrow the rules above it that take its subjects")
}

/// CL0203: removing the rule changes no decision for any action it covers.
fn redundant(v: &CategoryView, rule: &crate::policy::Rule, index: u32) -> Option<Diagnostic> {
    let mut takers: Vec<&Row> = Vec::new();
    for a in rule.actions.iter() {
        let part = v.partitions.get(a as usize)?;
        let rows = v.rows(a);
        for (i, row) in rows.iter().enumerate() {
            if row.rule != Some(index) {
                continue;
            }
            let mut remaining: Region = part.row(i)?.clone();
            for (j, later) in rows.iter().enumerate().skip(i + 1) {
                if remaining.is_empty() {
                    break;
                }
                if later.rule == Some(index) {
                    continue;
                }
                let Some(cond) = part.condition(j) else {
                    continue;
                };
                if remaining.overlaps(cond) {
                    if !same_outcome(row, later) {
                        return None;
                    }
                    if !takers
                        .iter()
                        .any(|t| t.id == later.id && t.layer == later.layer)
                    {
                        takers.push(later);
                    }
                    remaining = remaining.minus(cond);
                }
            }
        }
    }
    let mut d = Diagnostic::warning(
        Code::RedundantRule,
        format!(
            "rule `{}` is redundant: removing it changes no decision",
            rule.id
        ),
        rule.span,
        "every request this rule decides would be decided the same way without it",
    );
    let mut seen: Vec<Span> = Vec::new();
    for t in takers {
        let (span, name) = v.place(t);
        if seen.iter().any(|s| s.same_place(&span)) {
            continue;
        }
        seen.push(span);
        d = d.with_label(span, format!("{name} already decides the same way"));
    }
    Some(d.with_help("remove the rule, or change it if it was meant to say something else"))
}

/// CL0201: two rules of equal precedence that partly overlap and say different things, so
/// source order silently decides between them.
pub(super) fn conflicts(space: &Space, v: &CategoryView, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<(String, String)> = Vec::new();
    for (a, part) in v.partitions.iter().enumerate() {
        let a = a as ActionId;
        let rows = v.rows(a);
        for (i, first) in rows.iter().enumerate() {
            if !matches!(
                first.layer,
                Layer::AbsoluteDeny | Layer::Deny | Layer::Grant
            ) {
                continue;
            }
            let Some(cell) = part.row(i).filter(|c| !c.is_empty()) else {
                continue;
            };
            let Some(first_cond) = part.condition(i) else {
                continue;
            };
            for (j, second) in rows.iter().enumerate().skip(i + 1) {
                if second.layer != first.layer
                    || same_outcome(first, second)
                    || reported.contains(&(first.id.clone(), second.id.clone()))
                {
                    continue;
                }
                let Some(second_cond) = part.condition(j) else {
                    continue;
                };
                let overlap = cell.and(second_cond);
                // A rule inside the other is a deliberate special case (or, the other way
                // round, unreachable: CL0202); only a partial overlap leaves order to decide.
                if overlap.is_empty()
                    || first_cond.covers(second_cond)
                    || second_cond.covers(first_cond)
                {
                    continue;
                }
                let Some(w) = space.witness(&overlap) else {
                    continue;
                };
                reported.push((first.id.clone(), second.id.clone()));
                let (first_span, first_name) = v.place(first);
                let (second_span, _) = v.place(second);
                let what = match first.layer {
                    Layer::Grant => "different obligations",
                    _ => "different views for the refused person",
                };
                out.push(
                    Diagnostic::warning(
                        Code::ConflictingRules,
                        format!(
                            "rules `{}` and `{}` overlap with {what}: for `{}`, {} gets the earlier one",
                            first.id,
                            second.id,
                            v.action_name(a),
                            w.describe()
                        ),
                        second_span,
                        "this rule loses where the two overlap",
                    )
                    .with_label(first_span, format!("{first_name} wins where they overlap"))
                    .with_help(
                        "make the rules' subjects disjoint (add `and not ...`), or make them say the same thing",
                    ),
                );
            }
        }
    }
}

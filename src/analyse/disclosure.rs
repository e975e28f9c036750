//! CL0230 and CL0231: what a refused person is told must not tell them what the policy keeps
//! from them (docs/semantics.md, "Disclosure").
//!
//! For each action, every refusal a category gives is read off its partition: the cells whose
//! deny row decides someone. A category that does not disclose its title is *concealed*; for the
//! caller it refuses, its response must be the generic refusal (CL0230), field by field, and two
//! concealed categories refusing the same caller must show the same view (CL0230 with both). A
//! category that does not disclose `exclusion` must answer a person on the record's exclusion
//! list as it answers some other person it refuses (CL0231). The responses compared are the
//! evaluator's own (`eval::refusal`), so what is proved is what is said.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::partition::Decides;
use super::rules::CategoryView;
use super::space::{Region, Space};
use crate::compile::table::{Layer, RowEffect};
use crate::diag::{Code, Diagnostic};
use crate::eval::{Refusal, Shown, refusal};
use crate::policy::ActionId;

/// One category's refusal of some callers for one action.
struct Refused<'v> {
    view: &'v CategoryView<'v>,
    layer: Layer,
    refusal: Refusal,
    region: Region,
}

/// Reports every side channel in what refused people are told.
pub(super) fn check(space: &Space, views: &[CategoryView], out: &mut Vec<Diagnostic>) {
    let actions = views.first().map_or(0, |v| v.partitions.len());
    let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    for a in 0..actions {
        let a = a as ActionId;
        let refusals: Vec<Refused> = views
            .iter()
            .filter(|v| v.table.is_restriction())
            .flat_map(|v| refusals(v, a))
            .collect();
        // A refusal with view `none` tells nothing, not even that there is a record.
        let concealed: Vec<&Refused> = refusals
            .iter()
            .filter(|r| !r.view.table.disclose.title && r.refusal.view != Shown::None)
            .collect();
        for r in &concealed {
            if let Some(field) = r.refusal.identifies() {
                let key = (r.view.table.name.clone(), field.to_string());
                if reported.insert(key) {
                    out.push(unlike_generic(space, r, field, a));
                }
            }
        }
        // Refusals that are equal never differ: each is compared with the distinct ones once,
        // and two pairs of distinct refusals are compared once.
        let mut distinct: Vec<&Refusal> = Vec::new();
        let class: Vec<usize> = concealed
            .iter()
            .map(|r| {
                distinct
                    .iter()
                    .position(|d| **d == r.refusal)
                    .unwrap_or_else(|| {
                        distinct.push(&r.refusal);
                        distinct.len() - 1
                    })
            })
            .collect();
        let mut differs: HashMap<(usize, usize), Option<&'static str>> = HashMap::new();
        for (i, x) in concealed.iter().enumerate() {
            for (j, y) in concealed.iter().enumerate().skip(i + 1) {
                if class[i] == class[j] {
                    continue;
                }
                // One view per category: comparing views is comparing categories, and a pair
                // already reported is skipped before its refusals are compared (a generated
                // 10,000-rule policy spent most of its analysis here comparing names).
                let pair = (view_id(x.view), view_id(y.view));
                if pair.0 == pair.1 || pairs.contains(&pair) {
                    continue;
                }
                let Some(field) = *differs
                    .entry((class[i], class[j]))
                    .or_insert_with(|| x.refusal.differs(&y.refusal))
                else {
                    continue;
                };
                let both = x.region.and(&y.region);
                if both.is_empty() {
                    continue;
                }
                pairs.insert(pair);
                out.push(pair_differs(space, x, y, field, &both, a));
            }
        }
        for v in views
            .iter()
            .filter(|v| v.table.is_restriction() && !v.table.disclose.exclusion)
        {
            let mine: Vec<&Refused> = refusals
                .iter()
                .filter(|r| std::ptr::eq(r.view, v))
                .collect();
            let Some(excluded) = mine.iter().find(|r| r.layer == Layer::NamedExclusion) else {
                continue;
            };
            let others: Vec<&&Refused> = mine
                .iter()
                .filter(|r| r.layer != Layer::NamedExclusion)
                .collect();
            let Some(first) = others.first() else {
                // Nobody else is refused: being refused is itself what the exclusion does.
                continue;
            };
            if others
                .iter()
                .any(|o| o.refusal.differs(&excluded.refusal).is_none())
            {
                continue;
            }
            let field = first
                .refusal
                .differs(&excluded.refusal)
                .unwrap_or("reasons");
            let key = (v.table.name.clone(), "exclusion".to_string());
            if reported.insert(key) {
                out.push(exclusion_told(space, excluded, first, field, a));
            }
        }
    }
}

/// A category's view by its place in memory: every category has exactly one.
fn view_id(v: &CategoryView<'_>) -> usize {
    std::ptr::from_ref(v) as usize
}

/// The refusals of `v` for action `a`, one per deny row that decides someone.
fn refusals<'v>(v: &'v CategoryView<'v>, a: ActionId) -> Vec<Refused<'v>> {
    let (Some(part), Some(list)) = (
        v.partitions.get(a as usize),
        v.table.decisions.get(a as usize),
    ) else {
        return Vec::new();
    };
    part.cells
        .iter()
        .filter_map(|cell| {
            let Decides::Row(i) = cell.decides else {
                return None;
            };
            let row = list.rows.get(i)?;
            (row.effect == RowEffect::Deny && !cell.region.is_empty()).then(|| Refused {
                view: v,
                layer: row.layer,
                // With the owner named, a category that discloses its contact without naming
                // one tells the owner: the stricter of the two cases.
                refusal: refusal(v.table, row, a, true),
                region: cell.region.clone(),
            })
        })
        .collect()
}

fn action_name(v: &CategoryView, a: ActionId) -> String {
    v.policy
        .actions
        .get(a as usize)
        .map_or_else(|| "?".to_string(), |n| n.name.clone())
}

fn example(space: &Space, region: &Region) -> String {
    space
        .witness(region)
        .map_or_else(|| "a subject".to_string(), |w| w.describe())
}

fn unlike_generic(space: &Space, r: &Refused, field: &str, a: ActionId) -> Diagnostic {
    let name = &r.view.table.name;
    Diagnostic::warning(
        Code::DisclosureSideChannel,
        format!("a refusal by `{name}` differs from a concealed refusal in `{field}`, so it identifies the category its title conceals"),
        r.view.category.name_span,
        format!("`{name}` does not disclose its title"),
    )
    .with_note(format!(
        "for example {}, refused `{}`",
        example(space, &r.region),
        action_name(r.view, a)
    ))
    .with_help(format!(
        "disclose the category's title as well (`disclose title, ...`), or stop disclosing what fills `{field}` for it"
    ))
}

fn pair_differs(
    space: &Space,
    x: &Refused,
    y: &Refused,
    field: &str,
    both: &Region,
    a: ActionId,
) -> Diagnostic {
    Diagnostic::warning(
        Code::DisclosureSideChannel,
        format!(
            "refusals by concealed categories `{}` and `{}` differ in `{field}`, so it tells them apart",
            x.view.table.name, y.view.table.name,
        ),
        x.view.category.name_span,
        "refuses one way",
    )
    .with_label(y.view.category.name_span, "refuses another")
    .with_note(format!(
        "for example {}, refused `{}` on a record of either",
        example(space, both),
        action_name(x.view, a)
    ))
    .with_help(format!(
        "give both the same `{field}` (the same view, contact, approvers, temporary access and notice), or disclose their titles"
    ))
}

fn exclusion_told(
    space: &Space,
    excluded: &Refused,
    other: &Refused,
    field: &str,
    a: ActionId,
) -> Diagnostic {
    let name = &excluded.view.table.name;
    Diagnostic::warning(
        Code::ExclusionTold,
        format!("a person on the exclusion list of a `{name}` record is told something no other refused person is (`{field}`), so they learn that they are named"),
        excluded.view.category.name_span,
        format!("`{name}` does not disclose `exclusion`"),
    )
    .with_note(format!(
        "for example {} is refused `{}` differently from {}",
        example(space, &excluded.region),
        action_name(excluded.view, a),
        example(space, &other.region)
    ))
    .with_help(
        "disclose `exclusion` if the policy lets excluded people know, or stop disclosing `reason` for the category so every refusal reads alike",
    )
}

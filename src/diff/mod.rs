//! Semantic diff of two compiled policies: who gains and who loses access, exactly.
//!
//! Both tables are read into one condition space ([`crate::analyse::Space::joint`]), so a role,
//! team, organisation or person of the same name is the same variable on both sides. For every
//! category and action both sides have, each side's decision list partitions the space by the
//! row that decides; every pair of cells whose outcomes differ and whose regions meet is a
//! change, reported with a concrete witness request and the deciding rule on each side. Rule ids,
//! order, formatting, group names and how conditions are split across rules play no part, so a
//! change that keeps every decision is no change.

mod render;
mod restriction_rules;
pub(crate) mod settings;

use serde::Serialize;

use crate::analyse::partition::{self, Decides, Outcome, Partition};
use crate::analyse::{Space, SpaceTooLarge};
use crate::compile::table::{CategoryTable, DecisionTable};
use crate::eval::Decider;
use crate::eval::decision::{Basis, CategoryRef, Decision};
use crate::eval::request::Request;
use crate::policy::{ActionId, View};

pub use render::{DiffFormat, render};
pub use restriction_rules::{RestrictionRuleChange, RuleChangeKind};
pub use settings::SettingChange;

/// Why two tables could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The two policies together name more than the condition engine handles.
    #[error(transparent)]
    TooLarge(#[from] SpaceTooLarge),
}

/// Which policy a [`Diff`] side is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// The policy id.
    pub id: String,
    /// Its version, if given.
    pub version: Option<u32>,
    /// SHA-256 of its sources.
    pub source_hash: String,
}

/// What changed between two policies; empty when they decide every request alike.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The old policy.
    pub old: PolicyRef,
    /// The new policy.
    pub new: PolicyRef,
    /// Categories only the new policy has (`unrestricted` for the unrestricted block).
    pub categories_added: Vec<String>,
    /// Categories only the old policy has.
    pub categories_removed: Vec<String>,
    /// Actions only the new policy declares.
    pub actions_added: Vec<String>,
    /// Actions only the old policy declares.
    pub actions_removed: Vec<String>,
    /// Regions of the condition space whose decision changed.
    pub decisions: Vec<DecisionChange>,
    /// Category settings that changed.
    pub settings: Vec<SettingChange>,
    /// Flags only the new policy declares.
    pub flags_added: Vec<String>,
    /// Flags only the old policy declares.
    pub flags_removed: Vec<String>,
    /// Flags on both sides whose duty or review changed (a flag decides nothing, so these are
    /// its only changes).
    pub flag_settings: Vec<SettingChange>,
    /// Policy-wide settings that changed: who may approve a deputy acting for a colleague, and
    /// for how long (`category` is `policy`). Left out when none changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_settings: Vec<SettingChange>,
    /// Facts only the new policy declares (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts_added: Vec<String>,
    /// Facts only the old policy declares (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts_removed: Vec<String>,
    /// What records must, must not, or may not together carry, where it changed, each with a
    /// record's facts as its witness (left out when nothing changed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restriction_rules: Vec<RestrictionRuleChange>,
}

impl Diff {
    /// Whether the two policies mean the same.
    pub fn is_empty(&self) -> bool {
        self.categories_added.is_empty()
            && self.categories_removed.is_empty()
            && self.actions_added.is_empty()
            && self.actions_removed.is_empty()
            && self.decisions.is_empty()
            && self.settings.is_empty()
            && self.flags_added.is_empty()
            && self.flags_removed.is_empty()
            && self.flag_settings.is_empty()
            && self.policy_settings.is_empty()
            && self.facts_added.is_empty()
            && self.facts_removed.is_empty()
            && self.restriction_rules.is_empty()
    }
}

/// How a decision changed for the subjects of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Refused before, allowed now.
    Gain,
    /// Allowed before, refused now.
    Loss,
    /// Same allow or deny; what is seen, the obligations or the reliance on temporary access
    /// changed.
    Other,
}

/// One side's decision for a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideDecision {
    /// `allow` or `deny`.
    pub decision: &'static str,
    /// What the subject sees.
    pub view: &'static str,
    /// The obligations' names.
    pub obligations: Vec<String>,
    /// Whether the allow rests on a temporary grant.
    pub temporary: bool,
    /// The deciding rule's id (`None` when the side fails closed).
    pub rule: Option<String>,
    /// Where the deciding rule is written.
    pub source: Option<String>,
}

/// A region of subjects whose decision on one category and action changed.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionChange {
    /// The category (`unrestricted` for a record with no restriction).
    pub category: String,
    /// The action.
    pub action: String,
    /// Gain, loss or other.
    pub kind: ChangeKind,
    /// The old decision.
    pub old: SideDecision,
    /// The new decision.
    pub new: SideDecision,
    /// The witness in plain words.
    pub witness: String,
    /// A request that the two sides decide as `old` and `new` say.
    pub request: Request,
}

/// Compares two compiled policies.
pub fn diff(old: &DecisionTable, new: &DecisionTable) -> Result<Diff, DiffError> {
    let space = Space::joint(&[old, new])?;
    let deciders = [Decider::new(old), Decider::new(new)];
    let tables = [old, new];
    let names = |t: &DecisionTable| -> Vec<String> {
        t.unrestricted
            .iter()
            .chain(&t.categories)
            .map(|c| c.name.clone())
            .collect()
    };
    let (old_cats, new_cats) = (names(old), names(new));
    let actions = |t: &DecisionTable| -> Vec<String> {
        t.vocabulary
            .actions
            .iter()
            .map(|a| a.name.clone())
            .collect()
    };
    let (old_actions, new_actions) = (actions(old), actions(new));
    let flags = |t: &DecisionTable| -> Vec<String> {
        t.vocabulary.flags.iter().map(|f| f.name.clone()).collect()
    };
    let (old_flags, new_flags) = (flags(old), flags(new));
    let facts = |t: &DecisionTable| -> Vec<String> {
        t.vocabulary.facts.iter().map(|f| f.name.clone()).collect()
    };
    let (old_facts, new_facts) = (facts(old), facts(new));
    let mut d = Diff {
        old: policy_ref(old),
        new: policy_ref(new),
        categories_added: only_in(&new_cats, &old_cats),
        categories_removed: only_in(&old_cats, &new_cats),
        actions_added: only_in(&new_actions, &old_actions),
        actions_removed: only_in(&old_actions, &new_actions),
        decisions: Vec::new(),
        settings: Vec::new(),
        flags_added: only_in(&new_flags, &old_flags),
        flags_removed: only_in(&old_flags, &new_flags),
        flag_settings: Vec::new(),
        policy_settings: settings::compare_acting(old, new),
        facts_added: only_in(&new_facts, &old_facts),
        facts_removed: only_in(&old_facts, &new_facts),
        restriction_rules: restriction_rules::compare(old, new),
    };
    for name in old_flags.iter().filter(|n| new_flags.contains(n)) {
        if let (Some((_, fo)), Some((_, fn_))) = (old.flag(name), new.flag(name)) {
            d.flag_settings
                .extend(settings::compare_flags((old, fo), (new, fn_)));
        }
    }
    for name in old_cats.iter().filter(|n| new_cats.contains(n)) {
        let (Some(co), Some(cn)) = (category(old, name), category(new, name)) else {
            continue;
        };
        let same_holders = same_temporary_holders(&space, co, cn);
        d.settings
            .extend(settings::compare((old, co), (new, cn), same_holders));
        // Same names and same rows decide alike: skip the engine for untouched categories.
        // (Who may act for a colleague decides the requests that act for someone, in every
        // category.)
        let same_acting = old.acting.len() == new.acting.len()
            && old
                .acting
                .iter()
                .zip(&new.acting)
                .all(|(a, b)| a.max == b.max && a.approved_by == b.approved_by);
        if old.vocabulary == new.vocabulary && same_acting && same_decisions(co, cn) {
            continue;
        }
        for (ao, action) in old_actions.iter().enumerate() {
            let Some(an) = new_actions.iter().position(|a| a == action) else {
                continue;
            };
            let cats = [co, cn];
            let ids = [ao as ActionId, an as ActionId];
            let parts = [
                Partition::new(&space, 0, old, co, ids[0]),
                Partition::new(&space, 1, new, cn, ids[1]),
            ];
            // Outcomes first: most pairs of outcomes never meet, and only those that do are
            // refined into the rows that decide them.
            let outcomes = [
                parts[0].by_outcome(old, co, ids[0]),
                parts[1].by_outcome(new, cn, ids[1]),
            ];
            for (o0, r0) in &outcomes[0] {
                for (o1, r1) in &outcomes[1] {
                    if o0 == o1 || !r0.overlaps(r1) {
                        continue;
                    }
                    for c0 in parts[0].cells.iter().filter(|c| c.region.overlaps(r0)) {
                        if partition::outcome(old, co, ids[0], c0.decides) != *o0 {
                            continue;
                        }
                        for c1 in parts[1].cells.iter().filter(|c| c.region.overlaps(r1)) {
                            if partition::outcome(new, cn, ids[1], c1.decides) != *o1 {
                                continue;
                            }
                            let region = c0.region.and(&c1.region);
                            let Some(w) = space.witness(&region) else {
                                continue;
                            };
                            let cells = [(c0.decides, o0), (c1.decides, o1)];
                            let side = |s: usize| {
                                side_decision(tables[s], cats[s], ids[s], cells[s].0, cells[s].1)
                            };
                            let request =
                                witness_request(&space, &tables, &cats, action, &w, &deciders);
                            d.decisions.push(DecisionChange {
                                category: name.clone(),
                                action: action.clone(),
                                kind: kind(o0, o1),
                                old: side(0),
                                new: side(1),
                                witness: w.describe(),
                                request,
                            });
                        }
                    }
                }
            }
        }
    }
    // Category order, then action order (as found), then gains, losses, other changes.
    let position = |list: &[String], x: &str| list.iter().position(|y| y == x);
    d.decisions.sort_by_key(|c| {
        (
            position(&old_cats, &c.category),
            position(&old_actions, &c.action),
            c.kind,
        )
    });
    Ok(d)
}

/// The request for a witness, built for the side that makes it decide as the partition says.
///
/// Each side builds a temporary grant with an approver it accepts; the new side's request is
/// used unless only the old side's realises the difference.
fn witness_request(
    space: &Space,
    tables: &[&DecisionTable; 2],
    cats: &[&CategoryTable; 2],
    action: &str,
    w: &crate::analyse::Witness,
    deciders: &[Decider; 2],
) -> Request {
    let new_side = space.request(tables[1], cats[1], action, w);
    if decides_differently(deciders, tables, &new_side) {
        return new_side;
    }
    let old_side = space.request(tables[0], cats[0], action, w);
    if decides_differently(deciders, tables, &old_side) {
        old_side
    } else {
        new_side
    }
}

/// Whether the two sides decide a request differently (allow, view, obligations, temporary).
pub fn decides_differently(
    deciders: &[Decider; 2],
    tables: &[&DecisionTable; 2],
    req: &Request,
) -> bool {
    let a = decided(tables[0], &deciders[0].decide(req));
    let b = decided(tables[1], &deciders[1].decide(req));
    a != b
}

/// A decision as the diff compares them: the deciding row's outcome, as the partition reads it.
fn decided(table: &DecisionTable, d: &Decision) -> Outcome {
    let row = match d.basis {
        Basis::Row {
            category,
            action,
            row,
        } => match category {
            CategoryRef::Unrestricted => table.unrestricted.as_ref(),
            CategoryRef::Category(i) => table.categories.get(i as usize),
        }
        .map(|c| partition::outcome(table, c, action, Decides::Row(row as usize))),
        Basis::FailClosed(_) | Basis::Change(_) => None,
    };
    row.unwrap_or(Outcome {
        allow: false,
        view: View::None,
        deny_kind: Some(crate::eval::DenyKind::NotPermitted),
        obligations: Vec::new(),
        temporary: false,
    })
}

fn side_decision(
    table: &DecisionTable,
    c: &CategoryTable,
    action: ActionId,
    decides: Decides,
    o: &Outcome,
) -> SideDecision {
    let row = partition::deciding_row(table, c, action, decides);
    SideDecision {
        decision: if o.allow { "allow" } else { "deny" },
        view: o.view.word(),
        obligations: o.obligations.clone(),
        temporary: o.temporary,
        rule: row.map(|r| r.id.clone()),
        source: row.map(|r| r.source.clone()),
    }
}

fn kind(old: &Outcome, new: &Outcome) -> ChangeKind {
    match (old.allow, new.allow) {
        (false, true) => ChangeKind::Gain,
        (true, false) => ChangeKind::Loss,
        _ => ChangeKind::Other,
    }
}

/// Whether both sides let exactly the same subjects hold each kind of temporary access to a
/// category.
fn same_temporary_holders(space: &Space, old: &CategoryTable, new: &CategoryTable) -> bool {
    let holders = |side: usize, c: &CategoryTable| {
        c.temporary
            .iter()
            .map(|t| {
                let region = match (&t.to, t.actions.first()) {
                    (Some(to), Some(a)) => space.condition(side, c, *a, to),
                    _ => space.everyone(),
                };
                (t.kind_name().map(str::to_string), region)
            })
            .collect::<Vec<_>>()
    };
    holders(0, old) == holders(1, new)
}

/// Whether two categories decide alike by construction: the same rows (apart from where they
/// are written) and the same temporary access, read through the same vocabulary.
fn same_decisions(a: &CategoryTable, b: &CategoryTable) -> bool {
    let rows_alike = |x: &crate::compile::table::Row, y: &crate::compile::table::Row| {
        x.layer == y.layer
            && x.effect == y.effect
            && x.condition == y.condition
            && x.view == y.view
            && x.obligations == y.obligations
    };
    let temporary = |c: &CategoryTable| {
        c.temporary
            .iter()
            .map(|t| {
                (
                    t.kind_name().map(str::to_string),
                    t.actions.clone(),
                    t.to.clone(),
                    t.approved_by.clone(),
                    (t.max, t.renewable, t.notify),
                )
            })
            .collect::<Vec<_>>()
    };
    a.name == b.name
        && temporary(a) == temporary(b)
        && a.decisions.len() == b.decisions.len()
        && a.decisions.iter().zip(&b.decisions).all(|(x, y)| {
            x.rows.len() == y.rows.len()
                && x.rows.iter().zip(&y.rows).all(|(r, s)| rows_alike(r, s))
        })
}

fn category<'a>(t: &'a DecisionTable, name: &str) -> Option<&'a CategoryTable> {
    t.unrestricted
        .iter()
        .chain(&t.categories)
        .find(|c| c.name == name)
}

fn only_in(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

fn policy_ref(t: &DecisionTable) -> PolicyRef {
    PolicyRef {
        id: t.policy.id.clone(),
        version: t.policy.version,
        source_hash: t.source_hash.clone(),
    }
}

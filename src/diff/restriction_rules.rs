//! What changed in the rules about restrictions themselves, by meaning: for each category, the
//! records whose facts now require it (or no longer do), the records that may now not carry it
//! (or now may), and the pairs of categories no longer (or now) allowed together, each with the
//! facts of such a record as its witness. Facts are compared by name, so renumbering or
//! reordering statements changes nothing.

use serde::Serialize;

use crate::compile::table::DecisionTable;
use crate::policy::{FactCondition, FactSet, FactTerm, fact_bit};

/// Which rule about restrictions changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleChangeKind {
    /// A record with the witness's facts must now carry the category.
    NowRequired,
    /// A record with the witness's facts no longer has to carry it.
    NoLongerRequired,
    /// A record with the witness's facts may now not carry it.
    NowForbidden,
    /// A record with the witness's facts may now carry it.
    NoLongerForbidden,
    /// The two categories may now not be carried together.
    NowExclusive,
    /// The two categories may now be carried together.
    NoLongerExclusive,
}

impl RuleChangeKind {
    /// The change in words.
    pub fn words(self) -> &'static str {
        match self {
            RuleChangeKind::NowRequired => "now required",
            RuleChangeKind::NoLongerRequired => "no longer required",
            RuleChangeKind::NowForbidden => "now not allowed",
            RuleChangeKind::NoLongerForbidden => "now allowed",
            RuleChangeKind::NowExclusive => "now not allowed together",
            RuleChangeKind::NoLongerExclusive => "now allowed together",
        }
    }
}

/// One change to what records must, must not, or may not together carry.
#[derive(Debug, Clone, Serialize)]
pub struct RestrictionRuleChange {
    /// The category (for an exclusive pair, both, joined by ` and `).
    pub category: String,
    /// What changed.
    pub kind: RuleChangeKind,
    /// A record for which it changed, in words (none for an exclusive pair).
    pub witness: Option<String>,
    /// That record's facts, as a request's `record.facts` would state them.
    pub facts: Vec<String>,
}

/// Every change, category by category in the new policy's order, then the old policy's removed
/// categories.
pub(super) fn compare(old: &DecisionTable, new: &DecisionTable) -> Vec<RestrictionRuleChange> {
    let mut facts: Vec<String> = Vec::new();
    for f in old.vocabulary.facts.iter().chain(&new.vocabulary.facts) {
        if !facts.contains(&f.name) {
            facts.push(f.name.clone());
        }
    }
    let joint = |t: &DecisionTable, c: &FactCondition| -> FactCondition {
        let map = |ids: &[u32]| -> Vec<u32> {
            ids.iter()
                .filter_map(|i| t.vocabulary.facts.get(*i as usize))
                .filter_map(|f| facts.iter().position(|n| *n == f.name))
                .filter_map(|i| u32::try_from(i).ok())
                .collect()
        };
        FactCondition {
            terms: c
                .terms
                .iter()
                .map(|x| FactTerm {
                    all: map(&x.all),
                    not: map(&x.not),
                })
                .collect(),
        }
    };
    let index = |t: &DecisionTable, name: &str| {
        t.categories
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| u32::try_from(i).ok())
    };
    let required = |t: &DecisionTable, name: &str| -> FactCondition {
        let Some(i) = index(t, name) else {
            return FactCondition::default();
        };
        let terms = t
            .restriction_rules
            .triggers
            .iter()
            .filter(|x| x.category == i)
            .flat_map(|x| joint(t, &x.when).terms)
            .collect();
        FactCondition { terms }
    };
    let forbidden = |t: &DecisionTable, name: &str| -> FactCondition {
        let Some(i) = index(t, name) else {
            return FactCondition::default();
        };
        let terms = t
            .restriction_rules
            .never
            .iter()
            .filter(|x| x.covers(i))
            .flat_map(|x| joint(t, &x.when).terms)
            .collect();
        FactCondition { terms }
    };
    let mut names: Vec<&str> = new.categories.iter().map(|c| c.name.as_str()).collect();
    for c in &old.categories {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    let named = |set: FactSet| -> Vec<String> {
        facts
            .iter()
            .enumerate()
            .filter(|(i, _)| set & fact_bit(*i as u32) != 0)
            .map(|(_, f)| f.clone())
            .collect()
    };
    let words = |set: FactSet| -> String {
        let on: Vec<String> = named(set).iter().map(|f| format!("`{f}`")).collect();
        if on.is_empty() {
            "a record with no facts".to_string()
        } else {
            format!("a record with the facts {}", on.join(", "))
        }
    };
    let mut out = Vec::new();
    for name in &names {
        for (of, gained, lost) in [
            (
                &required as &dyn Fn(&DecisionTable, &str) -> FactCondition,
                RuleChangeKind::NowRequired,
                RuleChangeKind::NoLongerRequired,
            ),
            (
                &forbidden,
                RuleChangeKind::NowForbidden,
                RuleChangeKind::NoLongerForbidden,
            ),
        ] {
            let (o, n) = (of(old, name), of(new, name));
            for (kind, set) in [(gained, n.holds_without(&o)), (lost, o.holds_without(&n))] {
                if let Some(set) = set {
                    out.push(RestrictionRuleChange {
                        category: (*name).to_string(),
                        kind,
                        witness: Some(words(set)),
                        facts: named(set),
                    });
                }
            }
        }
    }
    let pairs = |t: &DecisionTable| -> Vec<(String, String)> {
        let name = |i: &u32| t.categories.get(*i as usize).map(|c| c.name.clone());
        let mut v = Vec::new();
        for e in &t.restriction_rules.exclusive {
            for (k, a) in e.categories.iter().enumerate() {
                for b in e.categories.iter().skip(k + 1) {
                    if let (Some(a), Some(b)) = (name(a), name(b)) {
                        let pair = if a <= b { (a, b) } else { (b, a) };
                        if !v.contains(&pair) {
                            v.push(pair);
                        }
                    }
                }
            }
        }
        v
    };
    let (po, pn) = (pairs(old), pairs(new));
    for (kind, from, to) in [
        (RuleChangeKind::NowExclusive, &pn, &po),
        (RuleChangeKind::NoLongerExclusive, &po, &pn),
    ] {
        for (a, b) in from.iter().filter(|p| !to.contains(p)) {
            out.push(RestrictionRuleChange {
                category: format!("{a} and {b}"),
                kind,
                witness: None,
                facts: Vec::new(),
            });
        }
    }
    out
}

//! The compiled rules about restrictions themselves (table field `restriction_rules`): the
//! triggers, the records that may not be restricted and the categories that may not be
//! combined, with categories and facts as indices into the table's lists.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::policy::{FactCondition, Policy};
use crate::span::SourceMap;

/// Everything the policy says about restrictions themselves. Left out of a table when the
/// policy says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictionRulesEntry {
    /// `trigger CATEGORY when FACTS`: restrictions a record's facts require, in source order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<TriggerEntry>,
    /// `trigger never "reason"`: the policy says nothing requires a restriction, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_triggers: Option<NoTriggersEntry>,
    /// `never restrict`: records that may not carry some (or any) categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never: Vec<NeverEntry>,
    /// `exclusive`: categories no two of which one record may carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusive: Vec<ExclusiveEntry>,
}

impl RestrictionRulesEntry {
    /// Whether the policy says nothing about restrictions themselves.
    pub fn is_empty(&self) -> bool {
        self.triggers.is_empty()
            && self.no_triggers.is_none()
            && self.never.is_empty()
            && self.exclusive.is_empty()
    }
}

/// A trigger: a record whose facts meet `when` must carry `category`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerEntry {
    /// The category required (an index of the table's `categories`).
    pub category: u32,
    /// When, over the vocabulary's `facts`.
    pub when: FactCondition,
    /// Why, in the source's words.
    pub reason: Option<String>,
    /// Where the statement is written: `file:line`.
    pub source: String,
}

/// `trigger never`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoTriggersEntry {
    /// Why, in the source's words.
    pub reason: String,
    /// Where the statement is written.
    pub source: String,
}

/// A record whose facts meet `when` may not carry `categories` (every category when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeverEntry {
    /// The categories (indices of the table's `categories`); empty: every category.
    pub categories: Vec<u32>,
    /// When, over the vocabulary's `facts`.
    pub when: FactCondition,
    /// Why, in the source's words.
    pub reason: Option<String>,
    /// Where the statement is written.
    pub source: String,
}

impl NeverEntry {
    /// Whether the statement covers the category with this index.
    pub fn covers(&self, category: u32) -> bool {
        self.categories.is_empty() || self.categories.contains(&category)
    }
}

/// Categories no two of which one record may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusiveEntry {
    /// The categories (indices of the table's `categories`), at least two.
    pub categories: Vec<u32>,
    /// Why, in the source's words.
    pub reason: Option<String>,
    /// Where the statement is written.
    pub source: String,
}

/// The policy's rules about restrictions, compiled.
pub(super) fn compile(p: &Policy, sources: &SourceMap) -> RestrictionRulesEntry {
    let index = |name: &str| {
        p.categories
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| u32::try_from(i).ok())
    };
    let r = &p.restriction_rules;
    RestrictionRulesEntry {
        triggers: r
            .triggers
            .iter()
            .filter_map(|t| {
                Some(TriggerEntry {
                    category: index(&t.category)?,
                    when: t.when.clone(),
                    reason: t.reason.clone(),
                    source: sources.cite_in_policy(t.span),
                })
            })
            .collect(),
        no_triggers: r
            .no_triggers
            .as_ref()
            .map(|(reason, span)| NoTriggersEntry {
                reason: reason.clone(),
                source: sources.cite_in_policy(*span),
            }),
        never: r
            .never
            .iter()
            .map(|n| NeverEntry {
                categories: n.categories.iter().filter_map(|c| index(c)).collect(),
                when: n.when.clone(),
                reason: n.reason.clone(),
                source: sources.cite_in_policy(n.span),
            })
            .collect(),
        exclusive: r
            .exclusive
            .iter()
            .map(|e| ExclusiveEntry {
                categories: e.categories.iter().filter_map(|c| index(c)).collect(),
                reason: e.reason.clone(),
                source: sources.cite_in_policy(e.span),
            })
            .collect(),
    }
}

/// Why a table's rules about restrictions do not fit its lists: a category or fact index out of
/// range, or an `exclusive` of fewer than two categories.
pub(super) fn malformed(
    r: &RestrictionRulesEntry,
    categories: usize,
    facts: usize,
) -> Option<String> {
    let bad_fact = |c: &FactCondition| {
        c.terms
            .iter()
            .flat_map(|t| t.all.iter().chain(&t.not))
            .any(|f| *f as usize >= facts)
    };
    let bad_category = |c: &u32| *c as usize >= categories;
    if r.triggers
        .iter()
        .any(|t| bad_category(&t.category) || bad_fact(&t.when))
        || r.never
            .iter()
            .any(|n| n.categories.iter().any(bad_category) || bad_fact(&n.when))
        || r.exclusive
            .iter()
            .any(|e| e.categories.len() < 2 || e.categories.iter().any(bad_category))
    {
        return Some(format!(
            "a rule about restrictions names a category or fact the table does not have ({categories} categories, {facts} facts)"
        ));
    }
    None
}

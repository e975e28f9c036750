//! What a policy says about restrictions themselves rather than about access: the facts a
//! record's data may state (`fact adoption_plan`), the restrictions those facts require
//! (`trigger`), the records that may not be restricted (`never restrict`) and the categories no
//! record may carry together (`exclusive`). docs/semantics.md, "Triggers and rules about
//! restrictions", says how a decision reads them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::span::Span;

/// Index into [`super::Policy::facts`].
pub type FactId = u32;

/// The most facts a policy may declare: a record's facts are one machine word.
pub const MAX_FACTS: usize = 64;

/// A set of facts, bit `i` for fact `i`.
pub type FactSet = u64;

/// The bit of one fact (none for an index past [`MAX_FACTS`], which the checker refuses).
pub fn fact_bit(f: FactId) -> FactSet {
    1u64.checked_shl(f).unwrap_or(0)
}

/// One alternative of a [`FactCondition`]: every fact of `all` holds and none of `not`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, JsonSchema,
)]
pub struct FactTerm {
    /// Facts that must hold (indices into the vocabulary's `facts`).
    pub all: Vec<FactId>,
    /// Facts that must not hold.
    pub not: Vec<FactId>,
}

impl FactTerm {
    fn mask(list: &[FactId]) -> FactSet {
        list.iter().fold(0, |m, f| m | fact_bit(*f))
    }

    /// Whether the term holds for a record with these facts.
    pub fn holds(&self, facts: FactSet) -> bool {
        let all = Self::mask(&self.all);
        facts & all == all && facts & Self::mask(&self.not) == 0
    }

    /// Whether some record's facts meet the term: no fact both required and excluded.
    pub fn consistent(&self) -> bool {
        Self::mask(&self.all) & Self::mask(&self.not) == 0
    }

    /// Both terms.
    pub fn and(&self, other: &FactTerm) -> FactTerm {
        let mut t = FactTerm {
            all: self.all.iter().chain(&other.all).copied().collect(),
            not: self.not.iter().chain(&other.not).copied().collect(),
        };
        t.all.sort_unstable();
        t.all.dedup();
        t.not.sort_unstable();
        t.not.dedup();
        t
    }

    /// The smallest set of facts that meets the term (its required facts), when one does.
    pub fn witness(&self) -> Option<FactSet> {
        self.consistent().then(|| Self::mask(&self.all))
    }
}

/// A condition on a record's facts, in disjunctive normal form: any term holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct FactCondition {
    /// The alternatives.
    pub terms: Vec<FactTerm>,
}

impl FactCondition {
    /// Whether the condition holds for a record with these facts.
    pub fn holds(&self, facts: FactSet) -> bool {
        self.terms.iter().any(|t| t.holds(facts))
    }

    /// A set of facts for which both conditions hold, if there is one (exact: every pair of
    /// terms is tried).
    pub fn overlap(&self, other: &FactCondition) -> Option<FactSet> {
        self.terms
            .iter()
            .flat_map(|a| other.terms.iter().map(move |b| a.and(b)))
            .find_map(|t| t.witness())
    }

    /// A set of facts for which the condition holds, if there is one.
    pub fn witness(&self) -> Option<FactSet> {
        self.terms.iter().find_map(FactTerm::witness)
    }
}

/// `trigger CATEGORY when FACTS ["reason"]`: a record whose facts meet the condition must carry
/// the category.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// The category required.
    pub category: String,
    /// When.
    pub when: FactCondition,
    /// Why, in the source's words.
    pub reason: Option<String>,
    /// The whole statement.
    pub span: Span,
}

/// `never restrict [CATEGORY, ...] when FACTS ["reason"]`: a record whose facts meet the
/// condition may not carry these categories.
#[derive(Debug, Clone)]
pub struct NeverRestrict {
    /// The categories; empty: every category.
    pub categories: Vec<String>,
    /// When.
    pub when: FactCondition,
    /// Why, in the source's words.
    pub reason: Option<String>,
    /// The whole statement.
    pub span: Span,
}

impl NeverRestrict {
    /// Whether the statement covers a category.
    pub fn covers(&self, category: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|c| c == category)
    }
}

/// `exclusive CATEGORY, CATEGORY, ... ["reason"]`: no record may carry two of these.
#[derive(Debug, Clone)]
pub struct Exclusive {
    /// The categories, each once.
    pub categories: Vec<String>,
    /// Why, in the source's words.
    pub reason: Option<String>,
    /// The whole statement.
    pub span: Span,
}

/// Everything a policy says about restrictions themselves.
#[derive(Debug, Clone, Default)]
pub struct RestrictionRules {
    /// The triggers, in source order.
    pub triggers: Vec<Trigger>,
    /// `trigger never "reason"`: the policy says that nothing requires a restriction, and why.
    pub no_triggers: Option<(String, Span)>,
    /// The `never restrict` statements, in source order.
    pub never: Vec<NeverRestrict>,
    /// The `exclusive` statements, in source order.
    pub exclusive: Vec<Exclusive>,
}

impl RestrictionRules {
    /// Every statement's span, for the files a policy is read from.
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        self.triggers
            .iter()
            .map(|t| t.span)
            .chain(self.no_triggers.iter().map(|n| n.1))
            .chain(self.never.iter().map(|n| n.span))
            .chain(self.exclusive.iter().map(|e| e.span))
    }
}

impl FactCondition {
    /// A set of facts for which this condition holds and `other` does not, if there is one:
    /// exact, by choosing for each of `other`'s terms a literal the facts contradict (a
    /// backtracking search, which real conditions of a few facts keep tiny).
    pub fn holds_without(&self, other: &FactCondition) -> Option<FactSet> {
        self.terms.iter().find_map(|t| {
            let yes = FactTerm::mask(&t.all);
            let no = FactTerm::mask(&t.not);
            if yes & no != 0 {
                return None;
            }
            falsify(&other.terms, yes, no)
        })
    }
}

/// Facts (those set in `yes`) consistent with `yes` and `no` that make every term false.
fn falsify(terms: &[FactTerm], yes: FactSet, no: FactSet) -> Option<FactSet> {
    let Some((first, rest)) = terms.split_first() else {
        return Some(yes);
    };
    // A term falsified already needs nothing more.
    let contradicted = first.all.iter().any(|f| no & fact_bit(*f) != 0)
        || first.not.iter().any(|f| yes & fact_bit(*f) != 0);
    if contradicted {
        return falsify(rest, yes, no);
    }
    // Otherwise one of its literals must be made false: a required fact absent, or an excluded
    // fact present.
    let absent = first
        .all
        .iter()
        .filter(|f| yes & fact_bit(**f) == 0)
        .find_map(|f| falsify(rest, yes, no | fact_bit(*f)));
    absent.or_else(|| {
        first
            .not
            .iter()
            .filter(|f| no & fact_bit(**f) == 0)
            .find_map(|f| falsify(rest, yes | fact_bit(*f), no))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Conditions over the first five facts.
    fn condition() -> impl Strategy<Value = FactCondition> {
        let term = (
            proptest::collection::vec(0u32..5, 0..3),
            proptest::collection::vec(0u32..5, 0..3),
        )
            .prop_map(|(all, not)| FactTerm { all, not });
        proptest::collection::vec(term, 0..4).prop_map(|terms| FactCondition { terms })
    }

    proptest! {
        /// `holds_without` and `overlap` are exact: every witness is one, and when there is
        /// none, no set of the five facts is one either.
        #[test]
        fn witnesses_are_exact(a in condition(), b in condition()) {
            match a.holds_without(&b) {
                Some(s) => prop_assert!(a.holds(s) && !b.holds(s)),
                None => prop_assert!((0..32u64).all(|s| !a.holds(s) || b.holds(s))),
            }
            match a.overlap(&b) {
                Some(s) => prop_assert!(a.holds(s) && b.holds(s)),
                None => prop_assert!((0..32u64).all(|s| !(a.holds(s) && b.holds(s)))),
            }
            match a.witness() {
                Some(s) => prop_assert!(a.holds(s)),
                None => prop_assert!((0..32u64).all(|s| !a.holds(s))),
            }
        }
    }
}

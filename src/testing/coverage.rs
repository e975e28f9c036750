//! Rule coverage: every rule of the compiled table, and how many tests it decided.
//!
//! A rule is a row id of the table (`adoption.grant.1`, `adoption.deny.1`,
//! `adoption.temporary`, `adoption.named_exclusion`, `adoption.default`); one rule compiles to a
//! row in the decision list of every action it covers, and any of them deciding counts.

use crate::compile::DecisionTable;
use crate::compile::table::{CategoryTable, Layer};

/// The rules of one policy and the tests that reached them.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Every rule, unrestricted block first, then categories in source order, rows in
    /// decision-list order.
    pub rules: Vec<RuleCoverage>,
}

/// One rule and how often it decided.
#[derive(Debug, Clone)]
pub struct RuleCoverage {
    /// The rule id.
    pub id: String,
    /// The combining rule's step it belongs to.
    pub layer: Layer,
    /// Where it is written: `file:line`.
    pub source: String,
    /// How many tests it decided.
    pub hits: usize,
}

impl Coverage {
    /// Every rule of a table, none reached yet.
    pub fn of(table: &DecisionTable) -> Coverage {
        let mut rules: Vec<RuleCoverage> = Vec::new();
        let categories = table.unrestricted.iter().chain(&table.categories);
        for row in categories.flat_map(rows) {
            if !rules.iter().any(|r| r.id == row.id) {
                rules.push(RuleCoverage {
                    id: row.id.clone(),
                    layer: row.layer,
                    source: row.source.clone(),
                    hits: 0,
                });
            }
        }
        Coverage { rules }
    }

    /// Records that a test was decided by this rule.
    pub fn hit(&mut self, id: &str) {
        if let Some(r) = self.rules.iter_mut().find(|r| r.id == id) {
            r.hits += 1;
        }
    }

    /// Every rule id.
    pub fn ids(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.id.clone()).collect()
    }

    /// How many rules at least one test reached.
    pub fn covered(&self) -> usize {
        self.rules.iter().filter(|r| r.hits > 0).count()
    }

    /// The share of rules reached, in percent (100 for a policy without rules).
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            100.0
        } else {
            self.covered() as f64 * 100.0 / self.rules.len() as f64
        }
    }
}

/// A category's rows, every action's decision list in order.
fn rows(c: &CategoryTable) -> impl Iterator<Item = &crate::compile::Row> {
    c.decisions.iter().flat_map(|l| &l.rows)
}

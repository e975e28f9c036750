//! Rule coverage: every rule of the compiled table, and how many tests it decided.
//!
//! A rule is a row id of the table (`adoption.grant.1`, `adoption.deny.1`,
//! `adoption.temporary`, `adoption.named_exclusion`, `adoption.default`); one rule compiles to a
//! row in the decision list of every action it covers, and any of them deciding counts.

use crate::compile::DecisionTable;
use crate::compile::table::Layer;

/// The rules of one policy and the tests that reached them.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Every rule: the unrestricted block first, then categories in source order; within one,
    /// in the order the combining rule reads them.
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
        for c in table.unrestricted.iter().chain(&table.categories) {
            let mut own: Vec<RuleCoverage> = Vec::new();
            for row in c.decisions.iter().flat_map(|l| &l.rows) {
                match own.iter_mut().find(|r| r.id == row.id) {
                    // A temporary grant compiles to override rows and a plain row of one id.
                    Some(r) if row.layer == Layer::Temporary => r.layer = Layer::Temporary,
                    Some(_) => {}
                    None => own.push(RuleCoverage {
                        id: row.id.clone(),
                        layer: row.layer,
                        source: row.source.clone(),
                        hits: 0,
                    }),
                }
            }
            // In the order the combining rule reads them, rules of a layer in source order.
            own.sort_by_key(|r| (r.layer, number(&r.id)));
            rules.extend(own);
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

/// The number at the end of a rule id (`adoption.grant.2` is 2), 0 for the others.
fn number(id: &str) -> u32 {
    id.rsplit('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

//! Rule coverage: every rule of the compiled table, and how many tests it decided.
//!
//! A rule is a row id of the table (`adoption.grant.1`, `adoption.deny.1`,
//! `adoption.temporary`, `adoption.named_exclusion`, `adoption.default`); one rule compiles to a
//! row in the decision list of every action it covers, and any of them deciding counts.
//!
//! A rule that the exact analysis proves no request can reach (a universal category's default
//! when the unrestricted block already refuses everyone it would refuse) cannot be decided by a
//! test, so it is listed as unreachable and not counted.

use crate::analyse::{Decides, Partition, Space};
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
    /// Whether some request can reach it (by the exact analysis).
    pub reachable: bool,
}

impl Coverage {
    /// Every rule of a table, none reached yet.
    pub fn of(table: &DecisionTable) -> Coverage {
        // A policy too large for the engine counts every rule as reachable.
        let space = Space::new(table).ok();
        let mut rules: Vec<RuleCoverage> = Vec::new();
        for c in table.unrestricted.iter().chain(&table.categories) {
            let mut own: Vec<RuleCoverage> = Vec::new();
            for (a, list) in c.decisions.iter().enumerate() {
                let part = space
                    .as_ref()
                    .map(|s| Partition::new(s, 0, table, c, a as u32));
                for (i, row) in list.rows.iter().enumerate() {
                    let reachable = part.as_ref().is_none_or(|p| {
                        p.cells
                            .iter()
                            .any(|cell| cell.decides == Decides::Row(i) && !cell.region.is_empty())
                    });
                    match own.iter_mut().find(|r| r.id == row.id) {
                        // A temporary grant compiles to override rows and a plain row of one id.
                        Some(r) => {
                            if row.layer == Layer::Temporary {
                                r.layer = Layer::Temporary;
                            }
                            r.reachable |= reachable;
                        }
                        None => own.push(RuleCoverage {
                            id: row.id.clone(),
                            layer: row.layer,
                            source: row.source.clone(),
                            hits: 0,
                            reachable,
                        }),
                    }
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

    /// How many rules some request can reach: the ones coverage counts.
    pub fn reachable(&self) -> usize {
        self.rules.iter().filter(|r| r.reachable).count()
    }

    /// How many rules no request can reach.
    pub fn unreachable(&self) -> usize {
        self.rules.len() - self.reachable()
    }

    /// The share of reachable rules reached, in percent (100 for a policy without any).
    pub fn percent(&self) -> f64 {
        percent(self.covered(), self.reachable())
    }
}

/// `covered` of `total` in percent, 100 when there is nothing to cover.
pub fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

/// The number at the end of a rule id (`adoption.grant.2` is 2), 0 for the others.
fn number(id: &str) -> u32 {
    id.rsplit('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

//! The partition of the condition space by outcome: for one category and action of one side,
//! which subjects each row of the decision list decides, following the combining rule exactly as
//! the compiler ordered it (docs/semantics.md) — the first row whose condition holds decides.

use std::collections::HashMap;

use super::space::{Region, Side, Space};
use crate::compile::table::{CategoryTable, DecisionTable, Layer, RowEffect};
use crate::eval::DenyKind;
use crate::policy::{ActionId, Atom, Condition, Relation, View};

/// What decides a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decides {
    /// The row with this index in the category's decision list for the action.
    Row(usize),
    /// On a restricted record, the row with this index in the unrestricted block's decision
    /// list, which refuses before the category is read (the gate, docs/semantics.md).
    Gate(usize),
    /// The evaluator fails closed: the side does not declare the subject's organisation, a role
    /// or a team (or, never in a compiled table, no row matched).
    FailClosed,
}

/// The subjects one row (or the fail-closed check) decides.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Who decides.
    pub decides: Decides,
    /// The subjects it decides; empty when a row never decides.
    pub region: Region,
}

/// A decision as the partition compares them: allow or deny, what is seen, what must be done.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outcome {
    /// `true` for allow.
    pub allow: bool,
    /// What the subject sees.
    pub view: View,
    /// For a deny, which kind: it decides what the caseworker is told (who to contact, or the
    /// grants that came closest), so it is part of every "changes no decision" comparison.
    pub deny_kind: Option<DenyKind>,
    /// The obligations' names, in the row's order.
    pub obligations: Vec<String>,
    /// Whether the allow rests on a temporary grant.
    pub temporary: bool,
}

/// The cells of one category × action, in row order, then the fail-closed cell.
#[derive(Debug, Clone)]
pub struct Partition {
    /// One cell per row of the decision list (empty regions kept, so indices match rows), then
    /// the fail-closed cell.
    pub cells: Vec<Cell>,
    /// Each row's own condition (the subjects it would decide if it came first), by row index,
    /// within the subjects the side knows.
    pub conditions: Vec<Region>,
}

impl Partition {
    /// Partitions the space for `action` on records of `category` of `table`, as `side`
    /// decides.
    pub fn new(
        space: &Space,
        side: Side,
        table: &DecisionTable,
        category: &CategoryTable,
        action: ActionId,
    ) -> Self {
        Self::with_cache(
            space,
            side,
            gate(table, category),
            category,
            action,
            &mut HashMap::new(),
        )
    }

    /// The partition of `category`'s rows as written, without the unrestricted block's gate:
    /// what the category alone would decide.
    pub fn as_written(
        space: &Space,
        side: Side,
        category: &CategoryTable,
        action: ActionId,
    ) -> Self {
        Self::with_cache(space, side, None, category, action, &mut HashMap::new())
    }

    /// The partitions for actions `0..actions` on records of `category`, as `side` decides.
    /// Rows repeat across actions (a rule for `all` gives one per action) and only
    /// `temporary_grant` reads the action, so each condition's region is built once.
    pub fn each_action(
        space: &Space,
        side: Side,
        table: &DecisionTable,
        category: &CategoryTable,
        actions: usize,
    ) -> Vec<Self> {
        let mut built = HashMap::new();
        let gate = gate(table, category);
        (0..actions)
            .map(|a| Self::with_cache(space, side, gate, category, a as ActionId, &mut built))
            .collect()
    }

    /// [`Partition::new`], reusing the condition regions of `built`: keyed by the condition,
    /// and by the action when the condition reads `temporary_grant`.
    fn with_cache<'c>(
        space: &Space,
        side: Side,
        gate: Option<&CategoryTable>,
        category: &'c CategoryTable,
        action: ActionId,
        built: &mut HashMap<(&'c Condition, Option<ActionId>), Region>,
    ) -> Self {
        let known = space.known(side);
        let mut remaining = known.clone();
        let mut cells = Vec::new();
        let mut conditions = Vec::new();
        // The gate: the unrestricted block's rows, read without the restriction's facts or a
        // temporary grant; the subjects its denies decide never reach the category's rows.
        if let Some(list) = gate.and_then(|u| u.decisions.get(action as usize).map(|l| (u, l))) {
            let (u, list) = list;
            let mut unread = known.clone();
            for (i, row) in list.rows.iter().enumerate() {
                let cond = space
                    .condition_without_grant(side, u, action, &row.condition)
                    .and(&known);
                let region = unread.and(&cond);
                unread = unread.minus(&cond);
                if row.effect == RowEffect::Deny && !region.is_empty() {
                    remaining = remaining.minus(&region);
                    cells.push(Cell {
                        decides: Decides::Gate(i),
                        region,
                    });
                }
            }
        }
        if let Some(list) = category.decisions.get(action as usize) {
            for (i, row) in list.rows.iter().enumerate() {
                let reads_action = row
                    .condition
                    .terms
                    .iter()
                    .flatten()
                    .any(|l| l.atom == Atom::Relation(Relation::TemporaryGrant));
                let cond = built
                    .entry((&row.condition, reads_action.then_some(action)))
                    .or_insert_with(|| {
                        space
                            .condition(side, category, action, &row.condition)
                            .and(&known)
                    })
                    .clone();
                let region = remaining.and(&cond);
                if !region.is_empty() {
                    remaining = remaining.minus(&cond);
                }
                conditions.push(cond);
                cells.push(Cell {
                    decides: Decides::Row(i),
                    region,
                });
            }
        }
        cells.push(Cell {
            decides: Decides::FailClosed,
            region: space.everyone().minus(&known).or(&remaining),
        });
        Partition { cells, conditions }
    }

    /// A row's own condition within the known subjects.
    pub fn condition(&self, index: usize) -> Option<&Region> {
        self.conditions.get(index)
    }

    /// The subjects a row decides.
    pub fn row(&self, index: usize) -> Option<&Region> {
        self.cells
            .iter()
            .find(|c| c.decides == Decides::Row(index))
            .map(|c| &c.region)
    }

    /// The subjects allowed.
    pub fn allowed(&self, space: &Space, category: &CategoryTable, action: ActionId) -> Region {
        // INVARIANT: gate cells always deny, so `outcome_of` reads them as refusals.
        self.cells
            .iter()
            .filter(|c| outcome_of(category, action, c.decides).allow)
            .fold(space.nobody(), |acc, c| acc.or(&c.region))
    }

    /// The union of the cells with each distinct outcome, in first-row order.
    pub fn by_outcome(
        &self,
        table: &DecisionTable,
        category: &CategoryTable,
        action: ActionId,
    ) -> Vec<(Outcome, Region)> {
        let mut out: Vec<(Outcome, Region)> = Vec::new();
        for c in self.cells.iter().filter(|c| !c.region.is_empty()) {
            let o = outcome(table, category, action, c.decides);
            match out.iter_mut().find(|(x, _)| *x == o) {
                Some((_, r)) => *r = r.or(&c.region),
                None => out.push((o, c.region.clone())),
            }
        }
        out
    }
}

/// The outcome of a cell with obligation names read from the table's vocabulary.
pub fn outcome(
    table: &DecisionTable,
    category: &CategoryTable,
    action: ActionId,
    decides: Decides,
) -> Outcome {
    if let Decides::Gate(i) = decides {
        return match table
            .unrestricted
            .as_ref()
            .and_then(|u| row_of(u, action, i))
        {
            Some(row) => Outcome {
                allow: false,
                view: row.view,
                deny_kind: Some(kind_of(row)),
                obligations: Vec::new(),
                temporary: false,
            },
            None => fail_closed(),
        };
    }
    let mut o = outcome_of(category, action, decides);
    if let Decides::Row(i) = decides {
        if let Some(row) = row_of(category, action, i) {
            o.obligations = row
                .obligations
                .iter()
                .map(|ob| {
                    table
                        .vocabulary
                        .obligations
                        .get(*ob as usize)
                        .map_or_else(|| format!("#{ob}"), |e| e.name.clone())
                })
                .collect();
        }
    }
    o
}

/// The outcome of a cell with obligations by index (enough to compare within one table).
fn outcome_of(category: &CategoryTable, action: ActionId, decides: Decides) -> Outcome {
    match decides {
        Decides::Row(i) => match row_of(category, action, i) {
            Some(row) => Outcome {
                allow: row.effect == RowEffect::Allow,
                view: row.view,
                deny_kind: (row.effect == RowEffect::Deny).then(|| kind_of(row)),
                obligations: row.obligations.iter().map(|o| format!("#{o}")).collect(),
                temporary: matches!(row.layer, Layer::Temporary | Layer::TemporaryOverride),
            },
            None => fail_closed(),
        },
        Decides::Gate(_) | Decides::FailClosed => fail_closed(),
    }
}

/// The unrestricted block that gates `category`'s records: none for the block itself, or when
/// the policy has none.
fn gate<'t>(table: &'t DecisionTable, category: &CategoryTable) -> Option<&'t CategoryTable> {
    table
        .unrestricted
        .as_ref()
        .filter(|_| category.is_restriction())
}

/// The row a cell's decider names: the category's own, or the unrestricted block's for a gate.
pub fn deciding_row<'t>(
    table: &'t DecisionTable,
    category: &'t CategoryTable,
    action: ActionId,
    decides: Decides,
) -> Option<&'t crate::compile::table::Row> {
    match decides {
        Decides::Row(i) => row_of(category, action, i),
        Decides::Gate(i) => row_of(table.unrestricted.as_ref()?, action, i),
        Decides::FailClosed => None,
    }
}

/// What decided a request, as the partition of its record's category names it.
pub fn decides(decision: &crate::eval::Decision, req: &crate::eval::Request) -> Decides {
    use crate::eval::{Basis, CategoryRef};
    match decision.basis {
        Basis::Row { category, row, .. } => {
            let gated = category == CategoryRef::Unrestricted && req.record.is_restricted();
            if gated {
                Decides::Gate(row as usize)
            } else {
                Decides::Row(row as usize)
            }
        }
        Basis::FailClosed(_) | Basis::Change(_) => Decides::FailClosed,
    }
}

/// The kind of deny a denying row gives (docs/semantics.md): not permitted for a default,
/// forbidden for a rule or the exclusion list.
fn kind_of(row: &crate::compile::table::Row) -> DenyKind {
    if row.layer == Layer::Default {
        DenyKind::NotPermitted
    } else {
        DenyKind::Forbidden
    }
}

fn fail_closed() -> Outcome {
    Outcome {
        allow: false,
        view: View::None,
        deny_kind: Some(DenyKind::NotPermitted),
        obligations: Vec::new(),
        temporary: false,
    }
}

fn row_of(
    category: &CategoryTable,
    action: ActionId,
    index: usize,
) -> Option<&crate::compile::table::Row> {
    category
        .decisions
        .get(action as usize)
        .and_then(|l| l.rows.get(index))
}

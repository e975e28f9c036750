//! Rules about restrictions themselves (docs/semantics.md, "Triggers and rules about
//! restrictions"): which restrictions a record's facts require (`trigger`), which it may not
//! carry (`never restrict`) and which it may not carry together (`exclusive`).
//!
//! A decision reads them after it is made: a restriction the facts require and the record does
//! not carry is a warning for an auditor (`restriction_required`); a record that carries a
//! restriction its facts forbid, or two that may not be combined, fails closed. The same
//! answers are offered to callers that change a record's restrictions ([`Decider::may_carry`])
//! and to the register report ([`Decider::required`]), and decide the lifecycle actions that
//! place or lift a restriction ([`Decider::change_refusal`]).

use chrono::{DateTime, Utc};
use smallvec::SmallVec;

use super::decider::{Decider, fail_closed, index};
use super::decision::{Basis, Decision, FailReason, Warning};
use super::request::Request;
use crate::compile::table::{CategoryTable, ExclusiveEntry, NeverEntry, TriggerEntry};
use crate::policy::{Change, ChangeRefusal};
use crate::policy::{FactSet, fact_bit};

/// Why a record may not carry a set of restrictions. Indices are positions in the lists given
/// to [`Decider::may_carry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarryRefusal {
    /// The fact at this index is not one the policy declares.
    UnknownFact(usize),
    /// The category at this index is not one the policy has.
    UnknownCategory(usize),
    /// The category at this index is given earlier too.
    RepeatedCategory(usize),
    /// The category at this index is one the record's facts forbid, by the `never restrict`
    /// rule with this index (in the table's `restriction_rules.never`).
    NotAllowed {
        /// The category's index in the list given.
        category: usize,
        /// The rule's index.
        rule: usize,
    },
    /// The categories at these indices may not be combined, by the `exclusive` rule with this
    /// index (in the table's `restriction_rules.exclusive`).
    Exclusive {
        /// The earlier category's index in the list given.
        first: usize,
        /// The later one's.
        second: usize,
        /// The rule's index.
        rule: usize,
    },
}

/// A restriction a record's facts require, and the trigger that requires it.
#[derive(Debug, Clone, Copy)]
pub struct Requirement<'t> {
    /// The category required.
    pub category: &'t CategoryTable,
    /// The first trigger that requires it.
    pub trigger: &'t TriggerEntry,
    /// That trigger's index in the table's `restriction_rules.triggers`.
    pub index: usize,
}

/// A record's categories, resolved: the usual few kept inline.
type Categories = SmallVec<[u32; 4]>;

impl Decider {
    /// The set of a record's facts, or the index of the first one the policy does not declare.
    pub(super) fn stated_facts<'a>(
        &self,
        facts: impl IntoIterator<Item = &'a str>,
    ) -> Result<FactSet, usize> {
        let mut set = 0;
        for (i, f) in facts.into_iter().enumerate() {
            set |= fact_bit(*self.facts.get(f).ok_or(i)?);
        }
        Ok(set)
    }

    /// May a record with these facts carry exactly these restrictions? `Ok` when every fact
    /// and category is declared, no category is given twice, no `never restrict` rule covers
    /// one of them for these facts and no `exclusive` rule names two of them. A change to a
    /// record's restrictions (placing one, adding one to those it carries) is asked with the
    /// set the record would carry afterwards.
    pub fn may_carry<F: AsRef<str>, C: AsRef<str>>(
        &self,
        facts: &[F],
        categories: &[C],
    ) -> Result<(), CarryRefusal> {
        let facts = self
            .stated_facts(facts.iter().map(AsRef::as_ref))
            .map_err(CarryRefusal::UnknownFact)?;
        let mut resolved = Categories::new();
        for (i, c) in categories.iter().enumerate() {
            let c = *self
                .categories
                .get(c.as_ref())
                .ok_or(CarryRefusal::UnknownCategory(i))?;
            if resolved.contains(&c) {
                return Err(CarryRefusal::RepeatedCategory(i));
            }
            resolved.push(c);
        }
        self.carry(facts, &resolved)
    }

    /// [`Decider::may_carry`] on resolved categories.
    fn carry(&self, facts: FactSet, categories: &[u32]) -> Result<(), CarryRefusal> {
        let rules = &self.table.restriction_rules;
        for (i, c) in categories.iter().enumerate() {
            if let Some(rule) = rules
                .never
                .iter()
                .position(|n| n.covers(*c) && n.when.holds(facts))
            {
                return Err(CarryRefusal::NotAllowed { category: i, rule });
            }
        }
        for (second, b) in categories.iter().enumerate() {
            for (first, a) in categories.iter().take(second).enumerate() {
                if let Some(rule) = rules
                    .exclusive
                    .iter()
                    .position(|e| e.categories.contains(a) && e.categories.contains(b))
                {
                    return Err(CarryRefusal::Exclusive {
                        first,
                        second,
                        rule,
                    });
                }
            }
        }
        Ok(())
    }

    /// The restrictions a record with these facts must carry, in the policy's order of
    /// categories, each with the first trigger that requires it; `Err` with the index of a
    /// fact the policy does not declare.
    pub fn required<F: AsRef<str>>(&self, facts: &[F]) -> Result<Vec<Requirement<'_>>, usize> {
        let facts = self.stated_facts(facts.iter().map(AsRef::as_ref))?;
        Ok(self.required_by(facts))
    }

    fn required_by(&self, facts: FactSet) -> Vec<Requirement<'_>> {
        let mut out: Vec<Requirement<'_>> = Vec::new();
        for (i, c) in self.table.categories.iter().enumerate() {
            let first = self
                .table
                .restriction_rules
                .triggers
                .iter()
                .enumerate()
                .find(|(_, t)| t.category as usize == i && t.when.holds(facts));
            if let Some((index, trigger)) = first {
                out.push(Requirement {
                    category: c,
                    trigger,
                    index,
                });
            }
        }
        out
    }

    /// The rules about restrictions' part of a decision, made after it: a record that carries a
    /// restriction its facts forbid, or two that may not be combined, or that states a fact the
    /// policy does not declare, fails closed; otherwise each restriction its facts require and
    /// it does not carry adds a warning. A request that already failed closed stays as it is.
    pub(super) fn restriction_rules<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        at: DateTime<Utc>,
        d: &mut Decision,
    ) {
        if matches!(d.basis, Basis::FailClosed(_)) {
            return;
        }
        let facts = match self.stated_facts(req.record.facts.iter().map(AsRef::as_ref)) {
            Ok(f) => f,
            Err(i) => {
                *d = fail_closed(FailReason::UnknownFact(index(i)), at);
                return;
            }
        };
        // Every category is declared and given once, or the request failed closed already.
        let carried = self.carried(req);
        // `carry` reads resolved categories, so it refuses only by a rule; every refusal is
        // mapped all the same, to the field it names.
        let refused = match self.carry(facts, &carried) {
            Ok(()) => None,
            Err(CarryRefusal::NotAllowed { category, .. }) => {
                Some(FailReason::RestrictionNotAllowed(index(category)))
            }
            Err(CarryRefusal::Exclusive { second, .. }) => {
                Some(FailReason::ExclusiveRestrictions(index(second)))
            }
            Err(CarryRefusal::UnknownFact(i)) => Some(FailReason::UnknownFact(index(i))),
            Err(CarryRefusal::UnknownCategory(i)) => Some(FailReason::UnknownCategory(index(i))),
            Err(CarryRefusal::RepeatedCategory(i)) => Some(FailReason::RepeatedCategory(index(i))),
        };
        if let Some(reason) = refused {
            *d = fail_closed(reason, at);
            return;
        }
        for r in self.required_by(facts) {
            let missing = !carried
                .iter()
                .any(|c| *c as usize == r.trigger.category as usize);
            if missing {
                d.warnings.push(Warning::RestrictionRequired(
                    u32::try_from(r.index).unwrap_or(u32::MAX),
                ));
            }
        }
    }

    /// What the rules about restrictions say of a lifecycle action on this record: placing a
    /// category its facts forbid (`never restrict`), or one that may not be combined with a
    /// restriction it carries (`exclusive`), is refused, and so is lifting one its facts require
    /// (`trigger`), since the record would then break the policy. A fact the policy does not
    /// declare fails closed, as on any other request.
    pub(super) fn change_refusal<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        change: Change,
        category: u32,
    ) -> Result<Option<ChangeRefusal>, FailReason> {
        let facts = self
            .stated_facts(req.record.facts.iter().map(AsRef::as_ref))
            .map_err(|i| FailReason::UnknownFact(index(i)))?;
        match change {
            Change::Place => {
                // Every category was checked to be declared (`request_known`).
                let mut after = self.carried(req);
                after.push(category);
                Ok(match self.carry(facts, &after) {
                    Ok(()) => None,
                    Err(CarryRefusal::Exclusive { .. }) => {
                        Some(ChangeRefusal::ExclusiveRestrictions)
                    }
                    Err(_) => Some(ChangeRefusal::RestrictionNotAllowed),
                })
            }
            Change::Lift => Ok(self
                .required_by(facts)
                .iter()
                .any(|r| r.trigger.category == category)
                .then_some(ChangeRefusal::RestrictionRequired)),
            _ => Ok(None),
        }
    }

    /// The categories the record itself carries, resolved (an undeclared one is left out: the
    /// callers have refused it already).
    fn carried<S: AsRef<str>>(&self, req: &Request<S>) -> Categories {
        req.record
            .placed()
            .filter_map(|r| self.categories.get(r.category.as_ref()).copied())
            .collect()
    }

    /// Whether a decision must read the rules about restrictions: the record states facts, or
    /// the policy forbids restrictions or combinations whatever the facts.
    pub(super) fn reads_restriction_rules<S>(&self, req: &Request<S>) -> bool {
        let rules = &self.table.restriction_rules;
        !req.record.facts.is_empty() || !rules.never.is_empty() || !rules.exclusive.is_empty()
    }

    /// The `restriction_required` warning in words: the category, and the trigger's reason and
    /// place.
    pub(super) fn requirement_text(&self, trigger: u32) -> String {
        let t = self.table.restriction_rules.triggers.get(trigger as usize);
        let c = t.and_then(|t| self.table.categories.get(t.category as usize));
        match (t, c) {
            (Some(t), Some(c)) => super::words::restriction_required(
                &c.name,
                &c.title,
                t.reason.as_deref(),
                &t.source,
            ),
            _ => super::words::restriction_required("", "", None, ""),
        }
    }

    /// Why a record may not carry a set of restrictions, in words, with the policy's reason
    /// and the rule's place: for a person changing the record (an auditor's detail; a category
    /// name is in it).
    pub fn carry_refusal_text<F: AsRef<str>, C: AsRef<str>>(
        &self,
        facts: &[F],
        categories: &[C],
        refusal: CarryRefusal,
    ) -> String {
        let name = |i: usize| categories.get(i).map_or("", AsRef::as_ref);
        let rules = &self.table.restriction_rules;
        let because = |reason: Option<&str>, source: &str| match reason {
            Some(r) => format!("{r} ({source})"),
            None => format!("({source})"),
        };
        match refusal {
            CarryRefusal::UnknownFact(i) => format!(
                "unknown fact `{}` at `record.facts[{i}]`: the policy does not declare it",
                facts.get(i).map_or("", AsRef::as_ref)
            ),
            CarryRefusal::UnknownCategory(i) => {
                format!(
                    "unknown category `{}`: the policy does not have it",
                    name(i)
                )
            }
            CarryRefusal::RepeatedCategory(i) => {
                format!(
                    "category `{}` is given twice: a record carries a category at most once",
                    name(i)
                )
            }
            CarryRefusal::NotAllowed { category, rule } => {
                let n: Option<&NeverEntry> = rules.never.get(rule);
                format!(
                    "this record may not be restricted under `{}`: {}",
                    name(category),
                    n.map_or_else(String::new, |n| because(n.reason.as_deref(), &n.source))
                )
            }
            CarryRefusal::Exclusive {
                first,
                second,
                rule,
            } => {
                let e: Option<&ExclusiveEntry> = rules.exclusive.get(rule);
                format!(
                    "`{}` and `{}` may not be combined on one record: {}",
                    name(first),
                    name(second),
                    e.map_or_else(String::new, |e| because(e.reason.as_deref(), &e.source))
                )
            }
        }
    }
}

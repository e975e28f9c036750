//! Temporary grants: the kinds of temporary access a category gives, interned, and whether a
//! grant the request carries counts — of a kind the category gives for the action, held by
//! someone the kind lets hold one, approved by someone one of its approvers describes (read over
//! the approver's own facts: their id, their relation to the record, and the roles and teams the
//! request states for them), renewed no more often than allowed, and current.

use chrono::{DateTime, Utc};

use super::decider::{Context, Decider, index};
use super::decision::{FailReason, GrantProblem, Warning, Warnings};
use super::id;
use super::id::Id;
use super::intern::{self, CondRef, CubePool, Layout, NameMap};
use super::request::{GrantApprover, Record, Request};
use crate::compile::table::TemporaryEntry;
use crate::policy::{Atom, Condition, Period, Relation};

/// One kind of a category's temporary access, interned.
#[derive(Debug, Clone)]
pub(super) struct Temporary {
    /// The kind's index in [`Decider::kinds`]; `None` for the default kind.
    kind: Option<u32>,
    actions: u64,
    max: Period,
    to: Option<CondRef>,
    /// Who may approve: any approver's condition, read over the approver's own facts.
    approvers: CondRef,
    /// Whether an approver's condition reads a role or team, which only a request that states
    /// the approver's roles and teams can show.
    reads_roles: bool,
    renewable: u32,
    notify: Option<Period>,
}

impl Temporary {
    /// Interns one kind of temporary access: its approvers become one condition over the
    /// approver's facts.
    pub(super) fn new(
        t: &TemporaryEntry,
        kinds: &NameMap,
        pool: &mut CubePool,
        layout: &Layout,
    ) -> Temporary {
        let approvers = Condition {
            terms: t
                .approved_by
                .iter()
                .flat_map(|a| a.condition.terms.iter().cloned())
                .collect(),
        };
        Temporary {
            kind: t.kind_name().and_then(|k| kinds.get(k).copied()),
            actions: t
                .actions
                .iter()
                .filter(|a| **a < 64)
                .fold(0, |m, a| m | 1 << a),
            max: t.max,
            to: t.to.as_ref().map(|c| pool.add(c, layout)),
            reads_roles: approvers
                .terms
                .iter()
                .flatten()
                .any(|l| matches!(l.atom, Atom::Role(_) | Atom::Team(_))),
            approvers: pool.add(&approvers, layout),
            renewable: t.renewable,
            notify: t.notify,
        }
    }
}

/// The valid grant that ends last: its index, its end, and its kind's notice.
#[derive(Debug, Clone, Copy)]
pub(super) struct GrantEnd {
    /// The grant's index in the request.
    pub(super) grant: u16,
    /// Its kind's index among the category's kinds.
    pub(super) kind: u16,
    /// When it ends (none: never, as far as the calendar goes).
    pub(super) at: Option<DateTime<Utc>>,
    /// Its kind's notice.
    pub(super) notify: Option<Period>,
}

impl Decider {
    /// Every temporary grant's kind and stated approver roles and teams are names the policy
    /// declares: a misspelt kind or role could otherwise make a grant silently count for
    /// nothing (or for the wrong kind), so the evaluator refuses, naming the field.
    pub(super) fn grants_known<S: AsRef<str>>(&self, req: &Request<S>) -> Result<(), FailReason> {
        for (i, g) in req.temporary_grants.iter().enumerate() {
            let i = index(i);
            if g.kind
                .as_ref()
                .is_some_and(|k| !self.kinds.contains_key(k.as_ref()))
            {
                return Err(FailReason::UnknownGrantKind(i));
            }
            let Some(stated) = g.approved_by.stated() else {
                continue;
            };
            if let Some(j) = stated
                .roles
                .iter()
                .position(|r| !self.roles.contains_key(r.as_ref()))
            {
                return Err(FailReason::UnknownApproverRole(i, index(j)));
            }
            if let Some(j) = stated
                .teams
                .iter()
                .position(|t| !self.teams.contains_key(t.as_ref()))
            {
                return Err(FailReason::UnknownApproverTeam(i, index(j)));
            }
        }
        Ok(())
    }

    /// Checks the subject's temporary grants for this record: whether one is valid and, of the
    /// valid ones, the one that ends last; a warning for each that is capped or does not count.
    pub(super) fn temporary<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        ctx: &Context<S>,
        kinds: &[Temporary],
        at: DateTime<Utc>,
        facts: &[u64],
        warnings: &mut Warnings,
    ) -> Option<GrantEnd> {
        let bit = 1u64.checked_shl(ctx.action).unwrap_or(0);
        let action_name = self
            .table
            .vocabulary
            .actions
            .get(ctx.action as usize)
            .map(|a| a.name.as_str());
        let mut best: Option<GrantEnd> = None;
        // While acting, the grants that count are the colleague's: their rights, not the
        // subject's own.
        let holder = ctx
            .acting
            .as_ref()
            .map_or(&req.subject.id, |a| &a.colleague.id);
        for (i, g) in req.temporary_grants.iter().enumerate() {
            if !g.subject.same(holder) || g.record.as_ref().is_some_and(|r| !r.same(&req.record.id))
            {
                continue;
            }
            let i = index(i);
            // Every kind was checked to be declared somewhere (`grants_known`).
            let kind = g
                .kind
                .as_ref()
                .and_then(|k| self.kinds.get(k.as_ref()).copied());
            let Some((k, t)) = kinds
                .iter()
                .enumerate()
                .find(|(_, t)| t.kind == kind && t.actions & bit != 0)
            else {
                warnings.push(Warning::GrantNotValid(i, GrantProblem::NotOffered));
                continue;
            };
            let own = g.duration.0.after_instant(g.granted_at);
            let cap = t.max.after_instant(g.granted_at);
            let end = match (own, cap) {
                (Some(o), Some(c)) if o > c => {
                    warnings.push(Warning::GrantCapped(i, c));
                    Some(c)
                }
                (None, Some(c)) => {
                    warnings.push(Warning::GrantCapped(i, c));
                    Some(c)
                }
                (o, _) => o,
            };
            let problem = if g
                .actions
                .as_ref()
                .is_some_and(|l| !l.iter().any(|x| Some(x.as_ref()) == action_name))
            {
                Some(GrantProblem::ActionNotListed)
            } else if t.to.is_some_and(|c| !self.pool.holds(c, facts)) {
                Some(GrantProblem::NotEligible)
            } else if g.approved_by.id().same(g.subject.as_str()) {
                Some(GrantProblem::SelfApproved)
            } else if !self.approves(t.approvers, &g.approved_by, req, ctx) {
                Some(if t.reads_roles && g.approved_by.stated().is_none() {
                    GrantProblem::ApproverNotStated
                } else {
                    GrantProblem::ApproverNotAllowed
                })
            } else if g.renewals > t.renewable {
                Some(GrantProblem::RenewedTooOften)
            } else if at < g.granted_at {
                Some(GrantProblem::NotStarted)
            } else {
                end.filter(|e| at >= *e).map(GrantProblem::Expired)
            };
            match problem {
                Some(p) => warnings.push(Warning::GrantNotValid(i, p)),
                None => {
                    let this = GrantEnd {
                        grant: i,
                        kind: index(k),
                        at: end,
                        notify: t.notify,
                    };
                    // A grant with no computable end outlasts every other.
                    best = match best {
                        Some(b) if b.at.is_none() || end.is_some_and(|e| b.at >= Some(e)) => {
                            Some(b)
                        }
                        _ => Some(this),
                    };
                }
            }
        }
        best
    }

    /// Whether the grant's approver meets one of the kind's approvers.
    fn approves<S: AsRef<str>>(
        &self,
        approvers: CondRef,
        approver: &GrantApprover<S>,
        req: &Request<S>,
        ctx: &Context<S>,
    ) -> bool {
        let owner = ctx.restriction.and_then(|r| r.owner.as_ref());
        self.approver_holds(approvers, approver, &req.record, owner, None)
    }

    /// Whether an approver meets a condition over approvers: the facts about them (their id as
    /// a person the policy names, their relation to the record and to the requester, and the
    /// roles and teams the request states for them) are read as a subject's are.
    pub(super) fn approver_holds<S: AsRef<str>>(
        &self,
        approvers: CondRef,
        approver: &GrantApprover<S>,
        rec: &Record<S>,
        owner: Option<&Id<S>>,
        line_manager: Option<&Id<S>>,
    ) -> bool {
        let id = approver.id();
        let mut facts = self.approver_facts(approver);
        let mut held = 0u64;
        let mut rel = |r: Relation, on: bool| {
            if on {
                held |= 1 << intern::relation_bit(r);
            }
        };
        rel(Relation::Owner, owner.is_some_and(|o| o.same(id.as_str())));
        rel(
            Relation::AllocatedManager,
            rec.allocated_managers.iter().any(|x| x.same(id.as_str())),
        );
        rel(
            Relation::AllocatedWorker,
            rec.allocated_workers.iter().any(|x| x.same(id.as_str())),
        );
        rel(
            Relation::LineManager,
            line_manager.is_some_and(|m| m.same(id.as_str())),
        );
        // INVARIANT: relations occupy the lowest bits of the first word (see `Layout`).
        if let Some(w) = facts.first_mut() {
            *w |= held;
        }
        self.pool.holds(approvers, &facts)
    }

    /// The facts about an approver that hold for every record: the person the policy names by
    /// their id, and the roles and teams the request states they held (every name was checked
    /// to be declared before any rule is read: `grants_known`, `approvals_known`,
    /// `acting_known`).
    pub(super) fn approver_facts<S: AsRef<str>>(
        &self,
        approver: &GrantApprover<S>,
    ) -> smallvec::SmallVec<[u64; 8]> {
        // Fact sets up to eight words live on the stack: approving allocates nothing.
        let mut facts = smallvec::smallvec![0u64; self.layout.words()];
        if !self.persons.is_empty() {
            if let Some(p) = id::with_key(approver.id().as_str(), |k| self.persons.get(k).copied())
            {
                for b in self.person_bits.get(p as usize).into_iter().flatten() {
                    intern::set(&mut facts, *b);
                }
            }
        }
        if let Some(stated) = approver.stated() {
            for r in stated
                .roles
                .iter()
                .filter_map(|r| self.roles.get(r.as_ref()))
            {
                self.role_tree.hold(&mut facts, *r);
            }
            for t in stated
                .teams
                .iter()
                .filter_map(|t| self.teams.get(t.as_ref()))
            {
                self.team_tree.hold(&mut facts, *t);
            }
        }
        facts
    }
}

//! Acting for a colleague: whether a request's acting window counts, and the two sets of facts
//! it is decided on (docs/semantics.md, "Acting for a colleague").
//!
//! A valid window makes the colleague's roles, teams, organisation and relations to the record
//! the facts every row is read on: the deputy inherits the colleague's rights. The deputy's
//! own roles, teams, organisation, person and personal relations to the record (their own
//! record, a relative's, an entry they wrote, the exclusion list) are kept beside them, with the
//! colleague's ties to the record (allocation, the record's teams, ownership, the access list,
//! temporary grants) in place of the deputy's: a deny row that matches those refuses too, so the
//! deputy never gets past a deny that names them, and never more than the colleague.

use chrono::{DateTime, Utc};

use super::decider::{CRow, Context, Decider, index};
use super::decision::{ActingProblem, CategoryRef, FailReason};
use super::intern::{self, CondRef, CubePool, Layout};
use super::request::{ActingFor, Request, Subject};
use crate::compile::Layer;
use crate::compile::table::{ActingEntry, RowEffect};
use crate::policy::{Atom, Condition, Period, Relation};

/// Whose name a request gives: the subject's own, or the colleague's they act for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Who {
    /// The subject who asks.
    Subject,
    /// The colleague the subject acts for.
    Colleague,
}

impl Who {
    pub(super) fn unknown_organisation(self) -> FailReason {
        match self {
            Who::Subject => FailReason::UnknownOrganisation,
            Who::Colleague => FailReason::UnknownActingOrganisation,
        }
    }

    pub(super) fn unknown_role(self, i: u16) -> FailReason {
        match self {
            Who::Subject => FailReason::UnknownRole(i),
            Who::Colleague => FailReason::UnknownActingRole(i),
        }
    }

    pub(super) fn unknown_team(self, i: u16) -> FailReason {
        match self {
            Who::Subject => FailReason::UnknownTeam(i),
            Who::Colleague => FailReason::UnknownActingTeam(i),
        }
    }
}

/// One `acting` statement, interned.
#[derive(Debug, Clone)]
pub(super) struct ActingRule {
    max: Period,
    /// Who may approve: any approver's condition, read over the approver's own facts.
    approvers: CondRef,
    /// Whether an approver's condition reads a role or team, which only a request that states
    /// the approver's roles and teams can show.
    reads_roles: bool,
}

impl ActingRule {
    /// Interns one `acting` statement.
    pub(super) fn new(a: &ActingEntry, pool: &mut CubePool, layout: &Layout) -> ActingRule {
        let approvers = Condition {
            terms: a
                .approved_by
                .iter()
                .flat_map(|x| x.condition.terms.iter().cloned())
                .collect(),
        };
        ActingRule {
            max: a.max,
            reads_roles: approvers
                .terms
                .iter()
                .flatten()
                .any(|l| matches!(l.atom, Atom::Role(_) | Atom::Team(_))),
            approvers: pool.add(&approvers, layout),
        }
    }
}

/// A valid acting window: the colleague acted for, and the deputy's own facts.
pub(super) struct Deputy<'r, S> {
    /// The colleague acted for.
    pub(super) colleague: &'r Subject<S>,
    /// The deputy's own facts (their relations to the record's ties are replaced by the
    /// colleague's when a row is read: [`Decider::deputy_denies`]).
    facts: Vec<u64>,
}

/// The relations that tie a person to the record and give rights: while acting they are the
/// colleague's, for the deputy's denies too.
const TIES: [Relation; 6] = [
    Relation::AllocatedWorker,
    Relation::AllocatedManager,
    Relation::RecordTeam,
    Relation::Owner,
    Relation::NamedAllow,
    Relation::TemporaryGrant,
];

fn ties() -> u64 {
    TIES.iter()
        .fold(0, |m, r| m | 1u64 << intern::relation_bit(*r))
}

fn acting_bit() -> u64 {
    1u64 << intern::relation_bit(Relation::ActingFor)
}

impl Decider {
    /// Reads the request's `acting_for`: a policy with no `acting` statement refuses it, and so
    /// does a name it does not declare; a window that does not count leaves the subject's own
    /// facts with the reason in `ctx`; a valid one puts the colleague's facts in `facts` and
    /// keeps the subject's in `ctx`.
    pub(super) fn act<'r, S: AsRef<str>>(
        &self,
        req: &'r Request<S>,
        a: &'r ActingFor<S>,
        at: DateTime<Utc>,
        facts: &mut [u64],
        ctx: &mut Context<'r, S>,
    ) -> Result<(), FailReason> {
        let colleague = self.acting_known(req, a)?;
        if let Err(p) = self.window(&req.subject, a, at) {
            ctx.acting_problem = Some(p);
            return Ok(());
        }
        let mut own = facts.to_vec();
        facts.copy_from_slice(&colleague);
        // The request's context is the request's, whoever's rights decide it.
        self.context_facts(req, facts)?;
        for (k, p) in ctx.placed.iter_mut().enumerate() {
            p.deputy_bits = p.bits & (1u64 << intern::relation_bit(Relation::NamedDeny));
            p.bits = self.restriction_bits(p.restriction, &a.subject.id, facts, k)?;
        }
        if let Some(w) = facts.first_mut() {
            *w |= acting_bit();
        }
        if let Some(w) = own.first_mut() {
            *w |= acting_bit();
        }
        ctx.acting = Some(Deputy {
            colleague: &a.subject,
            facts: own,
        });
        Ok(())
    }

    /// Whether the policy lets anyone act, and every name the window gives (the colleague's
    /// organisation, roles and teams, the approver's stated roles and teams) is declared; the
    /// colleague's facts, which hold for every restriction on the record.
    pub(super) fn acting_known<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        a: &ActingFor<S>,
    ) -> Result<Vec<u64>, FailReason> {
        if self.acting.is_empty() {
            return Err(FailReason::ActingNotAllowed);
        }
        let mut colleague = vec![0u64; self.layout.words()];
        self.subject_facts(&a.subject, &mut colleague, Who::Colleague)?;
        // The record's teams were checked with the subject's facts.
        self.record_facts(&a.subject, &req.record, &mut colleague)?;
        if let Some(stated) = a.approved_by.stated() {
            if let Some(j) = stated
                .roles
                .iter()
                .position(|r| !self.roles.contains_key(r.as_ref()))
            {
                return Err(FailReason::UnknownActingApproverRole(index(j)));
            }
            if let Some(j) = stated
                .teams
                .iter()
                .position(|t| !self.teams.contains_key(t.as_ref()))
            {
                return Err(FailReason::UnknownActingApproverTeam(index(j)));
            }
        }
        Ok(colleague)
    }

    /// Whether an acting window counts, or why not.
    fn window<S: AsRef<str>>(
        &self,
        deputy: &Subject<S>,
        a: &ActingFor<S>,
        at: DateTime<Utc>,
    ) -> Result<(), ActingProblem> {
        let approver = a.approved_by.id();
        if a.subject.id.same(deputy.id.as_str()) {
            return Err(ActingProblem::ForThemselves);
        }
        if approver.same(deputy.id.as_str()) || approver.same(a.subject.id.as_str()) {
            return Err(ActingProblem::ApprovedByAParty);
        }
        if a.until <= a.from {
            return Err(ActingProblem::Empty);
        }
        let facts = self.approver_facts(&a.approved_by);
        let mut met = self
            .acting
            .iter()
            .filter(|r| self.pool.holds(r.approvers, &facts))
            .peekable();
        if met.peek().is_none() {
            let unstated = a.approved_by.stated().is_none();
            return Err(if unstated && self.acting.iter().any(|r| r.reads_roles) {
                ActingProblem::ApproverNotStated
            } else {
                ActingProblem::ApproverNotAllowed
            });
        }
        // A maximum beyond the calendar admits every window.
        if !met.any(|r| r.max.after_instant(a.from).is_none_or(|end| a.until <= end)) {
            return Err(ActingProblem::TooLong);
        }
        if at < a.from {
            return Err(ActingProblem::NotStarted);
        }
        if at >= a.until {
            return Err(ActingProblem::Ended);
        }
        Ok(())
    }

    /// The deputy's facts while acting: their own, with the colleague's ties to the record and
    /// to the current restriction (`facts` are the colleague's, as [`Decider::restrict`] left
    /// them) and their own exclusion by it.
    pub(super) fn deputy_facts<S>(&self, ctx: &Context<S>, facts: &[u64]) -> Option<Vec<u64>> {
        let deputy = ctx.acting.as_ref()?;
        let mut own = deputy.facts.clone();
        if let (Some(w), Some(c)) = (own.first_mut(), facts.first()) {
            *w = (*w & !ties()) | (c & ties()) | ctx.deputy_bits;
        }
        Some(own)
    }

    /// The first deny row of a category's list, for the action, that matches the deputy
    /// ([`Decider::deputy_facts`]); none when the request does not act for anyone.
    #[inline]
    pub(super) fn deputy_denies<S>(
        &self,
        ctx: &Context<S>,
        category: CategoryRef,
        facts: &[u64],
    ) -> Option<usize> {
        // The usual request acts for no one: answered where it is asked, without a call.
        ctx.acting.as_ref()?;
        self.deputy_denies_acting(ctx, category, facts)
    }

    /// [`Decider::deputy_denies`] for a request that acts for a colleague.
    #[inline(never)]
    fn deputy_denies_acting<S>(
        &self,
        ctx: &Context<S>,
        category: CategoryRef,
        facts: &[u64],
    ) -> Option<usize> {
        let own = self.deputy_facts(ctx, facts)?;
        self.rows(category, ctx.action)
            .iter()
            .position(|row| denies(row) && self.pool.holds(row.cond, &own))
    }
}

/// Whether a row is a deny rule's (or the exclusion list's): the rows a deputy's own facts are
/// read against. The default refuses nobody in particular.
pub(super) fn denies(row: &CRow) -> bool {
    row.effect() == RowEffect::Deny && row.layer != Layer::Default
}

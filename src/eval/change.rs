//! Lifecycle actions (docs/semantics.md, "Lifecycle actions"): placing, amending, lifting and
//! renewing a restriction, adding someone to its access list, granting and renewing temporary
//! access, and adding a flag are decided by the approval chain the policy names for them. The
//! request carries the approvals given so far; each is checked against its step — in order, by
//! someone the step names (as the request states them at the time of approving), never the
//! requester, never one person for two steps, not older than the chain's `valid for` — and the
//! answer is allow (every step approved), pending (the approvals so far are good, steps remain)
//! or deny with the reason.

use chrono::{DateTime, Utc};

use super::decider::{Decider, fail_closed, index};
use super::decision::{Basis, ChainState, ChangeProblem, Decision, DenyKind, FailReason, Outcome};
use super::intern::{CondRef, CubePool, Layout};
use super::request::{ChangeRequest, GivenApproval, Request};
use crate::compile::table::{
    ApprovalEntry, ApproverEntry, ChainEntry, DecisionTable, UnstatedApprovalEntry,
};
use crate::policy::{Atom, Change, ChangeRefusal, ChangeTarget, Condition, Period, Purpose, View};

/// One step of a chain, interned: who may approve it.
#[derive(Debug, Clone)]
struct Step {
    who: CondRef,
    /// Whether its approvers read a role or team, which only an approval that states the
    /// approver's roles and teams can show.
    reads_roles: bool,
}

/// A chain, interned.
#[derive(Debug, Clone)]
pub(super) struct Chain {
    steps: Vec<Step>,
    valid_for: Option<Period>,
}

/// Who approves one lifecycle action.
#[derive(Debug, Clone)]
pub(super) enum Approvers {
    /// A chain.
    Chain(Chain),
    /// The source names no approver, and the policy says so.
    Unstated,
    /// The policy names no approver.
    Unnamed,
}

/// Every chain the evaluator may need, interned once.
#[derive(Debug, Clone, Default)]
pub(super) struct Lifecycle {
    /// Per category (the table's order), per purpose in [`Purpose::ALL`] order.
    categories: Vec<Vec<Approvers>>,
    /// Per category, per kind of temporary access (the table's order): the kind's approvers as
    /// one step.
    temporary: Vec<Vec<Chain>>,
    /// Adding a flag.
    flag: Option<Approvers>,
}

impl Lifecycle {
    /// Interns every category's chains.
    pub(super) fn new(table: &DecisionTable, pool: &mut CubePool, layout: &Layout) -> Lifecycle {
        let chain = |pool: &mut CubePool, c: &ChainEntry, valid_for: Option<Period>| Chain {
            steps: c
                .steps
                .iter()
                .map(|alternatives| step(pool, layout, alternatives))
                .collect(),
            valid_for,
        };
        let approvers = |pool: &mut CubePool,
                         a: Option<&ApprovalEntry>,
                         unstated: Option<&UnstatedApprovalEntry>| match a {
            Some(a) => Approvers::Chain(chain(pool, &a.chain, a.valid_for)),
            None if unstated.is_some() => Approvers::Unstated,
            None => Approvers::Unnamed,
        };
        let categories = table
            .categories
            .iter()
            .map(|c| {
                Purpose::ALL
                    .iter()
                    .map(|&p| {
                        let unstated = c.unstated_approvals.iter().find(|u| u.purpose == p);
                        match (c.approval(p), &c.review) {
                            // A review that continues a restriction renews it: without an
                            // `approve renew`, the category's reviewer approves.
                            (None, Some(r)) if p == Purpose::Renew && unstated.is_none() => {
                                match &r.reviewer {
                                    Some(by) => Approvers::Chain(chain(pool, by, None)),
                                    None => Approvers::Unnamed,
                                }
                            }
                            (a, _) => approvers(pool, a, unstated),
                        }
                    })
                    .collect()
            })
            .collect();
        let flag = Some(approvers(
            pool,
            table.flag_approval.as_ref(),
            table.flag_unstated.as_ref(),
        ));
        let temporary = table
            .categories
            .iter()
            .map(|c| {
                c.temporary
                    .iter()
                    .map(|t| Chain {
                        steps: vec![step(pool, layout, &t.approved_by)],
                        valid_for: None,
                    })
                    .collect()
            })
            .collect();
        Lifecycle {
            categories,
            temporary,
            flag,
        }
    }
}

/// A step of alternatives, interned: anyone any alternative describes may approve it.
fn step(pool: &mut CubePool, layout: &Layout, alternatives: &[ApproverEntry]) -> Step {
    let who = Condition {
        terms: alternatives
            .iter()
            .flat_map(|a| a.condition.terms.iter().cloned())
            .collect(),
    };
    Step {
        reads_roles: who
            .terms
            .iter()
            .flatten()
            .any(|l| matches!(l.atom, Atom::Role(_) | Atom::Team(_))),
        who: pool.add(&who, layout),
    }
}

impl Decider {
    /// Decides a lifecycle action: reads the request as any other (an unknown name anywhere
    /// fails closed), finds what it changes and the chain that approves it, and checks the
    /// approvals given so far.
    pub(super) fn decide_change<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        change: Change,
        at: DateTime<Utc>,
    ) -> Decision {
        match self.change_decision(req, change, at) {
            Ok(d) => d,
            Err(reason) => fail_closed(reason, at),
        }
    }

    fn change_decision<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        change: Change,
        at: DateTime<Utc>,
    ) -> Result<Decision, FailReason> {
        let Some(asked) = &req.change else {
            return Err(FailReason::MissingChange);
        };
        self.request_known(req)?;
        self.approvals_known(&req.approvals)?;
        let (target, category, kind) = self.change_target(change, asked)?;
        let refuse = |refusal: ChangeRefusal| ChangeProblem {
            refusal,
            approval: None,
            expired_at: None,
        };
        let mut state = ChainState {
            change,
            target,
            kind,
            steps: 0,
            satisfied: 0,
            problem: None,
        };
        let carried = match change.target() {
            ChangeTarget::Flag => req
                .record
                .flags
                .iter()
                .any(|f| self.flags.get(f.flag.as_ref()) == Some(&target)),
            _ => category.is_some_and(|c| req.record.placed().any(|r| r.category.as_ref() == c)),
        };
        let ruled = match change.target() {
            ChangeTarget::Restriction => self.change_refusal(req, change, target)?,
            _ => None,
        };
        let chain = if carried != change.needs_carried() {
            Err(refuse(if carried {
                ChangeRefusal::AlreadyCarried
            } else {
                ChangeRefusal::NotCarried
            }))
        } else if let Some(r) = ruled {
            Err(refuse(r))
        } else {
            self.chain_for(change, target, kind, asked).map_err(refuse)
        };
        match chain {
            Err(p) => state.problem = Some(p),
            Ok(chain) => {
                state.steps = u8::try_from(chain.steps.len()).unwrap_or(u8::MAX);
                let restriction =
                    category.and_then(|c| req.record.placed().find(|r| r.category.as_ref() == c));
                let owner = restriction.and_then(|r| r.owner.as_ref());
                let line_manager = asked.line_manager.as_ref();
                let (satisfied, problem) =
                    self.check_approvals(req, chain, owner, line_manager, at);
                state.satisfied = satisfied;
                state.problem = problem;
            }
        }
        let (outcome, deny_kind) = match state.problem {
            Some(p) => (
                Outcome::Deny,
                Some(match p.refusal {
                    ChangeRefusal::SelfApproval | ChangeRefusal::SameApproverTwice => {
                        DenyKind::Forbidden
                    }
                    _ => DenyKind::NotPermitted,
                }),
            ),
            None if state.satisfied >= state.steps => (Outcome::Allow, None),
            None => (Outcome::Pending, None),
        };
        Ok(Decision {
            outcome,
            view: View::None,
            deny_kind,
            basis: Basis::Change(state),
            at,
            expires_at: None,
            grant: None,
            via: None,
            warnings: Default::default(),
            flags: 0,
            // A lifecycle action is decided by its approvals, for the subject who asks.
            acting: false,
        })
    }

    /// What the change names: the category's (or flag's) index, the category's name, and for
    /// temporary access the kind's index among the category's kinds (resolved later: a kind
    /// the category does not give is a refusal, not a doubt about the request).
    fn change_target<'a, S: AsRef<str>>(
        &self,
        change: Change,
        asked: &'a ChangeRequest<S>,
    ) -> Result<(u32, Option<&'a str>, Option<u16>), FailReason> {
        let category = asked.category.as_ref().map(AsRef::as_ref);
        match change.target() {
            ChangeTarget::Flag => {
                if asked.category.is_some() || asked.kind.is_some() {
                    return Err(FailReason::IncompleteChange);
                }
                let flag = asked.flag.as_ref().ok_or(FailReason::IncompleteChange)?;
                let f = *self
                    .flags
                    .get(flag.as_ref())
                    .ok_or(FailReason::UnknownChangeFlag)?;
                Ok((f, None, None))
            }
            target => {
                let temporary = target == ChangeTarget::Temporary;
                if asked.flag.is_some() || (!temporary && asked.kind.is_some()) {
                    return Err(FailReason::IncompleteChange);
                }
                let name = category.ok_or(FailReason::IncompleteChange)?;
                let c = self
                    .category_index(name)
                    .ok_or(FailReason::UnknownChangeCategory)?;
                if let Some(k) = &asked.kind {
                    if !self.kinds.contains_key(k.as_ref()) {
                        return Err(FailReason::UnknownChangeKind);
                    }
                }
                let kind = temporary
                    .then(|| {
                        self.table.categories.get(c as usize).and_then(|t| {
                            t.temporary.iter().position(|e| {
                                e.kind_name() == asked.kind.as_ref().map(AsRef::as_ref)
                            })
                        })
                    })
                    .flatten()
                    .map(index);
                Ok((c, category, kind))
            }
        }
    }

    /// The chain that approves this change, or why there is none.
    fn chain_for<S: AsRef<str>>(
        &self,
        change: Change,
        target: u32,
        kind: Option<u16>,
        asked: &ChangeRequest<S>,
    ) -> Result<&Chain, ChangeRefusal> {
        let l = &self.lifecycle;
        let approvers = match change.target() {
            ChangeTarget::Flag => l.flag.as_ref(),
            ChangeTarget::Temporary => {
                let kinds = l.temporary.get(target as usize);
                let k = kind.ok_or(ChangeRefusal::KindNotOffered)?;
                let chain = kinds
                    .and_then(|ks| ks.get(k as usize))
                    .ok_or(ChangeRefusal::KindNotOffered)?;
                if change == Change::RenewTemporary {
                    let renewable = self
                        .table
                        .categories
                        .get(target as usize)
                        .and_then(|c| c.temporary.get(k as usize))
                        .map_or(0, |t| t.renewable);
                    if asked.renewals >= renewable {
                        return Err(ChangeRefusal::RenewedTooOften);
                    }
                }
                return Ok(chain);
            }
            ChangeTarget::Restriction => {
                let purpose = change.purpose();
                l.categories.get(target as usize).and_then(|ps| {
                    Purpose::ALL
                        .iter()
                        .position(|p| *p == purpose)
                        .and_then(|i| ps.get(i))
                })
            }
        };
        match approvers {
            Some(Approvers::Chain(c)) => Ok(c),
            Some(Approvers::Unstated) => Err(ChangeRefusal::ApproverUnstated),
            Some(Approvers::Unnamed) | None => Err(ChangeRefusal::NoApprover),
        }
    }

    /// Checks the approvals in the order given against the chain's steps: how many steps they
    /// satisfy, and the first problem.
    fn check_approvals<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        chain: &Chain,
        owner: Option<&super::Id<S>>,
        line_manager: Option<&super::Id<S>>,
        at: DateTime<Utc>,
    ) -> (u8, Option<ChangeProblem>) {
        let mut satisfied = 0u8;
        let mut previous: Option<DateTime<Utc>> = None;
        for (i, a) in req.approvals.iter().enumerate() {
            let problem = |refusal: ChangeRefusal| ChangeProblem {
                refusal,
                approval: Some(index(i)),
                expired_at: None,
            };
            let step = usize::try_from(a.step).ok().and_then(|s| s.checked_sub(1));
            let Some(step) = step.filter(|s| *s == i).and_then(|s| chain.steps.get(s)) else {
                return (satisfied, Some(problem(ChangeRefusal::OutOfOrder)));
            };
            if previous.is_some_and(|p| a.at < p) {
                return (satisfied, Some(problem(ChangeRefusal::OutOfOrder)));
            }
            if a.at > at {
                return (satisfied, Some(problem(ChangeRefusal::ApprovalInFuture)));
            }
            let id = a.by.id();
            if id.same(req.subject.id.as_str()) {
                return (satisfied, Some(problem(ChangeRefusal::SelfApproval)));
            }
            if req.approvals[..i]
                .iter()
                .any(|b: &GivenApproval<S>| b.by.id().same(id.as_str()))
            {
                return (satisfied, Some(problem(ChangeRefusal::SameApproverTwice)));
            }
            if !self.approver_holds(step.who, &a.by, &req.record, owner, line_manager) {
                let refusal = if step.reads_roles && a.by.stated().is_none() {
                    ChangeRefusal::ApproverNotStated
                } else {
                    ChangeRefusal::NotAuthorised
                };
                return (satisfied, Some(problem(refusal)));
            }
            if let Some(end) = chain.valid_for.and_then(|v| v.after_instant(a.at)) {
                if end <= at {
                    return (
                        satisfied,
                        Some(ChangeProblem {
                            expired_at: Some(end),
                            ..problem(ChangeRefusal::ApprovalExpired)
                        }),
                    );
                }
            }
            satisfied = satisfied.saturating_add(1);
            previous = Some(a.at);
        }
        (satisfied, None)
    }

    /// Every approval's stated roles and teams are names the policy declares.
    fn approvals_known<S: AsRef<str>>(
        &self,
        approvals: &[GivenApproval<S>],
    ) -> Result<(), FailReason> {
        for (i, a) in approvals.iter().enumerate() {
            let Some(stated) = a.by.stated() else {
                continue;
            };
            if let Some(j) = stated
                .roles
                .iter()
                .position(|r| !self.roles.contains_key(r.as_ref()))
            {
                return Err(FailReason::UnknownApprovalRole(index(i), index(j)));
            }
            if let Some(j) = stated
                .teams
                .iter()
                .position(|t| !self.teams.contains_key(t.as_ref()))
            {
                return Err(FailReason::UnknownApprovalTeam(index(i), index(j)));
            }
        }
        Ok(())
    }
}

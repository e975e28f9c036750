//! A lifecycle action's decision as a response tells it: the chain step by step (who approved,
//! who must act next), the reason for a refusal, and a caseworker's sentence — as far as the
//! category lets the requester know, unless they may open the record themselves.

use std::fmt::Write as _;

use super::decider::Decider;
use super::decision::{
    Audience, Basis, ChainOut, ChainState, ChainStepOut, Decision, NextSteps, Outcome, Response,
    StepState, TraceStep,
};
use super::render::Told;
use super::request::Request;
use super::{time, words};
use crate::compile::table::{ChainEntry, TemporaryEntry};
use crate::policy::{ChangeTarget, Purpose};

impl Decider {
    /// The response to a lifecycle action.
    pub(super) fn change_response(
        &self,
        req: &Request,
        d: &Decision,
        state: ChainState,
        audience: Option<Audience>,
    ) -> Response {
        let auditor = audience == Some(Audience::Auditor);
        let show = self.change_told(req, d, state, auditor);
        let steps = self.chain_steps(req, state, show);
        let refused = state.problem.map(|p| p.refusal).filter(|_| show.reason);
        let mut reasons = vec![words::CHAIN.to_string()];
        match (state.problem, show.reason) {
            (Some(p), true) => {
                reasons.push(format!("Refused: {}.", words::change_refusal(p.refusal)))
            }
            (Some(_), false) => reasons.push(words::CHANGE_REFUSED.to_string()),
            (None, _) => {}
        }
        let escalation = steps
            .iter()
            .filter(|s| s.state != StepState::Approved)
            .map(|s| s.who.join(" or "))
            .filter(|w| !w.is_empty())
            .collect();
        let chain = self.chain_source(state);
        Response {
            decision: d.outcome,
            view: d.view.shown(),
            deny_kind: d.deny_kind.filter(|_| show.reason),
            rule: None,
            source: chain.filter(|_| show.title).map(|c| c.source.clone()),
            reasons,
            explanation: audience.map(|a| self.change_explanation(req, d, state, a)),
            next_steps: NextSteps {
                escalation,
                ..NextSteps::default()
            },
            obligations: Vec::new(),
            warnings: Vec::new(),
            policy_hash: self.table.source_hash.clone(),
            trace: auditor.then(|| self.chain_trace(state, &steps)),
            chain: Some(ChainOut {
                action: state.change,
                category: show.title.then(|| self.change_subject(state)).flatten(),
                steps,
                refused,
            }),
        }
    }

    /// What the requester may be told: everything for an auditor or someone who may open the
    /// record; otherwise what the category's `disclose` allows (a flag's change: the outcome
    /// only).
    fn change_told(&self, req: &Request, d: &Decision, state: ChainState, auditor: bool) -> Told {
        if auditor || self.may_open(req, d) {
            return Told::ALL;
        }
        match state.change.target() {
            ChangeTarget::Flag => Told::NONE,
            _ => self
                .table
                .categories
                .get(state.target as usize)
                .map_or(Told::NONE, |c| Told {
                    restricted: true,
                    title: c.disclose.title,
                    reason: c.disclose.reason,
                    contact: c.disclose.contact,
                    temporary: c.disclose.temporary,
                    notice: false,
                }),
        }
    }

    /// Whether the requester may open the record as it stands: the policy's first action (in
    /// the order declared, `view` in every bundled policy) allowed to them.
    fn may_open(&self, req: &Request, d: &Decision) -> bool {
        let Some(first) = self.table.vocabulary.actions.first() else {
            return false;
        };
        let mut asked = req.clone();
        asked.action.clone_from(&first.name);
        asked.change = None;
        asked.approvals.clear();
        self.decide_at(&asked, d.at).outcome == Outcome::Allow
    }

    /// The chain that decided, as the table carries it.
    fn chain_source(&self, state: ChainState) -> Option<&ChainEntry> {
        match state.change.target() {
            ChangeTarget::Flag => self.table.flag_approval.as_ref().map(|a| &a.chain),
            ChangeTarget::Temporary => None,
            ChangeTarget::Restriction => {
                let c = self.table.categories.get(state.target as usize)?;
                let purpose = state.change.purpose();
                c.approval(purpose).map(|a| &a.chain).or_else(|| {
                    (purpose == Purpose::Renew)
                        .then(|| c.review.as_ref()?.reviewer.as_ref())
                        .flatten()
                })
            }
        }
    }

    /// The kind of temporary access a change is about.
    fn change_kind(&self, state: ChainState) -> Option<&TemporaryEntry> {
        self.table
            .categories
            .get(state.target as usize)?
            .temporary
            .get(usize::from(state.kind?))
    }

    /// The category's (or flag's) name.
    fn change_subject(&self, state: ChainState) -> Option<String> {
        match state.change.target() {
            ChangeTarget::Flag => self
                .table
                .vocabulary
                .flags
                .get(state.target as usize)
                .map(|f| f.name.clone()),
            _ => self
                .table
                .categories
                .get(state.target as usize)
                .map(|c| c.name.clone()),
        }
    }

    /// Each step: who may approve it (when the requester may know), who did and when.
    fn chain_steps(&self, req: &Request, state: ChainState, show: Told) -> Vec<ChainStepOut> {
        let who: Vec<Vec<String>> = match (state.change.target(), self.chain_source(state)) {
            (ChangeTarget::Temporary, _) => self
                .change_kind(state)
                .map(|t| vec![t.approved_by.iter().map(words::approver_phrase).collect()])
                .unwrap_or_default(),
            (_, Some(c)) => c
                .steps
                .iter()
                .map(|step| step.iter().map(words::approver_phrase).collect())
                .collect(),
            (_, None) => Vec::new(),
        };
        let failed = state.problem.and_then(|p| p.approval).map(usize::from);
        who.into_iter()
            .enumerate()
            .map(|(i, who)| {
                let given = req
                    .approvals
                    .get(i)
                    .filter(|_| i < usize::from(state.satisfied));
                let state = if given.is_some() {
                    StepState::Approved
                } else if failed == Some(i) {
                    StepState::Refused
                } else if state.next_step() == Some(u8::try_from(i).unwrap_or(u8::MAX)) {
                    StepState::Next
                } else {
                    StepState::Waiting
                };
                ChainStepOut {
                    step: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    who: if show.contact { who } else { Vec::new() },
                    // Who approved is a fact the requester's own request states.
                    approved_by: given.map(|a| a.by.id().as_str().to_string()),
                    approved_at: given.map(|a| time::timestamp(a.at)),
                    state,
                }
            })
            .collect()
    }

    /// The chain as trace steps, for an auditor.
    fn chain_trace(&self, state: ChainState, steps: &[ChainStepOut]) -> Vec<TraceStep> {
        let source = self
            .chain_source(state)
            .map_or_else(String::new, |c| c.source.clone());
        steps
            .iter()
            .map(|s| TraceStep {
                rule: format!("{}.step.{}", state.change.purpose().word(), s.step),
                layer: "approval".to_string(),
                matched: s.state == StepState::Approved,
                decided: s.state != StepState::Approved && s.state != StepState::Waiting,
                why: match &s.approved_by {
                    Some(by) => format!("approved by {by}"),
                    None => format!("{}: {}", s.state.word(), s.who.join(" or ")),
                },
                source: source.clone(),
            })
            .collect()
    }

    /// Plain English: what was asked, and the answer.
    pub(super) fn change_explanation(
        &self,
        req: &Request,
        d: &Decision,
        state: ChainState,
        audience: Audience,
    ) -> String {
        let auditor = audience == Audience::Auditor;
        let show = self.change_told(req, d, state, auditor);
        let what = state.change.phrase();
        let mut out = String::new();
        match d.outcome {
            Outcome::Allow => {
                let _ = write!(
                    out,
                    "You may go ahead with {what}: every approval it needs has been given."
                );
            }
            Outcome::Pending => {
                let next = usize::from(state.satisfied);
                let steps = self.chain_steps(req, state, show);
                let who = steps
                    .get(next)
                    .map(|s| s.who.join(" or "))
                    .filter(|w| !w.is_empty())
                    .unwrap_or_else(|| "the next approver the policy names".to_string());
                let _ = write!(
                    out,
                    "{} is waiting for approval: step {} of {}, by {who}.",
                    capitalised(what),
                    next + 1,
                    state.steps
                );
            }
            Outcome::Deny => match state.problem.filter(|_| show.reason) {
                Some(p) => {
                    let _ = write!(
                        out,
                        "You cannot go ahead with {what}: {}.",
                        words::change_refusal(p.refusal)
                    );
                    if let (Some(i), true) = (p.approval, auditor) {
                        let _ = write!(out, " (approval {})", i + 1);
                    }
                }
                None => out.push_str(words::CHANGE_REFUSED),
            },
        }
        if auditor {
            if let Some(name) = self.change_subject(state) {
                let _ = write!(out, " Change: {} of `{name}`.", state.change.word());
            }
        }
        out
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Basis {
    /// The lifecycle action's chain, when this decision is one.
    pub fn chain(&self) -> Option<ChainState> {
        match self {
            Basis::Change(s) => Some(*s),
            _ => None,
        }
    }
}

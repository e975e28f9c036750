//! A compact [`Decision`] rendered into the public [`Response`]: reasons, next steps,
//! obligations and warnings, each as far as the policy lets the audience know.

use chrono::{DateTime, Utc};

use super::decider::Decider;
use super::decision::{
    Audience, Basis, ContactOut, Decision, DenyKind, FailReason, GrantProblem, NamedList,
    NextSteps, ObligationOut, Outcome, Response, TemporaryOut, Warning, WarningCode, WarningOut,
};
use super::request::Request;
use super::{time, words};
use crate::compile::table::{CategoryTable, Layer, Row};
use crate::policy::{Atom, Purpose, Relation, View};

/// What a refused person may be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Disclosure {
    /// That the record is restricted at all.
    pub restricted: bool,
    /// The category's name, title and criteria, and rule ids (which carry the category's name).
    pub category: bool,
    /// Who to contact and the escalation path.
    pub contact: bool,
}

impl Disclosure {
    /// Everything: for auditors, and for a subject who may open the record.
    pub(super) const ALL: Disclosure = Disclosure {
        restricted: true,
        category: true,
        contact: true,
    };

    /// Nothing: the subject may not even learn that the record is restricted.
    const NONE: Disclosure = Disclosure {
        restricted: false,
        category: false,
        contact: false,
    };

    /// What the subject may be told of a decision with this outcome and view, decided by a row
    /// of this category.
    pub(super) fn of(outcome: Outcome, view: View, c: &CategoryTable) -> Disclosure {
        if outcome == Outcome::Allow {
            return Disclosure::ALL;
        }
        if view == View::None {
            return Disclosure::NONE;
        }
        Disclosure {
            restricted: true,
            category: !c.conceal_category,
            contact: !c.conceal_contact && view >= View::NoticeWithContact,
        }
    }
}

impl Decider {
    /// The deciding row and its category, unless the evaluator refused the request as invalid.
    pub fn deciding_row(&self, d: &Decision) -> Option<(&CategoryTable, &Row)> {
        let Basis::Row {
            category,
            action,
            row,
        } = d.basis
        else {
            return None;
        };
        let c = self.category(category)?;
        let r = c.decisions.get(action as usize)?.rows.get(row as usize)?;
        Some((c, r))
    }

    /// The deciding rule's id.
    pub fn rule_id(&self, d: &Decision) -> Option<&str> {
        self.deciding_row(d).map(|(_, r)| r.id.as_str())
    }

    /// What the subject may be told about this decision.
    pub(super) fn disclosure(&self, d: &Decision) -> Disclosure {
        if d.outcome == Outcome::Allow {
            return Disclosure::ALL;
        }
        match self.deciding_row(d) {
            Some((c, _)) => Disclosure::of(d.outcome, d.view, c),
            None => Disclosure::NONE,
        }
    }

    /// Renders a decision as the public JSON contract; `audience` adds an explanation (and for
    /// auditors the full reasons and trace). Without an auditor audience, everything rendered
    /// respects what the category conceals.
    pub fn response(&self, req: &Request, d: &Decision, audience: Option<Audience>) -> Response {
        let show = match audience {
            Some(Audience::Auditor) => Disclosure::ALL,
            _ => self.disclosure(d),
        };
        let row = self.deciding_row(d);
        Response {
            decision: d.outcome,
            view: d.view.shown(),
            deny_kind: d.deny_kind,
            // Rule ids carry the category's name, so a concealed category hides them too.
            rule: row.filter(|_| show.category).map(|(_, r)| r.id.clone()),
            source: row.filter(|_| show.category).map(|(_, r)| r.source.clone()),
            reasons: self.reasons(req, d, show),
            explanation: audience.map(|a| self.explain(req, d, a)),
            next_steps: self.next_steps(req, d, show),
            obligations: self.obligations(d),
            // A subject who may not learn that the record is restricted learns nothing of it.
            warnings: if show.restricted {
                self.warnings(req, d)
            } else {
                Vec::new()
            },
            policy_hash: self.table.source_hash.clone(),
            trace: (audience == Some(Audience::Auditor)).then(|| self.trace(req, d)),
        }
    }

    /// The combining rule applied, then the rule and facts it rested on.
    fn reasons(&self, req: &Request, d: &Decision, show: Disclosure) -> Vec<String> {
        match (d.basis, self.deciding_row(d)) {
            (Basis::FailClosed(reason), _) => vec![
                words::fail_reason(reason, fail_value(req, reason)),
                words::FAIL_CLOSED.to_string(),
            ],
            (_, Some((c, row))) => row_reasons(c, row, d.deny_kind, show),
            (_, None) => vec![words::FAIL_CLOSED.to_string()],
        }
    }

    /// Who to contact, the escalation path and temporary access, as far as disclosed.
    fn next_steps(&self, req: &Request, d: &Decision, show: Disclosure) -> NextSteps {
        let Some((c, row)) = self.deciding_row(d) else {
            return NextSteps::default();
        };
        if d.outcome == Outcome::Allow || !show.restricted {
            return NextSteps::default();
        }
        let line_manager = ContactOut {
            description: Relation::LineManager.describe().to_string(),
            subject_id: None,
        };
        let (contact, escalation) = if show.contact {
            let steps = c
                .approval(Purpose::Access)
                .map(|a| words::chain_steps(&a.chain))
                .unwrap_or_default();
            (self.contact(req, c).unwrap_or(line_manager), steps)
        } else {
            (line_manager, Vec::new())
        };
        let temporary = c
            .temporary
            .as_ref()
            .filter(|_| row.layer != Layer::AbsoluteDeny && row.layer != Layer::NamedExclusion)
            .filter(|t| {
                let action = match d.basis {
                    Basis::Row { action, .. } => action,
                    Basis::FailClosed(_) => u32::MAX,
                };
                t.actions.contains(&action)
            })
            .map(|t| TemporaryOut {
                available: self.meets_temporary_to(req, d),
                max_duration: t.max.describe(),
                // Who approves can reveal what the category is, as the contact can.
                approvers: if show.contact {
                    t.approved_by.iter().map(words::approver_phrase).collect()
                } else {
                    Vec::new()
                },
            });
        NextSteps {
            contact: Some(contact),
            escalation,
            temporary_access: temporary,
        }
    }

    /// The category's contact (or the record's owner), with their subject id when the request
    /// says who they are.
    pub(super) fn contact<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        c: &CategoryTable,
    ) -> Option<ContactOut> {
        let Some(k) = &c.contact else {
            return owner(req).map(|id| ContactOut {
                description: Relation::Owner.describe().to_string(),
                subject_id: Some(id.to_string()),
            });
        };
        Some(ContactOut {
            description: k
                .text
                .clone()
                .unwrap_or_else(|| words::approver_phrase(&k.who)),
            subject_id: self.contact_id(req, c).map(str::to_string),
        })
    }

    /// The subject id of the contact a category names, when the request says who they are.
    pub(super) fn contact_id<'s, S: AsRef<str>>(
        &'s self,
        req: &'s Request<S>,
        c: &CategoryTable,
    ) -> Option<&'s str> {
        match c.contact.as_ref()?.who.atom {
            Atom::Relation(Relation::Owner) => owner(req),
            Atom::Relation(Relation::AllocatedManager) => {
                req.record.allocated_managers.first().map(AsRef::as_ref)
            }
            Atom::Relation(Relation::AllocatedWorker) => {
                req.record.allocated_workers.first().map(AsRef::as_ref)
            }
            Atom::Person(p) => self
                .table
                .vocabulary
                .persons
                .get(p as usize)
                .map(|x| x.subject_id.as_str()),
            _ => None,
        }
    }

    /// The deciding obligations, and the end of temporary access.
    fn obligations(&self, d: &Decision) -> Vec<ObligationOut> {
        let Some((_, row)) = self.deciding_row(d) else {
            return Vec::new();
        };
        if d.outcome != Outcome::Allow {
            return Vec::new();
        }
        let mut out: Vec<ObligationOut> = row
            .obligations
            .iter()
            .filter_map(|o| self.table.vocabulary.obligations.get(*o as usize))
            .map(|o| ObligationOut {
                id: o.name.clone(),
                text: o.text.clone(),
            })
            .collect();
        if let Some(t) = d.expires_at {
            out.push(ObligationOut {
                id: "access_expires".to_string(),
                text: format!("access expires at {}", time::timestamp(t)),
            });
        }
        out
    }

    /// Warnings in words.
    fn warnings(&self, req: &Request, d: &Decision) -> Vec<WarningOut> {
        d.warnings.iter().map(|w| self.warning(req, *w)).collect()
    }

    /// One warning in words.
    pub(super) fn warning<S: AsRef<str>>(&self, req: &Request<S>, w: Warning) -> WarningOut {
        let (code, message) = match w {
            Warning::ReviewOverdue(due) => (
                WarningCode::ReviewOverdue,
                words::ReviewOverdueText(due).to_string(),
            ),
            Warning::GrantCapped(i, end) => (
                WarningCode::TemporaryGrantCapped,
                format!(
                    "temporary grant {} is longer than the policy allows and is capped to end at {}",
                    i + 1,
                    time::timestamp(end)
                ),
            ),
            Warning::GrantNotValid(i, p) => (
                WarningCode::TemporaryGrantNotValid,
                format!(
                    "temporary grant {} does not count: {}",
                    i + 1,
                    self.grant_problem(req, i, p)
                ),
            ),
        };
        WarningOut { code, message }
    }

    /// Why a temporary grant does not count.
    pub(super) fn grant_problem<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        i: u16,
        p: GrantProblem,
    ) -> String {
        let g = req.temporary_grants.get(usize::from(i));
        match p {
            GrantProblem::NotOffered => {
                "temporary access is not available for this action on this record".to_string()
            }
            GrantProblem::ActionNotListed => "it does not cover this action".to_string(),
            GrantProblem::NotEligible => {
                "the policy does not let this subject hold temporary access".to_string()
            }
            GrantProblem::ApproverNotAllowed => format!(
                "`{}` is not one of the approvers the policy accepts",
                g.map_or("", |g| g.approved_by.as_str())
            ),
            GrantProblem::NotStarted => format!(
                "it starts at {}",
                g.map_or_else(String::new, |g| time::timestamp(g.granted_at))
            ),
            GrantProblem::Expired => format!(
                "it expired at {}",
                self.grant_end(req, i)
                    .map_or_else(String::new, time::timestamp)
            ),
        }
    }

    /// When a grant ends, after capping.
    fn grant_end<S: AsRef<str>>(&self, req: &Request<S>, i: u16) -> Option<DateTime<Utc>> {
        let g = req.temporary_grants.get(usize::from(i))?;
        let own = g.duration.0.after_instant(g.granted_at);
        let cap = req
            .record
            .restriction
            .as_ref()
            .and_then(|r| self.table.category(r.category.as_ref()))
            .or(self.table.unrestricted.as_ref())
            .and_then(|c| c.temporary.as_ref())
            .and_then(|t| t.max.after_instant(g.granted_at));
        match (own, cap) {
            (Some(o), Some(c)) => Some(o.min(c)),
            (o, c) => o.or(c),
        }
    }
}

/// The subject id of the restriction's named owner.
pub(super) fn owner<S: AsRef<str>>(req: &Request<S>) -> Option<&str> {
    req.record
        .restriction
        .as_ref()
        .and_then(|r| r.owner.as_ref())
        .map(AsRef::as_ref)
}

/// The value a fail-closed reason names.
pub(super) fn fail_value<S: AsRef<str>>(req: &Request<S>, reason: FailReason) -> &str {
    match reason {
        FailReason::UnknownAction => req.action.as_ref(),
        FailReason::UnknownCategory => req
            .record
            .restriction
            .as_ref()
            .map_or("", |r| r.category.as_ref()),
        FailReason::UnknownOrganisation => req.subject.organisation.as_ref(),
        FailReason::UnknownRole(i) => nth(&req.subject.roles, i),
        FailReason::UnknownTeam(i) => nth(&req.subject.teams, i),
        FailReason::UnknownRecordTeam(i) => nth(&req.record.teams, i),
        FailReason::UnknownListEntry(list, i) => req.record.restriction.as_ref().map_or("", |r| {
            let entries = match list {
                NamedList::Allow => &r.named_allow,
                NamedList::Deny => &r.named_deny,
            };
            entries.get(usize::from(i)).map_or("", |e| e.value())
        }),
        FailReason::NoUnrestrictedBlock | FailReason::NoRowMatched => "",
    }
}

fn nth<S: AsRef<str>>(list: &[S], i: u16) -> &str {
    list.get(usize::from(i)).map_or("", AsRef::as_ref)
}

/// The row's subjects without the policy's names, for a concealed category.
fn generic_subjects(row: &Row) -> &'static str {
    match row.layer {
        Layer::NamedExclusion => Relation::NamedDeny.describe(),
        Layer::Default => "anyone not granted access",
        Layer::Temporary | Layer::TemporaryOverride => Relation::TemporaryGrant.describe(),
        _ => "you",
    }
}

/// The reasons when a row decided: the combining rule's step, then the rule as far as
/// disclosed. (The decider prepares these once per row; see `write`.)
pub(super) fn row_reasons(
    c: &CategoryTable,
    row: &Row,
    deny_kind: Option<DenyKind>,
    show: Disclosure,
) -> Vec<String> {
    if !show.restricted {
        let kind = deny_kind.map_or(words::NOT_PERMITTED, |k| match k {
            DenyKind::Forbidden => words::FORBIDDEN,
            DenyKind::NotPermitted => words::NOT_PERMITTED,
        });
        return vec![kind.to_string()];
    }
    let mut out = vec![words::combining_rule(row.layer, c.restriction).to_string()];
    if show.category {
        out.push(format!(
            "rule {} ({}) applies to {}",
            row.id, row.source, row.subjects_text
        ));
        if let Some(o) = &row.overrides {
            out.push(format!("temporary access overrides rule {o}"));
        }
    } else {
        out.push(format!(
            "a rule of the policy applies to {}",
            generic_subjects(row)
        ));
    }
    if row.layer == Layer::AbsoluteDeny {
        out.push(words::ABSOLUTE.to_string());
    }
    out
}

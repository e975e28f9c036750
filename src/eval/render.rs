//! A compact [`Decision`] rendered into the public [`Response`]: reasons, next steps,
//! obligations and warnings, each as far as the policy lets the audience know.

use super::decider::Decider;
use super::decision::{
    Audience, Basis, ContactOut, Decision, FailReason, GrantProblem, NamedList, NextSteps,
    ObligationOut, Outcome, Response, TemporaryKindOut, TemporaryOut, Warning, WarningCode,
    WarningOut,
};
use super::refusal::{Offer, refusal_as};
use super::request::Request;
use super::{time, words};
use crate::compile::table::{CategoryTable, Layer, Row};
use crate::policy::{Atom, Relation, View};

/// What the person who asked may be told of one decision: everything when they may open the
/// record (or for an auditor), else what the deciding category's `disclose` allows (closed by
/// default; docs/semantics.md, "Disclosure").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Told {
    /// That the record is restricted at all (a view other than `none`).
    pub restricted: bool,
    /// The category's title, and the rule's id and source (which carry the category's name).
    pub title: bool,
    /// Why: the kind of refusal and the deciding rule in the policy's words.
    pub reason: bool,
    /// Who to contact and the escalation path.
    pub contact: bool,
    /// Whether temporary access exists and may be asked for.
    pub temporary: bool,
    /// The category's fixed notice.
    pub notice: bool,
}

impl Told {
    /// Everything: for auditors, and for a subject who may open the record.
    pub const ALL: Told = Told {
        restricted: true,
        title: true,
        reason: true,
        contact: true,
        temporary: true,
        notice: true,
    };

    /// Nothing: the subject may not even learn that the record is restricted.
    pub const NONE: Told = Told {
        restricted: false,
        title: false,
        reason: false,
        contact: false,
        temporary: false,
        notice: false,
    };

    /// What the subject may be told of a decision with this outcome and view, decided by this
    /// row of this category.
    pub fn of(outcome: Outcome, view: View, c: &CategoryTable, row: &Row) -> Told {
        if outcome == Outcome::Allow {
            return Told::ALL;
        }
        if view == View::None {
            return Told::NONE;
        }
        let d = &c.disclose;
        // An exclusion the category does not disclose is told as no reason at all, so the
        // excluded person cannot learn that they, or someone who asked for it, are named.
        let excluded = row.layer == Layer::NamedExclusion;
        let reason = d.reason && (!excluded || d.exclusion);
        Told {
            restricted: true,
            title: d.title,
            reason,
            contact: d.contact && view >= View::NoticeWithContact,
            // Whether temporary access (and who approves access) is offered depends on the kind
            // of refusal (nobody can lift an absolute deny or an exclusion), so it is told only
            // with the reason: offered to some refused people and not others, it would be one.
            temporary: d.temporary && reason,
            notice: d.notice.is_some(),
        }
    }

    /// Whether the deciding rule's id and source may be given: they carry the category's name
    /// and say why.
    pub fn rule(self) -> bool {
        self.title && self.reason
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
    pub(super) fn disclosure(&self, d: &Decision) -> Told {
        if d.outcome == Outcome::Allow {
            return Told::ALL;
        }
        match self.deciding_row(d) {
            Some((c, row)) => Told::of(d.outcome, d.view, c, row),
            None => Told::NONE,
        }
    }

    /// Renders a decision as the public JSON contract; `audience` adds an explanation (and for
    /// auditors the full reasons and trace). Without an auditor audience, everything rendered
    /// respects what the category conceals.
    pub fn response(&self, req: &Request, d: &Decision, audience: Option<Audience>) -> Response {
        if let Some(state) = d.basis.chain() {
            return self.change_response(req, d, state, audience);
        }
        let auditor = audience == Some(Audience::Auditor);
        let show = if auditor {
            Told::ALL
        } else {
            self.disclosure(d)
        };
        let row = self.deciding_row(d);
        // A refusal by a row: every field of it from the one refusal function the disclosure
        // analysis reads too; anything else (an allow, a request that failed closed) as below.
        let (deny_kind, rule, source, reasons, next_steps) = match (d.outcome, d.basis, row) {
            (Outcome::Deny, Basis::Row { action, .. }, Some((c, r))) => {
                let refusal = refusal_as(c, r, action, show, owner(req, d.via, c).is_some());
                let next_steps = NextSteps {
                    contact: refusal.contact.map(|description| {
                        self.told_contact(req, (c, d.via), show, auditor, description)
                    }),
                    escalation: refusal.escalation,
                    temporary_access: self.temporary_out(req, d, &refusal.temporary),
                    notice: refusal.notice,
                };
                let (deny_kind, rule, source) = (refusal.deny_kind, refusal.rule, refusal.source);
                (deny_kind, rule, source, refusal.reasons, next_steps)
            }
            _ => (
                d.deny_kind.filter(|_| show.reason),
                row.filter(|_| show.rule()).map(|(_, r)| r.id.clone()),
                row.filter(|_| show.rule()).map(|(_, r)| r.source.clone()),
                self.reasons(req, d, show, auditor),
                NextSteps::default(),
            ),
        };
        Response {
            decision: d.outcome,
            view: d.view.shown(),
            deny_kind,
            rule,
            source,
            reasons,
            explanation: audience.map(|a| self.explain(req, d, a)),
            next_steps,
            obligations: self.obligations(d),
            warnings: self.warnings(req, d, show, auditor),
            policy_hash: self.table.source_hash.clone(),
            trace: auditor.then(|| self.trace(req, d)),
            chain: None,
        }
    }

    /// The combining rule applied, then the rule and facts it rested on.
    fn reasons(&self, req: &Request, d: &Decision, show: Told, auditor: bool) -> Vec<String> {
        match (d.basis, self.deciding_row(d)) {
            // The offending value comes from the record (an unknown category names it), so only
            // an auditor is told what it was.
            (Basis::FailClosed(reason), _) if auditor => {
                let mut v = vec![words::fail_reason(reason, fail_value(req, reason))];
                v.extend(linked_field(req, reason).map(|f| format!("The value is at `{f}`.")));
                v.push(words::FAIL_CLOSED.to_string());
                v
            }
            (Basis::FailClosed(_), _) => vec![words::FAIL_CLOSED.to_string()],
            (_, Some((c, row))) => row_reasons(c, row, show),
            (_, None) => vec![words::FAIL_CLOSED.to_string()],
        }
    }

    /// The contact a refused subject is told, described as the refusal says.
    fn told_contact(
        &self,
        req: &Request,
        (c, via): (&CategoryTable, Option<u16>),
        show: Told,
        auditor: bool,
        description: String,
    ) -> ContactOut {
        ContactOut {
            // Who holds a relation to the record (its owner, allocated worker or manager) is a
            // fact about the record: only the auditor is told their id. A person the policy
            // itself names is told.
            subject_id: if show.contact && (auditor || names_a_person(c)) {
                self.contact(req, c, via).and_then(|k| k.subject_id)
            } else {
                None
            },
            description,
        }
    }

    /// The category's contact (or the owner of its restriction, reaching the record by link
    /// `via`), with their subject id when the request says who they are.
    pub(super) fn contact<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        c: &CategoryTable,
        via: Option<u16>,
    ) -> Option<ContactOut> {
        let Some(k) = &c.contact else {
            return owner(req, via, c).map(|id| ContactOut {
                description: Relation::Owner.describe().to_string(),
                subject_id: Some(id.to_string()),
            });
        };
        Some(ContactOut {
            description: k
                .text
                .clone()
                .unwrap_or_else(|| words::contact_phrase(&k.who)),
            subject_id: self.contact_id(req, c, via).map(str::to_string),
        })
    }

    /// The subject id of the contact a category names, when the request says who they are.
    pub(super) fn contact_id<'s, S: AsRef<str>>(
        &'s self,
        req: &'s Request<S>,
        c: &CategoryTable,
        via: Option<u16>,
    ) -> Option<&'s str> {
        match c.contact.as_ref()?.who.atom {
            Atom::Relation(Relation::Owner) => owner(req, via, c),
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

    /// The temporary access a refused subject may ask for: the first kind that covers the
    /// action, and every kind when the category names them.
    fn temporary_out(&self, req: &Request, d: &Decision, offers: &[Offer]) -> Option<TemporaryOut> {
        let first = offers.first()?;
        let named = offers.len() > 1 || offers.iter().any(|o| o.kind.is_some());
        let kinds = if named {
            offers
                .iter()
                .map(|o| TemporaryKindOut {
                    kind: o.kind.as_ref().map(|k| k.0.clone()),
                    title: o.kind.as_ref().map(|k| k.1.clone()),
                    available: self.meets_kind_to(req, d, o.index),
                    max_duration: o.max_duration.clone(),
                    approvers: o.approvers.clone(),
                    renewable: o.renewable,
                    notice: o.notice.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(TemporaryOut {
            available: self.meets_kind_to(req, d, first.index),
            max_duration: first.max_duration.clone(),
            approvers: first.approvers.clone(),
            kinds,
        })
    }

    /// What the holder must do by the deciding row: a temporary grant's own kind's obligations
    /// when a grant decided (the row lists every kind's that covers the action).
    pub(super) fn deciding_obligations<'a>(&'a self, d: &Decision, row: &'a Row) -> &'a [u32] {
        let kind = d.grant.and_then(|(_, k)| {
            self.deciding_row(d)
                .and_then(|(c, _)| c.temporary.get(usize::from(k)))
        });
        match kind {
            Some(t) => &t.obligations,
            None => &row.obligations,
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
        let mut out: Vec<ObligationOut> = self
            .deciding_obligations(d, row)
            .iter()
            .filter_map(|o| self.table.vocabulary.obligations.get(*o as usize))
            .map(|o| ObligationOut {
                id: o.name.clone(),
                text: o.text.clone(),
            })
            .collect();
        out.extend(self.flag_duties(d));
        if let Some(t) = d.expires_at {
            out.push(ObligationOut {
                id: "access_expires".to_string(),
                text: format!("access expires at {}", time::timestamp(t)),
            });
        }
        for w in &d.warnings {
            let (code, what, end) = match *w {
                Warning::GrantEndsSoon(i, end) => {
                    (WarningCode::AccessEndsSoon, words::Ends::Grant(i), end)
                }
                Warning::RestrictionEndsSoon(c, end) => (
                    WarningCode::RestrictionEndsSoon,
                    words::Ends::Restriction(self.category_title(c)),
                    time::uk_day_start(end),
                ),
                _ => continue,
            };
            out.push(ObligationOut {
                id: code.word().to_string(),
                text: words::ends_soon_duty(what, end),
            });
        }
        out
    }

    /// Warnings in words. A refused person is told of their own temporary grant's problems
    /// only where the category discloses temporary access, and never of an overdue review or
    /// anything about a flag: that is the record's business, not theirs.
    fn warnings(&self, req: &Request, d: &Decision, show: Told, auditor: bool) -> Vec<WarningOut> {
        d.warnings
            .iter()
            .filter(|w| {
                // Why acting did not count is about the subject's own request, not the record.
                // What the record's facts require is told to an auditor only: it names a
                // category, which the record does not carry and a caseworker need not learn.
                auditor
                    || matches!(w, Warning::ActingNotValid(_))
                    || !matches!(w, Warning::RestrictionRequired(_))
                        && (d.outcome == Outcome::Allow
                            || (show.temporary
                                && !w.about_restriction()
                                && !matches!(w, Warning::FlagReviewOverdue(..))))
            })
            .map(|w| self.warning(req, *w))
            .collect()
    }

    /// One warning in words.
    pub(super) fn warning<S: AsRef<str>>(&self, req: &Request<S>, w: Warning) -> WarningOut {
        let (code, message) = match w {
            Warning::ReviewOverdue(due) => (
                WarningCode::ReviewOverdue,
                words::ReviewOverdueText(due).to_string(),
            ),
            Warning::FlagReviewOverdue(flag, due) => (
                WarningCode::FlagReviewOverdue,
                words::flag_review_overdue(
                    self.table
                        .vocabulary
                        .flags
                        .get(flag as usize)
                        .map_or("", |f| f.title.as_str()),
                    due,
                ),
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
            Warning::GrantEndsSoon(i, end) => (
                WarningCode::AccessEndsSoon,
                words::ends_soon(words::Ends::Grant(i), end),
            ),
            Warning::RestrictionEndsSoon(c, end) => (
                WarningCode::RestrictionEndsSoon,
                words::ends_soon(
                    words::Ends::Restriction(self.category_title(c)),
                    time::uk_day_start(end),
                ),
            ),
            Warning::RestrictionEnded(c, end) => (
                WarningCode::RestrictionEnded,
                words::restriction_ended(self.category_title(c), time::uk_day_start(end)),
            ),
            Warning::RestrictionRenewedTooOften(c, n) => (
                WarningCode::RestrictionRenewedTooOften,
                words::restriction_renewed_too_often(
                    self.category_title(c),
                    n,
                    self.table
                        .categories
                        .get(c as usize)
                        .and_then(|c| c.lasts.as_ref())
                        .map_or(0, |l| l.renewable),
                ),
            ),
            Warning::RestrictionRequired(trigger) => (
                WarningCode::RestrictionRequired,
                self.requirement_text(trigger),
            ),
            Warning::ActingNotValid(p) => (
                WarningCode::ActingNotValid,
                words::acting_not_valid(
                    req.acting_for
                        .as_ref()
                        .map_or("", |a| a.subject.id.as_str()),
                    p,
                ),
            ),
        };
        WarningOut { code, message }
    }

    /// The title of the category at this index of the table.
    pub(super) fn category_title(&self, c: u32) -> &str {
        self.table
            .categories
            .get(c as usize)
            .map_or("", |c| c.title.as_str())
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
            GrantProblem::SelfApproved => {
                "its holder approved it themselves, and nobody may approve their own access"
                    .to_string()
            }
            GrantProblem::ApproverNotAllowed => format!(
                "`{}` is not one of the approvers the policy accepts",
                g.map_or("", |g| g.approved_by.id().as_str())
            ),
            GrantProblem::ApproverNotStated => format!(
                "the policy's approvers are roles or teams, and the request does not say which `{}` holds",
                g.map_or("", |g| g.approved_by.id().as_str())
            ),
            GrantProblem::RenewedTooOften => format!(
                "it has been renewed {} times, more than the policy allows",
                g.map_or(0, |g| g.renewals)
            ),
            GrantProblem::NotStarted => format!(
                "it starts at {}",
                g.map_or_else(String::new, |g| time::timestamp(g.granted_at))
            ),
            GrantProblem::Expired(end) => format!("it expired at {}", time::timestamp(end)),
        }
    }
}

/// Whether the category's contact is a person the policy names (not a relation to the record).
pub(super) fn names_a_person(c: &CategoryTable) -> bool {
    matches!(
        c.contact.as_ref().map(|k| k.who.atom),
        Some(Atom::Person(_))
    )
}

/// The subject id of the named owner of the restriction under category `c` that reaches the
/// record by link `via` (`None`: the record's own restriction).
pub(super) fn owner<'r, S: AsRef<str>>(
    req: &'r Request<S>,
    via: Option<u16>,
    c: &CategoryTable,
) -> Option<&'r str> {
    req.record
        .every_placed()
        .find(|(v, r)| *v == via && r.category.as_ref() == c.name && c.is_restriction())
        .and_then(|(_, r)| r.owner.as_ref())
        .map(AsRef::as_ref)
}

/// The request field of a fail-closed reason's value when it is on a linked record's
/// restriction (`record.links[0].restrictions[1]`): its own words speak of "the record".
pub(super) fn linked_field<S: AsRef<str>>(req: &Request<S>, reason: FailReason) -> Option<String> {
    let k = match reason {
        FailReason::UnknownCategory(k)
        | FailReason::RepeatedCategory(k)
        | FailReason::UnknownListEntry(k, ..) => usize::from(k),
        _ => return None,
    };
    let field = req.record.every_field(k);
    let field = match reason {
        FailReason::UnknownListEntry(_, list, i) => format!("{field}.{}[{i}]", list.field()),
        _ => field,
    };
    field.starts_with("record.links").then_some(field)
}

/// The value a fail-closed reason names.
pub(super) fn fail_value<S: AsRef<str>>(req: &Request<S>, reason: FailReason) -> &str {
    let placed = |i: u16| {
        req.record
            .every_placed()
            .nth(usize::from(i))
            .map(|(_, r)| r)
    };
    match reason {
        FailReason::UnknownAction => req.action.as_ref(),
        FailReason::UnknownCategory(i)
        | FailReason::RepeatedCategory(i)
        | FailReason::RestrictionNotAllowed(i)
        | FailReason::ExclusiveRestrictions(i) => placed(i).map_or("", |r| r.category.as_ref()),
        FailReason::UnknownLink(i) => req
            .record
            .links
            .get(usize::from(i))
            .map_or("", |l| l.link.as_ref()),
        FailReason::UnknownOrganisation => req.subject.organisation.as_ref(),
        FailReason::UnknownSection => req.record.section.as_ref().map_or("", AsRef::as_ref),
        FailReason::UnknownRole(i) => nth(&req.subject.roles, i),
        FailReason::UnknownTeam(i) => nth(&req.subject.teams, i),
        FailReason::UnknownRecordTeam(i) => nth(&req.record.teams, i),
        FailReason::UnknownListEntry(r, list, i) => placed(r).map_or("", |r| {
            let entries = match list {
                NamedList::Allow => &r.named_allow,
                NamedList::Deny => &r.named_deny,
            };
            entries.get(usize::from(i)).map_or("", |e| e.value())
        }),
        FailReason::UnknownFlag(i) => req
            .record
            .flags
            .get(usize::from(i))
            .map_or("", |f| f.flag.as_ref()),
        FailReason::UnknownFact(i) => nth(&req.record.facts, i),
        FailReason::UnknownGrantKind(i) => req
            .temporary_grants
            .get(usize::from(i))
            .and_then(|g| g.kind.as_ref())
            .map_or("", AsRef::as_ref),
        FailReason::UnknownApproverRole(i, j) => req
            .temporary_grants
            .get(usize::from(i))
            .and_then(|g| g.approved_by.stated())
            .map_or("", |s| nth(&s.roles, j)),
        FailReason::UnknownApproverTeam(i, j) => req
            .temporary_grants
            .get(usize::from(i))
            .and_then(|g| g.approved_by.stated())
            .map_or("", |s| nth(&s.teams, j)),
        FailReason::UnknownContext(i) | FailReason::UnknownContextValue(i) => req
            .context
            .0
            .get(usize::from(i))
            .map_or("", |(name, _)| name.as_ref()),
        FailReason::UnexpectedChange | FailReason::MissingChange => req.action.as_ref(),
        FailReason::UnknownChangeCategory => req
            .change
            .as_ref()
            .and_then(|c| c.category.as_ref())
            .map_or("", AsRef::as_ref),
        FailReason::UnknownChangeKind => req
            .change
            .as_ref()
            .and_then(|c| c.kind.as_ref())
            .map_or("", AsRef::as_ref),
        FailReason::UnknownChangeFlag => req
            .change
            .as_ref()
            .and_then(|c| c.flag.as_ref())
            .map_or("", AsRef::as_ref),
        FailReason::UnknownApprovalRole(i, j) => req
            .approvals
            .get(usize::from(i))
            .and_then(|a| a.by.stated())
            .map_or("", |s| nth(&s.roles, j)),
        FailReason::UnknownApprovalTeam(i, j) => req
            .approvals
            .get(usize::from(i))
            .and_then(|a| a.by.stated())
            .map_or("", |s| nth(&s.teams, j)),
        FailReason::UnknownActingOrganisation => req
            .acting_for
            .as_ref()
            .map_or("", |a| a.subject.organisation.as_ref()),
        FailReason::UnknownActingRole(i) => req
            .acting_for
            .as_ref()
            .map_or("", |a| nth(&a.subject.roles, i)),
        FailReason::UnknownActingTeam(i) => req
            .acting_for
            .as_ref()
            .map_or("", |a| nth(&a.subject.teams, i)),
        FailReason::UnknownActingApproverRole(i) => req
            .acting_for
            .as_ref()
            .and_then(|a| a.approved_by.stated())
            .map_or("", |s| nth(&s.roles, i)),
        FailReason::UnknownActingApproverTeam(i) => req
            .acting_for
            .as_ref()
            .and_then(|a| a.approved_by.stated())
            .map_or("", |s| nth(&s.teams, i)),
        FailReason::ActingNotAllowed
        | FailReason::BothRestrictionFields
        | FailReason::NoUnrestrictedBlock
        | FailReason::NoRowMatched
        | FailReason::IncompleteChange => "",
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
pub(super) fn row_reasons(c: &CategoryTable, row: &Row, show: Told) -> Vec<String> {
    if !show.reason {
        return vec![words::REFUSED.to_string()];
    }
    let mut out = vec![words::combining_rule(row.layer, c.restriction).to_string()];
    if show.title {
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

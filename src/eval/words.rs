//! The words of the combining rule, defined once: docs/semantics.md quotes these sentences, and
//! reasons and explanations use them verbatim (a test checks the document against them).

use super::decision::{ActingProblem, DenyKind, FailReason};
use crate::compile::table::{ApproverEntry, AtomEntry, ChainEntry, Layer};
use crate::policy::words::article;
use crate::policy::{Atom, RestrictionType};

/// What a forbidden deny means.
pub const FORBIDDEN: &str = "Forbidden means a deny rule of the policy covers you.";
/// What a not-permitted deny means.
pub const NOT_PERMITTED: &str = "Not permitted means no rule of the policy gives you access.";
/// What an absolute deny means.
pub const ABSOLUTE: &str =
    "This rule is absolute: nothing overrides it, not even temporary access.";
/// The reason a refused person is given when the policy does not disclose one.
pub const REFUSED: &str = "Access is refused.";
/// How a record's several restrictions combine.
pub const SEVERAL: &str = "Every restriction on the record must allow: the most restrictive decision decides (a deny over an allow, then the smaller view, then forbidden over not permitted).";
/// What a record's facts do to a decision (docs/semantics.md, "Triggers and rules about
/// restrictions").
pub const FACTS: &str = "A record's facts never open it: a restriction they require and the record lacks is a warning for an auditor, and a restriction they forbid, or two that may not be combined, refuses everyone until the record is put right.";
/// How a restriction on a linked record bears on the record.
pub const LINKED: &str = "A restriction on a linked record whose category reaches the link is decided with the record's own: every one must allow, and a refused person is told no more of it than of the same restriction on the record itself.";
/// What a record's flags do to a decision.
pub const FLAGS: &str = "A flag never changes the decision: an allow gives each flag's duty, and a flag whose review is overdue adds a warning.";
/// How a lifecycle action is decided.
pub const CHAIN: &str = "A lifecycle action is decided by its approval chain: each step approved in order by someone the step names, never by the requester, never by one person for two steps, and no approval older than the chain allows; it is allowed when every step is approved and pending while steps remain.";
/// What a refused person is told of a lifecycle action the policy does not let them know more
/// about.
pub const CHANGE_REFUSED: &str = "The change cannot be made as asked.";

/// Why a lifecycle action is refused, in words.
pub fn change_refusal(r: crate::policy::ChangeRefusal) -> &'static str {
    use crate::policy::ChangeRefusal as R;
    match r {
        R::NoApprover => "the policy names no one who may approve it",
        R::ApproverUnstated => "the policy's source names no one who may approve it",
        R::AlreadyCarried => "the record already carries it",
        R::NotCarried => "the record does not carry the restriction",
        R::KindNotOffered => "the restriction gives no temporary access of that kind",
        R::RenewedTooOften => "the temporary access has been renewed as often as its kind allows",
        R::OutOfOrder => {
            "an approval is not for the next step of the chain, or was given before the step before it"
        }
        R::ApprovalInFuture => "an approval is dated after the request",
        R::SelfApproval => "the requester cannot approve their own request",
        R::SameApproverTwice => "one person cannot approve two steps of the chain",
        R::NotAuthorised => "an approver is not someone the step names",
        R::ApproverNotStated => {
            "the step's approvers are roles or teams, and the approval gives only the approver's id"
        }
        R::ApprovalExpired => "an approval is older than the chain allows",
        R::RestrictionNotAllowed => "the policy says a record like this may not carry it",
        R::ExclusiveRestrictions => {
            "the policy says it may not be combined with a restriction the record carries"
        }
        R::RestrictionRequired => "the policy says a record like this must carry it",
    }
}

/// What fail closed means.
pub const FAIL_CLOSED: &str = "The request could not be checked against the policy, so access is refused (the policy fails closed).";

/// The combining rule's step that decided, in the words of docs/semantics.md.
pub fn combining_rule(layer: Layer, restriction: RestrictionType) -> &'static str {
    match (layer, restriction) {
        (Layer::AbsoluteDeny, _) => {
            "An absolute deny rule matched: nothing overrides it, not even temporary access."
        }
        (Layer::NamedExclusion, _) => {
            "The subject or one of their teams is on the record's exclusion list: a named exclusion overrides every grant and temporary access."
        }
        (Layer::TemporaryOverride, _) => {
            "A deny rule matched, but a valid temporary grant for this record and action overrides it."
        }
        (Layer::Deny, _) => "A deny rule matched and no valid temporary grant overrides it.",
        (Layer::Grant, _) => {
            "No deny rule matched and a grant rule did: the first matching grant decides."
        }
        (Layer::Temporary, _) => {
            "No deny or grant rule matched, but a valid temporary grant gives access."
        }
        (Layer::Default, RestrictionType::Universal) => {
            "No rule matched and the restriction is universal: everyone not granted access is refused."
        }
        (Layer::Default, RestrictionType::Exclude) => {
            "No rule matched and the restriction excludes only those named: normal access applies."
        }
    }
}

/// The problem that made the evaluator refuse, naming the offending value.
pub fn fail_reason(reason: FailReason, value: &str) -> String {
    FailReasonText(reason, value).to_string()
}

/// [`fail_reason`] as it is written straight into a response, without a `String`.
#[derive(Debug, Clone, Copy)]
pub struct FailReasonText<'a>(pub FailReason, pub &'a str);

impl std::fmt::Display for FailReasonText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (reason, value) = (self.0, self.1);
        match reason {
            FailReason::UnknownAction => write!(f, "unknown action `{value}`: the policy does not declare it"),
            FailReason::UnknownCategory(_) => {
                write!(f, "unknown category `{value}`: the record is restricted under a category the policy does not have")
            }
            FailReason::RepeatedCategory(_) => {
                write!(f, "category `{value}` is given twice in one record's restrictions: each category is placed at most once")
            }
            FailReason::UnknownLink(i) => {
                write!(f, "unknown kind of link `{value}` at `record.links[{i}].link`: the policy does not declare it")
            }
            FailReason::UnknownSection => {
                write!(f, "unknown section `{value}`: the record's section is not declared by the policy")
            }
            FailReason::BothRestrictionFields => {
                f.write_str("the record gives both `restriction` and `restrictions`: give every restriction in `restrictions`")
            }
            FailReason::UnknownOrganisation => {
                write!(f, "unknown organisation `{value}`: the subject's organisation is not declared by the policy")
            }
            FailReason::UnknownRole(_) => {
                write!(f, "unknown role `{value}`: the subject's role is not declared by the policy")
            }
            FailReason::UnknownTeam(_) => {
                write!(f, "unknown team `{value}`: the subject's team is not declared by the policy")
            }
            FailReason::UnknownRecordTeam(_) => {
                write!(f, "unknown team `{value}` in the record's teams: the policy does not declare it")
            }
            FailReason::UnknownListEntry(_, list, _) => {
                write!(f, "unknown name `{value}` on the restriction's `{}` list: the policy does not declare it", list.field())
            }
            FailReason::UnknownFlag(_) => {
                write!(f, "unknown flag `{value}` in the record's flags: the policy does not declare it")
            }
            FailReason::UnknownFact(i) => {
                write!(f, "unknown fact `{value}` at `record.facts[{i}]`: the policy does not declare it")
            }
            FailReason::RestrictionNotAllowed(i) => {
                write!(f, "restriction {} (`{value}`) is one this record may not carry: its facts meet a `never restrict` rule of the policy", i + 1)
            }
            FailReason::ExclusiveRestrictions(i) => {
                write!(f, "restriction {} (`{value}`) may not be combined with an earlier restriction on the record: an `exclusive` rule of the policy names both", i + 1)
            }
            FailReason::UnknownContext(_) => {
                write!(f, "unknown context `context.{value}`: the policy declares no context of that name")
            }
            FailReason::UnknownContextValue(_) => {
                write!(f, "unknown value of `context.{value}`: the policy does not list it for that context")
            }
            FailReason::UnknownGrantKind(i) => {
                write!(f, "unknown kind `{value}` of temporary grant {}: no category of the policy gives it", i + 1)
            }
            FailReason::UnknownApproverRole(i, _) => {
                write!(f, "unknown role `{value}` of temporary grant {}'s approver: the policy does not declare it", i + 1)
            }
            FailReason::UnknownApproverTeam(i, _) => {
                write!(f, "unknown team `{value}` of temporary grant {}'s approver: the policy does not declare it", i + 1)
            }
            FailReason::ActingNotAllowed => {
                f.write_str("the request acts for a colleague (`acting_for`), and the policy lets nobody act for anyone")
            }
            FailReason::UnknownActingOrganisation => {
                write!(f, "unknown organisation `{value}` in `acting_for.subject`: the colleague's organisation is not declared by the policy")
            }
            FailReason::UnknownActingRole(_) => {
                write!(f, "unknown role `{value}` in `acting_for.subject.roles`: the policy does not declare it")
            }
            FailReason::UnknownActingTeam(_) => {
                write!(f, "unknown team `{value}` in `acting_for.subject.teams`: the policy does not declare it")
            }
            FailReason::UnknownActingApproverRole(_) => {
                write!(f, "unknown role `{value}` in `acting_for.approved_by.roles`: the policy does not declare it")
            }
            FailReason::UnknownActingApproverTeam(_) => {
                write!(f, "unknown team `{value}` in `acting_for.approved_by.teams`: the policy does not declare it")
            }
            FailReason::NoUnrestrictedBlock => {
                f.write_str("the record is unrestricted and the policy does not say who may see unrestricted records")
            }
            FailReason::NoRowMatched => f.write_str("no row of the decision table matched"),
            FailReason::UnexpectedChange => {
                write!(f, "the request gives `change` or `approvals` for action `{value}`, which is not a lifecycle action")
            }
            FailReason::MissingChange => {
                write!(f, "lifecycle action `{value}` gives no `change`: say which category (or flag) it changes")
            }
            FailReason::IncompleteChange => {
                f.write_str("the `change` does not fit its action: a restriction's change names `category`; temporary access names `category` and may name `kind`; adding a flag names `flag` alone")
            }
            FailReason::UnknownChangeCategory => {
                write!(f, "unknown category `change.category` `{value}`: the policy does not have it")
            }
            FailReason::UnknownChangeKind => {
                write!(f, "unknown kind `change.kind` `{value}`: no category of the policy gives it")
            }
            FailReason::UnknownChangeFlag => {
                write!(f, "unknown flag `change.flag` `{value}`: the policy does not declare it")
            }
            FailReason::UnknownApprovalRole(i, _) => {
                write!(f, "unknown role `{value}` of approval {}'s approver: the policy does not declare it", i + 1)
            }
            FailReason::UnknownApprovalTeam(i, _) => {
                write!(f, "unknown team `{value}` of approval {}'s approver: the policy does not declare it", i + 1)
            }
        }
    }
}

/// What acting for a colleague does to a decision.
pub const ACTING: &str = "A deputy acting for a colleague is decided with the colleague's rights, and every deny that matches the deputy still refuses.";

/// Why an acting window does not count, and what was decided instead.
pub fn acting_not_valid(colleague: &str, problem: ActingProblem) -> String {
    format!(
        "acting for `{colleague}` does not count: {}; decided with the subject's own rights",
        acting_problem(problem)
    )
}

/// Why an acting window does not count.
pub fn acting_problem(problem: ActingProblem) -> &'static str {
    match problem {
        ActingProblem::ForThemselves => "nobody acts for themselves",
        ActingProblem::ApprovedByAParty => {
            "it was approved by the deputy or by the colleague acted for"
        }
        ActingProblem::ApproverNotAllowed => {
            "its approver is not one the policy's `acting` statements accept"
        }
        ActingProblem::ApproverNotStated => {
            "the policy's approvers are roles or teams, and the request does not say which the approver holds"
        }
        ActingProblem::Empty => "the window ends when or before it starts",
        ActingProblem::TooLong => "the window is longer than the policy allows",
        ActingProblem::NotStarted => "the window has not started",
        ActingProblem::Ended => "the window has ended",
    }
}

/// The `restriction_required` warning: the record's facts require a restriction it does not
/// carry, with the trigger's reason and place.
pub fn restriction_required(
    category: &str,
    title: &str,
    reason: Option<&str>,
    source: &str,
) -> String {
    let why = reason.map_or_else(String::new, |r| format!(": {r}"));
    format!(
        "the record's facts require restriction `{category}` ({title}), which it does not carry{why} ({source})"
    )
}

/// How often a kind of temporary access may be renewed: "not renewable", "renewable once",
/// "renewable 2 times".
pub fn renewable(n: u32) -> String {
    match n {
        0 => "not renewable".to_string(),
        1 => "renewable once".to_string(),
        n => format!("renewable {n} times"),
    }
}

/// What ends, in the sentences that say it ends: a temporary grant (by its place in the
/// request) or a restriction (by its category's title).
#[derive(Debug, Clone, Copy)]
pub enum Ends<'a> {
    /// The temporary grant at this index of the request.
    Grant(u16),
    /// The restriction under the category with this title.
    Restriction(&'a str),
}

impl Ends<'_> {
    /// What ends: "temporary grant 1", "the Adoption restriction".
    fn what(self) -> String {
        match self {
            Ends::Grant(i) => format!("temporary grant {}", u32::from(i) + 1),
            Ends::Restriction(title) => format!("the {title} restriction"),
        }
    }

    /// Whose notice it is.
    fn notice(self) -> &'static str {
        match self {
            Ends::Grant(_) => "its kind",
            Ends::Restriction(_) => "its category",
        }
    }

    /// What the person told must do before the end.
    fn duty(self) -> &'static str {
        match self {
            Ends::Grant(_) => "finish the work or ask for a renewal before then",
            Ends::Restriction(_) => {
                "if it is still needed, ask for it to be renewed before then, or it is reported as ended"
            }
        }
    }
}

/// The warning that something ends within its notice, the end in UK local time: "temporary
/// grant 1 ends at 09:00 on Friday 4 December 2026 (UK time), within the notice its kind gives".
pub fn ends_soon(what: Ends<'_>, end: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{} ends at {} (UK time), within the notice {} gives",
        what.what(),
        super::time::uk_local(end),
        what.notice()
    )
}

/// What a person allowed must do when something ends soon (the `access_ends_soon` and
/// `restriction_ends_soon` obligations).
pub fn ends_soon_duty(what: Ends<'_>, end: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{} ends at {} (UK time): {}",
        what.what(),
        super::time::uk_local(end),
        what.duty()
    )
}

/// What a restriction past its end does: the sentence docs/semantics.md quotes.
pub const ENDED: &str = "A restriction past its end still applies: only a person lifts or renews it, never the calendar.";

/// The warning that a restriction has reached its end.
pub fn restriction_ended(title: &str, end: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "the {title} restriction ended at {} (UK time) and has been neither renewed nor lifted; it still applies until someone does",
        super::time::uk_local(end)
    )
}

/// The warning that a restriction has been renewed more often than its category allows.
pub fn restriction_renewed_too_often(title: &str, renewals: u32, allowed: u32) -> String {
    format!(
        "the {title} restriction has been renewed {renewals} times, more than its category allows ({}); it still applies",
        renewable(allowed)
    )
}

/// A review overdue warning's message.
#[derive(Debug, Clone, Copy)]
pub struct ReviewOverdueText(pub chrono::NaiveDate);

impl std::fmt::Display for ReviewOverdueText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        REVIEW_OVERDUE.fmt(self.0, f)
    }
}

/// A flag's overdue review, in a warning's message: the flag's title, then
/// [`FlagReviewOverdueText`].
pub fn flag_review_overdue(title: &str, due: chrono::NaiveDate) -> String {
    format!("{title}: {}", FlagReviewOverdueText(due))
}

/// The part of a flag's overdue-review message after its title: digits and plain words, so
/// nothing in it needs escaping in JSON.
#[derive(Debug, Clone, Copy)]
pub struct FlagReviewOverdueText(pub chrono::NaiveDate);

impl std::fmt::Display for FlagReviewOverdueText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        FLAG_REVIEW_OVERDUE.fmt(self.0, f)
    }
}

/// The words of [`ReviewOverdueText`].
pub(crate) const REVIEW_OVERDUE: AroundDate = AroundDate {
    before: "review overdue since ",
    after: "; the restriction still applies",
};

/// The words of [`FlagReviewOverdueText`].
pub(crate) const FLAG_REVIEW_OVERDUE: AroundDate = AroundDate {
    before: "flag review overdue since ",
    after: "; the flag still applies",
};

/// A message of plain words around a date written `%Y-%m-%d`: both overdue reviews' messages,
/// as text and as the bytes a response writes. Written to a stream it is three writes of bytes,
/// the date's digits made by hand (going through the formatter took a tenth of writing a
/// response that has one); nothing in it needs escaping in JSON.
pub(crate) struct AroundDate {
    before: &'static str,
    after: &'static str,
}

impl AroundDate {
    /// Writes the message's bytes for `date`.
    pub(crate) fn write_to<W: std::io::Write>(
        &self,
        date: chrono::NaiveDate,
        w: &mut W,
    ) -> std::io::Result<()> {
        match super::time::date_digits(date) {
            Some(digits) => {
                w.write_all(self.before.as_bytes())?;
                w.write_all(&digits)?;
                w.write_all(self.after.as_bytes())
            }
            None => write!(
                w,
                "{}{}{}",
                self.before,
                date.format("%Y-%m-%d"),
                self.after
            ),
        }
    }

    fn fmt(&self, date: chrono::NaiveDate, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.before)?;
        match super::time::date_digits(date) {
            Some(digits) => {
                f.write_str(std::str::from_utf8(&digits).map_err(|_| std::fmt::Error)?)?
            }
            None => write!(f, "{}", date.format("%Y-%m-%d"))?,
        }
        f.write_str(self.after)
    }
}

/// `forbidden` or `not permitted`, capitalised, as a caseworker explanation begins.
pub fn deny_heading(kind: DenyKind) -> &'static str {
    match kind {
        DenyKind::Forbidden => "Forbidden",
        DenyKind::NotPermitted => "Not permitted",
    }
}

/// An approver as a sentence names them: a role gets an article, a team "the"; an approver of
/// several parts, or a board, is described as the policy titles it.
pub fn approver_phrase(a: &ApproverEntry) -> String {
    let single = match a.condition.terms.as_slice() {
        [t] => match t.as_slice() {
            [l] if !l.negated => Some(l.atom),
            _ => None,
        },
        _ => None,
    };
    phrase(single, &a.description)
}

/// A contact as a sentence names them, as [`approver_phrase`].
pub fn contact_phrase(a: &AtomEntry) -> String {
    phrase(Some(a.atom), &a.description)
}

fn phrase(atom: Option<Atom>, description: &str) -> String {
    match atom {
        Some(Atom::Role(_)) => article(description),
        Some(Atom::Team(_)) => format!("the {description}"),
        _ => description.to_string(),
    }
}

/// One step per entry: "the record's named manager or a Team Manager".
pub fn chain_steps(c: &ChainEntry) -> Vec<String> {
    c.steps
        .iter()
        .map(|step| {
            step.iter()
                .map(approver_phrase)
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The overdue messages a response writes to a stream are the bytes their text is, for
    /// dates whose digits are written by hand and for those the format string writes.
    #[test]
    fn overdue_messages_write_the_bytes_of_their_text() {
        for (y, m, d) in [
            (-1, 1, 1),
            (0, 1, 1),
            (1, 2, 3),
            (2026, 11, 22),
            (9999, 12, 31),
            (10_000, 1, 1),
        ] {
            let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let (mut plain, mut flag) = (Vec::new(), Vec::new());
            REVIEW_OVERDUE.write_to(day, &mut plain).unwrap();
            FLAG_REVIEW_OVERDUE.write_to(day, &mut flag).unwrap();
            assert_eq!(
                String::from_utf8(plain).unwrap(),
                ReviewOverdueText(day).to_string()
            );
            assert_eq!(
                String::from_utf8(flag).unwrap(),
                FlagReviewOverdueText(day).to_string()
            );
            assert!(
                ReviewOverdueText(day)
                    .to_string()
                    .contains(&day.format("%Y-%m-%d").to_string())
            );
        }
    }
}

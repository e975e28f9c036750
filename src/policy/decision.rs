//! The words a decision is given in: allow or deny, the kind of a deny, the view a decision
//! reports, warning codes and the kinds of fail-closed refusal. The evaluator's decisions and a
//! checked test's expectations both use them, so they sit below both.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The subject may take the action.
    Allow,
    /// The subject may not.
    Deny,
    /// A lifecycle action that its chain allows once the approvals still missing are given;
    /// until then it may not be taken.
    Pending,
}

/// Why a deny is a deny: a deny rule or the exclusion list names the subject (`forbidden`), or
/// nothing grants access (`not_permitted`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DenyKind {
    /// A deny rule (or the record's exclusion list) names the subject.
    Forbidden,
    /// Nothing grants the subject access.
    NotPermitted,
}

/// What the subject sees, as a decision says it (a notice with contact is a `notice`: the
/// contact is in `next_steps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// The whole record.
    Full,
    /// Minimal identifying details only.
    Minimal,
    /// A lock notice.
    Notice,
    /// Nothing: not even that the record is locked.
    None,
}

/// A warning's stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The restriction's review is overdue; the restriction still applies.
    ReviewOverdue,
    /// A temporary grant longer than the policy allows ends at the maximum.
    TemporaryGrantCapped,
    /// A temporary grant does not count, and why.
    TemporaryGrantNotValid,
    /// A flag's review is overdue; the flag and its duty still apply.
    FlagReviewOverdue,
    /// The temporary access that allowed ends within its kind's notice.
    AccessEndsSoon,
    /// The request acts for a colleague, but the window does not count, and why: it was decided
    /// with the subject's own rights.
    ActingNotValid,
    /// A restriction on the record ends within its category's notice.
    RestrictionEndsSoon,
    /// A restriction on the record has reached its end and has been neither renewed nor lifted;
    /// it still applies.
    RestrictionEnded,
    /// A restriction on the record has been renewed more often than its category allows; it
    /// still applies.
    RestrictionRenewedTooOften,
    /// The record's facts require a restriction it does not carry (auditors only).
    RestrictionRequired,
}

/// The kind of a refusal made before any rule is read (the evaluator's `FailReason` without
/// the index of the field that caused it), in the words test expectations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailClosed {
    /// The action is not one the policy declares.
    UnknownAction,
    /// The record's restriction names a category the policy does not have.
    UnknownCategory,
    /// The record carries the same category twice.
    RepeatedCategory,
    /// A linked record is linked by a kind of link the policy does not declare.
    UnknownLink,
    /// The record gives both `restriction` and `restrictions`.
    BothRestrictionFields,
    /// The record's section is not one the policy declares.
    UnknownSection,
    /// The subject's organisation is not one the policy declares.
    UnknownOrganisation,
    /// A role of the subject is not one the policy declares.
    UnknownRole,
    /// A team of the subject is not one the policy declares.
    UnknownTeam,
    /// A team of the record's `teams` list is not one the policy declares.
    UnknownRecordTeam,
    /// A team or role on the restriction's access or exclusion list is not declared.
    UnknownListEntry,
    /// A flag on the record is not one the policy declares.
    UnknownFlag,
    /// A fact of the record is not one the policy declares.
    UnknownFact,
    /// The record carries a restriction its facts forbid.
    RestrictionNotAllowed,
    /// The record carries two restrictions that may not be combined.
    ExclusiveRestrictions,
    /// The request states a context the policy does not declare.
    UnknownContext,
    /// The request states a value its context does not list.
    UnknownContextValue,
    /// A temporary grant names a kind no category of the policy gives.
    UnknownGrantKind,
    /// A temporary grant's approver is said to hold a role the policy does not declare.
    UnknownApproverRole,
    /// A temporary grant's approver is said to be in a team the policy does not declare.
    UnknownApproverTeam,
    /// The request acts for a colleague, and the policy lets nobody act for anyone.
    ActingNotAllowed,
    /// The record is unrestricted and the policy has no `unrestricted` block.
    NoUnrestrictedBlock,
    /// No row of the decision list matched.
    NoRowMatched,
    /// The request gives a `change` or `approvals` for an action that is not a lifecycle
    /// action.
    UnexpectedChange,
    /// A lifecycle action's request gives no `change`.
    MissingChange,
    /// A lifecycle action's `change` leaves out what the action needs (its category or flag),
    /// or gives what it does not take.
    IncompleteChange,
    /// The `change` names a category the policy does not have.
    UnknownChangeCategory,
    /// The `change` names a kind of temporary access its category does not give.
    UnknownChangeKind,
    /// The `change` names a flag the policy does not declare.
    UnknownChangeFlag,
    /// An approval's approver is said to hold a role the policy does not declare.
    UnknownApprovalRole,
    /// An approval's approver is said to be in a team the policy does not declare.
    UnknownApprovalTeam,
}

impl FailClosed {
    /// Every kind.
    pub const ALL: [FailClosed; 31] = [
        FailClosed::UnknownAction,
        FailClosed::UnknownCategory,
        FailClosed::RepeatedCategory,
        FailClosed::UnknownLink,
        FailClosed::BothRestrictionFields,
        FailClosed::UnknownSection,
        FailClosed::UnknownOrganisation,
        FailClosed::UnknownRole,
        FailClosed::UnknownTeam,
        FailClosed::UnknownRecordTeam,
        FailClosed::UnknownListEntry,
        FailClosed::UnknownFlag,
        FailClosed::UnknownFact,
        FailClosed::RestrictionNotAllowed,
        FailClosed::ExclusiveRestrictions,
        FailClosed::UnknownContext,
        FailClosed::UnknownContextValue,
        FailClosed::UnknownGrantKind,
        FailClosed::UnknownApproverRole,
        FailClosed::UnknownApproverTeam,
        FailClosed::ActingNotAllowed,
        FailClosed::NoUnrestrictedBlock,
        FailClosed::NoRowMatched,
        FailClosed::UnexpectedChange,
        FailClosed::MissingChange,
        FailClosed::IncompleteChange,
        FailClosed::UnknownChangeCategory,
        FailClosed::UnknownChangeKind,
        FailClosed::UnknownChangeFlag,
        FailClosed::UnknownApprovalRole,
        FailClosed::UnknownApprovalTeam,
    ];

    /// The word in test expectations (`expect deny fails_closed unknown_role`).
    pub fn word(self) -> &'static str {
        match self {
            FailClosed::UnknownAction => "unknown_action",
            FailClosed::UnknownCategory => "unknown_category",
            FailClosed::RepeatedCategory => "repeated_category",
            FailClosed::UnknownLink => "unknown_link",
            FailClosed::BothRestrictionFields => "both_restriction_fields",
            FailClosed::UnknownSection => "unknown_section",
            FailClosed::UnknownOrganisation => "unknown_organisation",
            FailClosed::UnknownRole => "unknown_role",
            FailClosed::UnknownTeam => "unknown_team",
            FailClosed::UnknownRecordTeam => "unknown_record_team",
            FailClosed::UnknownListEntry => "unknown_list_entry",
            FailClosed::UnknownFlag => "unknown_flag",
            FailClosed::UnknownFact => "unknown_fact",
            FailClosed::RestrictionNotAllowed => "restriction_not_allowed",
            FailClosed::ExclusiveRestrictions => "exclusive_restrictions",
            FailClosed::UnknownContext => "unknown_context",
            FailClosed::UnknownContextValue => "unknown_context_value",
            FailClosed::UnknownGrantKind => "unknown_grant_kind",
            FailClosed::UnknownApproverRole => "unknown_approver_role",
            FailClosed::UnknownApproverTeam => "unknown_approver_team",
            FailClosed::ActingNotAllowed => "acting_not_allowed",
            FailClosed::NoUnrestrictedBlock => "no_unrestricted_block",
            FailClosed::NoRowMatched => "no_row_matched",
            FailClosed::UnexpectedChange => "unexpected_change",
            FailClosed::MissingChange => "missing_change",
            FailClosed::IncompleteChange => "incomplete_change",
            FailClosed::UnknownChangeCategory => "unknown_change_category",
            FailClosed::UnknownChangeKind => "unknown_change_kind",
            FailClosed::UnknownChangeFlag => "unknown_change_flag",
            FailClosed::UnknownApprovalRole => "unknown_approval_role",
            FailClosed::UnknownApprovalTeam => "unknown_approval_team",
        }
    }
}

impl Outcome {
    /// `allow` or `deny`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
            Outcome::Pending => "pending",
        }
    }
}

impl DenyKind {
    /// Both kinds.
    pub const ALL: [DenyKind; 2] = [DenyKind::Forbidden, DenyKind::NotPermitted];

    /// `forbidden` or `not_permitted`.
    pub fn word(self) -> &'static str {
        match self {
            DenyKind::Forbidden => "forbidden",
            DenyKind::NotPermitted => "not_permitted",
        }
    }
}

impl Shown {
    /// Every view a decision reports.
    pub const ALL: [Shown; 4] = [Shown::Full, Shown::Minimal, Shown::Notice, Shown::None];

    /// `full`, `minimal`, `notice` or `none`.
    pub fn word(self) -> &'static str {
        match self {
            Shown::Full => "full",
            Shown::Minimal => "minimal",
            Shown::Notice => "notice",
            Shown::None => "none",
        }
    }
}

impl WarningCode {
    /// Every code.
    pub const ALL: [WarningCode; 10] = [
        WarningCode::ReviewOverdue,
        WarningCode::TemporaryGrantCapped,
        WarningCode::TemporaryGrantNotValid,
        WarningCode::FlagReviewOverdue,
        WarningCode::AccessEndsSoon,
        WarningCode::ActingNotValid,
        WarningCode::RestrictionEndsSoon,
        WarningCode::RestrictionEnded,
        WarningCode::RestrictionRenewedTooOften,
        WarningCode::RestrictionRequired,
    ];

    /// The code as written: `review_overdue`.
    pub fn word(self) -> &'static str {
        match self {
            WarningCode::ReviewOverdue => "review_overdue",
            WarningCode::TemporaryGrantCapped => "temporary_grant_capped",
            WarningCode::TemporaryGrantNotValid => "temporary_grant_not_valid",
            WarningCode::FlagReviewOverdue => "flag_review_overdue",
            WarningCode::AccessEndsSoon => "access_ends_soon",
            WarningCode::ActingNotValid => "acting_not_valid",
            WarningCode::RestrictionEndsSoon => "restriction_ends_soon",
            WarningCode::RestrictionEnded => "restriction_ended",
            WarningCode::RestrictionRenewedTooOften => "restriction_renewed_too_often",
            WarningCode::RestrictionRequired => "restriction_required",
        }
    }
}

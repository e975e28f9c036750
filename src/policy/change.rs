//! Lifecycle actions: the changes to a record's restrictions and flags that are decided like any
//! other request (docs/semantics.md, "Lifecycle actions"), each approved by a chain.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Purpose;

/// A change to a record's restrictions, temporary access or flags. Every policy has these
/// actions; none may declare an action of the same name (CL0164).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Placing a restriction of a category on a record.
    Place,
    /// Amending a restriction the record carries.
    Amend,
    /// Lifting a restriction the record carries.
    Lift,
    /// Renewing a restriction the record carries for another period.
    Renew,
    /// Putting someone on a restriction's access list (`approve access`).
    GrantAccess,
    /// Granting the requester temporary access of a kind (approved by the kind's `approved_by`,
    /// as the grant must be to count).
    GrantTemporary,
    /// Renewing the requester's temporary access of a kind.
    RenewTemporary,
    /// Adding a flag to a record.
    AddFlag,
}

impl Change {
    /// Every lifecycle action.
    pub const ALL: [Change; 8] = [
        Change::Place,
        Change::Amend,
        Change::Lift,
        Change::Renew,
        Change::GrantAccess,
        Change::GrantTemporary,
        Change::RenewTemporary,
        Change::AddFlag,
    ];

    /// The action's name in requests and tests.
    pub fn word(self) -> &'static str {
        match self {
            Change::Place => "place",
            Change::Amend => "amend",
            Change::Lift => "lift",
            Change::Renew => "renew",
            Change::GrantAccess => "grant_access",
            Change::GrantTemporary => "grant_temporary",
            Change::RenewTemporary => "renew_temporary",
            Change::AddFlag => "add_flag",
        }
    }

    /// The lifecycle action a name names, if any.
    pub fn from_word(w: &str) -> Option<Change> {
        Change::ALL.into_iter().find(|c| c.word() == w)
    }

    /// Whose approval chain decides it.
    pub fn purpose(self) -> Purpose {
        match self {
            Change::Place => Purpose::Place,
            Change::Amend => Purpose::Amend,
            Change::Lift => Purpose::Lift,
            Change::Renew => Purpose::Renew,
            Change::GrantAccess | Change::GrantTemporary | Change::RenewTemporary => {
                Purpose::Access
            }
            Change::AddFlag => Purpose::Flag,
        }
    }

    /// What it is about: a flag, a kind of temporary access, or a restriction.
    pub fn target(self) -> ChangeTarget {
        match self {
            Change::AddFlag => ChangeTarget::Flag,
            Change::GrantTemporary | Change::RenewTemporary => ChangeTarget::Temporary,
            _ => ChangeTarget::Restriction,
        }
    }

    /// The change in words, for people: "lifting the restriction".
    pub fn phrase(self) -> &'static str {
        match self {
            Change::Place => "placing the restriction",
            Change::Amend => "amending the restriction",
            Change::Lift => "lifting the restriction",
            Change::Renew => "renewing the restriction",
            Change::GrantAccess => "adding someone to the restriction's access list",
            Change::GrantTemporary => "granting temporary access",
            Change::RenewTemporary => "renewing temporary access",
            Change::AddFlag => "adding the flag",
        }
    }

    /// Whether the record must already carry what the change is about (a restriction to lift;
    /// the category whose temporary access is granted) rather than not carry it (a restriction
    /// or flag to add).
    pub fn needs_carried(self) -> bool {
        !matches!(self, Change::Place | Change::AddFlag)
    }
}

/// What a lifecycle action names in the request's `change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeTarget {
    /// A category (`change.category`).
    Restriction,
    /// A category and one of its kinds of temporary access (`change.category`, `change.kind`).
    Temporary,
    /// A flag (`change.flag`).
    Flag,
}

/// Why a lifecycle action is refused although its request could be read: the kind, without the
/// index of the approval that caused it, in the words test expectations and responses use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeRefusal {
    /// The policy names no one who may approve it.
    NoApprover,
    /// The source document names no approver, and the policy says so (`approve ... unstated`).
    ApproverUnstated,
    /// The record already carries the restriction or flag to be added.
    AlreadyCarried,
    /// The record does not carry the restriction to be changed (or whose temporary access is
    /// asked for).
    NotCarried,
    /// The category gives no temporary access of the kind asked for.
    KindNotOffered,
    /// The temporary access has been renewed as often as its kind allows.
    RenewedTooOften,
    /// An approval is not for the next step of the chain, or was given before the step before
    /// it.
    OutOfOrder,
    /// An approval is dated after the decision.
    ApprovalInFuture,
    /// The requester approved their own request.
    SelfApproval,
    /// One person approved two steps.
    SameApproverTwice,
    /// An approver is not one the step names.
    NotAuthorised,
    /// The step's approvers are roles or teams, and the approval gives only the approver's id.
    ApproverNotStated,
    /// An approval is older than the chain's `valid for`.
    ApprovalExpired,
    /// Placing the restriction: the record's facts forbid it (`never restrict`).
    RestrictionNotAllowed,
    /// Placing the restriction: it may not be combined with one the record carries
    /// (`exclusive`).
    ExclusiveRestrictions,
    /// Lifting the restriction: the record's facts require it (`trigger`).
    RestrictionRequired,
}

impl ChangeRefusal {
    /// Every kind.
    pub const ALL: [ChangeRefusal; 16] = [
        ChangeRefusal::NoApprover,
        ChangeRefusal::ApproverUnstated,
        ChangeRefusal::AlreadyCarried,
        ChangeRefusal::NotCarried,
        ChangeRefusal::KindNotOffered,
        ChangeRefusal::RenewedTooOften,
        ChangeRefusal::OutOfOrder,
        ChangeRefusal::ApprovalInFuture,
        ChangeRefusal::SelfApproval,
        ChangeRefusal::SameApproverTwice,
        ChangeRefusal::NotAuthorised,
        ChangeRefusal::ApproverNotStated,
        ChangeRefusal::ApprovalExpired,
        ChangeRefusal::RestrictionNotAllowed,
        ChangeRefusal::ExclusiveRestrictions,
        ChangeRefusal::RestrictionRequired,
    ];

    /// The word in test expectations (`expect deny refused self_approval`).
    pub fn word(self) -> &'static str {
        match self {
            ChangeRefusal::NoApprover => "no_approver",
            ChangeRefusal::ApproverUnstated => "approver_unstated",
            ChangeRefusal::AlreadyCarried => "already_carried",
            ChangeRefusal::NotCarried => "not_carried",
            ChangeRefusal::KindNotOffered => "kind_not_offered",
            ChangeRefusal::RenewedTooOften => "renewed_too_often",
            ChangeRefusal::OutOfOrder => "out_of_order",
            ChangeRefusal::ApprovalInFuture => "approval_in_future",
            ChangeRefusal::SelfApproval => "self_approval",
            ChangeRefusal::SameApproverTwice => "same_approver_twice",
            ChangeRefusal::NotAuthorised => "not_authorised",
            ChangeRefusal::ApproverNotStated => "approver_not_stated",
            ChangeRefusal::ApprovalExpired => "approval_expired",
            ChangeRefusal::RestrictionNotAllowed => "restriction_not_allowed",
            ChangeRefusal::ExclusiveRestrictions => "exclusive_restrictions",
            ChangeRefusal::RestrictionRequired => "restriction_required",
        }
    }
}

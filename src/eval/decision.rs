//! What the evaluator returns: a compact [`Decision`] (enums and indices, no strings), and the
//! rendered [`Response`] of the public JSON contract (docs/schema/decision.schema.json).

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::policy::{ActionId, Change, ChangeRefusal, View};
pub use crate::policy::{DenyKind, FailClosed, Outcome, Shown, WarningCode};

/// A problem with the request that makes the evaluator refuse without consulting any rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailReason {
    /// The action is not one the policy declares.
    UnknownAction,
    /// The restriction at this index (of the record's `restriction` or `restrictions`, then of
    /// each linked record's `restrictions`: `Record::every_placed`) names a category the policy
    /// does not have.
    UnknownCategory(u16),
    /// The restriction at this index names a category an earlier one of the same record (the
    /// record itself, or the same linked record) already names.
    RepeatedCategory(u16),
    /// The link at this index of the record's `links` is of a kind the policy does not declare.
    UnknownLink(u16),
    /// The record gives both `restriction` and `restrictions`: which is meant is in doubt.
    BothRestrictionFields,
    /// The record's `section` is not one the policy declares.
    UnknownSection,
    /// The subject's organisation is not one the policy declares.
    UnknownOrganisation,
    /// The subject's role at this index is not one the policy declares: a misspelt role could
    /// otherwise slip past a deny rule, so the evaluator refuses rather than ignore it.
    UnknownRole(u16),
    /// The subject's team at this index is not one the policy declares (refused, as for roles).
    UnknownTeam(u16),
    /// A team the record's `teams` list gives is not declared (its index).
    UnknownRecordTeam(u16),
    /// A team or role on an access or exclusion list is not declared: the restriction's index
    /// (as for [`FailReason::UnknownCategory`]), the list, and the entry's index.
    UnknownListEntry(u16, NamedList, u16),
    /// The flag at this index of the record's `flags` is not one the policy declares: a
    /// misspelt flag would otherwise drop its duty without a word.
    UnknownFlag(u16),
    /// The fact at this index of the record's `facts` is not one the policy declares.
    UnknownFact(u16),
    /// The record's restriction at this index is under a category its facts forbid (a `never
    /// restrict` rule covers them).
    RestrictionNotAllowed(u16),
    /// The record's restriction at this index may not be combined with an earlier one (an
    /// `exclusive` rule names both categories).
    ExclusiveRestrictions(u16),
    /// The request's context at this index names a context the policy does not declare.
    UnknownContext(u16),
    /// The request's context at this index states a value its context does not list.
    UnknownContextValue(u16),
    /// The temporary grant at this index names a kind no category gives.
    UnknownGrantKind(u16),
    /// The temporary grant at the first index states for its approver the role at the second,
    /// which the policy does not declare.
    UnknownApproverRole(u16, u16),
    /// As [`FailReason::UnknownApproverRole`], for a team.
    UnknownApproverTeam(u16, u16),
    /// The request acts for a colleague (`acting_for`), and the policy has no `acting`
    /// statement: nobody may act for anyone.
    ActingNotAllowed,
    /// The organisation of the colleague acted for is not one the policy declares.
    UnknownActingOrganisation,
    /// The role at this index of the colleague acted for is not one the policy declares.
    UnknownActingRole(u16),
    /// The team at this index of the colleague acted for is not one the policy declares.
    UnknownActingTeam(u16),
    /// The acting window's approver is said to hold the role at this index, which the policy
    /// does not declare.
    UnknownActingApproverRole(u16),
    /// As [`FailReason::UnknownActingApproverRole`], for a team.
    UnknownActingApproverTeam(u16),
    /// The record is unrestricted and the policy has no `unrestricted` block.
    NoUnrestrictedBlock,
    /// No row of the decision list matched (only a table not written by `caselock compile`
    /// can lack the default row).
    NoRowMatched,
    /// The request gives a `change` or `approvals` for an action that is not a lifecycle action.
    UnexpectedChange,
    /// A lifecycle action's request gives no `change`.
    MissingChange,
    /// The `change` leaves out what its action needs, or gives what it does not take.
    IncompleteChange,
    /// The `change` names a category the policy does not have.
    UnknownChangeCategory,
    /// The `change` names a kind of temporary access no category gives.
    UnknownChangeKind,
    /// The `change` names a flag the policy does not declare.
    UnknownChangeFlag,
    /// The approval at the first index states for its approver the role at the second, which
    /// the policy does not declare.
    UnknownApprovalRole(u16, u16),
    /// As [`FailReason::UnknownApprovalRole`], for a team.
    UnknownApprovalTeam(u16, u16),
}

impl FailReason {
    /// The kind of refusal, without the index of the field that caused it.
    pub fn kind(self) -> FailClosed {
        match self {
            FailReason::UnknownAction => FailClosed::UnknownAction,
            FailReason::UnknownCategory(_) => FailClosed::UnknownCategory,
            FailReason::RepeatedCategory(_) => FailClosed::RepeatedCategory,
            FailReason::UnknownLink(_) => FailClosed::UnknownLink,
            FailReason::BothRestrictionFields => FailClosed::BothRestrictionFields,
            FailReason::UnknownSection => FailClosed::UnknownSection,
            FailReason::UnknownOrganisation => FailClosed::UnknownOrganisation,
            FailReason::UnknownRole(_) => FailClosed::UnknownRole,
            FailReason::UnknownTeam(_) => FailClosed::UnknownTeam,
            FailReason::UnknownRecordTeam(_) => FailClosed::UnknownRecordTeam,
            FailReason::UnknownListEntry(..) => FailClosed::UnknownListEntry,
            FailReason::UnknownFlag(_) => FailClosed::UnknownFlag,
            FailReason::UnknownFact(_) => FailClosed::UnknownFact,
            FailReason::RestrictionNotAllowed(_) => FailClosed::RestrictionNotAllowed,
            FailReason::ExclusiveRestrictions(_) => FailClosed::ExclusiveRestrictions,
            FailReason::UnknownContext(_) => FailClosed::UnknownContext,
            FailReason::UnknownContextValue(_) => FailClosed::UnknownContextValue,
            FailReason::UnknownGrantKind(_) => FailClosed::UnknownGrantKind,
            FailReason::UnknownApproverRole(..) => FailClosed::UnknownApproverRole,
            FailReason::UnknownApproverTeam(..) => FailClosed::UnknownApproverTeam,
            FailReason::ActingNotAllowed => FailClosed::ActingNotAllowed,
            FailReason::UnknownActingOrganisation => FailClosed::UnknownOrganisation,
            FailReason::UnknownActingRole(_) => FailClosed::UnknownRole,
            FailReason::UnknownActingTeam(_) => FailClosed::UnknownTeam,
            FailReason::UnknownActingApproverRole(_) => FailClosed::UnknownApproverRole,
            FailReason::UnknownActingApproverTeam(_) => FailClosed::UnknownApproverTeam,
            FailReason::NoUnrestrictedBlock => FailClosed::NoUnrestrictedBlock,
            FailReason::NoRowMatched => FailClosed::NoRowMatched,
            FailReason::UnexpectedChange => FailClosed::UnexpectedChange,
            FailReason::MissingChange => FailClosed::MissingChange,
            FailReason::IncompleteChange => FailClosed::IncompleteChange,
            FailReason::UnknownChangeCategory => FailClosed::UnknownChangeCategory,
            FailReason::UnknownChangeKind => FailClosed::UnknownChangeKind,
            FailReason::UnknownChangeFlag => FailClosed::UnknownChangeFlag,
            FailReason::UnknownApprovalRole(..) => FailClosed::UnknownApprovalRole,
            FailReason::UnknownApprovalTeam(..) => FailClosed::UnknownApprovalTeam,
        }
    }

    /// The reason's word in test expectations (`expect deny fails_closed unknown_role`).
    pub fn word(self) -> &'static str {
        self.kind().word()
    }
}

/// A restriction's access list or exclusion list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedList {
    /// `named_allow`.
    Allow,
    /// `named_deny`.
    Deny,
}

impl NamedList {
    /// The request field.
    pub fn field(self) -> &'static str {
        match self {
            NamedList::Allow => "named_allow",
            NamedList::Deny => "named_deny",
        }
    }
}

/// A category of the table: a restriction category or the unrestricted block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CategoryRef {
    /// The `unrestricted` block.
    Unrestricted,
    /// The category at this index of [`crate::compile::DecisionTable::categories`].
    Category(u32),
}

/// What decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// A row of a decision list.
    Row {
        /// The category.
        category: CategoryRef,
        /// The action.
        action: ActionId,
        /// The row's index in the decision list.
        row: u32,
    },
    /// The request could not be evaluated; the evaluator refused.
    FailClosed(FailReason),
    /// A lifecycle action, decided by its approval chain.
    Change(ChainState),
}

/// A lifecycle action's chain, as far as the request's approvals go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainState {
    /// The action.
    pub change: Change,
    /// What it is about: a category's index in the table, or for adding a flag the flag's
    /// index in the vocabulary.
    pub target: u32,
    /// For temporary access: the kind's index among the category's kinds.
    pub kind: Option<u16>,
    /// How many steps the chain has (0 when there is none).
    pub steps: u8,
    /// How many steps the approvals satisfy, in order.
    pub satisfied: u8,
    /// Why the action is refused, if it is.
    pub problem: Option<ChangeProblem>,
}

impl ChainState {
    /// The step that must be approved next (from 0), when the chain is waiting.
    pub fn next_step(&self) -> Option<u8> {
        (self.problem.is_none() && self.satisfied < self.steps).then_some(self.satisfied)
    }
}

/// Why a lifecycle action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeProblem {
    /// The kind of refusal.
    pub refusal: ChangeRefusal,
    /// The approval at fault (its index in the request), if one is.
    pub approval: Option<u16>,
    /// For an expired approval: when it expired.
    pub expired_at: Option<DateTime<Utc>>,
}

/// Why a temporary grant held for this record does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantProblem {
    /// The category offers no temporary access for this action.
    NotOffered,
    /// The grant lists actions and this is not one of them.
    ActionNotListed,
    /// The subject is not someone the category lets hold temporary access.
    NotEligible,
    /// The grant's holder approved it themselves: maker-checker, as for every approval.
    SelfApproved,
    /// The approver is not one the category accepts.
    ApproverNotAllowed,
    /// The kind's approvers are roles or teams, and the request gives only the approver's id.
    ApproverNotStated,
    /// The grant has been renewed more often than the kind allows.
    RenewedTooOften,
    /// The grant starts later.
    NotStarted,
    /// The grant ended at this time (its own duration or the policy's maximum, whichever is
    /// first).
    Expired(DateTime<Utc>),
}

/// Why a request's acting window does not count (the request is then decided with the
/// subject's own rights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActingProblem {
    /// The subject says they act for themselves.
    ForThemselves,
    /// The window was approved by the deputy or by the colleague acted for.
    ApprovedByAParty,
    /// The approver is not one the policy's `acting` statements accept.
    ApproverNotAllowed,
    /// The accepted approvers are roles or teams, and the request gives only the approver's id.
    ApproverNotStated,
    /// The window ends before it starts, or when it starts.
    Empty,
    /// The window is longer than every `acting` statement the approver meets allows.
    TooLong,
    /// The window starts later.
    NotStarted,
    /// The window has ended.
    Ended,
}

/// Something the caller should know that did not change the decision's basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warning {
    /// The restriction's review has been due since this date; the restriction still applies.
    ReviewOverdue(NaiveDate),
    /// The temporary grant at this index is longer than the policy allows and ends at this time.
    GrantCapped(u16, DateTime<Utc>),
    /// The temporary grant at this index does not count.
    GrantNotValid(u16, GrantProblem),
    /// The review of the flag with this index (in the table's vocabulary) has been due since
    /// this date; the flag and its duty still apply.
    FlagReviewOverdue(u32, NaiveDate),
    /// The temporary grant at this index, which allowed, ends at this time, within its kind's
    /// notice.
    GrantEndsSoon(u16, DateTime<Utc>),
    /// The request acts for a colleague, but the window does not count: the request was decided
    /// with the subject's own rights.
    ActingNotValid(ActingProblem),
    /// The restriction under the category with this index (in the table) ends on this UK day,
    /// within its category's notice.
    RestrictionEndsSoon(u32, NaiveDate),
    /// The restriction under the category with this index ended on this UK day; it still applies
    /// until someone renews or lifts it.
    RestrictionEnded(u32, NaiveDate),
    /// The restriction under the category with this index has been renewed this many times, more
    /// than its category allows; it still applies.
    RestrictionRenewedTooOften(u32, u32),
    /// The trigger with this index (in the table's `restriction_rules.triggers`) requires a
    /// restriction the record does not carry. Told to an auditor only.
    RestrictionRequired(u32),
}

impl Warning {
    /// Whether the warning is about a restriction's own life (its review, its end, its
    /// renewals): the record's business, which a refused person is never told and which every
    /// restriction on the record gives, whichever decides.
    pub fn about_restriction(self) -> bool {
        matches!(
            self,
            Warning::ReviewOverdue(_)
                | Warning::RestrictionEndsSoon(..)
                | Warning::RestrictionEnded(..)
                | Warning::RestrictionRenewedTooOften(..)
        )
    }
}

/// A decision's warnings: the usual one or two are kept inline, so deciding allocates nothing.
pub type Warnings = smallvec::SmallVec<[Warning; 2]>;

/// A decision: index and enum data only, rendered on demand by [`super::Decider::response`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allow or deny.
    pub outcome: Outcome,
    /// What the subject sees.
    pub view: View,
    /// For a deny: forbidden or not permitted.
    pub deny_kind: Option<DenyKind>,
    /// The deciding row, or why the evaluator refused.
    pub basis: Basis,
    /// The time the decision was made for.
    pub at: DateTime<Utc>,
    /// When temporary access ends, if a temporary grant decided.
    pub expires_at: Option<DateTime<Utc>>,
    /// The temporary grant that decided, if one did: its index in the request and the index of
    /// its kind among the category's kinds (whose obligations the holder takes on).
    pub grant: Option<(u16, u16)>,
    /// The link (its index in the request's `record.links`) by which the deciding restriction
    /// reaches the record; `None` when it is the record's own (or the unrestricted block
    /// decided). Only an auditor is ever told of it.
    pub via: Option<u16>,
    /// Warnings, in the order found.
    pub warnings: Warnings,
    /// The flags the record carries: bit `i` for the table's flag `i` (a policy declares at most
    /// [`crate::policy::MAX_FLAGS`]). They never change the outcome; an allow gives their duties.
    pub flags: u64,
    /// Whether the request was decided with the rights of the colleague the subject acts for
    /// (a valid acting window), narrowed by every deny that matches the subject.
    pub acting: bool,
}

/// Who an explanation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The person who asked: plain English, nothing the policy conceals.
    Caseworker,
    /// An auditor: the full trace.
    Auditor,
}

/// The evaluator's answer to one request (docs/api.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Decision")]
pub struct Response {
    /// `allow` or `deny`.
    pub decision: Outcome,
    /// How much of the record the subject sees.
    pub view: Shown,
    /// For a deny: a deny rule covers the subject (`forbidden`) or nothing grants access
    /// (`not_permitted`); null for an allow.
    pub deny_kind: Option<DenyKind>,
    /// The deciding rule's id; null when the request failed closed or the category is concealed
    /// from the subject.
    pub rule: Option<String>,
    /// Where the deciding rule is written: `file:line` (null as for `rule`).
    pub source: Option<String>,
    /// The combining rule's step applied (docs/semantics.md), then the facts it used.
    pub reasons: Vec<String>,
    /// Plain English for the audience asked for (only when asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// What the subject can do next.
    pub next_steps: NextSteps,
    /// What the subject must do when allowed.
    pub obligations: Vec<ObligationOut>,
    /// Warnings.
    pub warnings: Vec<WarningOut>,
    /// SHA-256 of the policy's sources, hex: which policy decided.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub policy_hash: String,
    /// Every row considered (auditor audience only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
    /// For a lifecycle action: its approval chain, step by step (left out for any other
    /// action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainOut>,
}

/// A lifecycle action's approval chain as far as the request's approvals go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainOut {
    /// The lifecycle action.
    pub action: Change,
    /// The category (or flag) it changes; null when the category's title is not disclosed.
    pub category: Option<String>,
    /// Every step of the chain, in order.
    pub steps: Vec<ChainStepOut>,
    /// Why the action is refused, when it is and the category discloses reasons.
    pub refused: Option<ChangeRefusal>,
}

/// One step of an approval chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainStepOut {
    /// The step's number, from 1.
    pub step: u32,
    /// Who may approve it, any one of them (empty when the contact is concealed).
    pub who: Vec<String>,
    /// The subject id of who approved it.
    pub approved_by: Option<String>,
    /// When they approved (RFC 3339).
    pub approved_at: Option<String>,
    /// Where the step stands.
    pub state: StepState,
}

/// Where a step of an approval chain stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Approved, in order.
    Approved,
    /// Its approval is the one at fault.
    Refused,
    /// It must be approved next.
    Next,
    /// It comes after the next step (or after a refusal).
    Waiting,
}

impl StepState {
    /// The state's word.
    pub fn word(self) -> &'static str {
        match self {
            StepState::Approved => "approved",
            StepState::Refused => "refused",
            StepState::Next => "next",
            StepState::Waiting => "waiting",
        }
    }
}

/// Who to contact, the escalation path and temporary access, as far as the policy lets the
/// subject know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextSteps {
    /// Who to contact; null for an allow.
    pub contact: Option<ContactOut>,
    /// Who approves access, step by step.
    pub escalation: Vec<String>,
    /// Whether temporary access can be asked for; null when the category offers none or does
    /// not disclose it.
    pub temporary_access: Option<TemporaryOut>,
    /// The category's fixed notice for a refused person, when it discloses one.
    pub notice: Option<String>,
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactOut {
    /// How to describe them.
    pub description: String,
    /// Their subject id, when the request says who they are.
    pub subject_id: Option<String>,
}

/// Temporary access the subject may ask for: the first kind that covers the action, and every
/// such kind when the category gives more than its default one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemporaryOut {
    /// Whether this subject may hold it.
    pub available: bool,
    /// For how long at most: `24 hours`.
    pub max_duration: String,
    /// Who may approve it (empty when the contact is concealed).
    pub approvers: Vec<String>,
    /// Every kind that covers the action, when the category gives named kinds (left out
    /// otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<TemporaryKindOut>,
}

/// One kind of temporary access the subject may ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemporaryKindOut {
    /// The kind's name, to give as a grant's `kind`; null for the default kind, or when the
    /// category's title is not disclosed.
    pub kind: Option<String>,
    /// The kind's title (null as for `kind`).
    pub title: Option<String>,
    /// Whether this subject may hold it.
    pub available: bool,
    /// For how long at most: `2 weeks`.
    pub max_duration: String,
    /// Who may approve it (empty when the contact is concealed).
    pub approvers: Vec<String>,
    /// How many times a grant may be renewed.
    pub renewable: u32,
    /// How long before a grant ends its holder is told, if the policy says.
    pub notice: Option<String>,
}

/// An obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationOut {
    /// Its name (`access_expires` for the end of temporary access).
    pub id: String,
    /// What must be done.
    pub text: String,
}

/// A warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningOut {
    /// A stable code.
    pub code: WarningCode,
    /// The warning in words.
    pub message: String,
}

/// One row considered, for auditors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceStep {
    /// The rule id.
    pub rule: String,
    /// The combining rule's step.
    pub layer: String,
    /// Whether its condition held.
    pub matched: bool,
    /// Whether it decided.
    pub decided: bool,
    /// Why it held or not.
    pub why: String,
    /// Where it is written.
    pub source: String,
}

impl View {
    /// What a decision says the subject sees: a notice with contact is a `notice` (the contact
    /// is in `next_steps`).
    pub fn shown(self) -> Shown {
        match self {
            View::Full => Shown::Full,
            View::Minimal => Shown::Minimal,
            View::Notice | View::NoticeWithContact => Shown::Notice,
            View::None => Shown::None,
        }
    }

    /// The word a decision uses for it.
    pub fn decision_word(self) -> &'static str {
        self.shown().word()
    }
}

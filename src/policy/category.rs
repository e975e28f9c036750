//! Restriction categories and what they carry: reviews, approval chains, temporary access and
//! the contact for a refused person.

use serde::{Deserialize, Serialize};

use super::{
    ActionSet, Atom, Condition, EscalationId, ObligationId, Period, RestrictionType, Rule, View,
};
use crate::span::Span;

/// When a restriction must be reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every period, from placement or the last review.
    Every(Period),
    /// Never, deliberately (the reason, if given).
    Never(Option<String>),
    /// Not before an event, such as a serious case review's outcome.
    Until(String),
}

/// A category's review.
#[derive(Debug, Clone)]
pub struct Review {
    /// When.
    pub schedule: Schedule,
    /// Who reviews.
    pub reviewer: Option<Chain>,
    /// The statement's span.
    pub span: Span,
}

/// An approver: one alternative in an approval step.
pub type Approver = Atom;

/// Approvers in order; each step's alternatives are interchangeable.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The steps.
    pub steps: Vec<Vec<Approver>>,
    /// The named path this came from (`via`), if any.
    pub via: Option<EscalationId>,
    /// Where the chain was written.
    pub span: Span,
}

/// What an approval is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Placing a restriction.
    Place,
    /// Amending one.
    Amend,
    /// Lifting one.
    Lift,
    /// Granting someone access to a restricted record.
    Access,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 4] = [
        Purpose::Place,
        Purpose::Amend,
        Purpose::Lift,
        Purpose::Access,
    ];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Purpose::Place => "place",
            Purpose::Amend => "amend",
            Purpose::Lift => "lift",
            Purpose::Access => "access",
        }
    }
}

/// Who approves one purpose.
#[derive(Debug, Clone)]
pub struct Approval {
    /// What is approved.
    pub purpose: Purpose,
    /// Who approves, in order.
    pub chain: Chain,
    /// The statement's span.
    pub span: Span,
}

/// Temporary (short-term) access to a category.
#[derive(Debug, Clone)]
pub struct TemporaryAccess {
    /// What a temporary grant allows.
    pub actions: ActionSet,
    /// The longest a grant may last; longer grants are capped.
    pub max: Period,
    /// Who may hold one (everyone when absent).
    pub to: Option<Condition>,
    /// Who may approve one: relations or people the evaluator can check.
    pub approved_by: Vec<Approver>,
    /// What the holder must do.
    pub obligations: Vec<ObligationId>,
    /// The statement's span.
    pub span: Span,
}

/// Who a refused person should contact.
#[derive(Debug, Clone)]
pub struct Contact {
    /// The contact.
    pub who: Atom,
    /// How to describe them, if the policy says.
    pub text: Option<String>,
    /// The statement's span.
    pub span: Span,
}

/// Whether a compiled block is a restriction category or the `unrestricted` block: the
/// unrestricted block has no exclusion list, no restriction to review or lift, and gates every
/// category (docs/semantics.md), so every stage asks this rather than comparing names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    /// A restriction category.
    Restriction,
    /// The `unrestricted` block: what applies to a record with no restriction.
    Unrestricted,
}

impl CategoryKind {
    /// The name the unrestricted block compiles under, and the word a caller uses for it.
    pub const UNRESTRICTED: &'static str = "unrestricted";
}

/// A restriction category (or the `unrestricted` block).
#[derive(Debug, Clone)]
pub struct Category {
    /// The category's name (`unrestricted` for the unrestricted block).
    pub name: String,
    /// Its title.
    pub title: String,
    /// The qualifying criteria in the document's words.
    pub criteria: Vec<String>,
    /// Universal or exclude.
    pub restriction: RestrictionType,
    /// Grants and denies, in source order.
    pub rules: Vec<Rule>,
    /// What a refused person sees.
    pub denied_view: View,
    /// Whether explanations to a refused person must not name the category.
    pub conceal_category: bool,
    /// Whether explanations to a refused person must not name the contact.
    pub conceal_contact: bool,
    /// The review schedule.
    pub review: Option<Review>,
    /// Temporary access, if allowed.
    pub temporary: Option<TemporaryAccess>,
    /// Who a refused person should contact.
    pub contact: Option<Contact>,
    /// Approvals given in the category (policy-wide defaults apply for the rest).
    pub approvals: Vec<Approval>,
    /// The category's span.
    pub span: Span,
}

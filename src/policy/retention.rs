//! The retention schedule: how long each file type is kept, from which date, and then what.

use serde::{Deserialize, Serialize};

use super::Period;
use crate::span::Span;

/// When a retained file's clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The subject's date of birth.
    DateOfBirth,
    /// The subject's date of death.
    DateOfDeath,
    /// The date the file was closed.
    Closure,
    /// The end of the financial year (31 March) after the file's date.
    EndOfFinancialYear,
    /// The date of notification.
    Notification,
    /// The date an approval (such as fostering approval) ended.
    ApprovalEnd,
    /// The date of the adoption order.
    AdoptionOrder,
}

impl Anchor {
    /// Every anchor.
    pub const ALL: [Anchor; 7] = [
        Anchor::DateOfBirth,
        Anchor::DateOfDeath,
        Anchor::Closure,
        Anchor::EndOfFinancialYear,
        Anchor::Notification,
        Anchor::ApprovalEnd,
        Anchor::AdoptionOrder,
    ];

    /// The word used in the language and in registers.
    pub fn word(self) -> &'static str {
        match self {
            Anchor::DateOfBirth => "date_of_birth",
            Anchor::DateOfDeath => "date_of_death",
            Anchor::Closure => "closure",
            Anchor::EndOfFinancialYear => "end_of_financial_year",
            Anchor::Notification => "notification",
            Anchor::ApprovalEnd => "approval_end",
            Anchor::AdoptionOrder => "adoption_order",
        }
    }
}

/// What happens to a file when its retention ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// Destroy the file.
    Destroy,
    /// Review the file.
    Review,
    /// Transfer or merge it into another file.
    Transfer,
}

impl Disposal {
    /// Every disposal action.
    pub const ALL: [Disposal; 3] = [Disposal::Destroy, Disposal::Review, Disposal::Transfer];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Disposal::Destroy => "destroy",
            Disposal::Review => "review",
            Disposal::Transfer => "transfer",
        }
    }
}

/// How long a file is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// For a period after the latest of one or more anchor dates (`from approval_end or
    /// date_of_death`): councils keep such files "from the last of" the events. A date the
    /// register leaves empty is an event that has not happened; at least one must be given.
    /// INVARIANT: never empty, each anchor at most once (the checker ensures both).
    For(Period, Vec<Anchor>),
    /// Forever.
    Permanently,
}

/// One file type of the retention schedule.
#[derive(Debug, Clone)]
pub struct Retention {
    /// The file type's name.
    pub name: String,
    /// How long to keep it.
    pub keep: Keep,
    /// What happens then, with the document's words.
    pub then: Option<(Disposal, Option<String>)>,
    /// Exceptions: a condition flag, what happens instead, the document's words.
    pub unless: Vec<(String, Disposal, Option<String>)>,
    /// The block's span.
    pub span: Span,
}

//! Rules: what a grant or deny covers (an [`ActionSet`]), its effect, and what a refused person
//! sees ([`View`]).

use serde::{Deserialize, Serialize};

use super::{ActionId, Condition, ObligationId};
use crate::span::Span;

/// A set of actions as a bitmask over [`Policy::actions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ActionSet(pub u64);

impl ActionSet {
    /// Whether the set holds an action.
    pub fn contains(self, a: ActionId) -> bool {
        a < 64 && self.0 & (1 << a) != 0
    }

    /// Adds an action.
    pub fn insert(&mut self, a: ActionId) {
        if a < 64 {
            self.0 |= 1 << a;
        }
    }

    /// The actions in order.
    pub fn iter(self) -> impl Iterator<Item = ActionId> {
        (0..64u32).filter(move |a| self.contains(*a))
    }
}

/// Whether a rule grants or denies, and how strongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Allows the actions.
    Grant,
    /// Refuses the actions; a valid temporary grant overrides it.
    Deny,
    /// Refuses the actions under any circumstances, even temporarily.
    AbsoluteDeny,
}

/// A grant or deny statement of a category.
#[derive(Debug, Clone)]
pub struct Rule {
    /// A stable id: `CATEGORY.grant.N` or `CATEGORY.deny.N`, numbered in source order; a shared
    /// rule is `CATEGORY.BLOCK.grant.N`, numbered within its `rules` block.
    pub id: String,
    /// Grant, deny or absolute deny.
    pub effect: Effect,
    /// The actions it covers.
    pub actions: ActionSet,
    /// Who it applies to.
    pub condition: Condition,
    /// The subjects in the policy's own words, for explanations ("Adoption access list").
    pub subjects_text: String,
    /// What the holder must do (grants).
    pub obligations: Vec<ObligationId>,
    /// What a person it denies sees, overriding the category's `denied_view` (denies).
    pub shows: Option<View>,
    /// The statement's span.
    pub span: Span,
}

/// Restriction type (Devon's two kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionType {
    /// Everyone is refused except those granted.
    Universal,
    /// Normal access, except the people excluded.
    Exclude,
}

/// How much of a record a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Nothing: not even that the record is locked.
    None,
    /// A lock notice without who to contact.
    Notice,
    /// A lock notice naming who to contact.
    NoticeWithContact,
    /// Minimal identifying details only.
    Minimal,
    /// The whole record.
    Full,
}

impl View {
    /// The word used in the language and in decisions (`notice_with_contact` is `notice` there).
    pub fn word(self) -> &'static str {
        match self {
            View::None => "none",
            View::Notice => "notice",
            View::NoticeWithContact => "notice_with_contact",
            View::Minimal => "minimal",
            View::Full => "full",
        }
    }
}

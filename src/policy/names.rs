//! The names a policy declares: actions, roles and teams, placeholder people, organisations,
//! groups, obligations and escalation paths.

use serde::{Deserialize, Serialize};

use super::{Chain, Condition};
use crate::span::Span;

/// A declared name with its title.
#[derive(Debug, Clone)]
pub struct Named {
    /// The name.
    pub name: String,
    /// The title, or the name when none was given.
    pub title: String,
    /// Where it was declared.
    pub span: Span,
}

/// A role or team: a name in a tree.
#[derive(Debug, Clone)]
pub struct Member {
    /// Name, title and span.
    pub named: Named,
    /// The direct parent; the checker refuses parents that loop (CL0107).
    pub parent: Option<u32>,
}

/// A placeholder person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Name, title and span.
    pub named: Named,
    /// The subject id a request uses for this person (`id "..."`, else the name).
    pub subject_id: String,
}

/// The kind of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    /// The council itself.
    Internal,
    /// A partner agency (police, health, schools).
    Partner,
    /// Anyone else outside the council.
    External,
}

impl OrgKind {
    /// Every kind.
    pub const ALL: [OrgKind; 3] = [OrgKind::Internal, OrgKind::Partner, OrgKind::External];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            OrgKind::Internal => "internal",
            OrgKind::Partner => "partner",
            OrgKind::External => "external",
        }
    }
}

/// A declared organisation.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// Name, title and span.
    pub named: Named,
    /// Its kind.
    pub kind: OrgKind,
}

/// A value of a declared context: `ncc` in `context network = ncc, other`, the atom
/// `network ncc`.
#[derive(Debug, Clone)]
pub struct ContextValue {
    /// Name, title and span; the title completes "asking ...": "from a council network machine".
    pub named: Named,
    /// The context it belongs to (an index into [`super::Policy::contexts`]).
    pub context: super::ContextId,
}

/// A declared group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name, title and span.
    pub named: Named,
    /// Its members, inlined.
    pub condition: Condition,
}

/// A declared obligation.
#[derive(Debug, Clone)]
pub struct Obligation {
    /// The obligation's name.
    pub name: String,
    /// What must be done.
    pub text: String,
    /// Where it was declared.
    pub span: Span,
}

/// A declared escalation path.
#[derive(Debug, Clone)]
pub struct Escalation {
    /// Name, title and span.
    pub named: Named,
    /// The approvers in order.
    pub chain: Chain,
}

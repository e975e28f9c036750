//! Conditions on subjects: the atoms a rule can test (roles, teams, people, organisations, the
//! subject's relations to the record and the request's context) and their disjunctive normal
//! form.

use serde::{Deserialize, Serialize};

use super::{ContextValueId, OrgId, OrgKind, PersonId, RoleId, TeamId};

/// A built-in relation between a subject and a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The subject is an allocated worker of the record.
    AllocatedWorker,
    /// The subject manages an allocated worker of the record.
    AllocatedManager,
    /// The subject is the restriction's named owner / accountable manager.
    Owner,
    /// The subject, or one of their teams, is on the record's allow list.
    NamedAllow,
    /// The subject, or one of their teams, is on the record's exclusion list.
    NamedDeny,
    /// The subject holds a valid temporary grant for the record and action.
    TemporaryGrant,
    /// The subject is in one of the record's responsible teams.
    RecordTeam,
    /// The requester's line manager (approval chains only).
    LineManager,
    /// The record is about the subject: their own record (a member of staff who is a service
    /// user, a child asking for their file).
    RecordSubject,
    /// The subject is named as a relative of the record's subject.
    Relative,
    /// The subject wrote or originated the entry asked for.
    Author,
    /// The request is made on someone else's behalf: the subject acts for a colleague, in a
    /// window the policy's `acting` statement admits, with the colleague's rights.
    ActingFor,
}

impl Relation {
    /// Every relation.
    pub const ALL: [Relation; 12] = [
        Relation::AllocatedWorker,
        Relation::AllocatedManager,
        Relation::Owner,
        Relation::NamedAllow,
        Relation::NamedDeny,
        Relation::TemporaryGrant,
        Relation::RecordTeam,
        Relation::LineManager,
        Relation::RecordSubject,
        Relation::Relative,
        Relation::Author,
        Relation::ActingFor,
    ];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Relation::AllocatedWorker => "allocated_worker",
            Relation::AllocatedManager => "allocated_manager",
            Relation::Owner => "owner",
            Relation::NamedAllow => "named_allow",
            Relation::NamedDeny => "named_deny",
            Relation::TemporaryGrant => "temporary_grant",
            Relation::RecordTeam => "record_team",
            Relation::LineManager => "line_manager",
            Relation::RecordSubject => "record_subject",
            Relation::Relative => "relative",
            Relation::Author => "author",
            Relation::ActingFor => "acting_for",
        }
    }

    /// The relation a word names, if any.
    pub fn from_word(w: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.word() == w)
    }
}

/// One fact about a subject and a record that a rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Atom {
    /// The subject holds this role or one below it.
    Role(RoleId),
    /// The subject is in this team or one below it.
    Team(TeamId),
    /// The subject is this placeholder person.
    Person(PersonId),
    /// The subject belongs to this organisation.
    Organisation(OrgId),
    /// The subject's organisation is of this kind.
    OrgKind(OrgKind),
    /// The subject stands in this relation to the record.
    Relation(Relation),
    /// The request's context has this value (`network ncc`); a request that states no value
    /// for the context holds none of its atoms.
    Context(ContextValueId),
}

/// An atom or its negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Literal {
    /// The atom.
    pub atom: Atom,
    /// Whether `not` applies.
    pub negated: bool,
}

/// The largest condition a subject list may expand to, as [`Condition::size`]: far beyond any
/// real policy (the bundled ones stay under a hundred), and small enough that every later stage
/// (the compiled table, the analyser's diagrams, the evaluator's cubes) stays quick. Groups
/// joined by `and` multiply their members, so a few lines could otherwise ask for more terms
/// than memory holds.
pub const MAX_CONDITION_SIZE: usize = 65_536;

/// A condition on subjects in disjunctive normal form: any term, all literals of a term.
///
/// No terms is "nobody"; a term with no literals is "everyone".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Condition {
    /// The alternatives.
    pub terms: Vec<Vec<Literal>>,
}

impl Condition {
    /// The condition every subject meets.
    pub fn everyone() -> Self {
        Condition {
            terms: vec![Vec::new()],
        }
    }

    /// A condition of one atom.
    pub fn atom(atom: Atom) -> Self {
        Condition {
            terms: vec![vec![Literal {
                atom,
                negated: false,
            }]],
        }
    }

    /// Both conditions (distributes the terms).
    pub fn and(&self, other: &Condition) -> Condition {
        let mut terms = Vec::with_capacity(self.terms.len() * other.terms.len());
        for a in &self.terms {
            for b in &other.terms {
                let mut t = a.clone();
                t.extend(b.iter().copied());
                t.sort();
                t.dedup();
                terms.push(t);
            }
        }
        Condition { terms }
    }

    /// How much the condition holds: its literals plus its terms, the measure
    /// [`MAX_CONDITION_SIZE`] bounds.
    pub fn size(&self) -> usize {
        self.terms.iter().map(|t| t.len() + 1).sum()
    }

    /// Both conditions, or `None` when the result would be larger than `limit` (measured as
    /// [`Condition::size`]). The product is computed only once its size is known to fit, so a
    /// subject list that multiplies groups out (`g and g and g`) is refused before it fills
    /// memory. Each term of `other` is appended as written: call [`Condition::normalise`] once
    /// the whole conjunction is built, rather than sorting after every literal.
    pub fn and_within(mut self, other: &Condition, limit: usize) -> Option<Condition> {
        let literals = |c: &Condition| c.terms.iter().map(Vec::len).sum::<usize>();
        let terms = self.terms.len().checked_mul(other.terms.len())?;
        let size = terms
            .checked_add(other.terms.len().checked_mul(literals(&self))?)?
            .checked_add(self.terms.len().checked_mul(literals(other))?)?;
        if size > limit {
            return None;
        }
        if let [only] = other.terms.as_slice() {
            // One term on the right: extend in place, no copies.
            for t in &mut self.terms {
                t.extend_from_slice(only);
            }
            return Some(self);
        }
        let mut out = Vec::with_capacity(terms);
        for a in &self.terms {
            for b in &other.terms {
                let mut t = Vec::with_capacity(a.len() + b.len());
                t.extend_from_slice(a);
                t.extend_from_slice(b);
                out.push(t);
            }
        }
        Some(Condition { terms: out })
    }

    /// Each term sorted, without repeated literals.
    pub fn normalise(&mut self) {
        for t in &mut self.terms {
            t.sort();
            t.dedup();
        }
    }
}

//! Several systems, one policy: each connected case-management system keeps its own names for
//! roles, teams and organisations, and a mapping file per system translates them to the
//! policy's identifiers before a request is decided.
//!
//! Translation fails closed: a name the system's mapping does not list is never passed through
//! (it might equal a policy name by accident). It is replaced by a stand-in the policy cannot
//! declare, so the evaluator's own fail-closed path refuses the request at the right field, and
//! the answer's first reason names the system and the value. Names are looked up ignoring ASCII
//! case, since systems' exports differ in case; a file that lists one name twice that way is
//! refused by [`check`] (CL0152) or warned about (CL0153).
//!
//! The file format (TOML; docs/operations.md):
//!
//! ```toml
//! system = "liquid_logic"
//! [roles]
//! "Social Worker" = "social_worker"
//! [teams]
//! "Adoption North" = "adoption_team"
//! [organisations]
//! "NCC" = "council"
//! ```

mod file;

use std::collections::{HashMap, HashSet};

use crate::compile::DecisionTable;
use crate::eval::{Decider, ListEntry, Request, Response};

pub use file::{MappingFile, check, parse};

/// What a mapped name names in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A role.
    Role,
    /// A team.
    Team,
    /// An organisation.
    Organisation,
}

impl Kind {
    /// The word: `role`.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::Team => "team",
            Kind::Organisation => "organisation",
        }
    }
}

/// The names a policy declares, by kind: the targets a mapping may use.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    names: HashMap<Kind, HashSet<String>>,
}

impl Vocabulary {
    /// The roles, teams and organisations of a compiled policy.
    pub fn of(table: &DecisionTable) -> Vocabulary {
        let v = &table.vocabulary;
        let mut names = HashMap::new();
        names.insert(Kind::Role, v.roles.iter().map(|m| m.name.clone()).collect());
        names.insert(Kind::Team, v.teams.iter().map(|m| m.name.clone()).collect());
        names.insert(
            Kind::Organisation,
            v.organisations.iter().map(|o| o.name.clone()).collect(),
        );
        Vocabulary { names }
    }

    /// Whether the policy declares this name of this kind.
    pub fn has(&self, kind: Kind, name: &str) -> bool {
        self.names.get(&kind).is_some_and(|s| s.contains(name))
    }

    /// Whether the policy a decider evaluates declares this name of this kind (without
    /// collecting its names).
    pub fn declared_by(decider: &Decider, kind: Kind, name: &str) -> bool {
        match kind {
            Kind::Role => decider.declares_role(name),
            Kind::Team => decider.declares_team(name),
            Kind::Organisation => decider.declares_organisation(name),
        }
    }

    /// The names of a kind, sorted (for "did you mean").
    pub fn names(&self, kind: Kind) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .names
            .get(&kind)
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    }
}

/// One system's names translated to the policy's, checked against the policy.
#[derive(Debug, Clone)]
pub struct Mapping {
    system: String,
    /// By kind: the system's name (ASCII lower case) to the policy's identifier.
    names: HashMap<Kind, HashMap<String, String>>,
}

/// A name the system's mapping does not list: the request is refused (fail closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The system the request came from.
    pub system: String,
    /// What the name was used as.
    pub kind: Kind,
    /// The request field: `subject.roles[1]`.
    pub field: String,
    /// The system's name as the request gave it.
    pub value: String,
}

impl Unmapped {
    /// The reason an answer gives first.
    pub fn reason(&self) -> String {
        format!(
            "`{}` ({}) from system `{}` has no mapping to a {} of this policy: its mapping file does not list it, so the request is refused",
            self.value,
            self.field,
            self.system,
            self.kind.word()
        )
    }
}

/// A request in the policy's names, with every name that could not be translated.
#[derive(Debug, Clone)]
pub struct Translated {
    /// The request to decide (and log).
    pub request: Request,
    /// Names with no mapping; when any, the request is refused.
    pub unmapped: Vec<Unmapped>,
}

impl Translated {
    /// Puts the reasons naming the unmapped values first in a decided answer. The stand-ins
    /// make the evaluator refuse; this says why in the system's own terms.
    pub fn explain(&self, response: &mut Response) {
        explain(&self.unmapped, response);
    }
}

/// Puts the reasons naming unmapped values first in a decided answer.
pub fn explain(unmapped: &[Unmapped], response: &mut Response) {
    let reasons: Vec<String> = unmapped.iter().map(Unmapped::reason).collect();
    response.reasons.splice(0..0, reasons);
}

impl Mapping {
    /// Translates every role, team and organisation name of a request for the policy
    /// `decider` evaluates.
    pub fn translate(&self, mut req: Request, decider: &Decider) -> Translated {
        let mut unmapped = Vec::new();
        let mut map = |kind: Kind, field: String, name: &mut String| match self.lookup(kind, name) {
            Some(to) => *name = to.to_string(),
            None => {
                let stand_in = self.stand_in(kind, name, decider);
                unmapped.push(Unmapped {
                    system: self.system.clone(),
                    kind,
                    field,
                    value: std::mem::replace(name, stand_in),
                });
            }
        };
        for (i, r) in req.subject.roles.iter_mut().enumerate() {
            map(Kind::Role, format!("subject.roles[{i}]"), r);
        }
        for (i, t) in req.subject.teams.iter_mut().enumerate() {
            map(Kind::Team, format!("subject.teams[{i}]"), t);
        }
        map(
            Kind::Organisation,
            "subject.organisation".to_string(),
            &mut req.subject.organisation,
        );
        for (i, t) in req.record.teams.iter_mut().enumerate() {
            map(Kind::Team, format!("record.teams[{i}]"), t);
        }
        let fields: Vec<String> = (0..req.record.every_placed().count())
            .map(|k| req.record.every_field(k))
            .collect();
        for (r, at) in req.record.every_placed_mut().zip(&fields) {
            for (list, entries) in [
                ("named_allow", &mut r.named_allow),
                ("named_deny", &mut r.named_deny),
            ] {
                for (i, e) in entries.iter_mut().enumerate() {
                    let field = format!("{at}.{list}[{i}]");
                    match e {
                        ListEntry::Team(n) => map(Kind::Team, field, n),
                        ListEntry::Role(n) => map(Kind::Role, field, n),
                        ListEntry::Person(_) => {}
                    }
                }
            }
        }
        Translated {
            request: req,
            unmapped,
        }
    }

    fn lookup(&self, kind: Kind, name: &str) -> Option<&str> {
        self.names
            .get(&kind)?
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// `system:value`: policy identifiers are letters, digits and `_`, so this is never one;
    /// a table made some other way is checked, and colons added until it is not.
    fn stand_in(&self, kind: Kind, value: &str, decider: &Decider) -> String {
        let mut s = format!("{}:{value}", self.system);
        while Vocabulary::declared_by(decider, kind, &s) {
            s.push(':');
        }
        s
    }
}

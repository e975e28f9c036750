//! Cedar: the policy of policies/escr.cedar (the project's first translation) or
//! policies/escr_fair.cedar (declared names checked when entities are loaded) over entities
//! built from caselock requests.
//!
//! Engine-only, every user and record is an entity in one store built once, and a request is
//! four uids. End-to-end, a request's JSON is parsed, its subject and record become entities
//! (with the policy's role hierarchy and organisation kinds), and Cedar decides.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use caselock::compile::DecisionTable;
use caselock::eval::{Id, ListEntry, Request};
use caselock::eval::{Record, Subject};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, RestrictedExpression,
};

/// Which translation of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Translation {
    /// policies/escr.cedar: the declared roles and teams are two set literals the policy
    /// rebuilds and searches on every evaluation.
    Project,
    /// policies/escr_fair.cedar: the loader checks a user's names against the declarations and
    /// records the outcome as the user's `declared` attribute.
    Fair,
}

impl Translation {
    fn policy(self) -> (&'static str, &'static str) {
        match self {
            Translation::Project => ("escr.cedar", include_str!("../policies/escr.cedar")),
            Translation::Fair => (
                "escr_fair.cedar",
                include_str!("../policies/escr_fair.cedar"),
            ),
        }
    }
}

/// The entity type names, parsed once.
struct Types {
    user: EntityTypeName,
    role: EntityTypeName,
    team: EntityTypeName,
    organisation: EntityTypeName,
    kind: EntityTypeName,
    record: EntityTypeName,
    action: EntityTypeName,
}

/// A Cedar authorizer with the translated policy and the policy's own entities.
pub struct Cedar {
    authorizer: Authorizer,
    policies: PolicySet,
    types: Types,
    /// The role hierarchy and organisation kinds: entities every request needs.
    vocabulary: Vec<Entity>,
    translation: Translation,
    /// The declared role, team and organisation names, for the fair translation's load check.
    declared: Declared,
}

/// The names a policy declares.
#[derive(Default)]
struct Declared {
    roles: HashSet<String>,
    teams: HashSet<String>,
    organisations: HashSet<String>,
}

impl Declared {
    fn all<S: AsRef<str>>(&self, s: &Subject<S>) -> bool {
        self.organisations.contains(s.organisation.as_ref())
            && s.roles.iter().all(|r| self.roles.contains(r.as_ref()))
            && s.teams.iter().all(|t| self.teams.contains(t.as_ref()))
    }
}

/// A request in Cedar's form.
pub struct Prepared {
    request: cedar_policy::Request,
}

fn type_name(s: &str) -> Result<EntityTypeName, String> {
    EntityTypeName::from_str(s).map_err(|e| e.to_string())
}

impl Cedar {
    /// Parses the policy and builds the vocabulary entities from the caselock table.
    pub fn new(table: &DecisionTable, translation: Translation) -> Result<Cedar, String> {
        let (file, text) = translation.policy();
        let policies = PolicySet::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        let types = Types {
            user: type_name("User")?,
            role: type_name("Role")?,
            team: type_name("Team")?,
            organisation: type_name("Organisation")?,
            kind: type_name("OrgKind")?,
            record: type_name("Record")?,
            action: type_name("Action")?,
        };
        let uid = |t: &EntityTypeName, id: &str| {
            EntityUid::from_type_name_and_id(t.clone(), EntityId::new(id))
        };
        let v = &table.vocabulary;
        let mut vocabulary = Vec::new();
        for r in &v.roles {
            // Cedar closes `in` over parents itself.
            let parents = r.parent.and_then(|a| v.roles.get(a as usize)).into_iter();
            vocabulary.push(Entity::new_no_attrs(
                uid(&types.role, &r.name),
                parents.map(|p| uid(&types.role, &p.name)).collect(),
            ));
        }
        for t in &v.teams {
            let parents = t.parent.and_then(|a| v.teams.get(a as usize)).into_iter();
            vocabulary.push(Entity::new_no_attrs(
                uid(&types.team, &t.name),
                parents.map(|p| uid(&types.team, &p.name)).collect(),
            ));
        }
        for o in &v.organisations {
            vocabulary.push(Entity::new_no_attrs(
                uid(&types.organisation, &o.name),
                HashSet::from([uid(&types.kind, o.kind.word())]),
            ));
        }
        let declared = Declared {
            roles: v.roles.iter().map(|r| r.name.clone()).collect(),
            teams: v.teams.iter().map(|t| t.name.clone()).collect(),
            organisations: v.organisations.iter().map(|o| o.name.clone()).collect(),
        };
        Ok(Cedar {
            authorizer: Authorizer::new(),
            policies,
            types,
            vocabulary,
            translation,
            declared,
        })
    }

    fn uid(&self, t: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(t.clone(), EntityId::new(id))
    }

    /// A user as an entity: their roles, teams and organisation are its parents; the project's
    /// translation gives the role and team names as attributes (for the policy's fail-closed
    /// check), the fair one whether they are all declared.
    fn user<S: AsRef<str>>(&self, s: &Subject<S>) -> Result<Entity, String> {
        let t = &self.types;
        let mut parents: HashSet<EntityUid> = HashSet::new();
        parents.extend(s.roles.iter().map(|r| self.uid(&t.role, r.as_ref())));
        parents.extend(s.teams.iter().map(|x| self.uid(&t.team, x.as_ref())));
        parents.insert(self.uid(&t.organisation, s.organisation.as_ref()));
        let names = |list: &[S]| {
            RestrictedExpression::new_set(
                list.iter()
                    .map(|n| RestrictedExpression::new_string(n.as_ref().to_string())),
            )
        };
        let attrs = match self.translation {
            Translation::Project => HashMap::from([
                ("roles".to_string(), names(&s.roles)),
                ("teams".to_string(), names(&s.teams)),
            ]),
            Translation::Fair => HashMap::from([(
                "declared".to_string(),
                RestrictedExpression::new_bool(self.declared.all(s)),
            )]),
        };
        Entity::new(self.uid(&t.user, s.id.as_str()), attrs, parents).map_err(|e| e.to_string())
    }

    /// A record as an entity.
    fn record<S: AsRef<str>>(&self, r: &Record<S>) -> Result<Entity, String> {
        let t = &self.types;
        let users = |ids: &[Id<S>]| {
            RestrictedExpression::new_set(
                ids.iter()
                    .map(|id| RestrictedExpression::new_entity_uid(self.uid(&t.user, id.as_str()))),
            )
        };
        // A list entry is a person, a team or a role: the entity it names.
        let entries = |list: &[ListEntry<S>]| {
            RestrictedExpression::new_set(list.iter().map(|e| {
                RestrictedExpression::new_entity_uid(match e {
                    ListEntry::Person(id) => self.uid(&t.user, id.as_str()),
                    ListEntry::Team(n) => self.uid(&t.team, n.as_ref()),
                    ListEntry::Role(n) => self.uid(&t.role, n.as_ref()),
                })
            }))
        };
        // The team and role names the lists give, for the project's fail-closed check.
        let names = |pick: fn(&ListEntry<S>) -> Option<&str>| {
            let lists = r
                .restriction
                .iter()
                .flat_map(|x| x.named_allow.iter().chain(&x.named_deny));
            RestrictedExpression::new_set(
                lists
                    .filter_map(pick)
                    .map(|n| RestrictedExpression::new_string(n.to_string()))
                    .collect::<Vec<_>>(),
            )
        };
        let none: &[ListEntry<S>] = &[];
        let restriction = r.restriction.as_ref();
        let mut attrs = HashMap::from([
            (
                "restricted".to_string(),
                RestrictedExpression::new_bool(restriction.is_some()),
            ),
            (
                "category".to_string(),
                RestrictedExpression::new_string(
                    restriction.map_or_else(String::new, |x| x.category.as_ref().to_string()),
                ),
            ),
            ("allocated_workers".to_string(), users(&r.allocated_workers)),
            (
                "allocated_managers".to_string(),
                users(&r.allocated_managers),
            ),
            (
                "named_allow".to_string(),
                entries(restriction.map_or(none, |x| &x.named_allow)),
            ),
            (
                "named_deny".to_string(),
                entries(restriction.map_or(none, |x| &x.named_deny)),
            ),
        ]);
        match self.translation {
            Translation::Project => {
                attrs.insert(
                    "list_teams".to_string(),
                    names(|e| match e {
                        ListEntry::Team(n) => Some(n.as_ref()),
                        _ => None,
                    }),
                );
                attrs.insert(
                    "list_roles".to_string(),
                    names(|e| match e {
                        ListEntry::Role(n) => Some(n.as_ref()),
                        _ => None,
                    }),
                );
            }
            Translation::Fair => {
                let lists = restriction
                    .iter()
                    .flat_map(|x| x.named_allow.iter().chain(&x.named_deny));
                let declared = lists.clone().all(|e| match e {
                    ListEntry::Person(_) => true,
                    ListEntry::Team(n) => self.declared.teams.contains(n.as_ref()),
                    ListEntry::Role(n) => self.declared.roles.contains(n.as_ref()),
                });
                attrs.insert(
                    "declared".to_string(),
                    RestrictedExpression::new_bool(declared),
                );
            }
        }
        Entity::new(self.uid(&t.record, r.id.as_str()), attrs, HashSet::new())
            .map_err(|e| e.to_string())
    }

    /// One store with every user and record of a workload, and the vocabulary.
    pub fn store(&self, users: &[Subject], records: &[Record]) -> Result<Entities, String> {
        let mut all = self.vocabulary.clone();
        for u in users {
            all.push(self.user(u)?);
        }
        for r in records {
            all.push(self.record(r)?);
        }
        Entities::from_entities(all, None).map_err(|e| e.to_string())
    }

    /// A request in Cedar's form, against a store that holds its user and record.
    pub fn prepare<S: AsRef<str>>(&self, req: &Request<S>) -> Result<Prepared, String> {
        let t = &self.types;
        let request = cedar_policy::Request::new(
            self.uid(&t.user, req.subject.id.as_str()),
            self.uid(&t.action, req.action.as_ref()),
            self.uid(&t.record, req.record.id.as_str()),
            Context::empty(),
            None,
        )
        .map_err(|e| e.to_string())?;
        Ok(Prepared { request })
    }

    /// Engine-only: decides a prepared request against a prepared store.
    pub fn decide(&self, p: &Prepared, store: &Entities) -> bool {
        self.authorizer
            .is_authorized(&p.request, &self.policies, store)
            .decision()
            == Decision::Allow
    }

    /// End-to-end: from the request's JSON text to a decision (a request that cannot be read is
    /// refused).
    pub fn decide_json(&self, json: &str) -> bool {
        let Ok(req) = Request::borrowed_from_json(json) else {
            return false;
        };
        let (Ok(user), Ok(record)) = (self.user(&req.subject), self.record(&req.record)) else {
            return false;
        };
        let mut entities = self.vocabulary.clone();
        entities.push(user);
        entities.push(record);
        let (Ok(store), Ok(p)) = (Entities::from_entities(entities, None), self.prepare(&req))
        else {
            return false;
        };
        self.decide(&p, &store)
    }
}

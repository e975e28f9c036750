//! A witness made concrete: the request that puts that class of subject in front of the
//! evaluator, so every example the analyser prints can be replayed with `caselock eval`.

use chrono::{DateTime, TimeZone, Utc};

use super::space::{Space, Witness};
use crate::compile::table::{ApproverEntry, CategoryTable, DecisionTable};
use crate::eval::request::{
    ActingFor, GrantApprover, GrantDuration, Record, Request, RequestContext, Restriction,
    StatedApprover, Subject, TemporaryGrant,
};
use crate::eval::{Id, ListEntry};
use crate::policy::{Atom, Period, PeriodUnit, Relation, words};

/// The moment every witness request is asked at (a fixed time keeps output reproducible).
pub fn witness_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A name not in `taken`: `base`, else `base-2`, `base-3`...
fn fresh<'a>(base: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        if !taken.clone().any(|t| t == name) {
            return name;
        }
        n += 1;
    }
}

impl Witness {
    /// Whether the witness stands in a relation.
    pub fn has(&self, r: Relation) -> bool {
        self.relations.contains(&r)
    }

    /// The witness in plain words: "a subject with role `iro`, in organisation `council`, who is
    /// an allocated worker of the record".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.person {
            parts.push(format!("subject id `{p}`"));
        }
        let list = |xs: &[String]| {
            xs.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.roles.len() {
            0 => parts.push("no role".into()),
            1 => parts.push(format!("role {}", list(&self.roles))),
            _ => parts.push(format!("roles {}", list(&self.roles))),
        }
        match self.teams.len() {
            0 => parts.push("no team".into()),
            1 => parts.push(format!("team {}", list(&self.teams))),
            _ => parts.push(format!("teams {}", list(&self.teams))),
        }
        let mut s = format!(
            "a subject with {}, in organisation `{}`",
            parts.join(", "),
            self.organisation
        );
        if self.relations.is_empty() {
            s.push_str(", with no relation to the record");
        } else {
            let rels: Vec<String> = self
                .relations
                .iter()
                .map(|r| r.describe().to_string())
                .collect();
            s.push_str(&format!(", who is {}", words::all_of(&rels)));
        }
        if !self.context.is_empty() {
            let stated: Vec<String> = self
                .context
                .iter()
                .map(|(c, v)| format!("{c} `{v}`"))
                .collect();
            s.push_str(&format!(", asking with {}", words::all_of(&stated)));
        }
        s
    }
}

impl Space {
    /// The request that asks, for this witness, to take `action` on a record of `category`
    /// (`unrestricted` for a record with no restriction) of `table`.
    ///
    /// A temporary grant, when the witness holds one, starts at the request's time, lasts the
    /// category's maximum, and is approved by someone the category accepts.
    pub fn request(
        &self,
        table: &DecisionTable,
        category: &CategoryTable,
        action: &str,
        w: &Witness,
    ) -> Request {
        let taken_ids = || self.person_ids();
        let id = w
            .person
            .clone()
            .unwrap_or_else(|| fresh("subject-1", taken_ids()));
        let approver_id = fresh("approver-1", taken_ids().chain([id.as_str()]));
        let teams = w.teams.clone();
        // The evaluator matches a record's team against the subject's declared teams; a region
        // where `record_team` holds always has one.
        let record_teams: Vec<String> = if w.has(Relation::RecordTeam) {
            teams.iter().take(1).cloned().collect()
        } else {
            Vec::new()
        };
        let subject = Id::trusted(id.as_str());
        let approver = Id::trusted(approver_id.as_str());
        let me = |r: Relation| {
            if w.has(r) {
                vec![subject.clone()]
            } else {
                Vec::new()
            }
        };
        let record_subject = w.has(Relation::RecordSubject).then(|| subject.clone());
        let relatives = me(Relation::Relative);
        let authors = me(Relation::Author);
        let mut allocated_workers = me(Relation::AllocatedWorker);
        let mut allocated_managers = me(Relation::AllocatedManager);
        let mut owner = w.has(Relation::Owner).then(|| subject.clone());
        let mut temporary_grants = Vec::new();
        let at = witness_time();
        if w.has(Relation::TemporaryGrant) {
            let action_id = table
                .vocabulary
                .actions
                .iter()
                .position(|a| a.name == action)
                .map_or(u32::MAX, |i| i as u32);
            // The first kind covering the action whose holders the witness is among.
            let kind = category.temporary_for(action_id).find(|t| {
                t.to.as_ref()
                    .is_none_or(|to| self.contains(&self.condition(0, category, action_id, to), w))
            });
            // Its first way of approving that someone other than the subject can meet (nobody
            // approves their own grant), met by a fresh person.
            let own = |l: &crate::policy::Literal| match l.atom {
                Atom::Relation(Relation::Owner) => w.has(Relation::Owner),
                Atom::Person(p) => table
                    .vocabulary
                    .persons
                    .get(p as usize)
                    .is_some_and(|p| subject.same(p.subject_id.as_str())),
                _ => false,
            };
            let term: Vec<Atom> = kind
                .into_iter()
                .flat_map(|t| &t.approved_by)
                .flat_map(|a| &a.condition.terms)
                .find(|t| !t.iter().any(|l| !l.negated && own(l)))
                .map(|t| t.iter().filter(|l| !l.negated).map(|l| l.atom).collect())
                .unwrap_or_default();
            let (approver_id, roles, teams) = stated(table, &term, &approver);
            for atom in &term {
                match atom {
                    Atom::Relation(Relation::AllocatedManager) => {
                        allocated_managers.push(approver_id.clone());
                    }
                    Atom::Relation(Relation::AllocatedWorker) => {
                        allocated_workers.push(approver_id.clone());
                    }
                    // The subject is never the owner here: that way of approving was passed over.
                    Atom::Relation(Relation::Owner) if owner.is_none() => {
                        owner = Some(approver_id.clone());
                    }
                    _ => {}
                }
            }
            let approved_by = approver_of(approver_id, roles, teams);
            temporary_grants.push(TemporaryGrant {
                subject: subject.clone(),
                record: None,
                actions: None,
                granted_at: at,
                duration: GrantDuration(kind.map_or(
                    Period {
                        amount: 24,
                        unit: PeriodUnit::Hours,
                    },
                    |t| t.max,
                )),
                approved_by,
                kind: kind.and_then(|t| t.kind_name()).map(str::to_string),
                renewals: 0,
            });
        }
        let listed = |r: Relation| me(r).into_iter().map(ListEntry::Person).collect::<Vec<_>>();
        let restriction = category.is_restriction().then(|| Restriction {
            owner,
            named_allow: listed(Relation::NamedAllow),
            named_deny: listed(Relation::NamedDeny),
            ..Restriction::new(category.name.clone())
        });
        let witness = Subject {
            id: subject,
            roles: w.roles.clone(),
            teams,
            organisation: w.organisation.clone(),
        };
        // A witness acting for a colleague is the colleague: a deputy of the same roles, teams
        // and organisation asks on their behalf, for a day (or the first `acting` statement's
        // maximum, if shorter), approved by someone it accepts. Where the policy lets nobody
        // act, the same request fails closed, as the space says.
        let (subject, acting_for) = if w.has(Relation::ActingFor) {
            let deputy = fresh(
                "deputy-1",
                taken_ids().chain([id.as_str(), approver_id.as_str()]),
            );
            let first = table.acting.first();
            let term = first
                .and_then(|a| a.approved_by.first())
                .map(first_term)
                .unwrap_or_default();
            let (by, roles, teams) = stated(table, &term, &Id::trusted(approver_id.as_str()));
            let day = Period {
                amount: 1,
                unit: PeriodUnit::Days,
            };
            let length = match first {
                Some(a) if a.max.after_instant(at) < day.after_instant(at) => a.max,
                _ => day,
            };
            let deputy = Subject {
                id: Id::trusted(deputy.as_str()),
                ..witness.clone()
            };
            let acting = ActingFor {
                subject: witness,
                approved_by: approver_of(by, roles, teams),
                from: at,
                until: length.after_instant(at).unwrap_or(at),
            };
            (deputy, Some(acting))
        } else {
            (witness, None)
        };
        Request {
            subject,
            action: action.to_string(),
            record: Record {
                id: Id::trusted("R-1"),
                // A category that protects sections decides only a request for one of them.
                section: category
                    .protects
                    .first()
                    .and_then(|s| table.vocabulary.sections.get(*s as usize))
                    .map(|s| s.name.clone()),
                teams: record_teams,
                restriction,
                restrictions: Vec::new(),
                allocated_workers,
                allocated_managers,
                subject: record_subject,
                relatives,
                // Flags decide nothing, so no witness needs one.
                flags: Vec::new(),
                authors,
                // No facts: a witness is about who may open the record, and the facts only
                // say which restrictions it should carry.
                facts: Vec::new(),
                // The restriction is the record's own: a witness needs no link.
                links: Vec::new(),
            },
            temporary_grants,
            at: Some(at),
            context: RequestContext(w.context.clone()),
            acting_for,
            change: None,
            approvals: Vec::new(),
        }
    }
}

/// The atoms of an approver's first alternative that a fresh person can be made to meet.
fn first_term(a: &ApproverEntry) -> Vec<Atom> {
    a.condition
        .terms
        .first()
        .map(|t| t.iter().filter(|l| !l.negated).map(|l| l.atom).collect())
        .unwrap_or_default()
}

/// Who meets an approver's atoms: the person it names (else `fresh`), with the roles and teams
/// it names.
fn stated(table: &DecisionTable, term: &[Atom], fresh: &Id) -> (Id, Vec<String>, Vec<String>) {
    let v = &table.vocabulary;
    let mut id = fresh.clone();
    let (mut roles, mut teams) = (Vec::new(), Vec::new());
    for atom in term {
        match atom {
            Atom::Person(p) => {
                if let Some(p) = v.persons.get(*p as usize) {
                    id = Id::trusted(p.subject_id.as_str());
                }
            }
            Atom::Role(r) => roles.extend(v.roles.get(*r as usize).map(|r| r.name.clone())),
            Atom::Team(t) => teams.extend(v.teams.get(*t as usize).map(|t| t.name.clone())),
            _ => {}
        }
    }
    (id, roles, teams)
}

/// An approver by id, or with the roles and teams they hold.
fn approver_of(id: Id, roles: Vec<String>, teams: Vec<String>) -> GrantApprover {
    if roles.is_empty() && teams.is_empty() {
        GrantApprover::Id(id)
    } else {
        GrantApprover::Stated(StatedApprover { id, roles, teams })
    }
}

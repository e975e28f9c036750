//! The generated workload: users across teams, roles and organisations, records across
//! categories, and requests biased so that every rule of the policy decides some of them.
//!
//! Names come from the compiled table's vocabulary, so a category the policy gains is covered
//! without a change here. A few requests carry names the policy does not declare (an action, a
//! category, an organisation, a role, a team) so the fail-closed checks are compared too.

use caselock::compile::DecisionTable;
use caselock::eval::{Id, ListEntry};
use caselock::eval::{Record, Request, Restriction, Subject};
use chrono::{DateTime, NaiveDate, Utc};

/// SplitMix64: a small deterministic generator, so every run measures the same requests.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// The sizes of a workload.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// How many users.
    pub users: usize,
    /// How many records.
    pub records: usize,
    /// How many requests.
    pub requests: usize,
}

/// Users, records and the requests over them, as typed requests and as JSON text.
pub struct Workload {
    /// The users (as the subject of a request).
    pub users: Vec<Subject>,
    /// The records.
    pub records: Vec<Record>,
    /// The requests, each naming one user and one record above.
    pub requests: Vec<Request>,
    /// The requests as JSON text.
    pub json: Vec<String>,
}

const UNKNOWN_ROLE: &str = "volunteer";
const UNKNOWN_TEAM: &str = "fostering_north";
const UNKNOWN_ORG: &str = "acme_care_ltd";
const UNKNOWN_ACTION: &str = "delete";
const UNKNOWN_CATEGORY: &str = "legacy_lock";

/// An id the generator made (`u-N`, `J…` or a person the policy names): valid by construction.
#[allow(clippy::expect_used)]
pub fn person(text: &str) -> Id {
    Id::new(text).expect("generated ids are valid")
}

/// Generates a workload over a table's vocabulary.
pub fn generate(table: &DecisionTable, sizes: Sizes, seed: u64) -> Workload {
    let mut rng = Rng::new(seed);
    let v = &table.vocabulary;
    let roles: Vec<&str> = v.roles.iter().map(|r| r.name.as_str()).collect();
    let teams: Vec<&str> = v.teams.iter().map(|t| t.name.as_str()).collect();
    let orgs: Vec<&str> = v.organisations.iter().map(|o| o.name.as_str()).collect();
    let categories: Vec<&str> = table.categories.iter().map(|c| c.name.as_str()).collect();
    let actions: Vec<&str> = v.actions.iter().map(|a| a.name.as_str()).collect();
    let persons: Vec<&str> = v.persons.iter().map(|p| p.subject_id.as_str()).collect();

    let users: Vec<Subject> = (0..sizes.users)
        .map(|i| {
            let id = match persons.get(i) {
                Some(p) => person(p),
                None => person(&format!("u-{}", 1000 + i)),
            };
            let organisation = if rng.chance(2) {
                UNKNOWN_ORG.to_string()
            } else if rng.chance(15) {
                pick_other(&mut rng, &orgs, 0)
            } else {
                orgs.first().map_or(UNKNOWN_ORG, |o| o).to_string()
            };
            let mut user_roles = Vec::new();
            for _ in 0..1 + rng.below(2) {
                if let Some(r) = rng.pick(&roles) {
                    push_new(&mut user_roles, r);
                }
            }
            if rng.chance(2) {
                push_new(&mut user_roles, UNKNOWN_ROLE);
            }
            let mut user_teams = Vec::new();
            // Most staff are in no team the policy names: only the grants by relation reach them.
            if rng.chance(40) {
                if let Some(t) = rng.pick(&teams) {
                    push_new(&mut user_teams, t);
                }
            }
            if rng.chance(2) {
                push_new(&mut user_teams, UNKNOWN_TEAM);
            }
            Subject {
                id,
                roles: user_roles,
                teams: user_teams,
                organisation,
            }
        })
        .collect();

    let placed = NaiveDate::from_ymd_opt(2026, 5, 1);
    let some_users = |rng: &mut Rng, most: usize| -> Vec<Id> {
        (0..rng.below(most + 1))
            .filter_map(|_| rng.pick(&users).map(|u| u.id.clone()))
            .collect()
    };
    let records: Vec<Record> = (0..sizes.records)
        .map(|i| {
            let restriction = if rng.chance(20) {
                None
            } else {
                let category = if rng.chance(3) {
                    UNKNOWN_CATEGORY
                } else {
                    rng.pick(&categories).copied().unwrap_or(UNKNOWN_CATEGORY)
                };
                let people = |list: Vec<Id>| list.into_iter().map(ListEntry::Person).collect();
                let mut named_allow: Vec<ListEntry> = people(some_users(&mut rng, 2));
                let mut named_deny: Vec<ListEntry> = people(some_users(&mut rng, 1));
                if rng.chance(10) {
                    named_allow.push(ListEntry::Team(pick_any(&mut rng, &teams, UNKNOWN_TEAM)));
                }
                if rng.chance(10) {
                    named_deny.push(ListEntry::Team(pick_any(&mut rng, &teams, UNKNOWN_TEAM)));
                }
                Some(Restriction {
                    placed_on: placed,
                    owner: rng.pick(&users).map(|u| u.id.clone()),
                    named_allow,
                    named_deny,
                    ..Restriction::new(category.to_string())
                })
            };
            Record {
                restriction,
                allocated_workers: some_users(&mut rng, 2),
                allocated_managers: some_users(&mut rng, 1),
                ..Record::new(person(&format!("J{}", 100_000 + i)))
            }
        })
        .collect();

    let at: DateTime<Utc> = DateTime::from_timestamp(1_795_341_600, 0).unwrap_or_default();
    let requests: Vec<Request> = (0..sizes.requests)
        .map(|_| {
            let record = rng
                .pick(&records)
                .cloned()
                .unwrap_or_else(|| Record::new(person("J0")));
            let subject = chosen_subject(&mut rng, &users, &record);
            let action = if rng.chance(2) {
                UNKNOWN_ACTION.to_string()
            } else {
                rng.pick(&actions)
                    .copied()
                    .unwrap_or(UNKNOWN_ACTION)
                    .to_string()
            };
            Request {
                subject,
                action,
                record,
                temporary_grants: Vec::new(),
                at: Some(at),
                context: Default::default(),
                change: None,
                approvals: Vec::new(),
                acting_for: None,
            }
        })
        .collect();
    let json = requests
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    Workload {
        users,
        records,
        requests,
        json,
    }
}

/// The subject of a request: half the time someone the record names (allocated worker or
/// manager, on its access or exclusion list), so that the rules by relation decide as often as
/// the rules by role and team.
fn chosen_subject<'a>(rng: &mut Rng, users: &[Subject], record: &'a Record) -> Subject {
    let mut related: Vec<&str> = Vec::new();
    related.extend(record.allocated_workers.iter().map(Id::as_str));
    related.extend(record.allocated_managers.iter().map(Id::as_str));
    if let Some(r) = &record.restriction {
        let people = |l: &'a [ListEntry]| {
            l.iter().filter_map(|e| match e {
                ListEntry::Person(id) => Some(id.as_str()),
                _ => None,
            })
        };
        related.extend(people(&r.named_allow));
        related.extend(people(&r.named_deny));
    }
    if rng.chance(50) {
        if let Some(id) = rng.pick(&related) {
            if let Some(u) = users.iter().find(|u| u.id.as_str() == *id) {
                return u.clone();
            }
        }
    }
    rng.pick(users).cloned().unwrap_or_else(|| Subject {
        id: person("u-0"),
        roles: Vec::new(),
        teams: Vec::new(),
        organisation: UNKNOWN_ORG.into(),
    })
}

fn push_new(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|x| x == name) {
        list.push(name.to_string());
    }
}

/// Any name but the one at `skip` (or that one when it is the only one).
fn pick_other(rng: &mut Rng, names: &[&str], skip: usize) -> String {
    let others: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != skip)
        .map(|(_, n)| *n)
        .collect();
    rng.pick(&others)
        .or(names.first())
        .copied()
        .unwrap_or(UNKNOWN_ORG)
        .to_string()
}

/// A name from the list, or `fallback` one time in five.
fn pick_any(rng: &mut Rng, names: &[&str], fallback: &str) -> String {
    if rng.chance(20) {
        return fallback.to_string();
    }
    rng.pick(names).copied().unwrap_or(fallback).to_string()
}

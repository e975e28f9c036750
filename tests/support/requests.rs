//! Random requests over a table's vocabulary, the same every run: what the byte and reader
//! comparisons (tests/response_bytes.rs, tests/request_scan.rs) feed both ways.

use caselock::compile::DecisionTable;
use serde_json::{Value, json};

/// SplitMix64: the same random requests every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// A name from the list, or now and then one the policy does not declare.
    pub fn name(&mut self, names: &[String], unknown: &str) -> String {
        if names.is_empty() || self.chance(4) {
            unknown.to_string()
        } else {
            names[self.below(names.len())].clone()
        }
    }

    pub fn date(&mut self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            2025 + self.below(3),
            1 + self.below(12),
            1 + self.below(28)
        )
    }

    pub fn time(&mut self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            self.below(24),
            self.below(60),
            self.below(60)
        )
    }
}

/// A random request over a table's vocabulary: declared and undeclared names, people the record
/// names and people it does not, review dates, temporary grants, strings with escapes.
pub fn random_request(rng: &mut Rng, table: &DecisionTable) -> String {
    let v = &table.vocabulary;
    let names = |l: Vec<&String>| l.into_iter().cloned().collect::<Vec<_>>();
    let roles = names(v.roles.iter().map(|r| &r.name).collect());
    let teams = names(v.teams.iter().map(|r| &r.name).collect());
    let orgs = names(v.organisations.iter().map(|r| &r.name).collect());
    let actions = names(v.actions.iter().map(|r| &r.name).collect());
    let categories = names(table.categories.iter().map(|c| &c.name).collect());
    let flags = names(v.flags.iter().map(|f| &f.name).collect());
    let kinds: Vec<String> = table
        .categories
        .iter()
        .flat_map(|c| c.temporary.iter().filter_map(|t| t.kind_name()))
        .map(str::to_string)
        .collect();
    let mut people: Vec<String> = (0..6).map(|i| format!("u-{}", 100 + i)).collect();
    people.extend(v.persons.iter().map(|p| p.subject_id.clone()));
    // Ids that JSON must escape, and one the reader cannot borrow.
    people.push("u-\"q\"".to_string());
    people.push("u-é".to_string());
    let person = |rng: &mut Rng| people[rng.below(people.len())].clone();
    let some = |rng: &mut Rng, most: usize, pick: &mut dyn FnMut(&mut Rng) -> String| {
        (0..rng.below(most + 1))
            .map(|_| pick(rng))
            .collect::<Vec<_>>()
    };
    let entries = |rng: &mut Rng, most: usize, pick: &mut dyn FnMut(&mut Rng) -> Value| {
        (0..rng.below(most + 1))
            .map(|_| pick(rng))
            .collect::<Vec<_>>()
    };
    let subject_id = person(rng);
    let mut list_entry = |rng: &mut Rng| {
        if rng.chance(3) {
            // Entries the contract refuses, each in its own way.
            let bad = [
                json!("u-101"),
                json!({ "person": "" }),
                json!({ "person": " u-101" }),
                json!({ "person": "u-101", "team": "x" }),
                json!({ "persons": "u-101" }),
                json!({ "team": 5 }),
                json!({}),
                json!(7),
                json!([]),
                json!(null),
            ];
            return bad[rng.below(bad.len())].clone();
        }
        if rng.chance(25) {
            json!({ "team": rng.name(&teams, "fostering_north") })
        } else if rng.chance(10) {
            json!({ "role": rng.name(&roles, "volunteer") })
        } else if rng.chance(30) {
            // The same person, written in another case.
            json!({ "person": if rng.chance(20) { subject_id.to_uppercase() } else { subject_id.clone() } })
        } else {
            json!({ "person": person(rng) })
        }
    };
    let restriction = if rng.chance(20) {
        Value::Null
    } else {
        json!({
            "category": rng.name(&categories, "legacy_lock"),
            "placed_on": if rng.chance(80) { json!(rng.date()) } else { Value::Null },
            "last_reviewed": if rng.chance(30) { json!(rng.date()) } else { Value::Null },
            "review_by": if rng.chance(20) { json!(rng.date()) } else { Value::Null },
            "owner": if rng.chance(70) {
                json!(if rng.chance(20) { subject_id.clone() } else { person(rng) })
            } else {
                Value::Null
            },
            "named_allow": entries(rng, 2, &mut list_entry),
            "named_deny": entries(rng, 1, &mut list_entry),
        })
    };
    let mut related = |rng: &mut Rng| {
        if rng.chance(40) {
            subject_id.clone()
        } else {
            person(rng)
        }
    };
    let mut record = json!({
        "id": format!("J{}", 100_000 + rng.below(900_000)),
        "teams": some(rng, 1, &mut |rng: &mut Rng| rng.name(&teams, "fostering_north")),
        "restriction": restriction,
        "allocated_workers": some(rng, 2, &mut related),
        "allocated_managers": some(rng, 1, &mut related),
    });
    if rng.chance(30) {
        let placed: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| {
                let mut f = json!({ "flag": rng.name(&flags, "legacy_flag") });
                for field in ["placed_on", "last_reviewed", "review_by"] {
                    if rng.chance(40) {
                        f[field] = json!(rng.date());
                    }
                }
                f
            })
            .collect();
        record["flags"] = json!(placed);
    }
    // Linked records, mostly for a policy that declares kinds of link: their restrictions'
    // owners and lists are what a refusal may speak of.
    let links = names(v.links.iter().map(|l| &l.name).collect());
    if rng.chance(if links.is_empty() { 3 } else { 40 }) {
        let linked: Vec<Value> = (0..1 + rng.below(2))
            .map(|i| {
                let restrictions: Vec<Value> = (0..rng.below(3))
                    .map(|_| {
                        json!({
                            "category": rng.name(&categories, "legacy_lock"),
                            "placed_on": if rng.chance(50) { json!(rng.date()) } else { Value::Null },
                            "owner": if rng.chance(60) { json!(person(rng)) } else { Value::Null },
                            "named_allow": entries(rng, 2, &mut list_entry),
                            "named_deny": entries(rng, 1, &mut list_entry),
                        })
                    })
                    .collect();
                json!({
                    "record": format!("L{}", 100 + i),
                    "link": rng.name(&links, "no_such_link"),
                    "restrictions": restrictions,
                })
            })
            .collect();
        record["links"] = json!(linked);
    }
    let mut request = json!({
        "subject": {
            "id": subject_id.clone(),
            "roles": some(rng, 2, &mut |rng: &mut Rng| rng.name(&roles, "volunteer")),
            "teams": some(rng, 1, &mut |rng: &mut Rng| rng.name(&teams, "fostering_north")),
            "organisation": rng.name(&orgs, "acme_care_ltd"),
        },
        "action": rng.name(&actions, "delete"),
        "record": record,
        "at": rng.time(),
    });
    if rng.chance(15) {
        let grants: Vec<Value> = (0..1 + rng.below(2))
            .map(|_| {
                let duration = ["24h", "2 days", "5 working_days", "1 year"][rng.below(4)];
                let mut g = json!({
                    "subject": if rng.chance(80) { subject_id.clone() } else { person(rng) },
                    "granted_at": rng.time(),
                    "duration": duration,
                    "approved_by": person(rng),
                });
                if rng.chance(30) {
                    g["actions"] =
                        json!(some(rng, 2, &mut |rng: &mut Rng| rng.name(&actions, "delete")));
                }
                if !kinds.is_empty() && rng.chance(60) {
                    g["kind"] = json!(rng.name(&kinds, "no_such_kind"));
                }
                if rng.chance(30) {
                    g["approved_by"] = json!({
                        "id": person(rng),
                        "roles": some(rng, 2, &mut |rng: &mut Rng| rng.name(&roles, "volunteer")),
                        "teams": some(rng, 1, &mut |rng: &mut Rng| rng.name(&teams, "fostering_north")),
                    });
                }
                if rng.chance(10) {
                    g["renewals"] = json!(rng.below(3));
                }
                g
            })
            .collect();
        request["temporary_grants"] = json!(grants);
    }
    if rng.chance(5) {
        request.as_object_mut().unwrap().remove("at");
    }
    // A non-ASCII character written as an escape cannot be borrowed.
    request.to_string().replace('é', "\\u00e9")
}

/// Every `.json` file below `dir`, in its subdirectories too: the example and fixture requests.
pub fn json_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

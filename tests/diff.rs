//! `caselock diff`: fixture pairs pinned by snapshots, and the diff's laws as property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use caselock::compile::{self, DecisionTable};
use caselock::diff::{self, ChangeKind, DiffFormat};
use caselock::eval::{Decider, Id, ListEntry};
use caselock::eval::{
    GrantApprover, GrantDuration, Record, Request, Restriction, Subject, TemporaryGrant,
};
use caselock::span::SourceMap;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn compiled_path(path: &str) -> DecisionTable {
    let mut sources = SourceMap::new();
    let policies = caselock::loader::discover(std::path::Path::new(path), &mut sources).unwrap();
    let checked = caselock::check_files(&sources, &policies[0].files).unwrap();
    compile::compile(&checked, &sources)
}

fn compiled_text(text: &str) -> DecisionTable {
    let mut sources = SourceMap::new();
    let id = sources.add("generated.policy", text.to_string());
    let checked = caselock::check_files(&sources, &[id])
        .unwrap_or_else(|e| panic!("generated policy does not check: {e:?}\n{text}"));
    compile::compile(&checked, &sources)
}

/// Every witness a diff reports is decided differently by the two sides' evaluators.
fn assert_witnesses_decide_differently(old: &DecisionTable, new: &DecisionTable, d: &diff::Diff) {
    let deciders = [Decider::new(old), Decider::new(new)];
    for c in &d.decisions {
        assert!(
            diff::decides_differently(&deciders, &[old, new], &c.request),
            "witness for {} {} decides the same on both sides: {}",
            c.category,
            c.action,
            serde_json::to_string(&c.request).unwrap()
        );
    }
}

#[test]
fn fixture_pairs() {
    let pairs = [
        ("reformat", false),
        ("group_rename", false),
        ("rule_split", false),
        ("gain", true),
        ("loss", true),
        ("settings", true),
        // A flag decides nothing: its duty, review, addition and removal are its changes.
        ("flags", true),
        // Letting a deputy act for a colleague: a policy-wide setting, and the requests that
        // act for someone (refused before) decided with the colleague's rights.
        ("acting", true),
        // What records must, must not, or may not together carry.
        ("restriction_rules", true),
    ];
    for (name, changes) in pairs {
        let old = compiled_path(&format!("tests/fixtures/diff/{name}/old.policy"));
        let new = compiled_path(&format!("tests/fixtures/diff/{name}/new.policy"));
        let d = diff::diff(&old, &new).unwrap();
        assert_eq!(!d.is_empty(), changes, "{name}: {d:#?}");
        assert_witnesses_decide_differently(&old, &new, &d);
        insta::assert_snapshot!(
            format!("diff_{name}_text"),
            diff::render(&d, DiffFormat::Text)
        );
        insta::assert_snapshot!(
            format!("diff_{name}_markdown"),
            diff::render(&d, DiffFormat::Markdown)
        );
    }
}

#[test]
fn gains_and_losses_are_told_apart() {
    let d = |name: &str| {
        let old = compiled_path(&format!("tests/fixtures/diff/{name}/old.policy"));
        let new = compiled_path(&format!("tests/fixtures/diff/{name}/new.policy"));
        diff::diff(&old, &new).unwrap()
    };
    let gain = d("gain");
    assert!(gain.decisions.iter().any(|c| c.kind == ChangeKind::Gain));
    assert!(gain.decisions.iter().all(|c| c.kind != ChangeKind::Loss));
    // The new grant decides every change, including for temporary-access holders, whose access
    // no longer expires.
    assert!(
        gain.decisions
            .iter()
            .all(|c| c.new.rule.as_deref() == Some("adoption.grant.2"))
    );
    let loss = d("loss");
    assert!(loss.decisions.iter().any(|c| c.kind == ChangeKind::Loss));
    assert!(loss.decisions.iter().all(|c| c.kind != ChangeKind::Gain));
    let settings = d("settings");
    let changed: Vec<&str> = settings
        .settings
        .iter()
        .map(|s| s.setting.as_str())
        .collect();
    for expected in [
        "review interval",
        "temporary access limit",
        "temporary access approvers",
        "what a refused person is told",
        "approvers for amend",
        "sections it covers",
        "linked records it reaches",
    ] {
        assert!(
            changed.contains(&expected),
            "{expected} missing: {changed:?}"
        );
    }
    insta::assert_snapshot!(
        "diff_settings_json",
        diff::render(&settings, DiffFormat::Json)
    );
}

#[test]
fn a_policy_does_not_differ_from_itself_or_its_compiled_table() {
    for path in [
        "policies/nottingham-escr",
        "tests/fixtures/policies/casework.policy",
    ] {
        let t = compiled_path(path);
        assert!(diff::diff(&t, &t).unwrap().is_empty(), "{path}");
        let reloaded = compile::load_table(&compile::to_json(&t)).unwrap();
        assert!(diff::diff(&t, &reloaded).unwrap().is_empty(), "{path}");
    }
}

// ---- generated policies ----

const ROLES: [&str; 4] = ["worker", "senior", "manager", "iro"];
const TEAMS: [&str; 3] = ["edt", "placements", "fostering"];
const RELATIONS: [&str; 5] = [
    "allocated_worker",
    "allocated_manager",
    "owner",
    "named_allow",
    "record_team",
];
const ACTIONS: [&str; 2] = ["view", "edit"];

/// One subject alternative: an atom, optionally "and not" another.
#[derive(Debug, Clone)]
struct Alt {
    atom: usize,
    unless: Option<usize>,
}

#[derive(Debug, Clone)]
struct GenRule {
    effect: u8,
    actions: u8,
    alts: Vec<Alt>,
}

/// Atoms: roles, teams, relations, then the partner organisations.
fn atom_text(i: usize) -> String {
    let (r, t, l) = (ROLES.len(), TEAMS.len(), RELATIONS.len());
    if i < r {
        format!("role {}", ROLES[i])
    } else if i < r + t {
        format!("team {}", TEAMS[i - r])
    } else if i < r + t + l {
        RELATIONS[i - r - t].to_string()
    } else {
        "partner organisations".to_string()
    }
}

const ATOMS: usize = ROLES.len() + TEAMS.len() + RELATIONS.len() + 1;

fn alt() -> impl Strategy<Value = Alt> {
    (0..ATOMS, proptest::option::weighted(0.3, 0..ATOMS))
        .prop_filter("an atom and not itself", |(a, u)| Some(*a) != *u)
        .prop_map(|(atom, unless)| Alt { atom, unless })
}

fn rule() -> impl Strategy<Value = GenRule> {
    (0u8..3, 1u8..4, proptest::collection::vec(alt(), 1..3)).prop_map(|(effect, actions, alts)| {
        GenRule {
            effect,
            actions,
            alts,
        }
    })
}

fn rule_text(r: &GenRule) -> String {
    let actions: Vec<&str> = ACTIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| r.actions & (1 << i) != 0)
        .map(|(_, a)| *a)
        .collect();
    let alts: Vec<String> = r
        .alts
        .iter()
        .map(|a| match a.unless {
            Some(u) => format!("{} and not {}", atom_text(a.atom), atom_text(u)),
            None => atom_text(a.atom),
        })
        .collect();
    let (verb, suffix) = match r.effect {
        0 => ("grant", ""),
        1 => ("deny", ""),
        _ => ("deny", " absolute"),
    };
    format!(
        "  {verb} {} to {}{suffix}\n",
        actions.join(", "),
        alts.join(", ")
    )
}

fn policy_text(universal: bool, temporary: bool, rules: &[GenRule]) -> String {
    let mut s = String::from(
        "policy generated \"Generated\" version 1\naction view, edit\n\
         role worker \"Worker\"\nrole senior \"Senior\" in worker\nrole manager \"Manager\"\n\
         role iro \"IRO\"\nteam edt \"EDT\"\nteam placements \"Placements\"\n\
         team fostering \"Fostering\" in placements\n\
         organisation council \"Council\" internal, police \"Police\" partner\n\
         category c \"C\" {\n",
    );
    s.push_str(if universal {
        "  restriction universal\n"
    } else {
        "  restriction exclude\n"
    });
    for r in rules {
        s.push_str(&rule_text(r));
    }
    if temporary {
        s.push_str("  temporary view for 24h approved_by owner\n");
    }
    s.push_str("  review every 90 days\n}\n\nend\n");
    s
}

/// An edit of a rule list: some keep the meaning (reorder within a layer, split, duplicate),
/// some need not (drop, add, change the effect or actions).
#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Add(GenRule),
    Effect(usize, u8),
    Actions(usize, u8),
    Swap(usize),
    Split(usize),
    Duplicate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0usize..8).prop_map(Edit::Drop),
        rule().prop_map(Edit::Add),
        (0usize..8, 0u8..3).prop_map(|(i, e)| Edit::Effect(i, e)),
        (0usize..8, 1u8..4).prop_map(|(i, a)| Edit::Actions(i, a)),
        (0usize..8).prop_map(Edit::Swap),
        (0usize..8).prop_map(Edit::Split),
        (0usize..8).prop_map(Edit::Duplicate),
    ]
}

fn apply(rules: &[GenRule], e: &Edit) -> Vec<GenRule> {
    let mut out = rules.to_vec();
    let n = out.len().max(1);
    match e {
        Edit::Drop(i) if !out.is_empty() => {
            out.remove(i % n);
        }
        Edit::Add(r) => out.push(r.clone()),
        Edit::Effect(i, x) if !out.is_empty() => out[i % n].effect = *x,
        Edit::Actions(i, x) if !out.is_empty() => out[i % n].actions = *x,
        Edit::Swap(i) if out.len() > 1 => out.swap(i % n, (i + 1) % n),
        Edit::Split(i) if !out.is_empty() && out[i % n].alts.len() > 1 => {
            let r = out.remove(i % n);
            for a in &r.alts {
                out.insert(
                    i % n,
                    GenRule {
                        alts: vec![a.clone()],
                        ..r.clone()
                    },
                );
            }
        }
        Edit::Duplicate(i) if !out.is_empty() => {
            let r = out[i % n].clone();
            out.push(r);
        }
        _ => {}
    }
    out
}

/// Every request the generated policies can tell apart: each set of roles and teams, both
/// organisations, each set of relations (with and without a temporary grant), both actions.
fn all_requests() -> &'static [Request] {
    static ALL: std::sync::OnceLock<Vec<Request>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut out = Vec::new();
        for roles in 0u8..16 {
            for teams in 0u8..8 {
                for police in [false, true] {
                    for rel in 0u8..64 {
                        for action in ACTIONS {
                            out.push(request(roles, teams, police, rel, action));
                        }
                    }
                }
            }
        }
        out
    })
}

fn request(roles: u8, teams: u8, police: bool, rel: u8, action: &str) -> Request {
    let id = Id::new("u-1").unwrap();
    let pick = |mask: u8, names: &[&str]| -> Vec<String> {
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, n)| n.to_string())
            .collect()
    };
    let has = |bit: u8| rel & (1 << bit) != 0;
    let me = |bit: u8| {
        if has(bit) {
            vec![id.clone()]
        } else {
            Vec::new()
        }
    };
    let at = Utc.with_ymd_and_hms(2026, 1, 5, 12, 0, 0).unwrap();
    Request {
        subject: Subject {
            id: id.clone(),
            roles: pick(roles, &ROLES),
            teams: pick(teams, &TEAMS),
            organisation: if police { "police" } else { "council" }.to_string(),
        },
        action: action.to_string(),
        record: Record {
            // The record's team is the subject's first team, when the relation is wanted.
            teams: if has(4) {
                pick(teams, &TEAMS).into_iter().take(1).collect()
            } else {
                Vec::new()
            },
            restriction: Some(Restriction {
                owner: Some(if has(2) {
                    id.clone()
                } else {
                    Id::new("u-owner").unwrap()
                }),
                named_allow: me(3).into_iter().map(ListEntry::Person).collect(),
                ..Restriction::new("c".to_string())
            }),
            allocated_workers: me(0),
            allocated_managers: me(1),
            ..Record::new(Id::new("R-1").unwrap())
        },
        temporary_grants: if has(5) {
            vec![TemporaryGrant {
                subject: id.clone(),
                record: None,
                actions: None,
                granted_at: at,
                duration: GrantDuration(caselock::policy::Period {
                    amount: 24,
                    unit: caselock::policy::PeriodUnit::Hours,
                }),
                // The record's owner approves (the subject, when they are the owner).
                approved_by: GrantApprover::Id(if has(2) {
                    id.clone()
                } else {
                    Id::new("u-owner").unwrap()
                }),
                kind: None,
                renewals: 0,
            }]
        } else {
            Vec::new()
        },
        at: Some(at),
        context: Default::default(),
        change: None,
        approvals: Vec::new(),
        acting_for: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_generated_policy_does_not_differ_from_itself(
        universal in proptest::bool::ANY,
        temporary in proptest::bool::ANY,
        rules in proptest::collection::vec(rule(), 0..6),
    ) {
        let t = compiled_text(&policy_text(universal, temporary, &rules));
        prop_assert!(diff::diff(&t, &t).unwrap().is_empty());
    }

    #[test]
    fn the_diff_is_empty_exactly_when_the_tables_agree_on_every_request(
        universal in proptest::bool::ANY,
        temporary in proptest::bool::ANY,
        rules in proptest::collection::vec(rule(), 0..6),
        edits in proptest::collection::vec(edit(), 1..3),
    ) {
        let old_text = policy_text(universal, temporary, &rules);
        let new_rules = edits.iter().fold(rules.clone(), |r, e| apply(&r, e));
        let new_text = policy_text(universal, temporary, &new_rules);
        let (old, new) = (compiled_text(&old_text), compiled_text(&new_text));
        let d = diff::diff(&old, &new).unwrap();
        let deciders = [Decider::new(&old), Decider::new(&new)];
        let disagree = all_requests()
            .iter()
            .find(|req| diff::decides_differently(&deciders, &[&old, &new], req));
        prop_assert_eq!(
            d.is_empty(),
            disagree.is_none(),
            "diff and evaluation disagree:\n{}\n{}\n{:?}\n{:?}",
            old_text,
            new_text,
            disagree.map(|r| serde_json::to_string(r).unwrap_or_default()),
            d.decisions.iter().map(|c| &c.witness).collect::<Vec<_>>()
        );
        assert_witnesses_decide_differently(&old, &new, &d);
    }
}

#[test]
fn the_exit_code_says_whether_anything_changed() {
    let run = |old: &str, new: &str, format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args(["diff", old, new, "--format", format])
            .output()
            .unwrap()
    };
    let fixture = |pair: &str, side: &str| format!("tests/fixtures/diff/{pair}/{side}.policy");
    let same = run(
        &fixture("reformat", "old"),
        &fixture("reformat", "new"),
        "text",
    );
    assert_eq!(same.status.code(), Some(0));
    let changed = run(&fixture("loss", "old"), &fixture("loss", "new"), "json");
    assert_eq!(changed.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&changed.stdout).unwrap();
    assert!(json["decisions"].as_array().is_some_and(|d| !d.is_empty()));
    // A compiled table on one side and a policy on the other.
    let dir = std::env::temp_dir().join(format!("caselock-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("old.json");
    std::fs::write(
        &table,
        compile::to_json(&compiled_path(&fixture("gain", "old"))),
    )
    .unwrap();
    let mixed = run(table.to_str().unwrap(), &fixture("gain", "new"), "markdown");
    assert_eq!(mixed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&mixed.stdout).contains("#### Who gains"));
    let missing = run(
        "tests/fixtures/diff/no-such.policy",
        &fixture("gain", "new"),
        "text",
    );
    assert_eq!(missing.status.code(), Some(2));
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"format_version\": 1}").unwrap();
    let bad = run(broken.to_str().unwrap(), &fixture("gain", "new"), "text");
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_examples_are_current() {
    for pair in ["gain", "loss"] {
        let old = compiled_path(&format!("tests/fixtures/diff/{pair}/old.policy"));
        let new = compiled_path(&format!("tests/fixtures/diff/{pair}/new.policy"));
        let d = diff::diff(&old, &new).unwrap();
        for (ext, name, format) in [
            ("txt", "text", DiffFormat::Text),
            ("md", "markdown", DiffFormat::Markdown),
            ("json", "json", DiffFormat::Json),
        ] {
            let path = format!("examples/diff/{pair}.{ext}");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                diff::render(&d, format),
                "{path} is stale: run `caselock diff tests/fixtures/diff/{pair}/old.policy tests/fixtures/diff/{pair}/new.policy --format {name} > {path}`"
            );
        }
    }
}

/// How long a restriction lasts, its renewals and its notice decide nothing (a restriction past
/// its end still applies), so a change to them is a setting change only, and still a change.
#[test]
fn how_long_a_restriction_lasts_is_a_setting_change() {
    let policy = |lasts: &str| {
        format!(
            "policy p \"P\" version 1\naction view\nrole team_manager \"Team Manager\"\norganisation council \"Council\" internal\napprove place by role team_manager\ncategory adoption \"Adoption\" {{\n  restriction universal\n  grant view to role team_manager\n  review every 1 month by role team_manager\n{lasts}}}\n\nend\n"
        )
    };
    let settings = |old: &str, new: &str| {
        let d = diff::diff(&compiled_text(&policy(old)), &compiled_text(&policy(new))).unwrap();
        assert!(d.decisions.is_empty(), "{d:#?}");
        d.settings
            .iter()
            .map(|s| (s.setting.clone(), s.old.clone(), s.new.clone()))
            .collect::<Vec<_>>()
    };
    let longer = settings(
        "  lasts 6 months renewable 1 notify 2 weeks\n",
        "  lasts 1 year renewable 2 notify 1 week\n",
    );
    assert_eq!(
        longer,
        [
            (
                "how long a restriction lasts".to_string(),
                "at most 6 months from placement".to_string(),
                "at most 1 year from placement".to_string()
            ),
            (
                "restriction renewals".to_string(),
                "renewable once".to_string(),
                "renewable 2 times".to_string()
            ),
            (
                "notice before a restriction ends".to_string(),
                "told 2 weeks before it ends".to_string(),
                "told 1 week before it ends".to_string()
            ),
        ]
    );
    let added = settings("", "  lasts 6 months\n");
    let names: Vec<&str> = added.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        ["how long a restriction lasts", "restriction renewals"]
    );
    assert!(settings("  lasts 6 months\n", "  lasts 6 months\n").is_empty());
}
/// Each change to a rule about restrictions comes with a record whose facts the two policies
/// really read differently: the category is required (or forbidden) on one side and not the
/// other, and an exclusive pair may be carried on one side only.
#[test]
fn restriction_rule_witnesses_are_real() {
    use caselock::diff::RuleChangeKind;
    use caselock::eval::{CarryRefusal, Decider};
    let old = compiled_path("tests/fixtures/diff/restriction_rules/old.policy");
    let new = compiled_path("tests/fixtures/diff/restriction_rules/new.policy");
    let d = diff::diff(&old, &new).unwrap();
    assert_eq!(d.restriction_rules.len(), 3, "{:#?}", d.restriction_rules);
    let (o, n) = (Decider::new(&old), Decider::new(&new));
    // Facts one side does not declare are left out for it.
    let known = |dec: &Decider, facts: &[String]| -> Vec<String> {
        facts
            .iter()
            .filter(|f| dec.table().vocabulary.facts.iter().any(|x| &x.name == *f))
            .cloned()
            .collect()
    };
    let required = |dec: &Decider, facts: &[String], c: &str| {
        dec.required(&known(dec, facts))
            .unwrap()
            .iter()
            .any(|r| r.category.name == c)
    };
    let forbidden = |dec: &Decider, facts: &[String], c: &str| {
        matches!(
            dec.may_carry(&known(dec, facts), &[c]),
            Err(CarryRefusal::NotAllowed { .. })
        )
    };
    for r in &d.restriction_rules {
        let c = r.category.as_str();
        let f = &r.facts;
        match r.kind {
            RuleChangeKind::NowRequired => assert!(!required(&o, f, c) && required(&n, f, c)),
            RuleChangeKind::NoLongerRequired => assert!(required(&o, f, c) && !required(&n, f, c)),
            RuleChangeKind::NowForbidden => assert!(!forbidden(&o, f, c) && forbidden(&n, f, c)),
            RuleChangeKind::NoLongerForbidden => {
                assert!(forbidden(&o, f, c) && !forbidden(&n, f, c))
            }
            RuleChangeKind::NowExclusive | RuleChangeKind::NoLongerExclusive => {
                let (a, b) = c.split_once(" and ").unwrap();
                let together = |dec: &Decider| dec.may_carry::<&str, &str>(&[], &[a, b]).is_ok();
                assert_eq!(together(&o), r.kind == RuleChangeKind::NowExclusive, "{c}");
                assert_ne!(together(&o), together(&n), "{c}");
            }
        }
    }
}

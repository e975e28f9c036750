//! Decision latency on the bundled Nottingham policy: a decision from a parsed request, the
//! JSON-to-decision path, and the cost of a caseworker explanation; and on the example kinds of
//! temporary access, a decision resting on a grant whose approver is checked by role and
//! relation; a lifecycle action (lifting a restriction) checked against a three-step chain; and on
//! the example linked records, a decision on a Care Record by the restriction of its linked
//! Secure Adoption Record beside the record's own.
//!
//! `cargo bench --bench decide` (add `-- --quick` for a fast run).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use caselock::eval::{Audience, Basis, Decider, Request};
use criterion::{Criterion, criterion_group, criterion_main};

/// Requests as a case-management system sends them, one per kind of outcome.
const REQUESTS: [(&str, &str); 4] = [
    (
        "allowed_grant",
        r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":["placements"],"organisation":"council"},"action":"view","record":{"id":"J123456","restriction":{"category":"adoption","placed_on":"2026-10-01","owner":"u-3001","named_allow":[{"person":"u-2001"}],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
    (
        "denied_absolute",
        r#"{"subject":{"id":"u-5001","roles":[],"teams":[],"organisation":"partner_agency"},"action":"view","record":{"id":"J123457","restriction":{"category":"adoption","placed_on":"2026-10-01","owner":"u-3001","named_allow":[],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
    (
        "denied_not_permitted",
        r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":["emergency_duty"],"organisation":"council"},"action":"edit","record":{"id":"J123458","restriction":{"category":"high_profile","placed_on":"2026-10-01","owner":"u-3001","named_allow":[{"person":"u-2001"}],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
    (
        "unrestricted",
        r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":["placements"],"organisation":"council"},"action":"edit","record":{"id":"J123459","allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
];

/// A request whose temporary grant, of the kind `task_access`, is approved by the record's
/// owner stating their role (`examples/policies/grants`): allowed, within the kind's notice.
const GRANT_REQUEST: &str = r#"{"subject":{"id":"u-2001","roles":["social_worker"],"organisation":"council"},"action":"view","record":{"id":"H1","restriction":{"category":"placement","owner":"u-3001"}},"temporary_grants":[{"subject":"u-2001","kind":"task_access","granted_at":"2026-11-20T09:00:00Z","duration":"14 days","approved_by":{"id":"u-3001","roles":["home_manager"]}}],"at":"2026-12-02T10:00:00Z"}"#;

/// Lifting a restriction whose chain has three steps (`examples/policies/lifecycle`), every step
/// approved by someone stating their role: the whole chain checked, allowed.
const LIFT_REQUEST: &str = r#"{"subject":{"id":"u-2001","roles":["social_worker"],"organisation":"council"},"action":"lift","record":{"id":"R2","restriction":{"category":"sensitive","owner":"u-3002"}},"change":{"category":"sensitive"},"approvals":[{"step":1,"by":{"id":"u-3001","roles":["team_manager"]},"at":"2026-11-20T09:00:00Z"},{"step":2,"by":{"id":"u-4001","roles":["service_manager"]},"at":"2026-11-21T09:00:00Z"},{"step":3,"by":{"id":"u-5001","roles":["head_of_service"]},"at":"2026-11-21T12:00:00Z"}],"at":"2026-11-22T10:00:00Z"}"#;

/// A record restricted under one category with a fact (`examples/policies/permanence`): the
/// decision reads the triggers (one requires a restriction it lacks), `never restrict` and
/// `exclusive` after the rows.
const FACTS_REQUEST: &str = r#"{"subject":{"id":"u-1","roles":["social_worker"],"teams":["adoption_team"],"organisation":"council"},"action":"view","record":{"id":"P1","restriction":{"category":"adoption","placed_on":"2026-06-01"},"facts":["relative_of_staff"]},"at":"2026-11-22T10:00:00Z"}"#;

/// A Care Record carrying its own staff conflict, linked to a Secure Adoption Record whose
/// `adoption` restriction reaches it and lets the subject in by its access list
/// (`examples/policies/linked_records`); a second link whose restriction does not reach.
const LINKED_REQUEST: &str = r#"{"subject":{"id":"u-4","roles":["social_worker"],"organisation":"council"},"action":"view","record":{"id":"CR-1","restriction":{"category":"staff_conflict","named_deny":[{"person":"u-9"}]},"links":[{"record":"SAR-1","link":"adoption_record","restrictions":[{"category":"adoption","owner":"u-30","named_allow":[{"person":"u-4"}]}]},{"record":"SAR-2","link":"sibling_adoption_record","restrictions":[{"category":"adoption"}]}]},"at":"2026-11-22T10:00:00Z"}"#;

fn decider() -> Decider {
    load("policies/nottingham-escr")
}

fn load(path: &str) -> Decider {
    let mut sources = caselock::span::SourceMap::new();
    let found = caselock::loader::discover(Path::new(path), &mut sources).unwrap_or_default();
    let Some(files) = found.first() else {
        eprintln!("{path} not found: run from the crate root");
        std::process::exit(2);
    };
    match caselock::check_files(&sources, &files.files) {
        Ok(checked) => Decider::new(&caselock::compile::compile(&checked, &sources)),
        Err(d) => {
            eprintln!("{path} does not check: {d:?}");
            std::process::exit(2);
        }
    }
}

fn requests() -> Vec<(&'static str, &'static str, Request)> {
    REQUESTS
        .iter()
        .filter_map(|(name, json)| Some((*name, *json, Request::from_json(json).ok()?)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let decider = decider();
    let requests = requests();
    assert_eq!(requests.len(), REQUESTS.len(), "every bench request parses");
    for (name, _, req) in &requests {
        let d = decider.decide(req);
        // A request the policy cannot read would measure the fail-closed shortcut instead.
        assert!(
            matches!(d.basis, Basis::Row { .. }),
            "{name} was refused unchecked: {d:?}"
        );
    }

    let mut g = c.benchmark_group("decide");
    for (name, _, req) in &requests {
        g.bench_function(*name, |b| b.iter(|| decider.decide(black_box(req))));
    }
    g.bench_function("mix", |b| {
        b.iter(|| {
            for (_, _, req) in &requests {
                black_box(decider.decide(black_box(req)));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("json");
    for (name, json, _) in &requests {
        g.bench_function(format!("{name}/parse_decide"), |b| {
            b.iter(|| {
                let req = Request::from_json(black_box(json)).ok();
                req.map(|r| decider.decide(&r))
            })
        });
    }
    let (_, json, _) = requests[0];
    g.bench_function("allowed_grant/parse_decide_render", |b| {
        b.iter(|| {
            let req = Request::from_json(black_box(json)).ok()?;
            let d = decider.decide(&req);
            serde_json::to_string(&decider.response(&req, &d, None)).ok()
        })
    });
    g.finish();

    let grants = load("examples/policies/grants");
    let Ok(req) = Request::from_json(GRANT_REQUEST) else {
        eprintln!("the grant request does not parse");
        std::process::exit(2);
    };
    let d = grants.decide(&req);
    assert!(
        d.outcome == caselock::eval::Outcome::Allow && d.grant.is_some(),
        "the grant request is not allowed by its grant: {d:?}"
    );
    let mut g = c.benchmark_group("grant");
    g.bench_function("kind_role_and_owner", |b| {
        b.iter(|| grants.decide(black_box(&req)))
    });
    g.finish();

    let lifecycle = load("examples/policies/lifecycle");
    let Ok(lift) = Request::from_json(LIFT_REQUEST) else {
        eprintln!("the lifting request does not parse");
        std::process::exit(2);
    };
    let d = lifecycle.decide(&lift);
    assert!(
        d.outcome == caselock::eval::Outcome::Allow && matches!(d.basis, Basis::Change(_)),
        "the lifting request is not allowed by its chain: {d:?}"
    );
    let mut g = c.benchmark_group("lifecycle");
    g.bench_function("lift_three_steps", |b| {
        b.iter(|| lifecycle.decide(black_box(&lift)))
    });
    g.finish();

    // Rules about restrictions: the same request with and without its facts, and the question
    // a lifecycle action asks.
    let permanence = load("examples/policies/permanence");
    let Ok(with) = Request::from_json(FACTS_REQUEST) else {
        eprintln!("the facts request does not parse");
        std::process::exit(2);
    };
    let mut without = with.clone();
    without.record.facts.clear();
    let d = permanence.decide(&with);
    assert!(
        d.outcome == caselock::eval::Outcome::Allow && !d.warnings.is_empty(),
        "the facts request is not allowed with a warning: {d:?}"
    );
    let facts = ["adoption_plan", "relative_of_staff"];
    let carried = ["adoption", "staff_relative"];
    let mut g = c.benchmark_group("facts");
    g.bench_function("restricted/with_facts", |b| {
        b.iter(|| permanence.decide(black_box(&with)))
    });
    g.bench_function("restricted/without_facts", |b| {
        b.iter(|| permanence.decide(black_box(&without)))
    });
    g.bench_function("may_carry/exclusive_pair", |b| {
        b.iter(|| permanence.may_carry(black_box(&facts), black_box(&carried)))
    });
    g.finish();

    let linked = load("examples/policies/linked_records");
    let Ok(req) = Request::from_json(LINKED_REQUEST) else {
        eprintln!("the linked request does not parse");
        std::process::exit(2);
    };
    let d = linked.decide(&req);
    assert!(
        d.outcome == caselock::eval::Outcome::Allow && d.via == Some(0),
        "the linked request is not allowed by the reached restriction: {d:?}"
    );
    let mut g = c.benchmark_group("linked");
    g.bench_function("reached_allow", |b| {
        b.iter(|| linked.decide(black_box(&req)))
    });
    g.finish();

    let mut g = c.benchmark_group("explain");
    for (name, _, req) in &requests {
        let d = decider.decide(req);
        g.bench_function(format!("{name}/caseworker"), |b| {
            b.iter(|| decider.explain(black_box(req), black_box(&d), Audience::Caseworker))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);

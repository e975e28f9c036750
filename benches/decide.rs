//! Decision latency on the bundled Nottingham policy: a decision from a parsed request, the
//! JSON-to-decision path, and the cost of a caseworker explanation.
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
        r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":["placements"],"organisation":"council"},"action":"view","record":{"id":"J123456","restriction":{"category":"adoption","placed_on":"2026-10-01","owner":"u-3001","named_allow":["u-2001"],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
    (
        "denied_absolute",
        r#"{"subject":{"id":"u-5001","roles":[],"teams":[],"organisation":"partner_agency"},"action":"view","record":{"id":"J123457","restriction":{"category":"adoption","placed_on":"2026-10-01","owner":"u-3001","named_allow":[],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
    (
        "denied_not_permitted",
        r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":["emergency_duty"],"organisation":"council"},"action":"edit","record":{"id":"J123458","restriction":{"category":"high_profile","placed_on":"2026-10-01","owner":"u-3001","named_allow":["u-2001"],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
    (
        "unrestricted",
        r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":["placements"],"organisation":"council"},"action":"edit","record":{"id":"J123459","allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    ),
];

fn decider() -> Decider {
    let mut sources = caselock::span::SourceMap::new();
    let found = caselock::loader::discover(Path::new("policies/nottingham-escr"), &mut sources)
        .unwrap_or_default();
    let Some(files) = found.first() else {
        eprintln!("policies/nottingham-escr not found: run from the crate root");
        std::process::exit(2);
    };
    match caselock::check_files(&sources, &files.files) {
        Ok(checked) => Decider::new(&caselock::compile::compile(&checked, &sources)),
        Err(d) => {
            eprintln!("the Nottingham policy does not check: {d:?}");
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

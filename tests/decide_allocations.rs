//! Deciding a typical request allocates nothing: a counting global allocator (its own test
//! binary, one test, so no other test's allocations are counted) watches `Decider::decide` on
//! requests read borrowing from their JSON, across every rule of the Nottingham ESCR policy,
//! with review warnings, named lists, a person the policy names and a fail-closed refusal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::alloc::System;
use std::path::Path;

use caselock::eval::{Decider, Request};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Typical requests: a grant by team, by relation and by access list, an exclusion, a partner's
/// absolute deny, an unrestricted record, an overdue review, an unknown role.
const REQUESTS: &[&str] = &[
    r#"{"subject":{"id":"u-2001","roles":["social_worker"],"teams":["placements"],"organisation":"council"},"action":"view","record":{"id":"J1","restriction":{"category":"adoption","placed_on":"2026-05-01","last_reviewed":null,"review_by":null,"owner":"u-3001","named_allow":[],"named_deny":[]},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-06-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-2002","roles":["social_worker"],"teams":[],"organisation":"council"},"action":"edit","record":{"id":"J2","restriction":{"category":"high_profile","placed_on":"2026-01-01","owner":"u-3001","named_allow":[{"person":"U-2002"},{"team":"scimt"}],"named_deny":[{"role":"iro"}]},"allocated_workers":["u-9"],"allocated_managers":[]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-2003","roles":["iro"],"teams":["scimt"],"organisation":"council"},"action":"view","record":{"id":"J3","restriction":{"category":"staff_conflict","placed_on":"2026-01-01","named_allow":[{"person":"u-2003"}],"named_deny":[{"person":"u-2003"}]},"allocated_workers":[],"allocated_managers":[]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-2004","roles":["social_worker"],"teams":[],"organisation":"partner_agency"},"action":"view","record":{"id":"J4","restriction":{"category":"adoption","placed_on":"2026-01-01","named_allow":[],"named_deny":[]},"allocated_workers":["u-2004"],"allocated_managers":[]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-2005","roles":["team_manager"],"teams":["emergency_duty"],"organisation":"council"},"action":"report","record":{"id":"J5","restriction":null,"allocated_workers":[],"allocated_managers":[]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-2006","roles":["volunteer"],"teams":[],"organisation":"council"},"action":"view","record":{"id":"J6","restriction":{"category":"high_risk","named_allow":[],"named_deny":[]},"allocated_workers":[],"allocated_managers":[]},"at":"2026-11-22T10:00:00Z"}"#,
];

#[test]
fn deciding_a_typical_request_allocates_nothing() {
    let decider = Decider::new(&support::load(Path::new("policies/nottingham-escr")).table);
    let requests: Vec<Request<_>> = REQUESTS
        .iter()
        .map(|t| Request::borrowed_from_json(t).unwrap())
        .collect();
    // The requests reach allows, denies, warnings and a refusal.
    let decisions: Vec<_> = requests.iter().map(|r| decider.decide(r)).collect();
    assert!(
        decisions
            .iter()
            .any(|d| d.outcome == caselock::eval::Outcome::Allow)
    );
    assert!(
        decisions
            .iter()
            .any(|d| d.outcome == caselock::eval::Outcome::Deny)
    );
    assert!(decisions.iter().any(|d| !d.warnings.is_empty()));
    assert!(
        decisions
            .iter()
            .any(|d| matches!(d.basis, caselock::eval::Basis::FailClosed(_)))
    );

    let region = Region::new(GLOBAL);
    for _ in 0..100 {
        for r in &requests {
            std::hint::black_box(decider.decide(std::hint::black_box(r)));
        }
    }
    let change = region.change();
    assert_eq!(change.allocations, 0, "deciding allocated: {change:?}");
}

//! Laws of lifecycle decisions (docs/semantics.md, "Lifecycle actions"), on random requests
//! against the lifecycle example and every bundled policy: approvals are drawn from a small pool
//! of people (the requester among them), with the policy's roles, for any step, at any time
//! around the decision — so self-approval, repeated approvers, steps out of order, expired and
//! future approvals all occur.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use caselock::eval::{
    Basis, ChangeRequest, Decider, GivenApproval, GrantApprover, Id, Outcome, Record, Request,
    Restriction, StatedApprover, Subject,
};
use caselock::policy::{Change, ChangeRefusal};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const PEOPLE: [&str; 5] = ["u-1", "u-2", "u-3", "u-4", "u-5"];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

/// A lifecycle request over a policy's categories and roles.
fn request(categories: Vec<String>, roles: Vec<String>) -> impl Strategy<Value = Request> {
    let all_roles = roles.clone();
    let approval = (
        1u32..5,
        proptest::sample::select(PEOPLE.to_vec()),
        proptest::sample::subsequence(roles.clone(), 0..=roles.len().min(2)),
        -45i64..3,
    )
        .prop_map(|(step, by, roles, days)| GivenApproval {
            step,
            by: if roles.is_empty() {
                GrantApprover::Id(id(by))
            } else {
                GrantApprover::Stated(StatedApprover {
                    id: id(by),
                    roles,
                    teams: Vec::new(),
                })
            },
            at: now() + Duration::hours(days * 24 + 1),
        });
    (
        proptest::sample::select(
            [
                Change::Place,
                Change::Amend,
                Change::Lift,
                Change::Renew,
                Change::GrantAccess,
            ]
            .to_vec(),
        ),
        proptest::sample::select(categories.clone()),
        proptest::sample::subsequence(categories, 0..=1),
        proptest::option::of(proptest::sample::select(PEOPLE.to_vec())),
        proptest::option::of(proptest::sample::select(PEOPLE.to_vec())),
        proptest::collection::vec(approval, 0..5),
        proptest::sample::select(PEOPLE.to_vec()),
        proptest::option::of(0usize..4),
    )
        .prop_map(
            move |(
                change,
                category,
                carried,
                owner,
                line_manager,
                mut approvals,
                me,
                wellformed,
            )| {
                // Approvals in time order, as a case-management system lists them.
                approvals.sort_by_key(|a| a.at);
                // Half the time a well-formed chain so far: one step each, in order, by people
                // other than the requester holding every role, the first the owner and the
                // requester's line manager.
                let (mut owner, mut line_manager) = (owner, line_manager);
                if let Some(k) = wellformed {
                    let others: Vec<&str> = PEOPLE.iter().copied().filter(|p| *p != me).collect();
                    approvals = others
                        .iter()
                        .take(k)
                        .enumerate()
                        .map(|(i, by)| GivenApproval {
                            step: u32::try_from(i + 1).unwrap(),
                            by: GrantApprover::Stated(StatedApprover {
                                id: id(by),
                                roles: all_roles.clone(),
                                teams: Vec::new(),
                            }),
                            at: now() - Duration::hours(10 - i64::try_from(i).unwrap()),
                        })
                        .collect();
                    owner = others.first().copied();
                    line_manager = others.first().copied();
                }
                let mut record = Record::new(id("R-1"));
                record.restrictions = carried
                    .into_iter()
                    .map(|c| Restriction {
                        owner: owner.map(id),
                        ..Restriction::new(c)
                    })
                    .collect();
                Request {
                    subject: Subject {
                        id: id(me),
                        roles: Vec::new(),
                        teams: Vec::new(),
                        organisation: String::new(),
                    },
                    action: change.word().to_string(),
                    record,
                    temporary_grants: Vec::new(),
                    acting_for: None,
                    at: Some(now()),
                    context: Default::default(),
                    change: Some(ChangeRequest {
                        category: Some(category),
                        kind: None,
                        flag: None,
                        renewals: 0,
                        line_manager: line_manager.map(id),
                    }),
                    approvals,
                }
            },
        )
}

fn check(path: &str) {
    let loaded = support::load(std::path::Path::new(path));
    let decider = Decider::new(&loaded.table);
    let t = &loaded.table;
    let categories: Vec<String> = t.categories.iter().map(|c| c.name.clone()).collect();
    let roles: Vec<String> = t.vocabulary.roles.iter().map(|r| r.name.clone()).collect();
    let organisation = t.vocabulary.organisations[0].name.clone();
    let config = Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let seen = std::cell::RefCell::new([0usize; 3]);
    let result = runner.run(&request(categories, roles), |mut req| {
        req.subject.organisation.clone_from(&organisation);
        let d = decider.decide(&req);
        let Basis::Change(chain) = d.basis else {
            prop_assert!(
                false,
                "a lifecycle action was not decided by its chain: {d:?}"
            );
            unreachable!()
        };
        seen.borrow_mut()[match d.outcome {
            Outcome::Allow => 0,
            Outcome::Pending => 1,
            Outcome::Deny => 2,
        }] += 1;
        // Allowed only when every step is approved, once each, by the approvals given.
        if d.outcome == Outcome::Allow {
            prop_assert_eq!(chain.satisfied, chain.steps);
            prop_assert_eq!(req.approvals.len(), usize::from(chain.steps));
            // Maker-checker: never the requester, never one person twice.
            let ids: Vec<String> = req
                .approvals
                .iter()
                .map(|a| a.by.id().as_str().to_lowercase())
                .collect();
            prop_assert!(!ids.contains(&req.subject.id.as_str().to_lowercase()));
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), ids.len());
            // Every approval is for its own step, none after the decision.
            for (i, a) in req.approvals.iter().enumerate() {
                prop_assert_eq!(a.step as usize, i + 1);
                prop_assert!(a.at <= now());
            }
        }
        if d.outcome == Outcome::Pending {
            prop_assert!(chain.satisfied < chain.steps);
            prop_assert_eq!(usize::from(chain.satisfied), req.approvals.len());
        }
        // A refusal found among the first approvals stands whatever follows; a chain allowed
        // or waiting is waiting at every shorter prefix.
        for k in 0..req.approvals.len() {
            let mut prefix = req.clone();
            prefix.approvals.truncate(k);
            let p = decider.decide(&prefix);
            let Basis::Change(pc) = p.basis else {
                prop_assert!(false, "prefix not decided by its chain");
                unreachable!()
            };
            if d.outcome != Outcome::Deny {
                prop_assert_eq!(p.outcome, Outcome::Pending, "prefix {} of {:?}", k, req);
            }
            if p.outcome == Outcome::Deny {
                prop_assert_eq!(d.outcome, Outcome::Deny);
                prop_assert_eq!(
                    pc.problem.map(|x| x.refusal),
                    chain.problem.map(|x| x.refusal)
                );
            }
        }
        // An approval by the requester anywhere in the chain means no allow.
        if req
            .approvals
            .iter()
            .any(|a| a.by.id().same(req.subject.id.as_str()))
        {
            prop_assert_ne!(d.outcome, Outcome::Allow);
            // When the first such approval is the one at fault, it is refused as the
            // requester's own (unless it was already out of order or in the future).
            let mine = req
                .approvals
                .iter()
                .position(|a| a.by.id().same(req.subject.id.as_str()));
            if let Some(p) = chain
                .problem
                .filter(|p| p.approval.map(usize::from) == mine)
            {
                prop_assert!(matches!(
                    p.refusal,
                    ChangeRefusal::SelfApproval
                        | ChangeRefusal::OutOfOrder
                        | ChangeRefusal::ApprovalInFuture
                ));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{path}: {e}");
    }
    // The generator reaches every outcome, so the laws above are not vacuous.
    if path.ends_with("lifecycle") {
        let seen = seen.borrow();
        assert!(
            seen.iter().all(|n| *n > 0),
            "{path}: outcomes seen {seen:?}"
        );
    }
}

#[test]
fn lifecycle_laws_hold_on_the_lifecycle_example() {
    check("examples/policies/lifecycle");
}

#[test]
fn lifecycle_laws_hold_on_every_bundled_policy() {
    for p in [
        "policies/camden",
        "policies/devon",
        "policies/gloucestershire",
        "policies/nottingham-escr",
        "policies/nottingham-recording",
    ] {
        check(p);
    }
}

/// Regression: a temporary grant approved by its own holder counts for nothing (maker-checker,
/// as for every approval), however the policy names its approvers.
#[test]
fn a_self_approved_temporary_grant_does_not_count() {
    let loaded = support::load(std::path::Path::new("examples/policies/lifecycle"));
    let decider = Decider::new(&loaded.table);
    let json = r#"{"subject":{"id":"u-3002","organisation":"council"},"action":"view",
      "record":{"id":"R2","restriction":{"category":"sensitive","owner":"u-3002"}},
      "temporary_grants":[{"subject":"u-3002","kind":"task_access",
        "granted_at":"2026-11-20T09:00:00Z","duration":"2 weeks","approved_by":"u-3002"}],
      "at":"2026-11-22T10:00:00Z"}"#;
    let mut req = Request::from_json(json).unwrap();
    // The owner is granted anyway; take the owner away from the grant's holder by naming
    // another owner, so only the grant could let them in.
    req.record.restriction.as_mut().unwrap().owner = Some(id("u-9999"));
    req.temporary_grants[0].approved_by = GrantApprover::Id(id("u-3002"));
    let d = decider.decide(&req);
    assert_eq!(d.outcome, Outcome::Deny, "{d:?}");
}

/// Regression (Schemathesis ST202): JSON Schema's `integer` includes `2.0`, so a count written
/// that way is read as 2, and a fraction is refused naming its field.
#[test]
fn a_count_written_with_a_zero_fraction_is_read_and_a_fraction_refused() {
    let request = |renewals: &str, step: &str| {
        format!(
            r#"{{"subject":{{"id":"u-1","organisation":"council"}},"action":"renew_temporary","record":{{"id":"R1"}},"change":{{"category":"sensitive","kind":"task_access","renewals":{renewals}}},"approvals":[{{"step":{step},"by":"u-2","at":"2026-11-20T09:00:00Z"}}]}}"#
        )
    };
    let read = Request::from_json(&request("2.0", "1.0")).unwrap();
    assert_eq!(read.change.as_ref().map(|c| c.renewals), Some(2));
    assert_eq!(read.approvals[0].step, 1);
    for (renewals, step, field) in [
        ("2.5", "1", "change.renewals"),
        ("2", "-1", "approvals[0].step"),
        ("4294967296.0", "1", "change.renewals"),
    ] {
        let err = Request::from_json(&request(renewals, step))
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{renewals} {step}: {err}");
    }
}

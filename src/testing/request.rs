//! A checked test case to the [`Request`] it decides: the checker validated every field, so
//! this only changes shape.

use crate::eval::request::{
    ActingFor, ChangeRequest, GivenApproval, GrantApprover, GrantDuration, Link, PlacedFlag,
    Record, RequestContext, Restriction, StatedApprover, Subject, TemporaryGrant,
};
use crate::eval::{Id, ListEntry, Request};
use crate::policy::{TestCase, TestListEntry, TestName, TestRestriction, TestSubject};

/// The request a test decides.
pub fn request(case: &TestCase) -> Request {
    let s = &case.subject;
    let r = &case.record;
    Request {
        subject: subject(s),
        action: case.action.name.clone(),
        record: Record {
            id: id(&r.id),
            section: r.section.as_ref().map(|s| s.name.clone()),
            teams: names(&r.teams),
            // One restriction travels as `restriction`, as most case-management systems send it;
            // several as `restrictions`.
            restriction: match r.restrictions.as_slice() {
                [one] => Some(restriction(one)),
                _ => None,
            },
            restrictions: match r.restrictions.as_slice() {
                [_] => Vec::new(),
                all => all.iter().map(restriction).collect(),
            },
            allocated_workers: r.allocated_workers.iter().map(|w| id(w)).collect(),
            allocated_managers: r.allocated_managers.iter().map(|m| id(m)).collect(),
            subject: r.subject.as_deref().map(id),
            relatives: r.relatives.iter().map(|x| id(x)).collect(),
            flags: r
                .flags
                .iter()
                .map(|f| PlacedFlag {
                    flag: f.name.clone(),
                    placed_on: None,
                    last_reviewed: r.flags_last_reviewed,
                    review_by: None,
                })
                .collect(),
            authors: r.authors.iter().map(|x| id(x)).collect(),
            facts: names(&r.facts),
            links: r
                .links
                .iter()
                .map(|l| Link {
                    record: id(&l.record),
                    link: l.link.name.clone(),
                    restrictions: l.restrictions.iter().map(restriction).collect(),
                })
                .collect(),
        },
        temporary_grants: case
            .temporary_grants
            .iter()
            .map(|g| TemporaryGrant {
                subject: id(&g.holder),
                record: None,
                actions: g.actions.as_deref().map(names),
                granted_at: g.granted_at,
                duration: GrantDuration(g.duration),
                approved_by: approver(&g.approved_by, &g.approver_roles, &g.approver_teams),
                kind: g.kind.as_ref().map(|k| k.name.clone()),
                renewals: g.renewals,
            })
            .collect(),
        at: Some(case.at),
        context: RequestContext(
            case.context
                .iter()
                .map(|c| (c.context.name.clone(), c.value.name.clone()))
                .collect(),
        ),
        change: case.change.as_ref().map(|c| ChangeRequest {
            category: c.category.as_ref().map(|n| n.name.clone()),
            kind: c.kind.as_ref().map(|n| n.name.clone()),
            flag: c.flag.as_ref().map(|n| n.name.clone()),
            renewals: c.renewals,
            line_manager: c.line_manager.as_deref().map(id),
        }),
        approvals: case
            .approvals
            .iter()
            .map(|a| GivenApproval {
                step: a.step,
                by: approver(&a.by, &a.roles, &a.teams),
                at: a.at,
            })
            .collect(),
        acting_for: case.acting_for.as_ref().map(|a| ActingFor {
            subject: subject(&a.subject),
            approved_by: approver(&a.approved_by, &a.approver_roles, &a.approver_teams),
            from: a.from,
            until: a.until,
        }),
    }
}

fn subject(s: &TestSubject) -> Subject {
    Subject {
        id: id(&s.id),
        roles: names(&s.roles),
        teams: names(&s.teams),
        organisation: s.organisation.name.clone(),
    }
}

/// An approver by id alone, or with the roles and teams the test states for them.
fn approver(by: &str, roles: &[TestName], teams: &[TestName]) -> GrantApprover {
    if roles.is_empty() && teams.is_empty() {
        GrantApprover::Id(id(by))
    } else {
        GrantApprover::Stated(StatedApprover {
            id: id(by),
            roles: names(roles),
            teams: names(teams),
        })
    }
}

fn restriction(r: &TestRestriction) -> Restriction {
    Restriction {
        category: r.category.name.clone(),
        placed_on: r.placed_on,
        last_reviewed: r.last_reviewed,
        review_by: r.review_by,
        ends: r.ends,
        renewals: r.renewals,
        owner: r.owner.as_deref().map(id),
        named_allow: r.named_allow.iter().map(entry).collect(),
        named_deny: r.named_deny.iter().map(entry).collect(),
    }
}

/// An id the checker validated (`policy::check_id`, the rule `Id::new` applies).
fn id(text: &str) -> Id {
    Id::trusted(text)
}

fn names(list: &[TestName]) -> Vec<String> {
    list.iter().map(|n| n.name.clone()).collect()
}

fn entry(e: &TestListEntry) -> ListEntry {
    match e {
        TestListEntry::Person(p) => ListEntry::Person(id(p)),
        TestListEntry::Team(t) => ListEntry::Team(t.name.clone()),
    }
}

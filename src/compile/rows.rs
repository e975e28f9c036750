//! One category of the checked policy to its compiled form: the decision lists in the order the
//! combining rule (docs/semantics.md) reads them, and the review, temporary-access, contact and
//! approval data resolved to names.

use super::table::{
    ActingEntry, ApprovalEntry, ApproverEntry, AtomEntry, CategoryTable, ChainEntry, ContactEntry,
    DecisionList, Entry, LastsEntry, Layer, ReviewEntry, Row, RowEffect, ScheduleEntry,
    TemporaryEntry, UnstatedApprovalEntry,
};
use crate::policy::words::atom_title;
use crate::policy::{
    ActionId, Approval, Approver, ApproverPart, Atom, Category, CategoryKind, Chain, Condition,
    Disclosure, Effect, ObligationId, Policy, Purpose, Relation, RestrictionType, Review, Schedule,
    View,
};
use crate::span::{SourceMap, Span};

/// A category's or a flag's review, resolved to names.
pub(super) fn review(p: &Policy, r: &Review, sources: &SourceMap) -> ReviewEntry {
    ReviewEntry {
        schedule: match &r.schedule {
            Schedule::Every(period) => ScheduleEntry::Every { period: *period },
            Schedule::Never(reason) => ScheduleEntry::Never {
                reason: reason.clone(),
            },
            Schedule::Until(event) => ScheduleEntry::Until {
                event: event.clone(),
            },
            Schedule::Unstated(reason) => ScheduleEntry::Unstated {
                reason: reason.clone(),
            },
        },
        until: r.until.clone(),
        reviewer: r.reviewer.as_ref().map(|ch| chain(p, ch, sources)),
        source: sources.cite_in_policy(r.span),
    }
}

/// Compiles one category (or the unrestricted block).
pub(super) fn category(
    p: &Policy,
    c: &Category,
    kind: CategoryKind,
    sources: &SourceMap,
) -> CategoryTable {
    let decisions = (0..p.actions.len())
        .map(|a| DecisionList {
            action: p.actions[a].name.clone(),
            rows: rows(c, kind, a as ActionId, sources),
        })
        .collect();
    CategoryTable {
        name: c.name.clone(),
        kind,
        title: c.title.clone(),
        criteria: c.criteria.clone(),
        restriction: c.restriction,
        denied_view: c.denied_view,
        // The unrestricted block has nothing to conceal: its refusals are the same whether or
        // not the record is restricted, so they are explained in full.
        disclose: match kind {
            CategoryKind::Restriction => p.disclosure(c),
            CategoryKind::Unrestricted => Disclosure::everything(),
        },
        protects: c.protects.clone(),
        reaches: c.reaches.clone(),
        source: sources.cite_in_policy(c.span),
        review: c.review.as_ref().map(|r| review(p, r, sources)),
        lasts: c.lasts.map(|l| LastsEntry {
            max: l.max,
            renewable: l.renewable,
            notify: l.notify,
            source: sources.cite_in_policy(l.span),
        }),
        temporary: c
            .temporary
            .iter()
            .map(|t| TemporaryEntry {
                kind: t.kind.as_ref().map(|(name, title)| Entry {
                    name: name.clone(),
                    title: title.clone(),
                }),
                actions: t.actions.iter().collect(),
                max: t.max,
                to: t.to.clone(),
                approved_by: t.approved_by.iter().map(|a| approver(p, a)).collect(),
                renewable: t.renewable,
                notify: t.notify,
                obligations: t.obligations.clone(),
                source: sources.cite_in_policy(t.span),
            })
            .collect(),
        contact: c.contact.as_ref().map(|k| ContactEntry {
            who: AtomEntry {
                atom: k.who,
                description: atom_title(p, k.who),
            },
            text: k.text.clone(),
            source: sources.cite_in_policy(k.span),
        }),
        approvals: Purpose::ALL
            .iter()
            .filter(|p| **p != Purpose::Flag)
            .filter_map(|&purpose| {
                let own = c.approvals.iter().find(|a| a.purpose == purpose);
                let a = p.approval(c, purpose)?;
                Some(approval(p, a, own.is_none(), sources))
            })
            .collect(),
        unstated_approvals: Purpose::ALL
            .iter()
            .filter(|p| **p != Purpose::Flag)
            .filter_map(|&purpose| {
                let u = p.unstated_approval(c, purpose)?;
                Some(UnstatedApprovalEntry {
                    purpose,
                    reason: u.reason.clone(),
                    inherited: !c
                        .unstated_approvals
                        .iter()
                        .any(|own| own.purpose == purpose),
                    source: sources.cite_in_policy(u.span),
                })
            })
            .collect(),
        decisions,
    }
}

/// The decision list for one action: absolute denies, the named exclusion, temporary overrides,
/// denies, grants, temporary access, the default — each layer in source order.
fn rows(c: &Category, kind: CategoryKind, action: ActionId, sources: &SourceMap) -> Vec<Row> {
    // Each rule with its index in source order, which the row keeps as its identity.
    let covering = |effect: Effect| {
        c.rules
            .iter()
            .zip(0u32..)
            .filter(move |(r, _)| r.effect == effect && r.actions.contains(action))
    };
    let temporary = Offered::of(c, action);
    let mut out = Vec::new();
    for (r, i) in covering(Effect::AbsoluteDeny) {
        out.push(Row {
            id: r.id.clone(),
            layer: Layer::AbsoluteDeny,
            effect: RowEffect::Deny,
            condition: r.condition.clone(),
            view: r.shows.unwrap_or(c.denied_view),
            obligations: Vec::new(),
            source: sources.cite_in_policy(r.span),
            subjects_text: r.subjects_text.clone(),
            overrides: None,
            rule: Some(i),
        });
    }
    // An unrestricted record has no exclusion list, so the row could never match there.
    if kind == CategoryKind::Restriction {
        out.push(Row {
            id: format!("{}.named_exclusion", c.name),
            layer: Layer::NamedExclusion,
            effect: RowEffect::Deny,
            condition: Condition::atom(Atom::Relation(Relation::NamedDeny)),
            view: c.denied_view,
            obligations: Vec::new(),
            source: sources.cite_in_policy(c.span),
            subjects_text: Relation::NamedDeny.describe().to_string(),
            overrides: None,
            rule: None,
        });
    }
    let granted = Condition::atom(Atom::Relation(Relation::TemporaryGrant));
    if let Some(t) = &temporary {
        for (r, i) in covering(Effect::Deny) {
            out.push(Row {
                id: format!("{}.temporary", c.name),
                layer: Layer::TemporaryOverride,
                effect: RowEffect::Allow,
                condition: r.condition.and(&granted),
                view: View::Full,
                obligations: t.obligations.clone(),
                source: sources.cite_in_policy(t.span),
                subjects_text: format!("{} holding a valid temporary grant", r.subjects_text),
                overrides: Some(r.id.clone()),
                rule: Some(i),
            });
        }
    }
    for (r, i) in covering(Effect::Deny) {
        out.push(Row {
            id: r.id.clone(),
            layer: Layer::Deny,
            effect: RowEffect::Deny,
            condition: r.condition.clone(),
            view: r.shows.unwrap_or(c.denied_view),
            obligations: Vec::new(),
            source: sources.cite_in_policy(r.span),
            subjects_text: r.subjects_text.clone(),
            overrides: None,
            rule: Some(i),
        });
    }
    for (r, i) in covering(Effect::Grant) {
        out.push(Row {
            id: r.id.clone(),
            layer: Layer::Grant,
            effect: RowEffect::Allow,
            condition: r.condition.clone(),
            view: View::Full,
            obligations: r.obligations.clone(),
            source: sources.cite_in_policy(r.span),
            subjects_text: r.subjects_text.clone(),
            overrides: None,
            rule: Some(i),
        });
    }
    if let Some(t) = &temporary {
        out.push(Row {
            id: format!("{}.temporary", c.name),
            layer: Layer::Temporary,
            effect: RowEffect::Allow,
            condition: granted,
            view: View::Full,
            obligations: t.obligations.clone(),
            source: sources.cite_in_policy(t.span),
            subjects_text: Relation::TemporaryGrant.describe().to_string(),
            overrides: None,
            rule: None,
        });
    }
    let (effect, view, subjects_text) = match c.restriction {
        RestrictionType::Universal => (RowEffect::Deny, c.denied_view, "anyone not granted access"),
        RestrictionType::Exclude => (
            RowEffect::Allow,
            View::Full,
            "anyone not excluded (normal access)",
        ),
    };
    out.push(Row {
        id: format!("{}.default", c.name),
        layer: Layer::Default,
        effect,
        condition: Condition::everyone(),
        view,
        obligations: Vec::new(),
        source: sources.cite_in_policy(c.span),
        subjects_text: subjects_text.to_string(),
        overrides: None,
        rule: None,
    });
    out
}

/// What the kinds of temporary access covering one action give their rows: one pair of
/// temporary rows serves every kind (the evaluator sets `temporary_grant` for a valid grant of
/// any kind that covers the action), so the rows carry every such kind's obligations, in order,
/// and cite the first kind.
struct Offered {
    obligations: Vec<ObligationId>,
    span: Span,
}

impl Offered {
    fn of(c: &Category, action: ActionId) -> Option<Offered> {
        let mut kinds = c.temporary.iter().filter(|t| t.actions.contains(action));
        let first = kinds.next()?;
        let mut obligations = first.obligations.clone();
        for t in kinds {
            for o in &t.obligations {
                if !obligations.contains(o) {
                    obligations.push(*o);
                }
            }
        }
        Some(Offered {
            obligations,
            span: first.span,
        })
    }
}

/// The policy's `acting` statements, resolved to names.
pub(super) fn acting(p: &Policy, sources: &SourceMap) -> Vec<ActingEntry> {
    p.acting
        .iter()
        .map(|a| ActingEntry {
            max: a.max,
            approved_by: a.approved_by.iter().map(|x| approver(p, x)).collect(),
            source: sources.cite_in_policy(a.span),
        })
        .collect()
}

/// An approver with its description: its parts' titles joined by "and".
fn approver(p: &Policy, a: &Approver) -> ApproverEntry {
    let parts: Vec<String> = a
        .parts
        .iter()
        .map(|part| match part {
            ApproverPart::Atom(atom) => atom_title(p, *atom),
            ApproverPart::Board(b) => p
                .boards
                .get(*b as usize)
                .map_or_else(String::new, |b| b.named.title.clone()),
        })
        .collect();
    ApproverEntry {
        condition: a.condition.clone(),
        description: parts.join(" and "),
    }
}

/// A chain with `via` resolved to the escalation path's steps.
/// An approval as the table carries it.
pub(super) fn approval(
    p: &Policy,
    a: &Approval,
    inherited: bool,
    sources: &SourceMap,
) -> ApprovalEntry {
    ApprovalEntry {
        purpose: a.purpose,
        chain: chain(p, &a.chain, sources),
        inherited,
        valid_for: a.valid_for,
    }
}

fn chain(p: &Policy, c: &Chain, sources: &SourceMap) -> ChainEntry {
    let escalation = c.via.and_then(|v| p.escalations.get(v as usize));
    let steps = escalation.map_or(&c.steps, |e| &e.chain.steps);
    ChainEntry {
        steps: steps
            .iter()
            .map(|step| step.iter().map(|a| approver(p, a)).collect())
            .collect(),
        via: escalation.map(|e| Entry {
            name: e.named.name.clone(),
            title: e.named.title.clone(),
        }),
        source: sources.cite_in_policy(c.span),
    }
}

//! Lock-out checks: a category nobody can view even with temporary access (CL0204), an action
//! nobody may take on any record (CL0205), and approvers who may not themselves take the
//! action they approve (CL0209).

use super::rules::CategoryView;
use super::space::{Region, Space};
use crate::compile::table::Layer;
use crate::diag::{Code, Diagnostic};
use crate::policy::{ActionId, Approver, Atom, Effect, OrgKind, Purpose, Relation};

/// The action a lock-out is about: `view` when the policy declares it.
fn view_action(v: &CategoryView) -> Option<ActionId> {
    v.policy
        .actions
        .iter()
        .position(|a| a.name == "view")
        .map(|a| a as ActionId)
}

/// CL0204: nobody can view records of the category, not even with a temporary grant.
pub(super) fn locked_out(space: &Space, v: &CategoryView, out: &mut Vec<Diagnostic>) {
    let Some(view) = view_action(v) else { return };
    let Some(part) = v.partitions.get(view as usize) else {
        return;
    };
    if !part.allowed(space, v.table, view).is_empty() {
        return;
    }
    let mut d = Diagnostic::error(
        Code::LockedOut,
        format!(
            "nobody can view a record of category `{}`, not even with temporary access",
            v.category.name
        ),
        v.category.span,
        "no subject a request can describe is allowed `view` here",
    );
    for r in v
        .category
        .rules
        .iter()
        .filter(|r| r.effect != Effect::Grant && r.actions.contains(view))
    {
        d = d.with_label(r.span, format!("rule `{}` refuses `view`", r.id));
    }
    out.push(d.with_help(
        "grant `view` to whoever must open these records (at least the owner or the allocated worker), or offer temporary access",
    ));
}

/// CL0205: an action that no subject may take on any record the policy decides.
pub(super) fn dead_actions(space: &Space, views: &[CategoryView], out: &mut Vec<Diagnostic>) {
    let Some(first) = views.first() else { return };
    for (a, action) in first.policy.actions.iter().enumerate() {
        let a = a as ActionId;
        let anyone = views.iter().any(|v| {
            v.partitions
                .get(a as usize)
                .is_some_and(|p| !p.allowed(space, v.table, a).is_empty())
        });
        if !anyone {
            out.push(
                Diagnostic::warning(
                    Code::ActionNeverAllowed,
                    format!(
                        "no subject may `{}` any record this policy decides",
                        action.name
                    ),
                    action.span,
                    "declared here, allowed nowhere",
                )
                .with_help("grant the action where it is meant to be allowed, or remove it"),
            );
        }
    }
}

/// CL0209: a temporary-access approver, or an access approver, none of whom may take the action
/// themselves (without a temporary grant of their own).
pub(super) fn denied_approvers(space: &Space, v: &CategoryView, out: &mut Vec<Diagnostic>) {
    let holds_grant = space.relation(Relation::TemporaryGrant);
    let allowed_without_grant = |a: ActionId| {
        v.partitions
            .get(a as usize)
            .map(|p| p.allowed(space, v.table, a).minus(&holds_grant))
    };
    for t in &v.category.temporary {
        // One region per action, shared by every approver.
        let allowed: Vec<(ActionId, Region)> = t
            .actions
            .iter()
            .filter_map(|a| allowed_without_grant(a).map(|r| (a, r)))
            .collect();
        for approver in &t.approved_by {
            for (a, allowed) in &allowed {
                if let Some(d) = check_approver(space, v, approver, *a, allowed) {
                    out.push(d(t.span, "temporary access"));
                    break;
                }
            }
        }
    }
    let Some(view) = view_action(v) else { return };
    let Some(allowed) = allowed_without_grant(view) else {
        return;
    };
    if let Some(approval) = v.policy.approval(v.category, Purpose::Access) {
        let steps = approval
            .chain
            .via
            .and_then(|e| v.policy.escalations.get(e as usize))
            .map_or(&approval.chain.steps, |e| &e.chain.steps);
        for approver in steps.iter().flatten() {
            if approver
                .condition_atoms()
                .any(|a| a == Atom::Relation(Relation::LineManager))
            {
                continue;
            }
            if let Some(d) = check_approver(space, v, approver, view, &allowed) {
                out.push(d(approval.chain.span, "access"));
            }
        }
    }
}

/// Whether `approver` can take `action` on the record.
///
/// A relation (`owner`, `allocated_manager`, `allocated_worker`) names the one person who
/// approves on this record, so holding it must be enough: the plainest subject who holds it
/// (no role, no team, no other relation, in an internal organisation when one can be) must be
/// allowed. Asking only whether *some* owner can act let an `owner` pass when the policy grants
/// the action to a role some owners happen to hold, while the owner as such cannot open the
/// record. A role, team or person names a pool the case-management system picks from, so there
/// it is enough that some of them can act. An approver of several parts (`role service_manager
/// and owner`) is read as a whole: one that names a relation is a relation's holder.
///
/// Returns the diagnostic to report, given where and what was approved.
fn check_approver<'v>(
    space: &Space,
    v: &'v CategoryView,
    approver: &'v Approver,
    action: ActionId,
    allowed: &Region,
) -> Option<impl FnOnce(crate::span::Span, &str) -> Diagnostic + 'v> {
    let who = space
        .condition(0, v.table, action, &approver.condition)
        .and(&space.known(0));
    let refused = if approver.names_relation() {
        let internal = who.and(&space.atom(0, v.table, action, Atom::OrgKind(OrgKind::Internal)));
        let plain = space.witness(if internal.is_empty() { &who } else { &internal })?;
        (!space.contains(&space.in_some_context(allowed), &plain)).then_some(plain)
    } else if who.overlaps(allowed) {
        None
    } else {
        space.witness(&who)
    }?;
    Some(move |span, what: &str| {
        denied(v, approver, action, span, what)
            .with_note(format!("for example: {}", refused.describe()))
    })
}

fn denied(
    v: &CategoryView,
    approver: &Approver,
    action: ActionId,
    span: crate::span::Span,
    what: &str,
) -> Diagnostic {
    let name = approver.label(v.policy);
    let action_name = v
        .policy
        .actions
        .get(action as usize)
        .map_or("?", |a| a.name.as_str());
    let mut d = Diagnostic::error(
        Code::ApproverDenied,
        format!(
            "approver {name} may not `{action_name}` a `{}` record themselves",
            v.category.name
        ),
        span,
        format!("approves {what} here"),
    );
    for row in v
        .table
        .decisions
        .get(action as usize)
        .map_or(&[][..], |l| l.rows.as_slice())
        .iter()
        .filter(|r| matches!(r.layer, Layer::AbsoluteDeny | Layer::Deny))
    {
        let (s, n) = v.place(row);
        d = d.with_label(s, format!("{n} refuses them"));
    }
    d.with_help("choose an approver who can open the record, or narrow the rule that refuses them")
}

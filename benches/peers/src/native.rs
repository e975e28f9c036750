//! The floor: the Nottingham ESCR policy written by hand as a Rust function over the same typed
//! request caselock's engine-only measurement gets — what a developer would write for this one
//! policy with no policy engine at all.

use caselock::eval::{ListEntry, Request};

/// Whether the subject (or one of their own teams) is on a named list.
fn on_list<S: AsRef<str>>(req: &Request<S>, list: &[ListEntry<S>]) -> bool {
    let s = &req.subject;
    list.iter().any(|e| match e {
        ListEntry::Person(id) => id.same(s.id.as_str()),
        ListEntry::Team(t) => s.teams.iter().any(|x| x.as_ref() == t.as_ref()),
        ListEntry::Role(r) => holds(s.roles.as_slice(), r.as_ref()),
    })
}

/// Whether the subject holds a role, or one below it in the hierarchy.
fn holds<S: AsRef<str>>(roles: &[S], role: &str) -> bool {
    roles.iter().any(|x| {
        let x = x.as_ref();
        x == role || (x == "safeguarding_service_manager" && role == "service_manager")
    })
}

fn declared_role(x: &str) -> bool {
    matches!(
        x,
        "social_worker"
            | "team_manager"
            | "service_manager"
            | "safeguarding_head_of_service"
            | "safeguarding_service_manager"
            | "iro"
    )
}

fn declared_team(t: &str) -> bool {
    matches!(
        t,
        "emergency_duty" | "placements" | "insight_improvement" | "scimt"
    )
}

/// Whether every team and role a list names is declared.
fn declared<S: AsRef<str>>(list: &[ListEntry<S>]) -> bool {
    list.iter().all(|e| match e {
        ListEntry::Person(_) => true,
        ListEntry::Team(t) => declared_team(t.as_ref()),
        ListEntry::Role(r) => declared_role(r.as_ref()),
    })
}

/// Decides a request by the policy's rules, in the combining rule's order.
pub fn decide<S: AsRef<str>>(req: &Request<S>) -> bool {
    let s = &req.subject;
    let action = req.action.as_ref();
    if !matches!(action, "view" | "edit" | "add_note" | "report" | "share") {
        return false;
    }
    let partner = match s.organisation.as_ref() {
        "council" => false,
        "partner_agency" => true,
        _ => return false,
    };
    // Fail closed on a role or team the policy does not declare.
    if !s.roles.iter().all(|r| declared_role(r.as_ref()))
        || !s.teams.iter().all(|t| declared_team(t.as_ref()))
    {
        return false;
    }
    let rec = &req.record;
    let Some(r) = &rec.restriction else {
        // unrestricted { restriction exclude }
        return true;
    };
    // Fail closed on a team or role a list names that the policy does not declare.
    if !declared(&r.named_allow) || !declared(&r.named_deny) {
        return false;
    }
    let id = s.id.as_str();
    let allocated_worker = || rec.allocated_workers.iter().any(|x| x.same(id));
    let allocated_manager = || rec.allocated_managers.iter().any(|x| x.same(id));
    match r.category.as_ref() {
        "adoption" => {
            // deny all to partner organisations absolute; then the named exclusion
            if partner || on_list(req, &r.named_deny) {
                return false;
            }
            // grant view, edit, add_note / report / share to adoption_access
            s.teams.iter().any(|t| {
                matches!(
                    t.as_ref(),
                    "emergency_duty" | "placements" | "insight_improvement" | "scimt"
                )
            }) || s.roles.iter().any(|x| {
                matches!(
                    x.as_ref(),
                    "safeguarding_head_of_service" | "safeguarding_service_manager" | "iro"
                )
            }) || allocated_manager()
                || allocated_worker()
        }
        "high_profile" | "staff_conflict" | "high_risk" => {
            if on_list(req, &r.named_deny) {
                return false;
            }
            // grant view, edit, add_note to allocated_worker, allocated_manager, named_allow
            matches!(action, "view" | "edit" | "add_note")
                && (allocated_worker() || allocated_manager() || on_list(req, &r.named_allow))
        }
        _ => false,
    }
}

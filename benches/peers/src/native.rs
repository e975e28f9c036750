//! The floor: the Nottingham ESCR policy written by hand as a Rust function over the same typed
//! request caselock's engine-only measurement gets — what a developer would write for this one
//! policy with no policy engine at all.

use caselock::eval::Request;

/// Whether the subject (or one of their own teams) is on a named list.
fn on_list(req: &Request, list: &[String]) -> bool {
    let s = &req.subject;
    list.iter()
        .any(|x| *x == s.id || s.teams.iter().any(|t| t == x))
}

/// Decides a request by the policy's rules, in the combining rule's order.
pub fn decide(req: &Request) -> bool {
    let s = &req.subject;
    let action = req.action.as_str();
    if !matches!(action, "view" | "edit" | "add_note" | "report" | "share") {
        return false;
    }
    let partner = match s.organisation.as_str() {
        "council" => false,
        "partner_agency" => true,
        _ => return false,
    };
    // Fail closed on a role or team the policy does not declare.
    let declared_role = |x: &String| {
        matches!(
            x.as_str(),
            "social_worker"
                | "team_manager"
                | "service_manager"
                | "safeguarding_head_of_service"
                | "safeguarding_service_manager"
                | "iro"
        )
    };
    let declared_team = |t: &String| {
        matches!(
            t.as_str(),
            "emergency_duty" | "placements" | "insight_improvement" | "scimt"
        )
    };
    if !s.roles.iter().all(declared_role) || !s.teams.iter().all(declared_team) {
        return false;
    }
    let rec = &req.record;
    let Some(r) = &rec.restriction else {
        // unrestricted { restriction exclude }
        return true;
    };
    let allocated_worker = || rec.allocated_workers.contains(&s.id);
    let allocated_manager = || rec.allocated_managers.contains(&s.id);
    match r.category.as_str() {
        "adoption" => {
            // deny all to partner organisations absolute; then the named exclusion
            if partner || on_list(req, &r.named_deny) {
                return false;
            }
            // grant view, edit, add_note / report / share to adoption_access
            s.teams.iter().any(|t| {
                matches!(
                    t.as_str(),
                    "emergency_duty" | "placements" | "insight_improvement" | "scimt"
                )
            }) || s.roles.iter().any(|x| {
                matches!(
                    x.as_str(),
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

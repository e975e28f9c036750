//! `GET /why/{decision_id}`: the caseworker page. A case-management system that was refused
//! for a caseworker links them here; the page shows the caseworker explanation of that logged
//! decision, looked up on the server and explained again by the policy version that made it.
//! The address holds the decision id and the link's expiry and signature only ([`super::link`]),
//! or the request carries the service's bearer token (a case-management system that shows the
//! page itself). Anyone else gets a page that says nothing about the decision, the same whether
//! or not the decision exists. Nothing is logged: the page decides nothing.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;

use super::AppState;
use super::auth::{Caller, Scheme, token_caller};
use super::decisions::{Logged, LookupError, find_version, logged};
use super::link::{LinkProblem, LinkQuery};
use super::metrics::Timed;
use super::page::{self, Names};
use crate::eval::Audience;

/// What a person with no valid link is told: the same whatever the reason, but for expiry.
const NOT_VALID: &[&str] = &[
    "This link does not work. It may have been copied wrongly, or it was made for someone else.",
    "Go back to the case-management system and follow its link again.",
];

/// Serves the page.
pub(super) async fn why(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    let started = Instant::now();
    let r = match query {
        Ok(Query(link)) if link.well_formed() => answer(&state, &id, &headers, link).await,
        _ => page::message(
            StatusCode::BAD_REQUEST,
            "This link is not complete",
            &[
                "Part of the link is missing or was changed. Go back to the case-management system and follow its link again.",
            ],
            None,
        ),
    };
    state.metrics.observe(Timed::WhyPage, started.elapsed());
    r
}

async fn answer(state: &AppState, id: &str, headers: &HeaderMap, link: LinkQuery) -> Response {
    let caller = token_caller(state, headers, Scheme::Bearer);
    let now = Utc::now();
    if caller.is_none() {
        if !link.given() {
            return page::message(
                StatusCode::UNAUTHORIZED,
                "Follow the link from your case-management system",
                &[
                    "This page shows why you were refused access to a record, but only through the link the case-management system gives you.",
                    "Go back to the case-management system and follow its link.",
                ],
                Some("Bearer"),
            );
        }
        // Cheap refusals before anything is looked up.
        if let Err(p) = link.expiry(now) {
            return refused(p);
        }
    }
    let Logged { entry, .. } = match logged(state, id).await {
        Ok(l) => l,
        Err(LookupError::Unavailable(_)) => return unavailable(),
        // Without a token, a decision that does not exist looks like a link that is not valid.
        Err(_) if caller.is_none() => return refused(LinkProblem::NotValid),
        Err(_) => return missing(),
    };
    match &caller {
        None => {
            if let Err(p) = link.check(state.link_key.as_ref(), id, &entry.subject, now) {
                return refused(p);
            }
        }
        // A connected system sees only the decisions it asked for.
        Some(Caller::Client(c)) if entry.client.as_deref() != Some(c.name.as_str()) => {
            return missing();
        }
        Some(_) => {}
    }
    let Some(version) = find_version(state, &entry.policy_hash) else {
        return gone(id);
    };
    let again = version.decider.decide(&entry.request);
    if again.outcome != entry.decision {
        // INVARIANT: deciding is deterministic for a request with its time filled in; a
        // difference means the log and the policy disagree, so nothing is explained.
        return gone(id);
    }
    let response = version
        .decider
        .response(&entry.request, &again, Some(Audience::Caseworker));
    let asked = version
        .decider
        .table()
        .action_title(&entry.action)
        .unwrap_or(&entry.action)
        .to_string();
    let directory = state.directory.load();
    let names = Names::new(directory.as_deref(), &entry.request);
    let mut body = String::new();
    page::caseworker_view(&mut body, &response, &asked, Some(id), &names);
    let (title, heading) = match response.decision {
        crate::eval::Outcome::Allow => ("Access allowed", "Your access to this record"),
        crate::eval::Outcome::Deny => ("Access refused", "Why was I refused?"),
        crate::eval::Outcome::Pending => ("Waiting for approval", "Who must approve next"),
    };
    page::respond(
        StatusCode::OK,
        page::document(false, title, heading, &body),
        None,
    )
}

/// The page for a link that does not open the explanation.
fn refused(p: LinkProblem) -> Response {
    match p {
        LinkProblem::Expired => page::message(
            StatusCode::FORBIDDEN,
            "This link has expired",
            &[
                "Links to this page work for a short time only.",
                "Go back to the case-management system and follow its link again.",
            ],
            None,
        ),
        LinkProblem::Missing | LinkProblem::TooLong | LinkProblem::NotValid => page::message(
            StatusCode::FORBIDDEN,
            "This link does not work",
            NOT_VALID,
            None,
        ),
    }
}

/// No such decision, for a caller with a token.
fn missing() -> Response {
    page::message(
        StatusCode::NOT_FOUND,
        "No such decision",
        &["There is no decision with this reference in the decision log."],
        None,
    )
}

/// The decision cannot be explained again.
fn gone(id: &str) -> Response {
    let reference = format!(
        "Ask your line manager or the service desk for help, quoting decision reference {id}."
    );
    page::message(
        StatusCode::GONE,
        "This explanation is no longer available",
        &[
            "The policy that made this decision has changed since, so it cannot be explained here.",
            &reference,
        ],
        None,
    )
}

/// The log cannot be read.
fn unavailable() -> Response {
    page::message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sorry, the service is unavailable",
        &["Try again later; if it keeps happening, tell the service desk."],
        None,
    )
}

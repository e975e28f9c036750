//! The HTTP routes. Every refusal is a problem body; no input makes a 500.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Extension, Path, Query, Request as HttpRequest, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::authorise;
use super::decisions::{
    DecideQuery, Logged, LookupError, audience, decide, find_version, logged, parse,
};
use super::link::{DEFAULT_LIFETIME_SECS, MAX_LIFETIME_SECS};
use super::metrics::Timed;
use super::state::Slot;
use super::{AppState, Client, MAX_BODY, Problem, openapi, page, what_if, why};
use crate::eval::Audience;

/// The routes, each as `METHOD path`; the OpenAPI document must describe exactly these.
pub const ROUTES: &[&str] = &[
    "GET /",
    "GET /why/{decision_id}",
    "GET /what-if",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /openapi.json",
    "POST /v1/decisions",
    "POST /v1/policies/{policy_id}/decisions",
    "GET /v1/decisions/{decision_id}",
    "POST /v1/decisions/{decision_id}/link",
    "GET /v1/policy",
    "POST /v1/reload",
];

/// Every route, with the token check on `/v1` and `/metrics` and error counting on all.
pub(super) fn router(state: Arc<AppState>) -> Router {
    let v1 = Router::new()
        .route("/decisions", post(decide_default))
        .route("/policies/{policy_id}/decisions", post(decide_named))
        .route("/decisions/{decision_id}", get(logged_decision))
        .route("/decisions/{decision_id}/link", post(issue_link))
        .route("/policy", get(policy))
        .route("/reload", post(reload))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorise));
    let guarded_metrics = Router::new()
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorise));
    Router::new()
        .route("/", get(page::landing))
        .route("/why/{decision_id}", get(why::why))
        .route("/what-if", get(what_if::what_if))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi_json))
        .merge(guarded_metrics)
        .nest("/v1", v1)
        .fallback(|| async { Problem::not_found("no such route; see /openapi.json".to_string()) })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), count_errors))
        .with_state(state)
}

/// Only `/metrics`, without the token, for a separate metrics address.
pub(super) fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(|| async { Problem::not_found("only /metrics is served here".to_string()) })
        .with_state(state)
}

/// A JSON body with its content type.
fn json_response(value: impl Serialize) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        crate::json::to_vec(&value),
    )
        .into_response()
}

/// Counts error responses, and gives a 405 (which the router answers bare) a problem body.
async fn count_errors(
    State(state): State<Arc<AppState>>,
    req: HttpRequest,
    next: Next,
) -> Response {
    let r = next.run(req).await;
    let status = r.status();
    if status.is_client_error() || status.is_server_error() {
        state.metrics.error(status.as_u16());
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        let allow = r.headers().get(header::ALLOW).cloned();
        let mut out = Problem::method_not_allowed().into_response();
        if let Some(a) = allow {
            out.headers_mut().insert(header::ALLOW, a);
        }
        return out;
    }
    r
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        return Problem::unavailable("the service is shutting down".to_string()).into_response();
    }
    if let Some(log) = &state.log {
        if !log.healthy() {
            return Problem::unavailable(
                "the decision log cannot store decisions (it failed, or was deleted or replaced); no decisions are given"
                    .to_string(),
            )
            .into_response();
        }
    }
    json_response(json!({"ready": true, "policies": state.slots.len()})).into_response()
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let policies: Vec<(String, String, String)> = state
        .slots
        .iter()
        .map(|s| {
            let v = s.current.load();
            let version = v.version.map(|n| n.to_string()).unwrap_or_default();
            (v.id.clone(), version, v.hash.clone())
        })
        .collect();
    let text = state.metrics.render(
        &policies,
        state.log.as_ref().map(|l| {
            let (syncs, sync_seconds) = l.sync_totals();
            super::metrics::LogFigures {
                entries: l.head().seq,
                syncs,
                sync_seconds,
                healthy: l.healthy(),
            }
        }),
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

async fn openapi_json() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        openapi::OPENAPI,
    )
        .into_response()
}

async fn decide_default(
    State(state): State<Arc<AppState>>,
    client: Option<Extension<Arc<Client>>>,
    query: Result<Query<DecideQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let slot = state.default;
    decide_route(&state, slot, client.map(|c| c.0), query, body).await
}

async fn decide_named(
    State(state): State<Arc<AppState>>,
    client: Option<Extension<Arc<Client>>>,
    Path(policy_id): Path<String>,
    query: Result<Query<DecideQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(slot) = state
        .slots
        .iter()
        .position(|s| s.current.load().id == policy_id)
    else {
        return Problem::not_found(format!("no policy `{policy_id}` is served")).into_response();
    };
    decide_route(&state, slot, client.map(|c| c.0), query, body).await
}

async fn decide_route(
    state: &Arc<AppState>,
    slot: usize,
    client: Option<Arc<Client>>,
    query: Result<Query<DecideQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let result = async {
        let audience = audience(query)?;
        let bytes = body.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => Problem::too_large(MAX_BODY),
            other => Problem::invalid(None, other.body_text()),
        })?;
        let (batch, requests) = parse(&bytes)?;
        let answers = decide(state, slot, requests, audience, client.as_deref()).await?;
        let body = if batch {
            crate::json::to_vec(&answers)
        } else {
            crate::json::to_vec(&answers.first())
        };
        Ok::<_, Problem>(body)
    }
    .await;
    state.metrics.observe(Timed::Api, started.elapsed());
    match result {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(p) => p.into_response(),
    }
}

/// `GET /v1/decisions/{id}`: the logged decision, decided and explained again with the policy
/// version that made it.
async fn logged_decision(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    query: Result<Query<DecideQuery>, QueryRejection>,
) -> Response {
    let audience = match audience(query) {
        Ok(a) => a.unwrap_or(Audience::Caseworker),
        Err(p) => return p.into_response(),
    };
    let Logged { time, entry: d } = match logged(&state, &id).await {
        Ok(l) => l,
        Err(e) => return lookup_problem(&id, e).into_response(),
    };
    let version = find_version(&state, &d.policy_hash);
    let mut out = match &version {
        Some(v) => {
            let again = v.decider.decide(&d.request);
            let response = v.decider.response(&d.request, &again, Some(audience));
            let matches = response.decision == d.decision && response.rule == d.rule;
            let mut value = crate::json::to_value(&response);
            if let Value::Object(m) = &mut value {
                m.insert("matches_log".into(), Value::Bool(matches));
            }
            value
        }
        None => json!({
            "decision": d.decision,
            "rule": d.rule,
            "policy_hash": d.policy_hash,
            "explanation": null,
            "note": "the policy version that made this decision is no longer loaded, so it cannot be explained again",
        }),
    };
    if let Value::Object(m) = &mut out {
        m.insert("decision_id".into(), json!(d.decision_id));
        m.insert("logged_at".into(), json!(time));
        m.insert("policy_id".into(), json!(d.policy_id));
        m.insert("policy_version".into(), json!(d.policy_version));
        m.insert("request".into(), json!(d.request));
    }
    json_response(out).into_response()
}

/// The query of `POST /v1/decisions/{decision_id}/link`.
#[derive(Debug, Deserialize)]
struct LinkParams {
    /// Seconds the link stays valid.
    lifetime: Option<String>,
}

/// `POST /v1/decisions/{decision_id}/link`: a signed link to the caseworker page for a logged
/// decision, for the case-management system to give the caseworker it asked for.
async fn issue_link(
    State(state): State<Arc<AppState>>,
    client: Option<Extension<Arc<Client>>>,
    Path(id): Path<String>,
    query: Result<Query<LinkParams>, QueryRejection>,
) -> Response {
    let Some(key) = &state.link_key else {
        return Problem::not_found(
            "this service issues no caseworker links (start it with `--link-key FILE`)".to_string(),
        )
        .into_response();
    };
    let lifetime = match query.map(|q| q.0.lifetime) {
        Ok(None) => DEFAULT_LIFETIME_SECS,
        Ok(Some(t)) => match t.parse::<i64>() {
            Ok(n) if (60..=MAX_LIFETIME_SECS).contains(&n) => n,
            _ => {
                return Problem::invalid(
                    Some("lifetime".to_string()),
                    format!(
                        "`lifetime` must be a whole number of seconds from 60 to {MAX_LIFETIME_SECS}"
                    ),
                )
                .into_response();
            }
        },
        Err(e) => {
            return Problem::invalid(Some("lifetime".to_string()), e.body_text()).into_response();
        }
    };
    let Logged { entry, .. } = match logged(&state, &id).await {
        Ok(l) => l,
        Err(e) => return lookup_problem(&id, e).into_response(),
    };
    // A connected system links only to the decisions it asked for.
    if let Some(Extension(c)) = &client {
        if entry.client.as_deref() != Some(c.name.as_str()) {
            return lookup_problem(&id, LookupError::Missing).into_response();
        }
    }
    let expires = Utc::now() + chrono::Duration::seconds(lifetime);
    json_response(json!({
        "url": super::link::path(key, &id, &entry.subject, expires),
        "expires_at": expires,
    }))
    .into_response()
}

/// Why a logged decision cannot be read, as a problem.
fn lookup_problem(id: &str, e: LookupError) -> Problem {
    match e {
        LookupError::NoLog => Problem::not_found(
            "this service keeps no decision log (start it with `--log FILE`)".to_string(),
        ),
        LookupError::Missing => Problem::not_found(format!("no decision `{id}` in the log")),
        LookupError::Unavailable(e) => Problem::log_unavailable(e),
    }
}

/// One policy as `GET /v1/policy` shows it.
fn describe(slot: &Slot, default: bool) -> Value {
    let v = slot.current.load();
    json!({
        "id": v.id,
        "title": v.title,
        "version": v.version,
        "hash": v.hash,
        "loaded_at": v.loaded_at,
        "categories": v.categories,
        "source": crate::loader::display_name(slot.origin.path()),
        "bundle": matches!(slot.origin, super::Origin::Bundle(_)),
        "signed_by": v.signed_by,
        "default": default,
        "last_reload_error": slot.failure(),
    })
}

async fn policy(State(state): State<Arc<AppState>>) -> Response {
    let all: Vec<Value> = state
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| describe(s, i == state.default))
        .collect();
    let mut out = all.get(state.default).cloned().unwrap_or(Value::Null);
    if let Value::Object(m) = &mut out {
        m.insert("policies".into(), Value::Array(all));
        m.insert(
            "log".into(),
            state.log.as_ref().map_or(Value::Null, |l| {
                let head = l.head();
                json!({
                    "path": l.describe(),
                    "entries": head.seq,
                    "head": head.to_string(),
                    "keyed": l.keyed(),
                    "healthy": l.healthy(),
                })
            }),
        );
        let clients = state
            .clients
            .as_ref()
            .map_or(Value::Null, |(_, set)| json!(set.load().names()));
        m.insert("clients".into(), clients);
    }
    json_response(out).into_response()
}

async fn reload(State(state): State<Arc<AppState>>) -> Response {
    let all: Vec<usize> = (0..state.slots.len()).collect();
    let outcomes = super::reload(&state, &all).await;
    let clients = super::reload_clients(&state);
    let directory = super::reload_directory(&state);
    let clients = match (clients, directory) {
        (Ok(names), Ok(())) => Ok(names),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let results = crate::json::to_value(&outcomes);
    let rejected: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.error.is_some())
        .map(|o| o.policy_id.as_str())
        .collect();
    match (rejected.is_empty(), clients) {
        (true, Ok(names)) => {
            json_response(json!({ "results": results, "clients": names })).into_response()
        }
        (_, Err(e)) => Problem::reload_failed(e, results).into_response(),
        (false, Ok(_)) => Problem::reload_failed(
            format!(
                "refused the new version of {}; see `results` and GET /v1/policy",
                rejected.join(", ")
            ),
            results,
        )
        .into_response(),
    }
}

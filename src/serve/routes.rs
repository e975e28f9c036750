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
use sha2::Digest;

use super::state::{Slot, Version};
use super::{AppState, Client, MAX_BATCH, MAX_BODY, Problem, openapi, page};
use crate::audit::{DecisionEntry, DecisionId, Event, Pending};
use crate::eval::{self, Audience, Object, Request};

/// The routes, each as `METHOD path`; the OpenAPI document must describe exactly these.
pub const ROUTES: &[&str] = &[
    "GET /",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /openapi.json",
    "POST /v1/decisions",
    "POST /v1/policies/{policy_id}/decisions",
    "GET /v1/decisions/{decision_id}",
    "GET /v1/policy",
    "POST /v1/reload",
];

/// Every route, with the token check on `/v1` and `/metrics` and error counting on all.
pub(super) fn router(state: Arc<AppState>) -> Router {
    let v1 = Router::new()
        .route("/decisions", post(decide_default))
        .route("/policies/{policy_id}/decisions", post(decide_named))
        .route("/decisions/{decision_id}", get(logged_decision))
        .route("/policy", get(policy))
        .route("/reload", post(reload))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorise));
    let guarded_metrics = Router::new()
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorise));
    Router::new()
        .route("/", get(page::page))
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

/// Requires the bearer token, when the service has one. The scheme name is case-insensitive
/// (RFC 9110); the token is compared as a SHA-256 digest in constant time, so neither its bytes
/// nor its length show in the timing.
async fn authorise(
    State(state): State<Arc<AppState>>,
    mut req: HttpRequest,
    next: Next,
) -> Response {
    if state.token.is_none() && state.clients.is_none() {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| bearer(v.as_bytes()))
        .map(<[u8]>::to_vec);
    let Some(given) = given else {
        return Problem::unauthorized().into_response();
    };
    if let Some((_, set)) = &state.clients {
        if let Some(client) = set.load().find(&given) {
            req.extensions_mut().insert(client);
            return next.run(req).await;
        }
    }
    let shared = state.token.as_ref().is_some_and(|want| {
        let digest: [u8; 32] = sha2::Sha256::digest(&given).into();
        bool::from(subtle::ConstantTimeEq::ct_eq(&digest[..], &want[..]))
    });
    if shared {
        next.run(req).await
    } else {
        Problem::unauthorized().into_response()
    }
}

/// The token of an `Authorization: Bearer <token>` value, the scheme in any case.
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
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

/// The query of the decision routes.
#[derive(Debug, Deserialize)]
pub(super) struct DecideQuery {
    explain: Option<String>,
}

/// The audience `?explain=` names.
pub(super) fn audience(
    q: Result<Query<DecideQuery>, QueryRejection>,
) -> Result<Option<Audience>, Problem> {
    let Query(q) = q.map_err(|e| Problem::invalid(Some("explain".to_string()), e.body_text()))?;
    match q.explain.as_deref() {
        None => Ok(None),
        Some("caseworker") => Ok(Some(Audience::Caseworker)),
        Some("auditor") => Ok(Some(Audience::Auditor)),
        Some(other) => Err(Problem::invalid(
            Some("explain".to_string()),
            format!("`explain` must be `caseworker` or `auditor`, not `{other}`"),
        )),
    }
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
    state.metrics.observe(started.elapsed());
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

/// One request, or a batch, from a body: an input error names the field at fault.
pub(super) fn parse(bytes: &[u8]) -> Result<(bool, Vec<Request>), Problem> {
    let batch = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => true,
        Some(b'{') => false,
        None => {
            return Err(Problem::invalid(
                None,
                "the body is empty; send a request object, or an array of them".to_string(),
            ));
        }
        Some(_) => {
            return Err(Problem::invalid(
                None,
                "the body must be a JSON object (one request) or an array (a batch)".to_string(),
            ));
        }
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let requests = if batch {
        serde_path_to_error::deserialize::<_, Vec<Object<Request>>>(&mut de)
            .map(|v| v.into_iter().map(|o| o.0).collect())
    } else {
        serde_path_to_error::deserialize::<_, Object<Request>>(&mut de).map(|o| vec![o.0])
    }
    .map_err(field_error)?;
    de.end()
        .map_err(|e| Problem::invalid(None, format!("malformed JSON: {e}")))?;
    if requests.len() > MAX_BATCH {
        return Err(Problem::invalid(
            None,
            format!(
                "a batch holds at most {MAX_BATCH} requests; this one holds {}",
                requests.len()
            ),
        ));
    }
    Ok((batch, requests))
}

/// A deserialisation error as a problem naming the field.
pub(super) fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return Problem::invalid(None, format!("malformed JSON: {inner}"));
    }
    let message = inner.to_string();
    // A missing field is reported on the object that lacks it; name the field itself.
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (path.as_str(), named) {
        (".", Some(f)) => f.to_string(),
        (p, Some(f)) => format!("{p}.{f}"),
        (p, None) => p.to_string(),
    };
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    Problem::invalid(Some(field.clone()), format!("`{field}`: {message}"))
}

/// A decision as the service answers it: the evaluator's decision with the id it was logged under
/// and the policy that made it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(rename = "ServiceDecision", deny_unknown_fields)]
pub(super) struct Answer {
    /// The id to look it up by.
    pub decision_id: String,
    /// The policy's id.
    pub policy_id: String,
    /// The policy's declared version.
    pub policy_version: Option<u32>,
    /// The decision.
    #[serde(flatten)]
    pub response: eval::Response,
}

/// Decides requests against the policy in `slot`, logs them, and answers only once logged.
pub(super) async fn decide(
    state: &Arc<AppState>,
    slot: usize,
    requests: Vec<Request>,
    audience: Option<Audience>,
    client: Option<&Client>,
) -> Result<Vec<Answer>, Problem> {
    let Some(version) = state.slots.get(slot).map(|s| s.current.load_full()) else {
        return Err(Problem::not_found("no such policy".to_string()));
    };
    let now = Utc::now();
    let mut responses = Vec::with_capacity(requests.len());
    let mut ids = Vec::with_capacity(requests.len());
    let mut pending = Vec::new();
    for mut req in requests {
        req.at.get_or_insert(now);
        // A system with its own names is translated first; an unmapped name is refused.
        let (req, unmapped) = match client.and_then(|c| c.mapping.as_ref()) {
            Some(m) => {
                let t = m.translate(req, &version.decider);
                (t.request, t.unmapped)
            }
            None => (req, Vec::new()),
        };
        let d = version.decider.decide(&req);
        let mut response = version.decider.response(&req, &d, audience);
        crate::mapping::explain(&unmapped, &mut response);
        let id = DecisionId::make(&state.instance);
        if state.log.is_some() {
            pending.push(Pending {
                time: now,
                event: Event::Decision(Box::new(DecisionEntry {
                    decision_id: id.clone(),
                    policy_id: version.id.clone(),
                    policy_version: version.version,
                    policy_hash: version.hash.clone(),
                    subject: req.subject.id.to_string(),
                    record: req.record.id.to_string(),
                    action: req.action.clone(),
                    decision: d.outcome,
                    rule: response.rule.clone(),
                    client: client.map(|c| c.name.clone()),
                    request: req,
                })),
            });
        }
        responses.push(response);
        ids.push(id);
    }
    if let Some(log) = &state.log {
        if !pending.is_empty() {
            log.append(pending)
                .await
                .map_err(|e| Problem::log_unavailable(e.to_string()))?;
        }
    }
    state
        .metrics
        .decided(slot, responses.iter().map(|r| r.decision));
    Ok(responses
        .into_iter()
        .zip(ids)
        .map(|(response, decision_id)| Answer {
            decision_id,
            policy_id: version.id.clone(),
            policy_version: version.version,
            response,
        })
        .collect())
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
    let Some(log) = state.log.clone() else {
        return Problem::not_found(
            "this service keeps no decision log (start it with `--log FILE`)".to_string(),
        )
        .into_response();
    };
    let missing = || Problem::not_found(format!("no decision `{id}` in the log")).into_response();
    let entry = match log.read_decision(&id).await {
        Ok(Some(e)) => e,
        Ok(None) => return missing(),
        Err(e) => return Problem::log_unavailable(e.to_string()).into_response(),
    };
    let Event::Decision(d) = entry.event else {
        return missing();
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
        m.insert("logged_at".into(), json!(entry.time));
        m.insert("policy_id".into(), json!(d.policy_id));
        m.insert("policy_version".into(), json!(d.policy_version));
        m.insert("request".into(), json!(d.request));
    }
    json_response(out).into_response()
}

/// The served or remembered version with this hash.
fn find_version(state: &AppState, hash: &str) -> Option<Arc<Version>> {
    state
        .slots
        .iter()
        .map(|s| s.current.load_full())
        .find(|v| v.hash == hash)
        .or_else(|| state.history.get(hash))
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

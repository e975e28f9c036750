//! Deciding requests for the service and finding logged decisions: what the JSON routes, the
//! caseworker page and the what-if tool share, so none of them imports another.

use std::sync::Arc;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::state::Version;
use super::{AppState, Client, MAX_BATCH, Problem};
use crate::audit::{DecisionEntry, DecisionId, Event, Pending};
use crate::eval::{self, Audience, Object, Request};

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
    if !batch {
        if let Some(req) = Request::scanned_owned(bytes) {
            return Ok((false, vec![req]));
        }
    }
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

/// The served or remembered version with this hash.
pub(super) fn find_version(state: &AppState, hash: &str) -> Option<Arc<Version>> {
    state
        .slots
        .iter()
        .map(|s| s.current.load_full())
        .find(|v| v.hash == hash)
        .or_else(|| state.history.get(hash))
}

/// A decision read back from the log, with when it was logged.
#[derive(Debug)]
pub(super) struct Logged {
    /// When it was decided.
    pub time: DateTime<Utc>,
    /// The entry.
    pub entry: Box<DecisionEntry>,
}

/// Why a logged decision cannot be read.
#[derive(Debug)]
pub(super) enum LookupError {
    /// The service keeps no log that can be read back.
    NoLog,
    /// No decision has this id.
    Missing,
    /// The log could not be read.
    Unavailable(String),
}

/// The logged decision with this id.
pub(super) async fn logged(state: &AppState, id: &str) -> Result<Logged, LookupError> {
    let Some(log) = state.log.clone() else {
        return Err(LookupError::NoLog);
    };
    let entry = match log.read_decision(id).await {
        Ok(Some(e)) => e,
        Ok(None) => return Err(LookupError::Missing),
        Err(e) => return Err(LookupError::Unavailable(e.to_string())),
    };
    match entry.event {
        Event::Decision(d) => Ok(Logged {
            time: entry.time,
            entry: d,
        }),
        _ => Err(LookupError::Missing),
    }
}

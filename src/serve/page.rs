//! `GET /`: the caseworker page. A case-management system links to it with the request's fields
//! in the query; the page decides, and shows the decision with the caseworker explanation, who to
//! contact, how to ask for temporary access and what the caseworker must do — only what the
//! caseworker response carries, so nothing the policy conceals. One server-rendered HTML
//! document: no script, no external assets, a plain GET form, so it works without JavaScript.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::routes::{Answer, decide, field_error};
use super::{AppState, Problem};
use crate::eval::{Audience, Outcome, Request};
use crate::report::html_escape as esc;

/// A page field: query name, label, hint, and whether it takes a comma-separated list.
struct Field {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    list: bool,
}

const fn field(name: &'static str, label: &'static str, hint: &'static str, list: bool) -> Field {
    Field {
        name,
        label,
        hint,
        list,
    }
}

const WHO: &[Field] = &[
    field(
        "subject",
        "Your user id",
        "as the case-management system knows you",
        false,
    ),
    field("roles", "Your roles", "separate several with commas", true),
    field("teams", "Your teams", "separate several with commas", true),
    field("organisation", "Your organisation", "", false),
    field("action", "What you want to do", "for example view", false),
];

const RECORD: &[Field] = &[
    field("record", "Record id", "", false),
    field(
        "category",
        "Restriction category",
        "leave empty if the record is not restricted",
        false,
    ),
    field("placed_on", "Restriction placed on", "YYYY-MM-DD", false),
    field("last_reviewed", "Last reviewed", "YYYY-MM-DD", false),
    field("review_by", "Review by", "YYYY-MM-DD", false),
    field("owner", "Restriction owner's user id", "", false),
    field(
        "named_allow",
        "Named on the access list",
        "user ids or teams, separated by commas",
        true,
    ),
    field(
        "named_deny",
        "Named on the exclusion list",
        "user ids or teams, separated by commas",
        true,
    ),
    field(
        "allocated_workers",
        "Allocated workers",
        "user ids, separated by commas",
        true,
    ),
    field(
        "allocated_managers",
        "Allocated managers",
        "user ids, separated by commas",
        true,
    ),
    field(
        "record_teams",
        "Teams responsible for the record",
        "separated by commas",
        true,
    ),
];

/// Serves the page: the form, and the decision when the query holds a request.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let slot = match q.get("policy").filter(|p| !p.is_empty()) {
        None => Ok(state.default),
        Some(id) => state
            .slots
            .iter()
            .position(|s| s.current.load().id == *id)
            .ok_or_else(|| {
                Problem::invalid(
                    Some("policy".to_string()),
                    format!("no policy `{id}` is served"),
                )
            }),
    };
    // Choosing a policy alone is not a question yet.
    let asked = q.iter().any(|(k, v)| k != "policy" && !v.trim().is_empty());
    let (status, result) = if !asked {
        (StatusCode::OK, None)
    } else {
        match slot.and_then(|s| request(&q).map(|r| (s, r))) {
            Err(p) => (StatusCode::BAD_REQUEST, Some(Err(p))),
            Ok((s, req)) => {
                match decide(&state, s, vec![req], Some(Audience::Caseworker), None).await {
                    Ok(mut a) => (StatusCode::OK, a.pop().map(Ok)),
                    Err(p) => (
                        StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
                        Some(Err(p)),
                    ),
                }
            }
        }
    };
    let policies: Vec<String> = state
        .slots
        .iter()
        .map(|s| s.current.load().id.clone())
        .collect();
    let html = render(&q, &policies, result.as_ref());
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The query holds ids: keep it out of caches and other sites' referrer logs.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
        ),
    );
    r
}

/// The request the query describes; input errors name the page's field.
fn request(q: &HashMap<String, String>) -> Result<Request, Problem> {
    let text = |k: &str| {
        q.get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| Value::String(v.to_string()))
    };
    let list = |k: &str| {
        Value::Array(
            q.get(k)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    };
    let mut record = Map::new();
    record.insert("id".into(), text("record").unwrap_or(Value::Null));
    record.insert("teams".into(), list("record_teams"));
    record.insert("allocated_workers".into(), list("allocated_workers"));
    record.insert("allocated_managers".into(), list("allocated_managers"));
    if let Some(category) = text("category") {
        let mut r = Map::new();
        r.insert("category".into(), category);
        for k in ["placed_on", "last_reviewed", "review_by", "owner"] {
            r.insert(k.into(), text(k).unwrap_or(Value::Null));
        }
        r.insert("named_allow".into(), list("named_allow"));
        r.insert("named_deny".into(), list("named_deny"));
        record.insert("restriction".into(), Value::Object(r));
    }
    let mut subject = Map::new();
    subject.insert("id".into(), text("subject").unwrap_or(Value::Null));
    subject.insert("roles".into(), list("roles"));
    subject.insert("teams".into(), list("teams"));
    subject.insert(
        "organisation".into(),
        text("organisation").unwrap_or(Value::Null),
    );
    let mut req = Map::new();
    req.insert("subject".into(), Value::Object(subject));
    req.insert("action".into(), text("action").unwrap_or(Value::Null));
    req.insert("record".into(), Value::Object(record));
    if let Some(at) = text("at") {
        req.insert("at".into(), at);
    }
    serde_path_to_error::deserialize::<_, Request>(Value::Object(req)).map_err(|e| {
        let mut p = field_error(e);
        // Name the page's field rather than the JSON path.
        p.field = p.field.map(|f| page_field(&f).to_string());
        p.detail = match &p.field {
            Some(f) => format!("“{}” is missing or not valid: {}", label_of(f), p.detail),
            None => p.detail,
        };
        p
    })
}

/// The page field a request path comes from.
fn page_field(path: &str) -> &str {
    match path {
        "subject.id" => "subject",
        "record.id" => "record",
        "record.teams" => "record_teams",
        "subject.organisation" => "organisation",
        p => p.rsplit('.').next().unwrap_or(p),
    }
}

fn label_of(name: &str) -> &str {
    WHO.iter()
        .chain(RECORD)
        .find(|f| f.name == name)
        .map_or(name, |f| f.label)
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#0b0c0c;background:#fff}\
main{max-width:44rem;margin:0 auto;padding:1rem}\
h1{font-size:1.75rem}\
.result{border-left:0.5rem solid;padding:0.5rem 1rem;margin:1rem 0}\
.allow{border-color:#00703c;background:#e8f5ee}\
.deny{border-color:#d4351c;background:#fdeeeb}\
.error{border:0.2rem solid #d4351c;padding:0.5rem 1rem}\
fieldset{border:1px solid #b1b4b6;margin:1rem 0;padding:0.5rem 1rem}\
label{display:block;font-weight:600;margin-top:0.75rem}\
.hint{display:block;color:#505a5f;font-weight:400}\
input,select{font:inherit;padding:0.3rem;width:100%;max-width:30rem;border:2px solid #0b0c0c}\
input:focus,select:focus,button:focus{outline:3px solid #fd0;outline-offset:0}\
button{font:inherit;font-weight:600;padding:0.5rem 1rem;margin-top:1rem;background:#00703c;color:#fff;border:0}\
.ref{color:#505a5f;font-size:0.9rem}";

/// The whole page.
fn render(
    q: &HashMap<String, String>,
    policies: &[String],
    result: Option<&Result<Answer, Problem>>,
) -> String {
    let mut h = String::with_capacity(8192);
    let title = match result {
        Some(Ok(a)) if a.response.decision == Outcome::Allow => "Access allowed",
        Some(Ok(_)) => "Access refused",
        Some(Err(_)) => "Check the details",
        None => "Check access to a record",
    };
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} – caselock</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>Can I open this record?</h1>\n"
    );
    match result {
        Some(Ok(a)) => decision(&mut h, a),
        Some(Err(p)) => {
            let _ = write!(
                h,
                "<div class=\"error\" role=\"alert\" id=\"problem\">\n<h2>Check the details</h2>\n<p>{}</p>\n</div>\n",
                esc(&p.detail)
            );
        }
        None => {}
    }
    form(&mut h, q, policies);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// The decision section: only what the caseworker response carries.
fn decision(h: &mut String, a: &Answer) {
    let r = &a.response;
    let (class, heading) = match r.decision {
        Outcome::Allow => ("allow", "You may open this record"),
        Outcome::Deny => ("deny", "You cannot open this record"),
    };
    let _ = write!(
        h,
        "<section class=\"result {class}\" aria-labelledby=\"decision\" id=\"result\">\n\
         <h2 id=\"decision\">{heading}</h2>\n"
    );
    let view = match (r.decision, r.view.as_str()) {
        (Outcome::Allow, "minimal") => Some("You will see a limited view of it."),
        (Outcome::Deny, "minimal") => Some("You can see a limited summary of it only."),
        (Outcome::Deny, "notice") => Some("You can see a notice that access is restricted only."),
        _ => None,
    };
    if let Some(v) = view {
        let _ = writeln!(h, "<p>{v}</p>");
    }
    if let Some(e) = &r.explanation {
        let _ = writeln!(h, "<p id=\"explanation\">{}</p>", esc(e));
    }
    let steps = &r.next_steps;
    if let Some(c) = &steps.contact {
        let who = match &c.subject_id {
            Some(id) => format!("{} (user id {})", c.description, id),
            None => c.description.clone(),
        };
        let _ = write!(
            h,
            "<h3>Who to contact</h3>\n<p id=\"contact\">{}</p>\n",
            esc(&who)
        );
        if !steps.escalation.is_empty() {
            h.push_str("<p>Who approves access, in order:</p>\n<ol>\n");
            for s in &steps.escalation {
                let _ = writeln!(h, "<li>{}</li>", esc(s));
            }
            h.push_str("</ol>\n");
        }
    }
    if let Some(t) = &steps.temporary_access {
        let text = if t.available {
            format!(
                "You can ask for temporary access for up to {}. It must be approved by {}.",
                t.max_duration,
                or_list(&t.approvers)
            )
        } else {
            "Temporary access exists for this record, but the policy does not let you hold it."
                .to_string()
        };
        let _ = write!(
            h,
            "<h3>Temporary access</h3>\n<p id=\"temporary\">{}</p>\n",
            esc(&text)
        );
    }
    if !r.obligations.is_empty() {
        h.push_str("<h3>What you must do</h3>\n<ul>\n");
        for o in &r.obligations {
            let _ = writeln!(h, "<li>{}</li>", esc(&o.text));
        }
        h.push_str("</ul>\n");
    }
    // About the asker's own input only: a review date would tell a refused person that the
    // record is restricted.
    let notes: Vec<_> = r
        .warnings
        .iter()
        .filter(|w| r.decision == Outcome::Allow || w.code != "review_overdue")
        .collect();
    if !notes.is_empty() {
        h.push_str("<h3>Please note</h3>\n<ul>\n");
        for w in notes {
            let _ = writeln!(h, "<li>{}</li>", esc(&w.message));
        }
        h.push_str("</ul>\n");
    }
    let _ = write!(
        h,
        "<p class=\"ref\">Decision reference <span id=\"decision-id\">{}</span>; policy {}{}.</p>\n</section>\n",
        esc(&a.decision_id),
        esc(&a.policy_id),
        a.policy_version
            .map(|v| format!(" version {v}"))
            .unwrap_or_default()
    );
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => "the person the policy names".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The form, filled in with the query.
fn form(h: &mut String, q: &HashMap<String, String>, policies: &[String]) {
    h.push_str("<form method=\"get\" action=\"/\">\n");
    if policies.len() > 1 {
        h.push_str(
            "<label for=\"policy\">Policy</label>\n<select id=\"policy\" name=\"policy\">\n",
        );
        let chosen = q.get("policy");
        for p in policies {
            let selected = if chosen == Some(p) { " selected" } else { "" };
            let _ = writeln!(h, "<option{selected}>{}</option>", esc(p));
        }
        h.push_str("</select>\n");
    }
    for (legend, fields) in [("Who is asking", WHO), ("The record", RECORD)] {
        let _ = writeln!(h, "<fieldset>\n<legend>{legend}</legend>");
        for f in fields {
            let value = q.get(f.name).map(String::as_str).unwrap_or_default();
            let hint = if f.hint.is_empty() {
                String::new()
            } else {
                format!(
                    " <span class=\"hint\" id=\"{}-hint\">{}</span>",
                    f.name, f.hint
                )
            };
            let described = if f.hint.is_empty() {
                String::new()
            } else {
                format!(" aria-describedby=\"{}-hint\"", f.name)
            };
            let _ = writeln!(
                h,
                "<label for=\"{n}\">{label}{hint}</label>\n<input id=\"{n}\" name=\"{n}\" type=\"text\" value=\"{v}\"{described}{list}>",
                n = f.name,
                label = f.label,
                v = esc(value),
                list = if f.list { " spellcheck=\"false\"" } else { "" },
            );
        }
        h.push_str("</fieldset>\n");
    }
    h.push_str("<button type=\"submit\">Check access</button>\n</form>\n");
}

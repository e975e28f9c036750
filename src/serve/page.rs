//! `GET /`: the caseworker page. A case-management system links to it with the request's fields
//! in the query; the page decides, and shows the decision with the caseworker explanation, who to
//! contact, how to ask for temporary access and what the caseworker must do — only what the
//! caseworker response carries, so nothing the policy conceals. One server-rendered HTML
//! document: no script, no external assets, a plain GET form, so it works without JavaScript.
//! Mistakes in the form are reported all at once in the GOV.UK pattern ([`super::form`]).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::AppState;
use super::form::{self, ERROR_PREFIX, FormErrors, TextField, parse_date};
use super::routes::{Answer, decide, field_error};
use crate::eval::id::IdProblem;
use crate::eval::{Audience, Id, Outcome, Request, WarningCode};
use crate::report::html_escape as esc;

/// A text field of the page.
const fn field(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    no_spellcheck: bool,
) -> TextField {
    TextField {
        name,
        label,
        hint,
        no_spellcheck,
    }
}

/// The hint of a field that takes a date.
const DATE_HINT: &str = "For example, 01/05/2026";
/// The hint of a list of people, teams and roles.
const ENTRIES_HINT: &str =
    "User ids, separated by commas. Write team:NAME for a team and role:NAME for a role";

const WHO: &[TextField] = &[
    field(
        "subject",
        "Your user id",
        "As the case-management system knows you",
        true,
    ),
    field("roles", "Your roles", "Separate several with commas", true),
    field("teams", "Your teams", "Separate several with commas", true),
    field("organisation", "Your organisation", "", false),
    field("action", "What you want to do", "For example, view", false),
];

const RECORD: &[TextField] = &[
    field("record", "Record id", "", true),
    field(
        "category",
        "Restriction category",
        "Leave empty if the record is not restricted",
        false,
    ),
    field("placed_on", "Restriction placed on", DATE_HINT, false),
    field("last_reviewed", "Last reviewed", DATE_HINT, false),
    field("review_by", "Review by", DATE_HINT, false),
    field("owner", "Restriction owner's user id", "", true),
    field(
        "named_allow",
        "Named on the access list",
        ENTRIES_HINT,
        true,
    ),
    field(
        "named_deny",
        "Named on the exclusion list",
        ENTRIES_HINT,
        true,
    ),
    field(
        "allocated_workers",
        "Allocated workers",
        "User ids, separated by commas",
        true,
    ),
    field(
        "allocated_managers",
        "Allocated managers",
        "User ids, separated by commas",
        true,
    ),
    field(
        "record_teams",
        "Teams responsible for the record",
        "Separate several with commas",
        true,
    ),
];

/// The fields a question needs, and what to say when one is empty.
const REQUIRED: &[(&str, &str)] = &[
    ("subject", "Enter your user id"),
    ("organisation", "Enter your organisation"),
    ("action", "Enter what you want to do, for example view"),
    ("record", "Enter the record id"),
];

/// The hidden field the form's button sends, so an empty form submitted is a question (and is
/// told what is missing) rather than a fresh page.
const SUBMITTED: &str = "check";

/// What the page shows under its heading.
enum Shown {
    /// The blank form.
    Form,
    /// A decision.
    Decided(Box<Answer>),
    /// What is wrong with the form, every field at once.
    Invalid(FormErrors),
}

/// Serves the page: the form, and the decision when the query holds a request.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    // Choosing a policy alone is not a question yet; the form's button always asks one.
    let asked =
        q.contains_key(SUBMITTED) || q.iter().any(|(k, v)| k != "policy" && !v.trim().is_empty());
    let (status, shown) = if !asked {
        (StatusCode::OK, Shown::Form)
    } else {
        let slot = match q.get("policy").filter(|p| !p.is_empty()) {
            None => Ok(state.default),
            Some(id) => state
                .slots
                .iter()
                .position(|s| s.current.load().id == *id)
                .ok_or(id),
        };
        let mut errors = FormErrors::new();
        if let Err(id) = &slot {
            errors.field(
                "policy",
                format!("Choose a policy this service has: there is no policy called {id}"),
            );
        }
        let req = request(&q, &mut errors);
        match (slot, req) {
            (Ok(s), Some(req)) if errors.is_empty() => {
                match decide(&state, s, vec![req], Some(Audience::Caseworker)).await {
                    Ok(mut a) => match a.pop() {
                        Some(a) => (StatusCode::OK, Shown::Decided(Box::new(a))),
                        None => {
                            errors.general(UNAVAILABLE);
                            (StatusCode::SERVICE_UNAVAILABLE, Shown::Invalid(errors))
                        }
                    },
                    Err(p) => {
                        errors.general(UNAVAILABLE);
                        (
                            StatusCode::from_u16(p.status)
                                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                            Shown::Invalid(errors),
                        )
                    }
                }
            }
            _ => {
                let order: Vec<&str> = std::iter::once("policy")
                    .chain(WHO.iter().chain(RECORD).map(|f| f.name))
                    .collect();
                errors.in_form_order(&order);
                (StatusCode::BAD_REQUEST, Shown::Invalid(errors))
            }
        }
    };
    let policies: Vec<String> = state
        .slots
        .iter()
        .map(|s| s.current.load().id.clone())
        .collect();
    let html = render(&q, &policies, &shown);
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

/// What to say when the service cannot answer (the decision could not be logged, or it is
/// shutting down).
const UNAVAILABLE: &str = "Sorry, the service cannot answer at the moment. Try again later; if it keeps happening, tell the service desk";

/// The request the query describes, or None with every mistake added to `errors` in the
/// form's order.
fn request(q: &HashMap<String, String>, errors: &mut FormErrors) -> Option<Request> {
    let value = |k: &str| q.get(k).map(|v| v.trim()).unwrap_or_default();
    for (k, message) in REQUIRED {
        if value(k).is_empty() {
            errors.field(k, *message);
        }
    }
    for k in ["subject", "record", "owner"] {
        // An empty field is not an id problem: required fields say so themselves.
        if let Err(p) = Some(value(k))
            .filter(|v| !v.is_empty())
            .map_or(Ok(()), |v| Id::new(v).map(drop))
        {
            errors.field(k, format!("{} {}", label_of(k), id_problem(p)));
        }
    }
    for k in ["allocated_workers", "allocated_managers"] {
        for item in items(value(k)) {
            if let Err(p) = Id::new(item) {
                errors.field(
                    k,
                    format!("{} must be user ids: {}", label_of(k), id_problem(p)),
                );
                break;
            }
        }
    }
    let mut entries = Map::new();
    for k in ["named_allow", "named_deny"] {
        let mut list = Vec::new();
        for item in items(value(k)) {
            match entry(item) {
                Ok(e) => list.push(e),
                Err(message) => {
                    errors.field(k, format!("{}: {message}", label_of(k)));
                    break;
                }
            }
        }
        entries.insert(k.to_string(), Value::Array(list));
    }
    let mut dates = Map::new();
    for k in ["placed_on", "last_reviewed", "review_by"] {
        let text = value(k);
        if text.is_empty() {
            dates.insert(k.to_string(), Value::Null);
            continue;
        }
        match parse_date(text) {
            Some(d) => {
                dates.insert(
                    k.to_string(),
                    Value::String(d.format("%Y-%m-%d").to_string()),
                );
            }
            None => errors.field(
                k,
                format!(
                    "{} must be a real date, for example 01/05/2026",
                    label_of(k)
                ),
            ),
        }
    }
    let category = value("category");
    let restriction_details = [
        "placed_on",
        "last_reviewed",
        "review_by",
        "owner",
        "named_allow",
        "named_deny",
    ];
    if category.is_empty() && restriction_details.iter().any(|k| !value(k).is_empty()) {
        // A restriction's details without its category would otherwise be silently dropped.
        errors.field(
            "category",
            "Enter the restriction category, or leave the restriction's details empty if the record is not restricted",
        );
    }
    if !errors.is_empty() {
        return None;
    }
    let text = |k: &str| {
        Some(value(k))
            .filter(|v| !v.is_empty())
            .map(|v| Value::String(v.to_string()))
    };
    let list = |k: &str| {
        Value::Array(
            items(value(k))
                .map(|s| Value::String(s.to_string()))
                .collect(),
        )
    };
    let mut record = Map::new();
    record.insert("id".into(), text("record").unwrap_or(Value::Null));
    record.insert("teams".into(), list("record_teams"));
    record.insert("allocated_workers".into(), list("allocated_workers"));
    record.insert("allocated_managers".into(), list("allocated_managers"));
    if !category.is_empty() {
        let mut r = dates;
        r.insert("category".into(), Value::String(category.to_string()));
        r.insert("owner".into(), text("owner").unwrap_or(Value::Null));
        r.extend(entries);
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
    // Everything the form asks was checked above; what is left (the link's `at`) is named as
    // the request reader names it.
    match serde_path_to_error::deserialize::<_, Request>(Value::Object(req)) {
        Ok(r) => Some(r),
        Err(e) => {
            let p = field_error(e);
            match p.field.as_deref().map(page_field) {
                Some(f) if label_of(f) != f => {
                    errors.field(f, format!("{} is not valid: {}", label_of(f), p.detail))
                }
                _ => errors.general(format!(
                    "The link that opened this page is not valid: {}",
                    p.detail
                )),
            }
            None
        }
    }
}

/// The comma-separated items of a list field, trimmed, empty ones left out.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// A list entry as the page writes it: `team:NAME`, `role:NAME`, or a user id.
fn entry(item: &str) -> Result<Value, String> {
    let (kind, value) = match item.split_once(':') {
        Some((k, v)) if matches!(k.trim(), "team" | "role") => (k.trim(), v.trim()),
        _ => ("person", item),
    };
    if value.is_empty() {
        return Err(format!("write a name after {kind}:"));
    }
    if kind == "person" {
        Id::new(value).map_err(|p| format!("user ids {}", id_problem(p)))?;
    }
    let mut m = Map::new();
    m.insert(kind.to_string(), Value::String(value.to_string()));
    Ok(Value::Object(m))
}

/// Why an id is refused, in plain words (completing "Your user id ...").
fn id_problem(p: IdProblem) -> &'static str {
    match p {
        IdProblem::Empty => "must not be empty",
        IdProblem::Whitespace => "must not start or end with a space",
        IdProblem::Control => "must only contain letters, numbers, spaces and punctuation",
    }
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
input,select{font:inherit;padding:0.3rem;width:100%;max-width:30rem;border:2px solid #0b0c0c}\
input:focus,select:focus,button:focus{outline:3px solid #fd0;outline-offset:0}\
button{font:inherit;font-weight:600;padding:0.5rem 1rem;margin-top:1rem;background:#00703c;color:#fff;border:0}\
.ref{color:#505a5f;font-size:0.9rem}";

/// The whole page.
fn render(q: &HashMap<String, String>, policies: &[String], shown: &Shown) -> String {
    let mut h = String::with_capacity(8192);
    let (prefix, title) = match shown {
        Shown::Decided(a) if a.response.decision == Outcome::Allow => ("", "Access allowed"),
        Shown::Decided(_) => ("", "Access refused"),
        Shown::Invalid(_) => (ERROR_PREFIX, "Check the details"),
        Shown::Form => ("", "Check access to a record"),
    };
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{prefix}{title} – caselock</title>\n<style>{STYLE}{}</style>\n</head>\n<body>\n<main>\n\
         <h1>Can I open this record?</h1>\n",
        form::STYLE
    );
    let none = FormErrors::new();
    let errors = match shown {
        Shown::Decided(a) => {
            decision(&mut h, a);
            &none
        }
        Shown::Invalid(e) => {
            h.push_str(&e.summary());
            e
        }
        Shown::Form => &none,
    };
    form(&mut h, q, policies, errors);
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
    let view = match (r.decision, r.view.word()) {
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
        .filter(|w| r.decision == Outcome::Allow || w.code != WarningCode::ReviewOverdue)
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

/// The form, filled in with the query, each field with its error.
fn form(h: &mut String, q: &HashMap<String, String>, policies: &[String], errors: &FormErrors) {
    h.push_str("<form method=\"get\" action=\"/\" novalidate>\n");
    if policies.len() > 1 {
        let error = errors.on("policy");
        let _ = write!(
            h,
            "<div class=\"field{}\">\n<label for=\"policy\">Policy</label>\n",
            if error.is_some() { " field-error" } else { "" }
        );
        if let Some(e) = error {
            let _ = writeln!(
                h,
                "<p class=\"error-message\" id=\"policy-error\"><span class=\"visually-hidden\">{ERROR_PREFIX}</span>{}</p>",
                esc(e)
            );
        }
        let _ = writeln!(
            h,
            "<select id=\"policy\" name=\"policy\"{}>",
            if error.is_some() {
                " aria-describedby=\"policy-error\" aria-invalid=\"true\""
            } else {
                ""
            }
        );
        let chosen = q.get("policy");
        for p in policies {
            let selected = if chosen == Some(p) { " selected" } else { "" };
            let _ = writeln!(h, "<option{selected}>{}</option>", esc(p));
        }
        h.push_str("</select>\n</div>\n");
    }
    for (legend, fields) in [("Who is asking", WHO), ("The record", RECORD)] {
        let _ = writeln!(h, "<fieldset>\n<legend>{legend}</legend>");
        for f in fields {
            let value = q.get(f.name).map(String::as_str).unwrap_or_default();
            f.render(h, value, errors);
        }
        h.push_str("</fieldset>\n");
    }
    let _ = write!(
        h,
        "<input type=\"hidden\" name=\"{SUBMITTED}\" value=\"1\">\n\
         <button type=\"submit\">Check access</button>\n</form>\n"
    );
}

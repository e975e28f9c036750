//! `GET /what-if`: the what-if tool for policy authors. A form with the policy's own roles,
//! teams, organisations, categories and actions to choose from (ids of people stay free text,
//! checked as ids), which shows what a caseworker would be told and, for the author, the deciding
//! rule and the reasons. It is authenticated like the JSON API (the bearer token, or the same
//! token as the password a browser asks for), and it is not a decision: nothing is written to
//! the decision log and no decision id is given. Mistakes are reported all at once in the
//! GOV.UK pattern ([`super::form`]).

mod reading;

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use self::reading::{request, unexpected};
use super::AppState;
use super::auth::{Scheme, open, token_caller};
use super::form::{Choice, FormErrors, TextField};
use super::metrics::Timed;
use super::page::{self, Names};
use super::state::Version;
use crate::compile::DecisionTable;
use crate::eval::{Audience, Request};
use crate::report::html_escape as esc;

/// What a browser is asked for when the tool is opened without the token.
const CHALLENGE: &str = "Basic realm=\"caselock what-if tool\", charset=\"UTF-8\"";

/// The hidden field the form's button sends, so an empty form submitted is a question.
const SUBMITTED: &str = "check";

/// What begins the field of a request context: `context-network` (a context's name never has a
/// hyphen, so the field names no other).
const CONTEXT_PREFIX: &str = "context-";

/// The hint of a date field.
const DATE_HINT: &str = "For example, 01/05/2026";
/// The hint of a list of user ids.
const IDS_HINT: &str = "User ids, separated by commas";

const fn text(name: &'static str, label: &'static str, hint: &'static str) -> TextField {
    TextField {
        name,
        label,
        hint,
        no_spellcheck: true,
    }
}

const SUBJECT: TextField = text(
    "subject",
    "User id",
    "As the case-management system knows them",
);
const RECORD: TextField = text("record", "Record id", "");
const DATES: [TextField; 3] = [
    text("placed_on", "Restriction placed on", DATE_HINT),
    text("last_reviewed", "Last reviewed", DATE_HINT),
    text("review_by", "Review by", DATE_HINT),
];
const PEOPLE: [TextField; 5] = [
    text("owner", "Restriction owner's user id", ""),
    text("allocated_workers", "Allocated workers", IDS_HINT),
    text("allocated_managers", "Allocated managers", IDS_HINT),
    text("named_allow", "People on the access list", IDS_HINT),
    text("named_deny", "People on the exclusion list", IDS_HINT),
];

/// Which names of the policy a choice offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offers {
    Roles,
    Teams,
    Organisations,
    Actions,
    Categories,
}

/// A choice of the form: its field, what it offers, whether several may be chosen.
struct ChoiceField {
    name: &'static str,
    label: &'static str,
    offers: Offers,
    multiple: bool,
    empty: Option<&'static str>,
}

const fn choice(
    name: &'static str,
    label: &'static str,
    offers: Offers,
    multiple: bool,
) -> ChoiceField {
    ChoiceField {
        name,
        label,
        offers,
        multiple,
        empty: None,
    }
}

const WHO: [ChoiceField; 4] = [
    choice("roles", "Their roles", Offers::Roles, true),
    choice("teams", "Their teams", Offers::Teams, true),
    choice(
        "organisation",
        "Their organisation",
        Offers::Organisations,
        false,
    ),
    choice("action", "What they want to do", Offers::Actions, false),
];
const CATEGORY: ChoiceField = ChoiceField {
    name: "category",
    label: "Restriction category",
    offers: Offers::Categories,
    multiple: false,
    empty: Some("Not restricted"),
};
const RECORD_CHOICES: [ChoiceField; 5] = [
    choice(
        "record_teams",
        "Teams responsible for the record",
        Offers::Teams,
        true,
    ),
    choice(
        "allow_teams",
        "Teams on the access list",
        Offers::Teams,
        true,
    ),
    choice(
        "allow_roles",
        "Roles on the access list",
        Offers::Roles,
        true,
    ),
    choice(
        "deny_teams",
        "Teams on the exclusion list",
        Offers::Teams,
        true,
    ),
    choice(
        "deny_roles",
        "Roles on the exclusion list",
        Offers::Roles,
        true,
    ),
];

/// The form's fields in order, for the error summary.
const ORDER: &[&str] = &[
    "policy",
    "subject",
    "roles",
    "teams",
    "organisation",
    "action",
    "record",
    "record_teams",
    "category",
    "placed_on",
    "last_reviewed",
    "review_by",
    "owner",
    "allocated_workers",
    "allocated_managers",
    "named_allow",
    "allow_teams",
    "allow_roles",
    "named_deny",
    "deny_teams",
    "deny_roles",
];

/// The query, as pairs: a field ticked several times comes several times.
struct Form(Vec<(String, String)>);

impl Form {
    /// The first value of a field, trimmed.
    fn value(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }

    /// Every non-empty value of a field, trimmed.
    fn values(&self, k: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn has(&self, k: &str) -> bool {
        self.0.iter().any(|(n, _)| n == k)
    }
}

/// Serves the tool.
pub(super) async fn what_if(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let started = Instant::now();
    let r = answer(
        &state,
        &headers,
        Form(query.map(|q| q.0).unwrap_or_default()),
    );
    state.metrics.observe(Timed::WhatIf, started.elapsed());
    r
}

fn answer(state: &AppState, headers: &HeaderMap, form: Form) -> Response {
    if !open(state) && token_caller(state, headers, Scheme::BearerOrBasic).is_none() {
        return page::message(
            StatusCode::UNAUTHORIZED,
            "Sign in to use the what-if tool",
            &[
                "The what-if tool is for policy authors. Give the service's token as the password when your browser asks for it.",
            ],
            Some(CHALLENGE),
        );
    }
    let mut errors = FormErrors::new();
    let chosen = form.value("policy");
    let slot = if chosen.is_empty() {
        Some(state.default)
    } else {
        state
            .slots
            .iter()
            .position(|s| s.current.load().id == chosen)
    };
    if slot.is_none() {
        errors.field(
            "policy",
            format!("Choose a policy from the list: this service does not serve {chosen}"),
        );
    }
    let policies: Vec<(String, String)> = state
        .slots
        .iter()
        .map(|s| {
            let v = s.current.load();
            (v.id.clone(), v.title.clone())
        })
        .collect();
    let Some(version) = slot
        .or(Some(state.default))
        .and_then(|i| state.slots.get(i))
        .map(|s| s.current.load_full())
    else {
        return page::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sorry, the service is unavailable",
            &["No policy is served."],
            None,
        );
    };
    let table = version.decider.table();
    unexpected(&form, &mut errors);
    let mut result = String::new();
    if form.has(SUBMITTED) {
        if let Some(req) = request(&form, table, &mut errors) {
            if errors.is_empty() {
                result = decide(state, &version, &req);
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        errors.in_form_order(ORDER);
        StatusCode::BAD_REQUEST
    };
    let mut body = String::new();
    body.push_str(
        "<p><strong class=\"tag\">For policy authors</strong></p>\n\
         <p>Try a request against a policy this service serves, and see what a caseworker would be told. \
         This is not a decision: nothing is written to the decision log, and nobody is given access.</p>\n",
    );
    body.push_str(&errors.summary());
    body.push_str(&result);
    render_form(&mut body, &form, &policies, table, &errors);
    let title = match (status, result.is_empty()) {
        (StatusCode::BAD_REQUEST, _) => "Check the details",
        (_, false) => "What-if result",
        (_, true) => "Try a request",
    };
    page::respond(
        status,
        page::document(
            status == StatusCode::BAD_REQUEST,
            title,
            "What-if tool for policy authors",
            &body,
        ),
        None,
    )
}

/// Decides without logging: what the caseworker would see, then the rule and reasons.
fn decide(state: &AppState, version: &Version, req: &Request) -> String {
    let d = version.decider.decide(req);
    let caseworker = version
        .decider
        .response(req, &d, Some(Audience::Caseworker));
    let auditor = version.decider.response(req, &d, Some(Audience::Auditor));
    let asked = version
        .decider
        .table()
        .action_title(&req.action)
        .unwrap_or(&req.action)
        .to_string();
    let directory = state.directory.load();
    let names = Names::new(directory.as_deref(), req);
    let mut h = String::from("<h2>What a caseworker would see</h2>\n");
    page::caseworker_view(&mut h, &caseworker, &asked, None, &names);
    h.push_str(
        "<section class=\"author\" aria-labelledby=\"author\">\n<h2 id=\"author\">For the policy author</h2>\n",
    );
    let _ = writeln!(
        h,
        "<p>Deciding rule: <code id=\"rule\">{}</code>{}</p>",
        esc(auditor
            .rule
            .as_deref()
            .unwrap_or("none: the request failed closed")),
        auditor
            .source
            .as_deref()
            .map(|s| format!(", written at <code>{}</code>", esc(s)))
            .unwrap_or_default()
    );
    h.push_str("<ol id=\"reasons\">\n");
    for r in &auditor.reasons {
        let _ = writeln!(h, "<li>{}</li>", esc(r));
    }
    h.push_str("</ol>\n</section>\n");
    h
}

/// The names a choice offers, as (identifier, title).
fn options(table: &DecisionTable, offers: Offers) -> Vec<(String, String)> {
    let v = &table.vocabulary;
    match offers {
        Offers::Roles => v
            .roles
            .iter()
            .map(|m| (m.name.clone(), m.title.clone()))
            .collect(),
        Offers::Teams => v
            .teams
            .iter()
            .map(|m| (m.name.clone(), m.title.clone()))
            .collect(),
        Offers::Organisations => v
            .organisations
            .iter()
            .map(|o| (o.name.clone(), o.title.clone()))
            .collect(),
        Offers::Actions => v
            .actions
            .iter()
            .map(|a| (a.name.clone(), a.title.clone()))
            .collect(),
        Offers::Categories => table
            .categories
            .iter()
            .map(|c| (c.name.clone(), c.title.clone()))
            .collect(),
    }
}

/// A context of the policy as the form offers it.
struct ContextChoice {
    /// The context's name.
    name: String,
    /// Its title, the field's label.
    title: String,
    /// Its values, as (name, title).
    values: Vec<(String, String)>,
}

/// The policy's contexts, in declaration order.
fn contexts(table: &DecisionTable) -> Vec<ContextChoice> {
    let v = &table.vocabulary;
    v.contexts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values = v
                .context_values
                .iter()
                .filter(|x| x.context as usize == i)
                .map(|x| (x.name.clone(), x.title.clone()))
                .collect();
            ContextChoice {
                name: c.name.clone(),
                title: c.title.clone(),
                values,
            }
        })
        .collect()
}

/// The form, filled in with the query, each field with its error.
fn render_form(
    h: &mut String,
    form: &Form,
    policies: &[(String, String)],
    table: &DecisionTable,
    errors: &FormErrors,
) {
    h.push_str("<form method=\"get\" action=\"/what-if\" novalidate>\n");
    let chosen = |k: &str| form.values(k);
    Choice {
        name: "policy",
        label: "Policy",
        hint: "",
        options: policies,
        multiple: false,
        empty: Some("The default policy"),
    }
    .render(h, &chosen("policy"), errors);
    h.push_str("<fieldset>\n<legend>Who is asking</legend>\n");
    SUBJECT.render(h, form.value("subject"), errors);
    for c in &WHO {
        render_choice(h, c, table, &chosen(c.name), errors);
    }
    h.push_str("</fieldset>\n");
    if !table.vocabulary.contexts.is_empty() {
        h.push_str("<fieldset>\n<legend>Where and why they ask</legend>\n");
        for c in contexts(table) {
            let field = format!("{CONTEXT_PREFIX}{}", c.name);
            Choice {
                name: &field,
                label: &c.title,
                hint: "",
                options: &c.values,
                multiple: false,
                empty: Some("Not stated"),
            }
            .render(h, &chosen(&field), errors);
        }
        h.push_str("</fieldset>\n");
    }
    h.push_str("<fieldset>\n<legend>The record</legend>\n");
    RECORD.render(h, form.value("record"), errors);
    render_choice(
        h,
        &RECORD_CHOICES[0],
        table,
        &chosen("record_teams"),
        errors,
    );
    render_choice(h, &CATEGORY, table, &chosen("category"), errors);
    for f in DATES {
        f.render(h, form.value(f.name), errors);
    }
    for f in &PEOPLE[..3] {
        f.render(h, form.value(f.name), errors);
    }
    PEOPLE[3].render(h, form.value("named_allow"), errors);
    for c in &RECORD_CHOICES[1..3] {
        render_choice(h, c, table, &chosen(c.name), errors);
    }
    PEOPLE[4].render(h, form.value("named_deny"), errors);
    for c in &RECORD_CHOICES[3..] {
        render_choice(h, c, table, &chosen(c.name), errors);
    }
    let _ = write!(
        h,
        "</fieldset>\n<input type=\"hidden\" name=\"{SUBMITTED}\" value=\"1\">\n\
         <button type=\"submit\">Try it</button>\n</form>\n"
    );
}

fn render_choice(
    h: &mut String,
    c: &ChoiceField,
    table: &DecisionTable,
    chosen: &[&str],
    errors: &FormErrors,
) {
    let offered = options(table, c.offers);
    Choice {
        name: c.name,
        label: c.label,
        hint: "",
        options: &offered,
        multiple: c.multiple,
        empty: c.empty,
    }
    .render(h, chosen, errors);
}

//! The what-if form read into a request: every field checked and named when it is wrong.

use chrono::Utc;
use serde_json::{Map, Value};

use super::{
    CATEGORY, CONTEXT_PREFIX, DATES, Form, ORDER, PEOPLE, RECORD, RECORD_CHOICES, SUBJECT,
    SUBMITTED, WHO, contexts, options,
};
use crate::compile::DecisionTable;
use crate::eval::{Id, Request};
use crate::serve::decisions::field_error;
use crate::serve::form::{FormErrors, parse_date};

/// The fields that take several values (checkboxes).
const MULTIPLE: &[&str] = &[
    "roles",
    "teams",
    "record_teams",
    "allow_teams",
    "allow_roles",
    "deny_teams",
    "deny_roles",
];

/// Input the form never sends is an error, not ignored: a field it does not have, or one value
/// of a field given twice.
pub(super) fn unexpected(form: &Form, errors: &mut FormErrors) {
    let mut seen: Vec<&str> = Vec::new();
    for (k, _) in &form.0 {
        let k = k.as_str();
        // A context's field is checked against the policy's contexts with the request.
        if k != SUBMITTED && !ORDER.contains(&k) && !k.starts_with(CONTEXT_PREFIX) {
            errors.general(format!(
                "The address has a field this form does not have: {k}"
            ));
        } else if k != SUBMITTED && !MULTIPLE.contains(&k) && seen.contains(&k) {
            errors.field(
                k,
                format!("{} was given more than once: give it once", label(k)),
            );
        }
        seen.push(k);
    }
}

/// A field's label, for messages.
pub(super) fn label(k: &str) -> &str {
    let text = [SUBJECT, RECORD]
        .iter()
        .chain(&DATES)
        .chain(&PEOPLE)
        .map(|f| (f.name, f.label));
    let choices = WHO
        .iter()
        .chain([&CATEGORY])
        .chain(&RECORD_CHOICES)
        .map(|c| (c.name, c.label));
    text.chain(choices)
        .chain([("policy", "Policy")])
        .find(|(n, _)| *n == k)
        .map_or(k, |(_, l)| l)
}

/// The request the form describes, or None with every mistake added to `errors`.
pub(super) fn request(
    form: &Form,
    table: &DecisionTable,
    errors: &mut FormErrors,
) -> Option<Request> {
    for (k, message) in [
        ("subject", "Enter the user id of the person asking"),
        ("organisation", "Choose their organisation"),
        ("action", "Choose what they want to do"),
        ("record", "Enter the record id"),
    ] {
        if form.value(k).is_empty() {
            errors.field(k, message);
        }
    }
    for f in [SUBJECT, RECORD, PEOPLE[0]] {
        let v = form.value(f.name);
        if let Err(p) = Some(v)
            .filter(|v| !v.is_empty())
            .map_or(Ok(()), |v| Id::new(v).map(drop))
        {
            errors.field(f.name, format!("{} {}", f.label, id_problem(p)));
        }
    }
    for f in &PEOPLE[1..] {
        if let Some(p) = items(form.value(f.name)).find_map(|i| Id::new(i).err()) {
            errors.field(
                f.name,
                format!("{} must be user ids: {}", f.label, id_problem(p)),
            );
        }
    }
    for c in WHO.iter().chain([&CATEGORY]).chain(&RECORD_CHOICES) {
        let offered = options(table, c.offers);
        if let Some(bad) = form
            .values(c.name)
            .into_iter()
            .find(|v| !offered.iter().any(|(n, _)| n == v))
        {
            errors.field(
                c.name,
                format!(
                    "{}: choose from the list; the policy does not declare {bad}",
                    c.label
                ),
            );
        }
    }
    let declared = contexts(table);
    let mut context = Map::new();
    for (k, _) in &form.0 {
        let Some(name) = k.strip_prefix(CONTEXT_PREFIX) else {
            continue;
        };
        let v = form.value(k);
        match declared.iter().find(|c| c.name == name) {
            None => errors.general(format!(
                "The address has a field this form does not have: {k}"
            )),
            Some(_) if v.is_empty() => {}
            Some(c) if !c.values.iter().any(|(n, _)| n == v) => errors.field(
                k,
                format!(
                    "{}: choose from the list; the policy does not declare {v}",
                    c.title
                ),
            ),
            Some(_) => {
                context.insert(name.to_string(), Value::String(v.to_string()));
            }
        }
    }
    let mut dates = Map::new();
    for f in DATES {
        let t = form.value(f.name);
        if t.is_empty() {
            dates.insert(f.name.to_string(), Value::Null);
            continue;
        }
        match parse_date(t) {
            Some(d) => {
                dates.insert(
                    f.name.to_string(),
                    Value::String(d.format("%Y-%m-%d").to_string()),
                );
            }
            None => errors.field(
                f.name,
                format!("{} must be a real date, for example 01/05/2026", f.label),
            ),
        }
    }
    let category = form.value("category");
    let details = [
        "placed_on",
        "last_reviewed",
        "review_by",
        "owner",
        "named_allow",
        "named_deny",
        "allow_teams",
        "allow_roles",
        "deny_teams",
        "deny_roles",
    ];
    if category.is_empty() && details.iter().any(|k| !form.values(k).is_empty()) {
        // A restriction's details without its category would otherwise be silently dropped.
        errors.field(
            "category",
            "Choose the restriction category, or leave the restriction's details empty if the record is not restricted",
        );
    }
    if !errors.is_empty() {
        return None;
    }
    let s = |v: &str| Value::String(v.to_string());
    let opt = |k: &str| Some(form.value(k)).filter(|v| !v.is_empty()).map(s);
    let list = |vals: Vec<&str>| Value::Array(vals.into_iter().map(s).collect());
    let ids = |k: &str| list(items(form.value(k)).collect());
    let entries = |people: &str, teams: &str, roles: &str| {
        let tagged = |kind: &str, v: &str| {
            let mut m = Map::new();
            m.insert(kind.to_string(), s(v));
            Value::Object(m)
        };
        Value::Array(
            items(form.value(people))
                .map(|p| tagged("person", p))
                .chain(form.values(teams).into_iter().map(|t| tagged("team", t)))
                .chain(form.values(roles).into_iter().map(|r| tagged("role", r)))
                .collect(),
        )
    };
    let mut record = Map::new();
    record.insert("id".into(), opt("record").unwrap_or(Value::Null));
    record.insert("teams".into(), list(form.values("record_teams")));
    record.insert("allocated_workers".into(), ids("allocated_workers"));
    record.insert("allocated_managers".into(), ids("allocated_managers"));
    if !category.is_empty() {
        let mut r = dates;
        r.insert("category".into(), s(category));
        r.insert("owner".into(), opt("owner").unwrap_or(Value::Null));
        r.insert(
            "named_allow".into(),
            entries("named_allow", "allow_teams", "allow_roles"),
        );
        r.insert(
            "named_deny".into(),
            entries("named_deny", "deny_teams", "deny_roles"),
        );
        record.insert("restriction".into(), Value::Object(r));
    }
    let mut subject = Map::new();
    subject.insert("id".into(), opt("subject").unwrap_or(Value::Null));
    subject.insert("roles".into(), list(form.values("roles")));
    subject.insert("teams".into(), list(form.values("teams")));
    subject.insert(
        "organisation".into(),
        opt("organisation").unwrap_or(Value::Null),
    );
    let mut req = Map::new();
    req.insert("subject".into(), Value::Object(subject));
    req.insert("action".into(), opt("action").unwrap_or(Value::Null));
    req.insert("record".into(), Value::Object(record));
    req.insert("context".into(), Value::Object(context));
    match serde_path_to_error::deserialize::<_, Request>(Value::Object(req)) {
        Ok(mut r) => {
            r.at = Some(Utc::now());
            Some(r)
        }
        Err(e) => {
            // Everything the form asks was checked above; this is a fault of ours, said plainly.
            errors.general(format!(
                "The request could not be read: {}",
                field_error(e).detail
            ));
            None
        }
    }
}

/// The comma-separated items of a list field, trimmed, empty ones left out.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Why an id is refused, in plain words (completing "User id ...").
fn id_problem(p: crate::eval::id::IdProblem) -> &'static str {
    use crate::eval::id::IdProblem;
    match p {
        IdProblem::Empty => "must not be empty",
        IdProblem::Whitespace => "must not start or end with a space",
        IdProblem::Control => "must only contain letters, numbers, spaces and punctuation",
    }
}

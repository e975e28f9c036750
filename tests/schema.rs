//! The JSON Schemas in docs/schema/ describe what caselock really reads and writes: every
//! request fixture and every example in docs/api.md validates, the invalid fixtures do not,
//! every decision the evaluator renders (all audiences) validates against the decision schema,
//! and every bundled policy's compiled table against the table schema.
//!
//! The validator is the subset of JSON Schema the two schemas use (`$ref` into `$defs`, `type`,
//! `const`, `enum`, `properties`, `required`, `additionalProperties: false`, `items`, `oneOf`,
//! `pattern`, and the `date` and `date-time` formats), kept here rather than pulling a full
//! JSON Schema implementation into the build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use caselock::eval::{Audience, Decider, Request};
use serde_json::Value;

struct Schema {
    root: Value,
}

impl Schema {
    fn load(name: &str) -> Schema {
        let text = std::fs::read_to_string(format!("docs/schema/{name}")).unwrap();
        Schema {
            root: serde_json::from_str(&text).unwrap(),
        }
    }

    /// Every way `v` fails the schema, as `path: problem`.
    fn errors(&self, v: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.check(&self.root, v, "$", &mut out);
        out
    }

    fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r
                    .strip_prefix("#/$defs/")
                    .unwrap_or_else(|| panic!("ref {r}"));
                &self.root["$defs"][name]
            }
            None => s,
        }
    }

    fn check(&self, s: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        let s = self.resolve(s);
        if let Some(types) = s.get("type") {
            let names: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => panic!("bad type in schema at {at}"),
            };
            let ok = names.iter().any(|t| match *t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "boolean" => v.is_boolean(),
                "null" => v.is_null(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                other => panic!("unsupported type {other}"),
            });
            if !ok {
                out.push(format!("{at}: expected {names:?}, found {v}"));
                return;
            }
        }
        if let Some(c) = s.get("const") {
            if c != v {
                out.push(format!("{at}: expected {c}, found {v}"));
            }
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array) {
            if !options.contains(v) {
                out.push(format!("{at}: {v} is not one of {options:?}"));
            }
        }
        if let Some(options) = s.get("oneOf").and_then(Value::as_array) {
            let passing = options
                .iter()
                .filter(|o| {
                    let mut e = Vec::new();
                    self.check(o, v, at, &mut e);
                    e.is_empty()
                })
                .count();
            if passing != 1 {
                out.push(format!("{at}: {passing} of the oneOf alternatives match"));
            }
        }
        if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
            if !regex::Regex::new(p).unwrap().is_match(text) {
                out.push(format!("{at}: `{text}` does not match {p}"));
            }
        }
        if let (Some(f), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
            let ok = match f {
                "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
                other => panic!("unsupported format {other}"),
            };
            if !ok {
                out.push(format!("{at}: `{text}` is not a {f}"));
            }
        }
        if let Some(obj) = v.as_object() {
            let props = s.get("properties").and_then(Value::as_object);
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap();
                if !obj.contains_key(r) {
                    out.push(format!("{at}: missing `{r}`"));
                }
            }
            for (k, x) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => self.check(ps, x, &format!("{at}.{k}"), out),
                    None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        out.push(format!("{at}: unexpected field `{k}`"));
                    }
                    None => {}
                }
            }
        }
        if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
            for (i, x) in arr.iter().enumerate() {
                self.check(items, x, &format!("{at}[{i}]"), out);
            }
        }
    }
}

fn fixtures(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

/// The policy a request fixture's directory is for.
fn policy_for(dir: &str) -> std::path::PathBuf {
    match dir {
        "casework" => "tests/fixtures/policies/casework.policy".into(),
        other => Path::new("policies").join(other),
    }
}

#[test]
fn request_fixtures_validate_and_invalid_ones_do_not() {
    let schema = Schema::load("request.schema.json");
    for dir in ["casework", "nottingham-escr"] {
        for path in fixtures(&format!("tests/fixtures/requests/{dir}")) {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let e = schema.errors(&v);
            assert!(e.is_empty(), "{}: {e:?}", path.display());
        }
    }
    for name in ["malformed_time", "misspelt_field", "bad_duration"] {
        let path = format!("tests/fixtures/requests/invalid/{name}.json");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(!schema.errors(&v).is_empty(), "{name} should not validate");
    }
}

#[test]
fn every_rendered_decision_validates() {
    let schema = Schema::load("decision.schema.json");
    for dir in ["casework", "nottingham-escr"] {
        let loaded = support::load(&policy_for(dir));
        let decider = Decider::new(&loaded.table);
        for path in fixtures(&format!("tests/fixtures/requests/{dir}")) {
            let req = Request::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let d = decider.decide(&req);
            for audience in [None, Some(Audience::Caseworker), Some(Audience::Auditor)] {
                let v = serde_json::to_value(decider.response(&req, &d, audience)).unwrap();
                let e = schema.errors(&v);
                assert!(e.is_empty(), "{} ({audience:?}): {e:?}", path.display());
            }
        }
    }
}

/// The ```json blocks of docs/api.md whose info string names a schema (`json request`,
/// `json decision`).
fn doc_examples(kind: &str) -> Vec<String> {
    let doc = std::fs::read_to_string("docs/api.md").unwrap();
    let fence = format!("```json {kind}\n");
    let mut out = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

#[test]
fn api_doc_examples_validate_and_parse() {
    let requests = doc_examples("request");
    let decisions = doc_examples("decision");
    assert!(
        requests.len() >= 2 && decisions.len() >= 2,
        "docs/api.md has examples"
    );
    let schema = Schema::load("request.schema.json");
    for text in &requests {
        let v: Value = serde_json::from_str(text).unwrap();
        assert!(
            schema.errors(&v).is_empty(),
            "{text}\n{:?}",
            schema.errors(&v)
        );
        Request::from_json(text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    }
    let schema = Schema::load("decision.schema.json");
    for text in &decisions {
        let v: Value = serde_json::from_str(text).unwrap();
        assert!(
            schema.errors(&v).is_empty(),
            "{text}\n{:?}",
            schema.errors(&v)
        );
        serde_json::from_value::<caselock::eval::Response>(v).unwrap();
    }
}

#[test]
fn the_validator_rejects_what_it_should() {
    let schema = Schema::load("decision.schema.json");
    let bad = serde_json::json!({"decision": "maybe", "view": "full", "extra": 1});
    let e = schema.errors(&bad);
    assert!(e.iter().any(|x| x.contains("maybe")), "{e:?}");
    assert!(
        e.iter().any(|x| x.contains("unexpected field `extra`")),
        "{e:?}"
    );
    assert!(e.iter().any(|x| x.contains("missing `reasons`")), "{e:?}");
}

#[test]
fn every_compiled_table_validates() {
    let schema = Schema::load("table.schema.json");
    for path in support::bundled() {
        let table = support::load(&path).table;
        let v = serde_json::to_value(&table).unwrap();
        let e = schema.errors(&v);
        assert!(e.is_empty(), "{}: {e:?}", path.display());
    }
    // A table with an unknown layer does not validate.
    let mut v = serde_json::to_value(
        support::load(Path::new("tests/fixtures/policies/casework.policy")).table,
    )
    .unwrap();
    v["categories"][0]["decisions"][0]["rows"][0]["layer"] = Value::from("override_everything");
    assert!(!schema.errors(&v).is_empty());
}

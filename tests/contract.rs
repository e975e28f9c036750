//! The published contract is generated from the Rust types: docs/schema/request.schema.json and
//! decision.schema.json from `eval::Request` and `eval::Response`, table.schema.json from
//! `compile::DecisionTable`, and docs/openapi.json (whose
//! `Request` and `Decision` are the same schemas) from them and the service's routes. A test here
//! fails when a committed copy differs from what the code generates; regenerate with
//!
//! ```sh
//! UPDATE_CONTRACT=1 cargo test --test contract
//! ```
//!
//! The documents are then checked with a full JSON Schema 2020-12 validator (the `jsonschema`
//! crate, stricter than the subset validator of tests/schema.rs): the schemas against the
//! metaschema, and every request fixture and every decision the evaluator renders against the
//! OpenAPI `Request` and `Decision`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use caselock::eval::{Audience, Decider, Request};
use serde_json::{Value, json};

/// Compares a committed document with the generated one, or rewrites it under UPDATE_CONTRACT=1.
fn matches_committed(path: &str, generated: &Value) {
    let text = format!("{}\n", serde_json::to_string_pretty(generated).unwrap());
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var("UPDATE_CONTRACT").as_deref() == Ok("1") {
        std::fs::write(&full, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        committed == text,
        "{path} differs from what the code generates; run `UPDATE_CONTRACT=1 cargo test --test \
         contract` and commit the result"
    );
}

#[test]
fn request_schema_is_generated_from_the_request_type() {
    matches_committed(
        "docs/schema/request.schema.json",
        &caselock::eval::request_schema(),
    );
}

#[test]
fn decision_schema_is_generated_from_the_response_type() {
    matches_committed(
        "docs/schema/decision.schema.json",
        &caselock::eval::decision_schema(),
    );
}

#[test]
fn table_schema_is_generated_from_the_table_type() {
    matches_committed(
        "docs/schema/table.schema.json",
        &caselock::compile::table_schema(),
    );
}

#[test]
fn openapi_document_is_generated_from_the_types_and_the_routes() {
    let doc = caselock::serve::openapi::document().expect("openapi_paths.json is an object");
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = &doc["components"]["schemas"];
    // The OpenAPI `Request` and `Decision` are the docs/schema/ schemas, definition for definition.
    for (name, standalone) in [
        ("Request", caselock::eval::request_schema()),
        ("Decision", caselock::eval::decision_schema()),
    ] {
        let text = serde_json::to_string(&standalone["properties"])
            .unwrap()
            .replace("#/$defs/", "#/components/schemas/");
        assert_eq!(
            serde_json::to_string(&schemas[name]["properties"]).unwrap(),
            text,
            "{name}"
        );
        for (def, body) in standalone["$defs"].as_object().unwrap() {
            let text = serde_json::to_string(body)
                .unwrap()
                .replace("#/$defs/", "#/components/schemas/");
            assert_eq!(serde_json::to_string(&schemas[def]).unwrap(), text, "{def}");
        }
    }
    matches_committed("docs/openapi.json", &doc);
    assert!(
        serde_json::from_str::<Value>(caselock::serve::openapi::OPENAPI).unwrap() == doc,
        "the service serves the generated document"
    );
}

/// A validator for one component schema of the generated OpenAPI document.
fn component(name: &str) -> jsonschema::Validator {
    let doc = caselock::serve::openapi::document().unwrap();
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap()
}

fn json_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn generated_schemas_are_valid_draft_2020_12() {
    for schema in [
        caselock::eval::request_schema(),
        caselock::eval::decision_schema(),
        caselock::compile::table_schema(),
    ] {
        jsonschema::meta::validate(&schema).unwrap();
        jsonschema::draft202012::new(&schema).unwrap();
    }
}

/// Every allow and deny the evaluator renders, for every audience, validates against the
/// OpenAPI `Decision` under a full validator (formats asserted); so does every request fixture
/// against `Request`, and the invalid fixtures do not.
#[test]
fn every_decision_and_request_validates_against_the_openapi_components() {
    let decision = component("Decision");
    let request = component("Request");
    let mut outcomes = std::collections::BTreeSet::new();
    for (dir, policy) in [
        ("casework", "tests/fixtures/policies/casework.policy"),
        ("nottingham-escr", "policies/nottingham-escr"),
    ] {
        let loaded = support::load(Path::new(policy));
        let decider = Decider::new(&loaded.table);
        for path in json_files(&format!("tests/fixtures/requests/{dir}")) {
            let text = std::fs::read_to_string(&path).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            let errors: Vec<String> = request.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            let req = Request::from_json(&text).unwrap();
            let d = decider.decide(&req);
            for audience in [None, Some(Audience::Caseworker), Some(Audience::Auditor)] {
                let v = serde_json::to_value(decider.response(&req, &d, audience)).unwrap();
                outcomes.insert(v["decision"].as_str().unwrap().to_string());
                let errors: Vec<String> = decision.iter_errors(&v).map(|e| e.to_string()).collect();
                assert!(
                    errors.is_empty(),
                    "{} ({audience:?}): {errors:?}",
                    path.display()
                );
            }
        }
    }
    assert_eq!(outcomes.len(), 2, "both allows and denies were checked");
    for name in ["malformed_time", "misspelt_field", "bad_duration"] {
        let path = format!("tests/fixtures/requests/invalid/{name}.json");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(!request.is_valid(&v), "{name} should not validate");
    }
}

/// The regression the issue found: an allow's `deny_kind: null` must validate, and a deny kind
/// outside the enum must not.
#[test]
fn nullable_enums_accept_null_and_refuse_other_values() {
    let decision = component("Decision");
    let loaded = support::load(Path::new("tests/fixtures/policies/casework.policy"));
    let decider = Decider::new(&loaded.table);
    let text =
        std::fs::read_to_string("tests/fixtures/requests/casework/temporary_valid.json").unwrap();
    let req = Request::from_json(&text).unwrap();
    let mut allow =
        serde_json::to_value(decider.response(&req, &decider.decide(&req), None)).unwrap();
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["deny_kind"], Value::Null);
    assert!(decision.is_valid(&allow));
    allow["deny_kind"] = json!("maybe");
    assert!(!decision.is_valid(&allow));
}

/// The duration pattern the schema publishes is exactly what the evaluator reads.
#[test]
fn the_duration_pattern_agrees_with_the_parser() {
    let pattern = regex::Regex::new(&caselock::eval::period_pattern()).unwrap();
    for text in [
        "24h",
        "2 days",
        "5 working_days",
        "1 week",
        "1 month",
        "1 year",
        "007h",
        "999999999h",
        "0h",
        "h",
        "24",
        "24 h ",
        " 24h",
        "1000000000h",
        "24 hrs",
        "24\th",
        "-1h",
        "1.5h",
        "24  hours",
        "24hours",
    ] {
        assert_eq!(
            pattern.is_match(text),
            caselock::eval::parse_period(text).is_some(),
            "{text:?}"
        );
    }
}

/// The id pattern the schema publishes is exactly what the evaluator accepts, including the
/// characters on which regular-expression dialects disagree about `\s`.
#[test]
fn the_id_pattern_agrees_with_the_id_rules() {
    let pattern = regex::Regex::new(&caselock::eval::id_pattern()).unwrap();
    for text in [
        "u-5",
        "U-5",
        "a",
        "a b",
        "é",
        "u-5 ",
        " u-5",
        "",
        "u\u{0}5",
        "u\t",
        "\u{85}u",
        "u\u{9f}",
        "\u{a0}u",
        "u\u{3000}",
        "\u{feff}u",
        "u\u{200b}",
        "\u{2028}",
        "a\u{2029}b",
        "\u{1680}x",
        "x\u{202f}",
    ] {
        assert_eq!(
            pattern.is_match(text),
            caselock::eval::Id::new(text).is_ok(),
            "{text:?}"
        );
    }
}

/// Every bundled policy's compiled table validates against the generated table schema under the
/// full validator, and a table with an unknown layer does not.
#[test]
fn every_compiled_table_validates_against_the_generated_schema() {
    let schema = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&caselock::compile::table_schema())
        .unwrap();
    for path in support::bundled() {
        let v = serde_json::to_value(support::load(&path).table).unwrap();
        let errors: Vec<String> = schema.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    let mut v = serde_json::to_value(
        support::load(Path::new("tests/fixtures/policies/casework.policy")).table,
    )
    .unwrap();
    v["categories"][0]["decisions"][0]["rows"][0]["layer"] = json!("override_everything");
    assert!(!schema.is_valid(&v));
}

//! The JSON Schemas in docs/schema/ describe what caselock really reads and writes: every
//! request fixture and every example in docs/api.md validates, the invalid fixtures do not,
//! every decision the evaluator renders (all audiences) validates against the decision schema,
//! and every bundled policy's compiled table against the table schema.
//!
//! The SARIF log of `caselock check --format sarif` validates against the official SARIF 2.1.0
//! schema (vendored in tests/fixtures/sarif/), and a log broken on purpose does not.
//!
//! The validator is the subset of JSON Schema these schemas use (`$ref` into `$defs` or
//! `definitions`, `type`, `const`, `enum`, `properties`, `required`, `additionalProperties` (false
//! or a schema), `items`, `minItems`, `uniqueItems`, `minimum`, `maximum`, `oneOf`, `anyOf`,
//! `pattern`, and the `date`, `date-time`, `uri` and `uri-reference` formats), kept here rather
//! than pulling a full JSON Schema implementation into the build.
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
        Schema::from_file(&format!("docs/schema/{name}"))
    }

    fn from_file(path: &str) -> Schema {
        let text = std::fs::read_to_string(path).unwrap();
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
                let (defs, name) = r
                    .strip_prefix("#/$defs/")
                    .map(|n| ("$defs", n))
                    .or_else(|| r.strip_prefix("#/definitions/").map(|n| ("definitions", n)))
                    .unwrap_or_else(|| panic!("ref {r}"));
                let target = &self.root[defs][name];
                assert!(!target.is_null(), "dangling ref {r}");
                target
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
                out.push(format!(
                    "{at}: {v} matches {passing} of the oneOf alternatives, not one"
                ));
            }
        }
        if let Some(options) = s.get("anyOf").and_then(Value::as_array) {
            let any = options.iter().any(|o| {
                let mut e = Vec::new();
                self.check(o, v, at, &mut e);
                e.is_empty()
            });
            if !any {
                out.push(format!("{at}: {v} matches none of the anyOf alternatives"));
            }
        }
        if let Some(n) = v.as_f64() {
            if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
                if n < min {
                    out.push(format!("{at}: {n} is below the minimum {min}"));
                }
            }
            if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
                if n > max {
                    out.push(format!("{at}: {n} is above the maximum {max}"));
                }
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
                "uri" => uri_reference(text) && has_scheme(text),
                "uri-reference" => uri_reference(text),
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
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            out.push(format!("{at}: unexpected field `{k}`"));
                        }
                        Some(extra @ Value::Object(_)) => {
                            self.check(extra, x, &format!("{at}.{k}"), out);
                        }
                        _ => {}
                    },
                }
            }
        }
        if let Some(arr) = v.as_array() {
            if let Some(items) = s.get("items") {
                for (i, x) in arr.iter().enumerate() {
                    self.check(items, x, &format!("{at}[{i}]"), out);
                }
            }
            if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
                if (arr.len() as u64) < min {
                    out.push(format!("{at}: fewer than {min} items"));
                }
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, x) in arr.iter().enumerate() {
                    if arr[..i].contains(x) {
                        out.push(format!("{at}[{i}]: repeats an earlier item"));
                    }
                }
            }
        }
    }
}

/// A URI reference (RFC 3986), loosely: no whitespace, no characters that must be
/// percent-encoded, and every `%` starts a two-digit hex escape.
fn uri_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, b)| match b {
        b'%' => {
            bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit()
        }
        b' ' | b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' => false,
        b => !b.is_ascii_control(),
    })
}

/// Whether a URI is absolute: it starts with a scheme (`https:`).
fn has_scheme(text: &str) -> bool {
    regex::Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:")
        .unwrap()
        .is_match(text)
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

const SARIF_SCHEMA: &str = "tests/fixtures/sarif/sarif-schema-2.1.0.json";

/// Where a broken log must fail, and how to break it.
type Breakage = (&'static str, fn(&mut Value));

/// The SARIF log `caselock check --format sarif ARGS...` prints.
fn check_sarif(args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every analysis fixture in one run: errors, warnings and secondary labels.
fn analysis_fixtures_sarif() -> Value {
    let files: Vec<String> = std::fs::read_dir("tests/fixtures/analysis")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec![
        "--docs-url",
        "https://example.org/caselock/docs/diagnostics.md",
    ];
    args.extend(files.iter().map(String::as_str));
    check_sarif(&args)
}

#[test]
fn sarif_of_the_analysis_fixtures_validates() {
    let schema = Schema::from_file(SARIF_SCHEMA);
    let log = analysis_fixtures_sarif();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let levels: Vec<&str> = results.iter().filter_map(|r| r["level"].as_str()).collect();
    assert!(
        levels.contains(&"error") && levels.contains(&"warning"),
        "{levels:?}"
    );
    assert!(
        results
            .iter()
            .any(|r| !r["relatedLocations"].as_array().unwrap().is_empty()),
        "some result has secondary labels"
    );
    let e = schema.errors(&log);
    assert!(e.is_empty(), "{e:#?}");
}

#[test]
fn sarif_of_the_bundled_policies_validates() {
    let schema = Schema::from_file(SARIF_SCHEMA);
    let log = check_sarif(&["policies"]);
    assert!(log["runs"][0]["results"].is_array());
    let e = schema.errors(&log);
    assert!(e.is_empty(), "{e:#?}");
}

/// Each way of breaking a valid log is caught, at the place it was broken.
#[test]
fn a_broken_sarif_log_does_not_validate() {
    let schema = Schema::from_file(SARIF_SCHEMA);
    let log = analysis_fixtures_sarif();
    assert!(schema.errors(&log).is_empty());
    let breakages: Vec<Breakage> = vec![
        ("$: missing `version`", |v| {
            v.as_object_mut().unwrap().remove("version");
        }),
        ("$.version", |v| v["version"] = Value::from("2.0.0")),
        ("$.runs[0].tool.driver: missing `name`", |v| {
            v["runs"][0]["tool"]["driver"]
                .as_object_mut()
                .unwrap()
                .remove("name");
        }),
        ("$.runs[0].results[0].level", |v| {
            v["runs"][0]["results"][0]["level"] = Value::from("fatal")
        }),
        ("$.runs[0].results[0]: unexpected field `severity`", |v| {
            v["runs"][0]["results"][0]["severity"] = Value::from("error")
        }),
        ("$.runs[0].results[0].message", |v| {
            v["runs"][0]["results"][0]["message"] = serde_json::json!({ "markdown": "x" })
        }),
        ("region.startLine", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                Value::from("3")
        }),
        ("region.startColumn", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] =
                Value::from(0)
        }),
        ("artifactLocation.uriBaseId", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] =
                Value::from(7)
        }),
        ("originalUriBaseIds.SRCROOT.uri", |v| {
            v["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] = Value::from("not a uri")
        }),
        ("artifactLocation.uri", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
                Value::from("my policies\\a.policy")
        }),
        ("helpUri", |v| {
            v["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] =
                Value::from("diagnostics.md#cl0001")
        }),
        ("$.runs[0].tool.driver.rules[1]: repeats", |v| {
            let first = v["runs"][0]["tool"]["driver"]["rules"][0].clone();
            v["runs"][0]["tool"]["driver"]["rules"][1] = first;
        }),
        ("$.runs[0].columnKind", |v| {
            v["runs"][0]["columnKind"] = Value::from("bytes")
        }),
    ];
    for (place, break_it) in breakages {
        let mut v = log.clone();
        break_it(&mut v);
        let e = schema.errors(&v);
        assert!(e.iter().any(|x| x.contains(place)), "{place}: {e:#?}");
    }
}

/// Every artifact location of a SARIF log.
fn artifact_locations(log: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        for l in r["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(r["relatedLocations"].as_array().unwrap())
        {
            out.push(&l["physicalLocation"]["artifactLocation"]);
        }
    }
    out
}

/// SARIF1004: a file named by its absolute path is still a URI relative to `SRCROOT` (the
/// directory caselock ran in), which the run records as an absolute `file:` URI ending in `/`;
/// SARIF2005: the driver has an `informationUri`.
#[test]
fn sarif_of_absolute_paths_is_relative_to_srcroot() {
    let root = env!("CARGO_MANIFEST_DIR");
    let absolute = format!("{root}/tests/fixtures/analysis");
    let log = check_sarif(&[
        "--docs-url",
        "https://example.org/caselock/docs/diagnostics.md",
        &absolute,
    ]);
    let e = Schema::from_file(SARIF_SCHEMA).errors(&log);
    assert!(e.is_empty(), "{e:#?}");
    let places = artifact_locations(&log);
    assert!(!places.is_empty());
    for a in places {
        assert_eq!(a["uriBaseId"], "SRCROOT", "{a}");
        let uri = a["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("tests/fixtures/analysis/") && !has_scheme(uri),
            "{uri}"
        );
    }
    let base = log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let info = log["runs"][0]["tool"]["driver"]["informationUri"]
        .as_str()
        .unwrap();
    assert!(has_scheme(info), "{info}");
}

/// A file outside the directory caselock ran in climbs out of `SRCROOT` with `..`, and a name
/// with a space is percent-encoded; the log still validates.
#[test]
fn sarif_of_a_file_outside_the_root_climbs_out_and_validates() {
    let dir = std::env::temp_dir().join(format!("caselock schema {}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("grant barred.policy");
    std::fs::copy(
        "tests/fixtures/analysis/CL0202_grant_barred_by_absolute_deny.policy",
        &file,
    )
    .unwrap();
    let log = check_sarif(&[file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let e = Schema::from_file(SARIF_SCHEMA).errors(&log);
    assert!(e.is_empty(), "{e:#?}");
    let places = artifact_locations(&log);
    assert!(!places.is_empty());
    for a in places {
        let uri = a["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("../") && uri.ends_with("/grant%20barred.policy"),
            "{uri}"
        );
        assert_eq!(a["uriBaseId"], "SRCROOT");
    }
}

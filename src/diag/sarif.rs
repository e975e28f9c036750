//! SARIF 2.1.0 output, as GitHub code scanning reads it: one run, the tool's rules from the
//! code registry, one result per diagnostic with its place and the related places of its
//! secondary labels.

use serde_json::{Value, json};

use super::render::{JsonLocation, json_diagnostics};
use super::{Code, Diagnostic, Severity};
use crate::span::SourceMap;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema the output follows.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log of the diagnostics; `docs_url`, when given, is the address of
/// `docs/diagnostics.md` that each rule's `helpUri` points into (`BASE#cl0201`).
pub fn sarif(sources: &SourceMap, diags: &[Diagnostic], docs_url: Option<&str>) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|c| rule(*c, docs_url)).collect();
    let results: Vec<Value> = diags
        .iter()
        .zip(json_diagnostics(sources, diags))
        .map(|(d, j)| {
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str(&format!("\nhelp: {h}"));
            }
            for n in &d.notes {
                text.push_str(&format!("\nnote: {n}"));
            }
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(&j.location, Some(&j.label))],
                "relatedLocations": j.related.iter().enumerate().map(|(i, l)| {
                    let mut loc = location(&l.location, Some(&l.message));
                    loc["id"] = json!(i + 1);
                    loc
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "caselock",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The code's documentation without its example, on one line per paragraph.
fn prose(c: Code) -> String {
    let doc = c.doc();
    let text = doc.find("\n\n    ").map_or(doc, |i| &doc[..i]);
    text.split("\n\n")
        .map(|p| p.replace('\n', " "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn rule(c: Code, docs_url: Option<&str>) -> Value {
    let mut markdown = prose(c);
    if let Some(i) = c.doc().find("\n\n    ") {
        markdown.push_str("\n\n```\n");
        for line in c.doc()[i + 2..].lines() {
            markdown.push_str(line.strip_prefix("    ").unwrap_or(line));
            markdown.push('\n');
        }
        markdown.push_str("```\n");
    }
    let default = if default_warning(c) {
        "warning"
    } else {
        "error"
    };
    let mut r = json!({
        "id": c.as_str(),
        "name": c.name(),
        "shortDescription": { "text": c.summary() },
        "fullDescription": { "text": prose(c) },
        "help": { "text": prose(c), "markdown": markdown },
        "defaultConfiguration": { "level": default },
    });
    if let Some(base) = docs_url {
        r["helpUri"] = json!(format!("{base}#{}", c.as_str().to_lowercase()));
    }
    r
}

/// Whether a code is reported as a warning (its example in the registry says so).
fn default_warning(c: Code) -> bool {
    c.doc().contains(&format!("warning[{}]", c.as_str()))
}

fn location(l: &JsonLocation, message: Option<&str>) -> Value {
    let mut v = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&l.file) },
            "region": {
                "startLine": l.line,
                "startColumn": l.column,
                "endLine": l.end_line,
                "endColumn": l.end_column.max(if l.end_line == l.line { l.column } else { 1 }),
            }
        }
    });
    if let Some(m) = message.filter(|m| !m.is_empty()) {
        v["message"] = json!({ "text": m });
    }
    v
}

/// A file name as a repository-relative URI: forward slashes, no leading `./`.
fn uri(file: &str) -> String {
    let f = file.replace('\\', "/");
    f.strip_prefix("./").unwrap_or(&f).replace(' ', "%20")
}

//! SARIF 2.1.0 output, as GitHub code scanning reads it: one run, the tool's rules from the
//! code registry, one result per diagnostic with its place and the related places of its
//! secondary labels.
//!
//! Every place is a URI relative to the `SRCROOT` base (the directory caselock ran in), even
//! when a file was named by its absolute path, so a log means the same on any checkout.

use std::path::{Component, Path};

use serde_json::{Value, json};

use super::render::{JsonLocation, json_diagnostics};
use super::{Code, Diagnostic, Severity};
use crate::span::SourceMap;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema the output follows.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base every artifact URI is relative to.
pub const SOURCE_ROOT: &str = "SRCROOT";

/// A SARIF log of the diagnostics. File names are made relative to `root` (the directory the
/// relative names are relative to; when absolute it is recorded as `SRCROOT`'s value).
/// `docs_url`, when given, is the address of `docs/diagnostics.md`: each rule's `helpUri` points
/// into it (`BASE#cl0201`), and it is the tool's `informationUri` unless the package names a
/// homepage.
pub fn sarif(
    sources: &SourceMap,
    diags: &[Diagnostic],
    root: &Path,
    docs_url: Option<&str>,
) -> Value {
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
                "locations": [location(&j.location, root, Some(&j.label))],
                "relatedLocations": j.related.iter().enumerate().map(|(i, l)| {
                    let mut loc = location(&l.location, root, Some(&l.message));
                    loc["id"] = json!(i + 1);
                    loc
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut driver = json!({
        "name": "caselock",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    let homepage = env!("CARGO_PKG_HOMEPAGE");
    if let Some(info) = Some(homepage).filter(|h| !h.is_empty()).or(docs_url) {
        driver["informationUri"] = json!(info);
    }
    let mut run = json!({
        "tool": { "driver": driver },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(base) = directory_uri(root) {
        run["originalUriBaseIds"] = json!({ SOURCE_ROOT: { "uri": base } });
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [run]
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

fn location(l: &JsonLocation, root: &Path, message: Option<&str>) -> Value {
    let mut v = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": relative_uri(&l.file, root), "uriBaseId": SOURCE_ROOT },
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

/// A file name as a URI relative to `root`: forward slashes, no leading `./`, percent-encoded;
/// an absolute name under `root` loses the prefix, one elsewhere climbs out with `..`.
pub fn relative_uri(file: &str, root: &Path) -> String {
    let path = Path::new(file);
    let parts: Vec<String> = if path.is_absolute() && root.is_absolute() {
        let from: Vec<Component> = root.components().collect();
        let to: Vec<Component> = path.components().collect();
        let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        std::iter::repeat_n("..".to_string(), from.len() - shared)
            .chain(
                to[shared..]
                    .iter()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned()),
            )
            .collect()
    } else {
        file.replace('\\', "/")
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect()
    };
    parts
        .iter()
        .map(|p| encode(p))
        .collect::<Vec<_>>()
        .join("/")
}

/// An absolute directory as a `file:` URI ending in `/`; None for a relative one.
fn directory_uri(dir: &Path) -> Option<String> {
    if !dir.is_absolute() {
        return None;
    }
    let mut out = String::from("file://");
    for c in dir.components() {
        match c {
            Component::RootDir => {}
            other => {
                out.push('/');
                out.push_str(&encode(&other.as_os_str().to_string_lossy()));
            }
        }
    }
    out.push('/');
    Some(out)
}

/// One path segment percent-encoded: RFC 3986 unreserved characters stay, every other byte
/// becomes `%XX`.
fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

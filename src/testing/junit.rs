//! Test results as JUnit XML, the report GitLab, Azure DevOps and Jenkins read: one
//! `<testsuite>` per policy, one `<testcase>` per test, a `<failure>` for a wrong decision and an
//! `<error>` for a malformed test or a policy that did not check. The layout follows the Apache
//! Ant JUnit schema (tests/fixtures/junit/), the strictest of the common readers.

use std::time::Duration;

use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::render;
use super::runner::{PolicyRun, Status};
use crate::diag::{Diagnostic, Renderer};
use crate::span::SourceMap;

/// The `package` every suite belongs to.
const PACKAGE: &str = "caselock";
/// The `hostname` written: the report says which policy, not which machine.
const HOSTNAME: &str = "localhost";
/// Diagnostics in a report wrap at this width.
const WIDTH: usize = 100;

/// Why a test case did not pass, as the `type` attribute names it.
#[derive(Debug, Clone, Copy)]
enum Problem {
    /// The decision differed from the expectation (`<failure>`).
    WrongDecision,
    /// The test block is malformed and did not run (`<error>`).
    MalformedTest,
    /// The policy has errors, so none of its tests ran (`<error>`).
    PolicyErrors,
}

impl Problem {
    fn element(self) -> &'static str {
        match self {
            Problem::WrongDecision => "failure",
            Problem::MalformedTest | Problem::PolicyErrors => "error",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Problem::WrongDecision => "wrong_decision",
            Problem::MalformedTest => "malformed_test",
            Problem::PolicyErrors => "policy_errors",
        }
    }
}

/// One `<testcase>`.
struct Case {
    name: String,
    elapsed: Duration,
    problem: Option<(Problem, String, String)>,
}

/// One `<testsuite>`.
struct Suite {
    name: String,
    path: String,
    cases: Vec<Case>,
    properties: Vec<(&'static str, String)>,
    out: String,
    err: String,
}

/// Every policy's results as one JUnit XML document, stamped `now`; `broken` lists the
/// policies that did not check (their root and errors): each is a suite with one errored case.
pub fn junit(
    runs: &[(String, PolicyRun)],
    broken: &[(String, Vec<Diagnostic>)],
    sources: &SourceMap,
    now: DateTime<Utc>,
) -> String {
    let renderer = Renderer::new(sources, false, WIDTH);
    let mut suites: Vec<Suite> = runs
        .iter()
        .map(|(root, run)| suite(root, run, sources, &renderer))
        .collect();
    suites.extend(broken.iter().map(|(root, diags)| Suite {
        name: root.clone(),
        path: root.clone(),
        cases: vec![Case {
            name: "policy checks".to_string(),
            elapsed: Duration::ZERO,
            problem: Some((
                Problem::PolicyErrors,
                format!("`{root}` has errors, so its tests did not run"),
                renderer.render_all(diags),
            )),
        }],
        properties: Vec::new(),
        out: String::new(),
        err: String::new(),
    }));
    let stamp = now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; the results are ignored rather than unwrapped.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = w.create_element("testsuites").write_inner_content(|w| {
        for (id, s) in suites.iter().enumerate() {
            write_suite(w, s, id, &stamp)?;
        }
        Ok(())
    });
    let mut text = String::from_utf8_lossy(&w.into_inner()).into_owned();
    text.push('\n');
    text
}

fn suite(root: &str, run: &PolicyRun, sources: &SourceMap, renderer: &Renderer) -> Suite {
    let cases = run
        .results
        .iter()
        .map(|r| Case {
            name: r.name.clone(),
            elapsed: r.elapsed,
            problem: match &r.status {
                Status::Passed(_) => None,
                Status::Failed {
                    request,
                    expected,
                    actual,
                    mismatches,
                } => Some((
                    Problem::WrongDecision,
                    mismatches
                        .iter()
                        .map(|m| format!("{}: expected {}, got {}", m.field, m.expected, m.actual))
                        .collect::<Vec<_>>()
                        .join("; "),
                    format!(
                        "{}\n{}",
                        sources.cite(r.span),
                        render::failure_detail(request, expected, actual, mismatches)
                    ),
                )),
                Status::Invalid(diags) => Some((
                    Problem::MalformedTest,
                    "the test is malformed".to_string(),
                    renderer.render_all(diags),
                )),
            },
        })
        .collect();
    Suite {
        name: run.policy.clone(),
        path: root.to_string(),
        cases,
        properties: vec![
            ("coverage.covered", run.coverage.covered().to_string()),
            ("coverage.rules", run.coverage.rules.len().to_string()),
        ],
        out: render::coverage(&run.coverage),
        err: renderer.render_all(&run.warnings),
    }
}

type XmlResult = Result<(), std::io::Error>;

fn write_suite(w: &mut Writer<Vec<u8>>, s: &Suite, id: usize, stamp: &str) -> XmlResult {
    let count = |p: fn(Problem) -> bool| {
        s.cases
            .iter()
            .filter(|c| c.problem.as_ref().is_some_and(|(k, _, _)| p(*k)))
            .count()
            .to_string()
    };
    let total: Duration = s.cases.iter().map(|c| c.elapsed).sum();
    let id = id.to_string();
    let tests = s.cases.len().to_string();
    let failures = count(|k| matches!(k, Problem::WrongDecision));
    let errors = count(|k| !matches!(k, Problem::WrongDecision));
    let time = seconds(total);
    let name = clean(&s.name);
    w.create_element("testsuite")
        .with_attributes([
            ("package", PACKAGE),
            ("id", id.as_str()),
            ("name", name.as_str()),
            ("timestamp", stamp),
            ("hostname", HOSTNAME),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
            ("skipped", "0"),
            ("time", time.as_str()),
        ])
        .write_inner_content(|w| {
            w.create_element("properties").write_inner_content(|w| {
                let path = clean(&s.path);
                w.create_element("property")
                    .with_attributes([("name", "path"), ("value", path.as_str())])
                    .write_empty()?;
                for (k, v) in &s.properties {
                    w.create_element("property")
                        .with_attributes([("name", *k), ("value", v.as_str())])
                        .write_empty()?;
                }
                Ok(())
            })?;
            for c in &s.cases {
                write_case(w, c, &name)?;
            }
            w.create_element("system-out")
                .write_text_content(text(&s.out))?;
            w.create_element("system-err")
                .write_text_content(text(&s.err))?;
            Ok(())
        })?;
    Ok(())
}

fn write_case(w: &mut Writer<Vec<u8>>, c: &Case, classname: &str) -> XmlResult {
    let name = clean(&c.name);
    let time = seconds(c.elapsed);
    let element = w.create_element("testcase").with_attributes([
        ("name", name.as_str()),
        ("classname", classname),
        ("time", time.as_str()),
    ]);
    match &c.problem {
        None => {
            element.write_empty()?;
        }
        Some((kind, message, detail)) => {
            element.write_inner_content(|w| {
                let message = clean(message);
                w.create_element(kind.element())
                    .with_attributes([("message", message.as_str()), ("type", kind.word())])
                    .write_text_content(text(detail))?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Element text, escaping only what XML requires (quotes stay readable in a CI log).
fn text(raw: &str) -> BytesText<'static> {
    BytesText::from_escaped(partial_escape(clean(raw)).into_owned())
}

/// A duration as the schema's decimal seconds.
fn seconds(d: Duration) -> String {
    format!("{:.6}", d.as_secs_f64())
}

/// Text XML 1.0 can carry: control characters other than tab and newline are dropped.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .collect()
}

//! The what-if tool reports mistakes in the GOV.UK Design System pattern (src/serve/form.rs):
//! every error at once, an error summary whose links go to the fields in the form's order, an
//! inline message and `aria-invalid` on each field, "Error:" at the start of the title, plain
//! words (never parser text), the empty form submitted told what is missing, names the policy
//! does not declare refused, and hints read once. Against the real `caselock serve` over HTTP
//! (without a token, so the tool is open as the rest of such a service is).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["serve", "--addr", "127.0.0.1:0", "--watch-interval", "0"])
        .args(["--policy", "tests/fixtures/serve/nottingham.policy"])
        .arg("--no-log")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = support::announced_addr(&mut child);
    Server { child, addr }
}

/// GETs the what-if tool with a query; returns the status and the HTML.
fn page(s: &Server, query: &str) -> (u16, String) {
    get(s, &format!("/what-if?{query}"))
}

/// GETs a path; returns the status and the body.
fn get(s: &Server, path: &str) -> (u16, String) {
    let mut t = TcpStream::connect(&s.addr).unwrap();
    t.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        t,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr
    )
    .unwrap();
    let mut raw = String::new();
    t.read_to_string(&mut raw).unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

/// The links of the error summary, as (field, message).
fn summary(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("<div class=\"error-summary\"") else {
        return Vec::new();
    };
    let block = &html[start..start + html[start..].find("</div>").unwrap()];
    let link = regex::Regex::new(r##"<li><a href="#([a-z_]+)">([^<]*)</a></li>"##).unwrap();
    link.captures_iter(block)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

fn title(html: &str) -> &str {
    let start = html.find("<title>").unwrap() + 7;
    &html[start..start + html[start..].find("</title>").unwrap()]
}

/// The field's `<input ...>` or `<select ...>` tag.
fn input<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("<input id=\"{name}\""))
        .or_else(|| html.find(&format!("<select id=\"{name}\"")))
        .unwrap();
    &html[start..start + html[start..].find('>').unwrap()]
}

const REFUSED: &str = "subject=u-1042&roles=social_worker&organisation=council&action=view&record=J123456&category=adoption&owner=u-3001&allocated_workers=u-2001";

#[test]
fn the_empty_form_submitted_lists_every_missing_field_in_order() {
    let s = serve();
    let (status, html) = page(&s, "check=1");
    assert_eq!(status, 400);
    assert!(title(&html).starts_with("Error: "), "{}", title(&html));
    let fields: Vec<String> = summary(&html).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["subject", "organisation", "action", "record"]);
    for f in &fields {
        let tag = input(&html, f);
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
        assert!(tag.contains(&format!("{f}-error")), "{tag}");
        assert!(
            html.contains(&format!(
                "<p class=\"error-message\" id=\"{f}-error\"><span class=\"visually-hidden\">Error: </span>"
            )),
            "{f}"
        );
    }
    // A bare visit is the blank form, not an error.
    let (status, html) = page(&s, "");
    assert_eq!(status, 200);
    assert!(summary(&html).is_empty() && !title(&html).starts_with("Error"));
}

#[test]
fn every_error_is_reported_at_once_in_plain_words() {
    let s = serve();
    let (status, html) = page(
        &s,
        "check=1&subject=u-1&record=J1&placed_on=31/02/2026&review_by=soon&allow_teams=nowhere&owner=u-3001",
    );
    assert_eq!(status, 400);
    let errors = summary(&html);
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "organisation",
            "action",
            "category",
            "placed_on",
            "review_by",
            "allow_teams"
        ]
    );
    for (_, message) in &errors {
        assert!(
            !message.contains('`') && !message.contains("invalid") && !message.contains("expected"),
            "developer text: {message}"
        );
    }
    assert!(errors.iter().any(|(f, m)| f == "placed_on"
        && m == "Restriction placed on must be a real date, for example 01/05/2026"));
    // A restriction's details without its category are not silently dropped.
    assert!(errors.iter().any(|(f, _)| f == "category"));
    // A name the policy does not declare is refused, not guessed at.
    assert!(errors.iter().any(|(f, m)| f == "allow_teams"
        && m == "Teams on the access list: choose from the list; the policy does not declare nowhere"));
}

#[test]
fn hints_sit_outside_labels_and_are_read_once() {
    let s = serve();
    let (_, html) = page(&s, "");
    let label = regex::Regex::new(r#"<label for="([a-z_0-9-]+)">([^<]*)</label>"#).unwrap();
    let labels = label.captures_iter(&html).count();
    assert!(
        labels >= 12,
        "every text label holds its text only: {labels}"
    );
    let tag = input(&html, "placed_on");
    assert!(tag.contains("aria-describedby=\"placed_on-hint\""), "{tag}");
    assert_eq!(html.matches("id=\"placed_on-hint\"").count(), 1);
}

#[test]
fn list_entries_are_chosen_from_the_policys_teams_and_roles() {
    let s = serve();
    let (status, html) = page(
        &s,
        &format!(
            "check=1&{REFUSED}&placed_on=01/10/2026&named_allow=u-5&allow_teams=placements&deny_roles=team_manager"
        ),
    );
    assert_eq!(status, 200, "{:?}", summary(&html));
    assert!(html.contains("id=\"decision\""));
    for ticked in [
        "name=\"allow_teams\" value=\"placements\" checked",
        "name=\"deny_roles\" value=\"team_manager\" checked",
        "<option value=\"adoption\" selected>",
    ] {
        assert!(html.contains(ticked), "the form keeps `{ticked}`");
    }
}

//! The HTML the service shows people, in GOV.UK Design System conventions: one document layout
//! (no script, no external assets, inline CSS, so it works in any browser, with or without
//! JavaScript, and with a screen reader), the caseworker's view of a decision (shown by the
//! caseworker page, [`super::why`], and previewed by the what-if tool, [`super::what_if`]), the
//! landing page at `/` and the pages that refuse. Everything shown comes from the caseworker
//! response, and every person is named by the staff directory ([`Names`]), never by a user id.

use std::fmt::Write;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::directory::Directory;
use super::form;
use crate::eval::{ListEntry, Outcome, Request, WarningCode};
use crate::report::html_escape as esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#0b0c0c;background:#fff}\
main{max-width:44rem;margin:0 auto;padding:1rem}\
h1{font-size:1.75rem}\
.tag{display:inline-block;background:#1d70b8;color:#fff;font-weight:700;padding:0.1rem 0.5rem}\
.result{border-left:0.5rem solid;padding:0.5rem 1rem;margin:1rem 0}\
.allow{border-color:#00703c;background:#e8f5ee}\
.deny{border-color:#d4351c;background:#fdeeeb}\
.author{border:1px solid #b1b4b6;padding:0.5rem 1rem;margin:1rem 0}\
fieldset{border:1px solid #b1b4b6;margin:1rem 0;padding:0.5rem 1rem;min-width:0}\
input,select{font:inherit;padding:0.3rem;width:100%;max-width:30rem;border:2px solid #0b0c0c;box-sizing:border-box}\
input:focus,select:focus,button:focus{outline:3px solid #fd0;outline-offset:0}\
button{font:inherit;font-weight:600;padding:0.5rem 1rem;margin-top:1rem;background:#00703c;color:#fff;border:0}\
code{overflow-wrap:anywhere}\
.ref{color:#505a5f;font-size:0.9rem;overflow-wrap:anywhere}";

/// A whole HTML document: `title` (prefixed "Error: " when `error`), the page's `h1`, then
/// `body` (already HTML).
pub(super) fn document(error: bool, title: &str, heading: &str, body: &str) -> String {
    let prefix = if error { form::ERROR_PREFIX } else { "" };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{prefix}{} – caselock</title>\n<style>{STYLE}{}</style>\n</head>\n<body>\n<main>\n\
         <h1>{}</h1>\n{body}</main>\n</body>\n</html>\n",
        esc(title),
        form::STYLE,
        esc(heading)
    )
}

/// An HTML response, kept out of caches, other sites' referrer logs and frames, with a
/// Content-Security-Policy that allows no script; `challenge` is the `WWW-Authenticate` of a
/// 401.
pub(super) fn respond(
    status: StatusCode,
    html: String,
    challenge: Option<&'static str>,
) -> Response {
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    if let Some(c) = challenge {
        h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(c));
    }
    r
}

/// A page that says one thing: a refusal, or why nothing can be shown.
pub(super) fn message(
    status: StatusCode,
    title: &str,
    paragraphs: &[&str],
    challenge: Option<&'static str>,
) -> Response {
    let mut body = String::new();
    for p in paragraphs {
        let _ = writeln!(body, "<p>{}</p>", esc(p));
    }
    respond(status, document(false, title, title, &body), challenge)
}

/// `GET /`: what the service is, and where each kind of visitor goes. It decides nothing and
/// reads nothing from its address.
pub(super) async fn landing() -> Response {
    message(
        StatusCode::OK,
        "Access to restricted case records",
        &[
            "If you were refused access to a record, go back to the case-management system and follow its link to find out why. The link works only for you, and only for a short time.",
            "Policy authors can try out a policy with the what-if tool, at /what-if (it asks for the service's token).",
        ],
        None,
    )
}

/// How people are named on a page: by the staff directory, never by user id. Every id the
/// decision's request holds (the asker's, the restriction owner's, the allocated workers' and
/// managers', and the people on the record's lists) is replaced wherever it appears in the
/// explanation's words: by the person's name and role title when the directory lists them,
/// otherwise removed with its brackets, or, standing alone, replaced by "a colleague".
#[derive(Debug)]
pub(super) struct Names<'a> {
    directory: Option<&'a Directory>,
    /// Longest first, so an id that contains another is replaced whole.
    ids: Vec<String>,
}

impl<'a> Names<'a> {
    /// The names for a decision on `req`.
    pub(super) fn new(directory: Option<&'a Directory>, req: &Request) -> Names<'a> {
        let r = &req.record;
        let mut ids: Vec<String> = std::iter::once(req.subject.id.as_str())
            .chain(r.allocated_workers.iter().map(|i| i.as_str()))
            .chain(r.allocated_managers.iter().map(|i| i.as_str()))
            .map(str::to_string)
            .collect();
        for g in &req.temporary_grants {
            ids.push(g.subject.as_str().to_string());
            ids.push(g.approved_by.id().as_str().to_string());
        }
        // A linked record's restriction carries people too (its owner, its lists).
        for (_, x) in r.every_placed() {
            ids.extend(x.owner.as_ref().map(|o| o.as_str().to_string()));
            for e in x.named_allow.iter().chain(&x.named_deny) {
                if let ListEntry::Person(p) = e {
                    ids.push(p.as_str().to_string());
                }
            }
        }
        ids.sort_by_key(|i| std::cmp::Reverse(i.len()));
        ids.dedup();
        Names { directory, ids }
    }

    /// The person with this id, as the directory describes them.
    fn person(&self, id: &str) -> Option<String> {
        self.directory
            .and_then(|d| d.find(id))
            .map(super::directory::Person::describe)
    }

    /// A contact: the directory's name and title with what they are to the record
    /// ("Pat Placeholder, Team Manager (the restriction owner)"), or what they are alone.
    pub(super) fn contact(&self, description: &str, id: Option<&str>) -> String {
        let described = self.text(description);
        match id.and_then(|i| self.person(i)) {
            Some(p) => format!("{p} ({described})"),
            None => described,
        }
    }

    /// Text from the explanation with every id of the request replaced.
    pub(super) fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for id in &self.ids {
            let bracketed = format!("({id})");
            let replacement = match self.person(id) {
                Some(p) => format!("({p})"),
                None => String::new(),
            };
            if replacement.is_empty() {
                out = out.replace(&format!(" {bracketed}"), "");
            }
            out = out.replace(&bracketed, &replacement);
            out = replace_standalone(
                &out,
                id,
                &self.person(id).unwrap_or_else(|| "a colleague".to_string()),
            );
        }
        out
    }
}

/// `text` with each occurrence of `id` that is not part of a longer word replaced.
fn replace_standalone(text: &str, id: &str, with: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(id) {
        let before = rest.get(..at).and_then(|b| b.chars().next_back());
        let after = rest.get(at + id.len()..).and_then(|a| a.chars().next());
        out.push_str(rest.get(..at).unwrap_or_default());
        if word(before) || word(after) {
            out.push_str(id);
        } else {
            out.push_str(with);
        }
        rest = rest.get(at + id.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The caseworker's view of a decision: what they asked, the decision, the explanation, who to
/// contact and the approval path, temporary access, what they must do, and the decision
/// reference (None for a what-if, which has none). Only what the caseworker response carries:
/// never a rule id, a source line, a policy id, a record fact or a user id.
pub(super) fn caseworker_view(
    h: &mut String,
    r: &crate::eval::Response,
    asked: &str,
    reference: Option<&str>,
    names: &Names,
) {
    let (class, heading) = match r.decision {
        Outcome::Allow => ("allow", "You may do this"),
        Outcome::Deny => ("deny", "You cannot do this"),
        Outcome::Pending => ("pending", "You can do this once it is approved"),
    };
    let _ = write!(
        h,
        "<section class=\"result {class}\" aria-labelledby=\"decision\" id=\"result\">\n\
         <h2 id=\"decision\">{heading}</h2>\n<p id=\"asked\">You asked to: {}.</p>\n",
        esc(asked)
    );
    let view = match (r.decision, r.view.word()) {
        (Outcome::Allow, "minimal") => Some("You will see a limited view of the record."),
        (Outcome::Deny, "minimal") => Some("You can see a limited summary of the record only."),
        (Outcome::Deny, "notice") => Some("You can see a notice that access is restricted only."),
        _ => None,
    };
    if let Some(v) = view {
        let _ = writeln!(h, "<p>{v}</p>");
    }
    if let Some(e) = &r.explanation {
        let _ = writeln!(h, "<p id=\"explanation\">{}</p>", esc(&names.text(e)));
    }
    let steps = &r.next_steps;
    if let Some(c) = &steps.contact {
        let who = names.contact(&c.description, c.subject_id.as_deref());
        let _ = write!(
            h,
            "<h3>Who to contact</h3>\n<p id=\"contact\">{}</p>\n",
            esc(&who)
        );
        if !steps.escalation.is_empty() {
            h.push_str("<p>Who approves access, in order:</p>\n<ol>\n");
            for s in &steps.escalation {
                let _ = writeln!(h, "<li>{}</li>", esc(&names.text(s)));
            }
            h.push_str("</ol>\n");
        }
    }
    if let Some(t) = &steps.temporary_access {
        let text = if t.available {
            let approvers: Vec<String> = t.approvers.iter().map(|a| names.text(a)).collect();
            format!(
                "You can ask for temporary access for up to {}. It must be approved by {}.",
                t.max_duration,
                or_list(&approvers)
            )
        } else {
            "You cannot be given temporary access to this record.".to_string()
        };
        let _ = write!(
            h,
            "<h3>Temporary access</h3>\n<p id=\"temporary\">{}</p>\n",
            esc(&text)
        );
        // A category with kinds of temporary access: each, as far as it may be told.
        if !t.kinds.is_empty() {
            h.push_str("<ul id=\"temporary-kinds\">\n");
            for k in &t.kinds {
                let what = k.title.as_deref().unwrap_or("Temporary access");
                let text = if k.available {
                    let approvers: Vec<String> =
                        k.approvers.iter().map(|a| names.text(a)).collect();
                    let mut text = format!("{what}: for up to {}", k.max_duration);
                    if !approvers.is_empty() {
                        text.push_str(&format!(", approved by {}", or_list(&approvers)));
                    }
                    text.push('.');
                    text
                } else {
                    format!("{what}: not available to you.")
                };
                let _ = writeln!(h, "<li>{}</li>", esc(&text));
            }
            h.push_str("</ul>\n");
        }
    }
    if !r.obligations.is_empty() {
        h.push_str("<h3>What you must do</h3>\n<ul>\n");
        for o in &r.obligations {
            let _ = writeln!(h, "<li>{}</li>", esc(&names.text(&o.text)));
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
            let _ = writeln!(h, "<li>{}</li>", esc(&names.text(&w.message)));
        }
        h.push_str("</ul>\n");
    }
    let _ = match reference {
        Some(id) => write!(
            h,
            "<p class=\"ref\">Decision reference <span id=\"decision-id\">{}</span>. Quote it if you contact anyone about this decision.</p>\n</section>\n",
            esc(id),
        ),
        None => write!(
            h,
            "<p class=\"ref\">A what-if: not a decision, and not logged.</p>\n</section>\n"
        ),
    };
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => "the person the policy names".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_replaced_by_directory_names_or_left_out() {
        let directory = Directory::parse(
            "subject_id,display_name,role_title\nu-3001,Pat Placeholder,Team Manager\n",
        )
        .unwrap();
        let names = Names {
            directory: Some(&directory),
            ids: vec!["u-3001".to_string(), "u-20".to_string(), "u-2".to_string()],
        };
        assert_eq!(
            names.text("Contact the restriction owner (u-3001)."),
            "Contact the restriction owner (Pat Placeholder, Team Manager)."
        );
        assert_eq!(
            names.text("Contact the allocated worker (u-2)."),
            "Contact the allocated worker."
        );
        assert_eq!(
            names.text("u-20 and u-2 and u-200"),
            "a colleague and a colleague and u-200"
        );
        assert_eq!(
            names.contact("the restriction owner", Some("U-3001")),
            "Pat Placeholder, Team Manager (the restriction owner)"
        );
        assert_eq!(
            names.contact("the restriction owner", Some("u-9")),
            "the restriction owner"
        );
    }
}

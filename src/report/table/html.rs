//! The decision table as one self-contained HTML page: inline CSS, no scripts or external
//! assets, every text escaped, tables with captions and header scopes for screen readers.
//!
//! It reflows: each table sits in its own labelled, keyboard-focusable scroll region and every
//! cell wraps, so at 320 CSS px only a table scrolls, never the page (WCAG 1.4.10); each outcome's
//! explanation is printed under it rather than hidden in a tooltip. It prints on A4: the policy
//! id, version and hash head every page and the page number foots it (CSS paged media), a
//! category's name repeats at the top of each page its table continues on, and categories do not
//! force page breaks. `tests/table_print.rs` prints it with Chromium and checks the PDF.

use std::fmt::Write as _;

use super::restriction_rules::NOTE as RULES_NOTE;
use super::{CategorySheet, FLAGS_NOTE, FlagSheet, RestrictionRuleSheet, Setting, Sheet};
use crate::report::html_escape as esc;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111;background:#fff;line-height:1.45;margin:2rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.6rem;overflow-wrap:anywhere}h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:2px solid #333;overflow-wrap:anywhere}
code{font-family:ui-monospace,Consolas,monospace;font-size:.9em}
dl{display:grid;grid-template-columns:minmax(6rem,max-content) minmax(0,1fr);gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%;margin:1rem 0}.scroll:focus{outline:3px solid #fd0;outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #555;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.src{overflow-wrap:anywhere;min-width:6em}
thead th{background:#e8e8e8}
tr.continued{display:none}
tr.allow td.outcome{background:#e3f4e3}tr.deny td.outcome{background:#fbe3e3}
.why{display:block;font-size:.85em;margin-top:.2rem}
nav li{margin:.35rem 0}nav a{display:inline-block;min-height:24px;padding:.15rem 0}
a{color:#0645ad}a:focus{outline:3px solid #fd0}
@media print{body{margin:0;max-width:none;font-size:9pt}nav{display:none}.scroll{overflow:visible}h2{break-after:avoid}thead{display:table-header-group}tr{break-inside:avoid}tr.continued{display:table-row}a{color:inherit;text-decoration:none}}
";

/// The paged-media rules: A4, the policy on every page's head, the page number at its foot.
fn page_style(s: &Sheet) -> String {
    let version = s
        .version
        .map(|v| format!(" version {v}"))
        .unwrap_or_default();
    let head = format!("{}{version} · hash {}", s.policy, s.source_hash);
    format!(
        "@page{{size:A4;margin:16mm 10mm 14mm;\
         @top-left{{content:\"{}\";font:8pt system-ui,sans-serif}}\
         @bottom-right{{content:\"Page \" counter(page) \" of \" counter(pages);font:8pt system-ui,sans-serif}}}}\n",
        css_string(&head)
    )
}

/// Text inside a CSS string: quotes, backslashes and line breaks escaped.
fn css_string(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => format!("\\{c}"),
            c if c.is_control() => format!("\\{:x} ", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Escaped text with the sheet's `code` spans (written in backticks) as `<code>`.
fn inline(text: &str) -> String {
    let escaped = esc(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() % 2 == 0 {
        // An unpaired backtick is text, not markup.
        return escaped;
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("<code>{p}</code>")
            } else {
                (*p).to_string()
            }
        })
        .collect()
}

/// Renders the sheet as an HTML page.
pub(super) fn render(s: &Sheet) -> String {
    let mut out = String::new();
    let title = format!("Decision table: {} ({})", s.title, s.policy);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}{}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(&title),
        page_style(s),
        esc(&title)
    );
    out.push_str("<dl>\n");
    if let Some(v) = s.version {
        let _ = writeln!(out, "<dt>Version</dt><dd>{v}</dd>");
    }
    if !s.sources.is_empty() {
        let _ = writeln!(
            out,
            "<dt>Source documents</dt><dd>{}</dd>",
            esc(&s.sources.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "<dt>Source hash</dt><dd><code>{}</code></dd>",
        esc(&s.source_hash)
    );
    out.push_str(
        "</dl>\n<p>Rules are read top to bottom: the first that applies decides.</p>\n</header>\n",
    );
    out.push_str("<nav aria-label=\"Categories\">\n<ul>\n");
    for c in &s.categories {
        let _ = writeln!(
            out,
            "<li><a href=\"#cat-{}\">{}</a></li>",
            esc(&c.name),
            esc(&c.title)
        );
    }
    if !s.flags.is_empty() {
        out.push_str("<li><a href=\"#flags\">Flags</a></li>\n");
    }
    if !s.restriction_rules.is_empty() {
        out.push_str("<li><a href=\"#restriction-rules\">Rules about restrictions</a></li>\n");
    }
    out.push_str("</ul>\n</nav>\n<main>\n");
    for c in &s.categories {
        category(&mut out, c);
    }
    if !s.flags.is_empty() {
        flags(&mut out, &s.flags);
    }
    if !s.restriction_rules.is_empty() {
        restriction_rules(&mut out, &s.restriction_rules);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn category(out: &mut String, c: &CategorySheet) {
    let _ = writeln!(
        out,
        "<section id=\"cat-{}\" aria-labelledby=\"h-{}\">\n<h2 id=\"h-{}\">{} (<code>{}</code>)</h2>",
        esc(&c.name),
        esc(&c.name),
        esc(&c.name),
        esc(&c.title),
        esc(&c.name)
    );
    out.push_str("<dl>\n");
    let _ = writeln!(
        out,
        "<dt>Written at</dt><dd><code>{}</code></dd>",
        esc(&c.source)
    );
    for criterion in &c.criteria {
        let _ = writeln!(out, "<dt>Criteria</dt><dd>{}</dd>", inline(criterion));
    }
    let _ = writeln!(
        out,
        "<dt>Restriction</dt><dd>{}</dd>",
        inline(c.restriction_text)
    );
    let _ = writeln!(
        out,
        "<dt>A refused person sees</dt><dd>{}</dd>",
        inline(&c.denied)
    );
    if c.restricted {
        let _ = writeln!(out, "<dt>Covers</dt><dd>{}</dd>", inline(&c.covers));
        setting(out, "Review", &c.review);
        if let Some(l) = &c.lasts {
            setting(out, "How long it lasts", l);
        }
        setting(out, "Temporary access", &c.temporary);
        setting(out, "Contact", &c.contact);
    }
    for a in &c.approvals {
        let inherited = if a.inherited {
            " (policy-wide default)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<dt>Approval for {}</dt><dd>{}{inherited} <code class=\"src\">{}</code></dd>",
            esc(&a.purpose),
            inline(&a.chain),
            esc(&a.source)
        );
    }
    let _ = write!(
        out,
        "</dl>\n<div class=\"scroll\" role=\"region\" aria-labelledby=\"cap-{n}\" tabindex=\"0\">\n\
         <table>\n<caption id=\"cap-{n}\">Who may do what on {} records, in decision order</caption>\n",
        esc(&c.title),
        n = esc(&c.name)
    );
    // The first header row shows only on paper, where the header repeats on every page the
    // table continues on, so each page says which category it is.
    let _ = write!(
        out,
        "<thead><tr class=\"continued\"><th scope=\"colgroup\" colspan=\"8\">{} (<code>{}</code>)</th></tr>\n\
         <tr><th scope=\"col\">Rule</th><th scope=\"col\">Actions</th>\
         <th scope=\"col\">Outcome</th><th scope=\"col\">Who</th><th scope=\"col\">Condition</th>\
         <th scope=\"col\">Sees</th><th scope=\"col\">Obligations</th>\
         <th scope=\"col\">Source</th></tr></thead>\n<tbody>\n",
        esc(&c.title),
        esc(&c.name)
    );
    for r in &c.rules {
        let class = if r.outcome.starts_with("allowed") {
            "allow"
        } else {
            "deny"
        };
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><th scope=\"row\"><code>{}</code></th><td>{}</td>\
             <td class=\"outcome\">{}<span class=\"why\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"src\"><code>{}</code></td></tr>",
            esc(&r.rule),
            inline(&r.actions.join(", ")),
            inline(&r.outcome),
            inline(r.why),
            inline(&r.who),
            inline(&r.condition),
            inline(&r.sees),
            inline(&r.obligations.join("; ")),
            // A path may break after any `/`.
            esc(&r.source).replace('/', "/<wbr>")
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// The flags: what each warns of and when it is reviewed.
fn flags(out: &mut String, flags: &[FlagSheet]) {
    let _ = write!(
        out,
        "<section id=\"flags\" aria-labelledby=\"h-flags\">\n<h2 id=\"h-flags\">Flags</h2>\n\
         <p>{FLAGS_NOTE}</p>\n\
         <div class=\"scroll\" role=\"region\" aria-labelledby=\"cap-flags\" tabindex=\"0\">\n\
         <table>\n<caption id=\"cap-flags\">Flags a record may carry</caption>\n\
         <thead><tr><th scope=\"col\">Flag</th><th scope=\"col\">Title</th><th scope=\"col\">Duty</th>\
         <th scope=\"col\">Review</th><th scope=\"col\">Source</th></tr></thead>\n<tbody>\n"
    );
    for f in flags {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"src\"><code>{}</code></td></tr>",
            esc(&f.name),
            esc(&f.title),
            esc(&f.warns),
            inline(&f.review.text),
            esc(&f.source).replace('/', "/<wbr>")
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// The rules about restrictions: what each says, when, and why.
fn restriction_rules(out: &mut String, rules: &[RestrictionRuleSheet]) {
    let _ = write!(
        out,
        "<section id=\"restriction-rules\" aria-labelledby=\"h-restriction-rules\">\n\
         <h2 id=\"h-restriction-rules\">Rules about restrictions</h2>\n<p>{}</p>\n\
         <div class=\"scroll\" role=\"region\" aria-labelledby=\"cap-restriction-rules\" tabindex=\"0\">\n\
         <table>\n<caption id=\"cap-restriction-rules\">Which restrictions records must, must not, or may not together carry</caption>\n\
         <thead><tr><th scope=\"col\">Statement</th><th scope=\"col\">Says</th><th scope=\"col\">When</th>\
         <th scope=\"col\">Why</th><th scope=\"col\">Source</th></tr></thead>\n<tbody>\n",
        esc(RULES_NOTE)
    );
    for r in rules {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"src\"><code>{}</code></td></tr>",
            esc(r.kind.word()),
            inline(&r.says),
            esc(&r.when),
            esc(&r.reason),
            esc(&r.source).replace('/', "/<wbr>")
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn setting(out: &mut String, label: &str, s: &Setting) {
    let src = s
        .source
        .as_deref()
        .map(|src| format!(" <code class=\"src\">{}</code>", esc(src)))
        .unwrap_or_default();
    let _ = writeln!(out, "<dt>{label}</dt><dd>{}{src}</dd>", inline(&s.text));
}

//! The decision table as one self-contained HTML page: inline CSS, no scripts or external
//! assets, every text escaped, tables with captions and header scopes for screen readers, and
//! print rules so an auditor can print it.

use std::fmt::Write as _;

use super::{CategorySheet, Setting, Sheet};
use crate::report::html_escape as esc;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111;background:#fff;line-height:1.45;margin:2rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:2px solid #333}
code{font-family:ui-monospace,Consolas,monospace;font-size:.9em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #555;padding:.3rem .45rem;text-align:left;vertical-align:top}
thead th{background:#e8e8e8}
tr.allow td.outcome{background:#e3f4e3}tr.deny td.outcome{background:#fbe3e3}
.src{white-space:nowrap}
a{color:#0645ad}a:focus{outline:3px solid #fd0}
@media print{body{margin:0;max-width:none;font-size:10pt}nav{display:none}section{break-inside:avoid-page}thead{display:table-header-group}tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
";

/// Renders the sheet as an HTML page.
pub(super) fn render(s: &Sheet) -> String {
    let mut out = String::new();
    let title = format!("Decision table: {} ({})", s.title, s.policy);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(&title),
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
    out.push_str("</ul>\n</nav>\n<main>\n");
    for c in &s.categories {
        category(&mut out, c);
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
        let _ = writeln!(out, "<dt>Criteria</dt><dd>{}</dd>", esc(criterion));
    }
    let _ = writeln!(
        out,
        "<dt>Restriction</dt><dd>{}</dd>",
        esc(c.restriction_text)
    );
    let _ = writeln!(
        out,
        "<dt>A refused person sees</dt><dd>{}</dd>",
        esc(&c.denied)
    );
    if c.restricted {
        setting(out, "Review", &c.review);
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
            esc(&a.chain),
            esc(&a.source)
        );
    }
    out.push_str("</dl>\n<table>\n");
    let _ = writeln!(
        out,
        "<caption>Who may do what on {} records, in decision order</caption>",
        esc(&c.title)
    );
    out.push_str(
        "<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Actions</th>\
         <th scope=\"col\">Outcome</th><th scope=\"col\">Who</th><th scope=\"col\">Condition</th>\
         <th scope=\"col\">Sees</th><th scope=\"col\">Obligations</th>\
         <th scope=\"col\">Source</th></tr></thead>\n<tbody>\n",
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
             <td class=\"outcome\" title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"src\"><code>{}</code></td></tr>",
            esc(&r.rule),
            esc(&r.actions.join(", ")),
            esc(r.why),
            esc(&r.outcome),
            esc(&r.who),
            esc(&r.condition),
            esc(&r.sees),
            esc(&r.obligations.join("; ")),
            esc(&r.source)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn setting(out: &mut String, label: &str, s: &Setting) {
    let src = s
        .source
        .as_deref()
        .map(|src| format!(" <code class=\"src\">{}</code>", esc(src)))
        .unwrap_or_default();
    let _ = writeln!(out, "<dt>{label}</dt><dd>{}{src}</dd>", esc(&s.text));
}

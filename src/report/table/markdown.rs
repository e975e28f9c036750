//! The decision table as a markdown document.

use std::fmt::Write as _;

use super::restriction_rules::NOTE as RULES_NOTE;
use super::{FLAGS_NOTE, Setting, Sheet};
use crate::markdown::cell;

/// Renders the sheet as markdown.
pub(super) fn render(s: &Sheet) -> String {
    let mut out = String::new();
    let version = s
        .version
        .map(|v| format!(" version {v}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "# Decision table: {} (`{}`{version})\n",
        cell(&s.title),
        s.policy
    );
    if !s.sources.is_empty() {
        let _ = writeln!(out, "Source documents: {}  ", cell(&s.sources.join(", ")));
    }
    let _ = writeln!(out, "Source hash: `{}`\n", s.source_hash);
    out.push_str(
        "Rules are read top to bottom: the first that applies decides (see docs/semantics.md).\n",
    );
    for c in &s.categories {
        let _ = writeln!(out, "\n## {} (`{}`)\n", cell(&c.title), c.name);
        let _ = writeln!(out, "Written at `{}`.\n", c.source);
        for criterion in &c.criteria {
            let _ = writeln!(out, "- **Criteria:** {}", cell(criterion));
        }
        let _ = writeln!(out, "- **Restriction:** {}", c.restriction_text);
        let _ = writeln!(out, "- **A refused person sees:** {}", cell(&c.denied));
        if c.restricted {
            let _ = writeln!(out, "- **Covers:** {}", cell(&c.covers));
            setting(&mut out, "Review", &c.review);
            if let Some(l) = &c.lasts {
                setting(&mut out, "How long it lasts", l);
            }
            setting(&mut out, "Temporary access", &c.temporary);
            setting(&mut out, "Contact", &c.contact);
        }
        for a in &c.approvals {
            let inherited = if a.inherited {
                " (policy-wide default)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "- **Approval for {}:** {}{inherited} — `{}`",
                a.purpose,
                cell(&a.chain),
                a.source
            );
        }
        out.push_str(
            "\n| Rule | Actions | Outcome | Who | Condition | Sees | Obligations | Source |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for r in &c.rules {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} | `{}` |",
                r.rule,
                cell(&r.actions.join(", ")),
                cell(&r.outcome),
                cell(&r.who),
                cell(&r.condition),
                cell(&r.sees),
                cell(&r.obligations.join("; ")),
                r.source
            );
        }
    }
    if !s.flags.is_empty() {
        let _ = write!(
            out,
            "\n## Flags\n\n{FLAGS_NOTE}\n\n\
             | Flag | Title | Duty | Review | Source |\n| --- | --- | --- | --- | --- |\n"
        );
        for f in &s.flags {
            let review = match &f.review.source {
                Some(src) => format!("{} — `{src}`", cell(&f.review.text)),
                None => cell(&f.review.text),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {review} | `{}` |",
                f.name,
                cell(&f.title),
                cell(&f.warns),
                f.source
            );
        }
    }
    if !s.restriction_rules.is_empty() {
        let _ = write!(
            out,
            "\n## Rules about restrictions\n\n{RULES_NOTE}\n\n\
             | Statement | Says | When | Why | Source |\n| --- | --- | --- | --- | --- |\n"
        );
        for r in &s.restriction_rules {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | `{}` |",
                r.kind.word(),
                cell(&r.says),
                cell(&r.when),
                cell(&r.reason),
                r.source
            );
        }
    }
    out
}

fn setting(out: &mut String, label: &str, s: &Setting) {
    match &s.source {
        Some(src) => {
            let _ = writeln!(out, "- **{label}:** {} — `{src}`", cell(&s.text));
        }
        None => {
            let _ = writeln!(out, "- **{label}:** {}", cell(&s.text));
        }
    }
}

//! The decision table as CSV: one line per rule and category, with the category's settings
//! repeated on each line so the file sorts and filters in a spreadsheet.

use std::fmt::Write as _;

use super::Sheet;

const HEADER: &str = "category,category_title,restriction,rule,actions,layer,outcome,who,condition,sees,obligations,source,denied_sees,review,temporary_access,contact,approvals";

/// Renders the sheet as CSV.
pub(super) fn render(s: &Sheet) -> String {
    let mut out = String::new();
    out.push_str(HEADER);
    out.push('\n');
    for c in &s.categories {
        let approvals: Vec<String> = c
            .approvals
            .iter()
            .map(|a| format!("{}: {}", a.purpose, a.chain))
            .collect();
        for r in &c.rules {
            let fields = [
                c.name.as_str(),
                &c.title,
                c.restriction,
                &r.rule,
                &r.actions.join("; "),
                r.layer,
                &r.outcome,
                &r.who,
                &r.condition,
                &r.sees,
                &r.obligations.join("; "),
                &r.source,
                &c.denied,
                &c.review.text,
                &c.temporary.text,
                &c.contact.text,
                &approvals.join("; "),
            ];
            let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
            let _ = writeln!(out, "{}", line.join(","));
        }
    }
    out
}

/// A CSV field, quoted when needed; a leading `=`, `+`, `-` or `@` is prefixed with `'` so a
/// spreadsheet never runs policy text as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

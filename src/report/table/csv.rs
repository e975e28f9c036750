//! The decision table as CSV: one line per rule and category, with the category's settings
//! repeated on each line so the file sorts and filters in a spreadsheet.

use super::Sheet;
use crate::report::csv_out;

const HEADER: [&str; 18] = [
    "category",
    "category_title",
    "restriction",
    "rule",
    "actions",
    "layer",
    "outcome",
    "who",
    "condition",
    "sees",
    "obligations",
    "source",
    "denied_sees",
    "covers",
    "review",
    "temporary_access",
    "contact",
    "approvals",
];

/// Renders the sheet as CSV.
pub(super) fn render(s: &Sheet) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
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
                &c.covers,
                &c.review.text,
                &c.temporary.text,
                &c.contact.text,
                &approvals.join("; "),
            ];
            rows.push(fields.iter().map(|f| f.to_string()).collect());
        }
    }
    csv_out::write(&HEADER, rows)
}

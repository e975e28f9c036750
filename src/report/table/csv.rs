//! The decision table as CSV: one line per rule and category, with the category's settings
//! repeated on each line so the file sorts and filters in a spreadsheet; then one line per flag
//! (`restriction` and `layer` are `flag`, its duty under `obligations`), then one line per rule
//! about restrictions (`restriction` is `restriction_rule`; its reason under `who`).

use super::Sheet;
use crate::report::csv_out;

const HEADER: [&str; 19] = [
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
    "lasts",
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
                c.lasts.as_ref().map_or("", |l| l.text.as_str()),
            ];
            rows.push(fields.iter().map(|f| f.to_string()).collect());
        }
    }
    // A flag decides nothing: one line each, its duty under `obligations`.
    for f in &s.flags {
        let mut fields = vec![String::new(); HEADER.len()];
        fields[0] = f.name.clone();
        fields[1] = f.title.clone();
        fields[2] = "flag".to_string();
        fields[5] = "flag".to_string();
        fields[6] = "restricts nobody".to_string();
        fields[10] = f.warns.clone();
        fields[11] = f.source.clone();
        fields[13] = f.review.text.clone();
        rows.push(fields);
    }
    // A rule about restrictions decides nobody's access: one line each, its statement under
    // `restriction` and `layer`, what it says under `outcome`, its facts under `condition`.
    for r in &s.restriction_rules {
        let mut fields = vec![String::new(); HEADER.len()];
        fields[2] = "restriction_rule".to_string();
        fields[5] = r.kind.word().to_string();
        fields[6] = r.says.clone();
        fields[7] = r.reason.clone();
        fields[8] = r.when.clone();
        fields[11] = r.source.clone();
        rows.push(fields);
    }
    csv_out::write(&HEADER, rows)
}

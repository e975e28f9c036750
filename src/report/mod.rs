//! Reports for managers and records officers: reviews due, restrictions ending, and retention
//! disposal.
//!
//! Reports carry record, file and staff IDs only. Registers often carry more (names,
//! addresses, dates of birth); those columns are never stored or echoed, only named as ignored.

pub(crate) mod csv_out;
pub mod ends;
pub mod register;
pub mod retention;
pub mod reviews;
pub mod table;
pub mod triggers;

use std::fmt::Write as _;

use crate::markdown::cell;
use retention::RetentionReport;
use reviews::{ReviewReport, Status};

/// An output format for a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Plain text for a terminal.
    Text,
    /// A markdown table.
    Markdown,
    /// CSV.
    Csv,
    /// JSON.
    Json,
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Overdue => "overdue",
        Status::Due => "due",
        Status::Fine => "fine",
        Status::Never => "never",
        Status::Until => "until",
        Status::Unscheduled => "unscheduled",
    }
}

/// The schedule a report reads from the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schedule {
    /// `review` statements in categories.
    Review,
    /// `retention` blocks.
    Retention,
}

/// The one sentence a report says when its policy has no schedule of that kind.
pub(crate) fn no_schedule(policy: &str, schedule: Schedule) -> String {
    match schedule {
        Schedule::Review => format!(
            "policy `{policy}` has no review schedule: no category says when its restrictions are \
             reviewed, so only `review_by` dates in the register can fall due"
        ),
        Schedule::Retention => format!(
            "policy `{policy}` has no retention schedule: it has no `retention` block, so no \
             file's disposal date can be computed"
        ),
    }
}

/// Renders a review report.
pub fn render_reviews(r: &ReviewReport, format: OutputFormat) -> String {
    let mut out = String::new();
    let date = |d: Option<chrono::NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
    match format {
        OutputFormat::Json => return crate::json::to_string_pretty(r) + "\n",
        OutputFormat::Csv => {
            return csv_out::write(
                &[
                    "record_id",
                    "category",
                    "flag",
                    "reviewer",
                    "team",
                    "status",
                    "due",
                    "basis",
                    "rule",
                ],
                r.lines.iter().map(|l| {
                    vec![
                        l.record_id.clone(),
                        l.category.clone().unwrap_or_default(),
                        l.flag.clone().unwrap_or_default(),
                        l.reviewer.clone(),
                        l.team.clone().unwrap_or_default(),
                        status_word(l.status).to_string(),
                        date(l.due),
                        l.basis.clone(),
                        l.rule.clone(),
                    ]
                }),
            );
        }
        OutputFormat::Text | OutputFormat::Markdown => {}
    }
    let c = &r.counts;
    let mut summary = format!(
        "{} overdue, {} due within {} days, {} not yet due, {} never reviewed, {} kept until an event, ",
        c.overdue, c.due, r.within_days, c.fine, c.never, c.until
    );
    if c.unscheduled > 0 {
        let _ = write!(summary, "{} with no review schedule, ", c.unscheduled);
    }
    let _ = write!(summary, "{} invalid rows", c.invalid);
    if let Some(note) = &r.no_schedule {
        summary = format!("{note}\n{summary}");
    }
    if format == OutputFormat::Markdown {
        let _ = writeln!(
            out,
            "## Reviews for `{}` as of {}\n\n{summary}\n",
            r.policy, r.as_of
        );
        let mut current: Option<&str> = None;
        for l in &r.lines {
            if current != Some(l.reviewer.as_str()) {
                let _ = writeln!(
                    out,
                    "\n### Reviewer `{}`\n\n| record | category | team | status | due | basis | rule |\n| --- | --- | --- | --- | --- | --- | --- |",
                    cell(&l.reviewer)
                );
                current = Some(&l.reviewer);
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | `{}` |",
                cell(&l.record_id),
                cell(&l.subject()),
                cell(l.team.as_deref().unwrap_or("")),
                status_word(l.status),
                date(l.due),
                cell(&l.basis),
                l.rule
            );
        }
    } else {
        let _ = writeln!(
            out,
            "Reviews for policy {} as of {}\n{summary}",
            r.policy, r.as_of
        );
        let mut current: Option<&str> = None;
        for l in &r.lines {
            if current != Some(l.reviewer.as_str()) {
                let _ = writeln!(out, "\nreviewer {}", l.reviewer);
                current = Some(&l.reviewer);
            }
            let _ = writeln!(
                out,
                "  {:<8} {:<12} {:<16} due {:<10}  {}",
                status_word(l.status),
                l.record_id,
                l.subject(),
                date(l.due),
                l.basis
            );
        }
    }
    footer(&mut out, &r.invalid, &r.ignored_columns);
    out
}

/// Renders a retention report.
pub fn render_retention(r: &RetentionReport, format: OutputFormat) -> String {
    let mut out = String::new();
    let date = |d: Option<chrono::NaiveDate>| d.map_or("permanent".to_string(), |d| d.to_string());
    match format {
        OutputFormat::Json => return crate::json::to_string_pretty(r) + "\n",
        OutputFormat::Csv => {
            return csv_out::write(
                &[
                    "file_id",
                    "file_type",
                    "dispose_on",
                    "action",
                    "due",
                    "rule",
                    "note",
                ],
                r.files.iter().map(|f| {
                    vec![
                        f.file_id.clone(),
                        f.file_type.clone(),
                        date(f.dispose_on),
                        f.action.to_string(),
                        f.due.to_string(),
                        f.rule.clone(),
                        f.note.clone().unwrap_or_default(),
                    ]
                }),
            );
        }
        OutputFormat::Text | OutputFormat::Markdown => {}
    }
    let summary = match &r.no_schedule {
        Some(note) => format!(
            "{note}\n{} files read, {} invalid rows",
            r.unscheduled,
            r.invalid.len()
        ),
        None => format!(
            "{} due for disposal or review, {} not yet due, {} kept permanently, {} invalid rows",
            r.due,
            r.not_due,
            r.permanent,
            r.invalid.len()
        ),
    };
    if format == OutputFormat::Markdown {
        let _ = writeln!(
            out,
            "## Retention for `{}` as of {}\n\n{summary}\n",
            r.policy, r.as_of
        );
        out.push_str(
            "| file | type | dispose on | action | rule |\n| --- | --- | --- | --- | --- |\n",
        );
        for f in &r.files {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | `{}` |",
                cell(&f.file_id),
                cell(&f.file_type),
                date(f.dispose_on),
                f.action,
                f.rule
            );
        }
    } else {
        let _ = writeln!(
            out,
            "Retention for policy {} as of {}\n{summary}\n",
            r.policy, r.as_of
        );
        for f in &r.files {
            let _ = writeln!(
                out,
                "  {:<12} {:<24} {:<10} {:<9} {}",
                f.file_id,
                f.file_type,
                date(f.dispose_on),
                f.action,
                f.rule
            );
        }
    }
    footer(&mut out, &r.invalid, &r.ignored_columns);
    out
}

/// What a CSV report cannot carry in its body: a missing schedule, skipped rows and ignored
/// columns, for stderr.
pub(crate) fn csv_notes(
    no_schedule: Option<&str>,
    invalid: &[register::RowError],
    ignored: &[String],
) -> String {
    let mut out = String::new();
    if let Some(note) = no_schedule {
        let _ = writeln!(out, "{note}");
    }
    footer(&mut out, invalid, ignored);
    out
}

pub(crate) fn footer(out: &mut String, invalid: &[register::RowError], ignored: &[String]) {
    if !invalid.is_empty() {
        out.push_str("\ninvalid rows (skipped):\n");
        for e in invalid {
            let _ = writeln!(out, "  line {}: {}", e.line, e.message);
        }
    }
    if !ignored.is_empty() {
        let _ = writeln!(
            out,
            "\nignored columns (never read or shown): {}",
            ignored.join(", ")
        );
    }
}

/// Text escaped for HTML content and attribute values (the HTML table and the caseworker page).
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

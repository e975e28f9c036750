//! Which restrictions have reached their end or end soon, from a register
//! (`caselock reviews --ending-within 14d`), grouped by reviewer. The end follows the one rule a
//! decision uses for its `restriction_ended` and `restriction_ends_soon` warnings
//! ([`time::restriction_end`]), so a record is listed exactly when a decision on it would warn
//! with a notice as long as the window.

use std::fmt::Write as _;
use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

use super::register::{Format, Reader, RowError};
use super::{OutputFormat, csv_out};
use crate::eval::{time, words};
use crate::markdown::cell;
use crate::policy::Policy;
use crate::span::SourceMap;

/// The register columns the report reads.
pub(crate) const COLUMNS: &[&str] = &[
    "record_id",
    "category",
    "flag",
    "placed_on",
    "ends",
    "renewals",
    "reviewer",
    "team",
];

/// Where a restriction stands on the report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Its end has come; it still applies until someone renews or lifts it.
    Ended,
    /// It ends within the window.
    Ending,
    /// It ends after the window.
    Running,
    /// Nothing limits it: its category has no `lasts` and the row no `ends` date (or the row is
    /// a flag's, which never ends).
    NoEnd,
}

impl Status {
    /// The word reports print.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ended => "ended",
            Status::Ending => "ending",
            Status::Running => "running",
            Status::NoEnd => "no_end",
        }
    }
}

/// One restriction in the report: IDs only.
#[derive(Debug, Clone, Serialize)]
pub struct EndLine {
    /// The record's ID.
    pub record_id: String,
    /// The restriction's category.
    pub category: String,
    /// The reviewer's (or owner's) staff ID, or `unassigned`.
    pub reviewer: String,
    /// The team's ID, if the register gives it.
    pub team: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// The day it ends (it runs until that day starts, UK time).
    pub ends: Option<NaiveDate>,
    /// How many times it has been renewed.
    pub renewals: u32,
    /// Whether that is more than its category allows.
    pub renewed_too_often: bool,
    /// Why that day: the category's maximum and where it is written, or the date on the record.
    pub basis: String,
}

/// Counts by status, plus rows skipped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Ended and neither renewed nor lifted.
    pub ended: u64,
    /// Ending within the window.
    pub ending: u64,
    /// Ending later.
    pub running: u64,
    /// With no end.
    pub no_end: u64,
    /// Renewed more often than their category allows (also counted by status).
    pub renewed_too_often: u64,
    /// Rows that could not be used.
    pub invalid: u64,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct EndsReport {
    /// The policy's id.
    pub policy: String,
    /// The date the report is for.
    pub as_of: NaiveDate,
    /// The window for "ending", in days.
    pub within_days: u32,
    /// Listed restrictions, grouped by reviewer, then status and end.
    pub lines: Vec<EndLine>,
    /// Counts by status.
    pub counts: Counts,
    /// Rows that could not be used, by line number (never their content).
    pub invalid: Vec<RowError>,
    /// Columns in the register that were ignored and never read.
    pub ignored_columns: Vec<String>,
}

/// What to list: ended, ending and renewed too often always; the rest only with `list_all`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The report date.
    pub as_of: NaiveDate,
    /// Days ahead that count as ending.
    pub within_days: u32,
    /// List every restriction.
    pub list_all: bool,
}

/// Reads a register and reports which restrictions have ended or end within the window.
pub fn ends<R: Read>(
    policy: &Policy,
    sources: &SourceMap,
    input: R,
    format: Format,
    opts: Options,
) -> Result<EndsReport, RowError> {
    let mut reader = Reader::new(input, format, COLUMNS)?;
    let mut report = EndsReport {
        policy: policy.id.clone(),
        as_of: opts.as_of,
        within_days: opts.within_days,
        lines: Vec::new(),
        counts: Counts::default(),
        invalid: Vec::new(),
        ignored_columns: Vec::new(),
    };
    let window = crate::policy::Period {
        amount: opts.within_days,
        unit: crate::policy::PeriodUnit::Days,
    };
    while let Some(row) = reader.next_row() {
        let line = row.and_then(|row| {
            classify(policy, sources, &row, opts.as_of, window).map_err(|message| RowError {
                line: row.line,
                message,
            })
        });
        match line {
            Ok(l) => {
                let c = &mut report.counts;
                match l.status {
                    Status::Ended => c.ended += 1,
                    Status::Ending => c.ending += 1,
                    Status::Running => c.running += 1,
                    Status::NoEnd => c.no_end += 1,
                }
                c.renewed_too_often += u64::from(l.renewed_too_often);
                if opts.list_all
                    || l.renewed_too_often
                    || matches!(l.status, Status::Ended | Status::Ending)
                {
                    report.lines.push(l);
                }
            }
            Err(e) => {
                report.counts.invalid += 1;
                report.invalid.push(e);
            }
        }
    }
    report.lines.sort_by(|a, b| {
        (&a.reviewer, a.status, a.ends, &a.record_id).cmp(&(
            &b.reviewer,
            b.status,
            b.ends,
            &b.record_id,
        ))
    });
    report.ignored_columns = reader.ignored.into_iter().collect();
    Ok(report)
}

fn classify(
    policy: &Policy,
    sources: &SourceMap,
    row: &super::register::Row,
    as_of: NaiveDate,
    window: crate::policy::Period,
) -> Result<EndLine, String> {
    let record_id = row.text("record_id").ok_or("no `record_id`")?.to_string();
    let reviewer = row.text("reviewer").unwrap_or("unassigned").to_string();
    let team = row.text("team").map(str::to_string);
    let (category, flag) = (row.text("category"), row.text("flag"));
    let name = match (category, flag) {
        (Some(_), Some(_)) => {
            return Err("both `category` and `flag`: a row is one or the other".into());
        }
        (None, None) => return Err("no `category` (or `flag`)".into()),
        // A flag marks a record and never ends.
        (None, Some(f)) => {
            policy
                .flags
                .iter()
                .find(|x| x.named.name == f)
                .ok_or_else(|| format!("unknown flag `{f}`"))?;
            return Ok(EndLine {
                record_id,
                category: format!("flag {f}"),
                reviewer,
                team,
                status: Status::NoEnd,
                ends: None,
                renewals: 0,
                renewed_too_often: false,
                basis: "a flag has no end".to_string(),
            });
        }
        (Some(c), None) => c,
    };
    let c = policy
        .category(name)
        .ok_or_else(|| format!("unknown category `{name}`"))?;
    let placed_on = row.date("placed_on")?;
    let stated = row.date("ends")?;
    let renewals = match row.text("renewals") {
        None => 0,
        Some(n) => n
            .parse::<u32>()
            .map_err(|_| "`renewals` is not a whole number".to_string())?,
    };
    if c.lasts.is_some() && placed_on.is_none() && stated.is_none() {
        return Err("no `placed_on` or `ends` date".to_string());
    }
    let limit = c.lasts.map(|l| (l.max, l.renewable));
    let end = time::restriction_end(limit, placed_on, stated, renewals);
    let from_maximum = time::restriction_end(limit, placed_on, None, renewals);
    let renewed_too_often = c.lasts.is_some_and(|l| renewals > l.renewable);
    let basis = match (end, c.lasts) {
        (None, _) => "no limit: the category has no `lasts` and the record no `ends` date".into(),
        (Some(e), Some(l)) if from_maximum == Some(e) => {
            let terms = renewals.min(l.renewable);
            format!(
                "{} from placement{} ({})",
                l.max.describe(),
                match terms {
                    0 => String::new(),
                    n => format!(", plus {} for each renewal ({n})", l.max.describe()),
                },
                sources.cite(l.span)
            )
        }
        (Some(_), Some(l)) => format!(
            "date set on the record (`ends`), before the category's maximum of {} ({})",
            l.max.describe(),
            sources.cite(l.span)
        ),
        (Some(_), None) => "date set on the record (`ends`); the category sets no maximum".into(),
    };
    let status = match end {
        None => Status::NoEnd,
        Some(e) => match time::ending(e, Some(window), as_of) {
            time::Ending::Ended => Status::Ended,
            time::Ending::EndsSoon => Status::Ending,
            time::Ending::Running => Status::Running,
        },
    };
    let basis = if renewed_too_often {
        let allowed = c.lasts.map_or(0, |l| l.renewable);
        format!(
            "{basis}; renewed {renewals} times, more than allowed ({})",
            words::renewable(allowed)
        )
    } else {
        basis
    };
    Ok(EndLine {
        record_id,
        category: c.name.clone(),
        reviewer,
        team,
        status,
        ends: end,
        renewals,
        renewed_too_often,
        basis,
    })
}

/// Renders the report.
pub fn render(r: &EndsReport, format: OutputFormat) -> String {
    let date = |d: Option<NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
    match format {
        OutputFormat::Json => return crate::json::to_string_pretty(r) + "\n",
        OutputFormat::Csv => {
            return csv_out::write(
                &[
                    "record_id",
                    "category",
                    "reviewer",
                    "team",
                    "status",
                    "ends",
                    "renewals",
                    "basis",
                ],
                r.lines.iter().map(|l| {
                    vec![
                        l.record_id.clone(),
                        l.category.clone(),
                        l.reviewer.clone(),
                        l.team.clone().unwrap_or_default(),
                        l.status.word().to_string(),
                        date(l.ends),
                        l.renewals.to_string(),
                        l.basis.clone(),
                    ]
                }),
            );
        }
        OutputFormat::Text | OutputFormat::Markdown => {}
    }
    let c = &r.counts;
    let summary = format!(
        "{} ended, {} ending within {} days, {} ending later, {} with no end, {} renewed too often, {} invalid rows",
        c.ended, c.ending, r.within_days, c.running, c.no_end, c.renewed_too_often, c.invalid
    );
    let mut out = String::new();
    let mut current: Option<&str> = None;
    if format == OutputFormat::Markdown {
        let _ = writeln!(
            out,
            "## Restrictions ending for `{}` as of {}\n\n{summary}\n",
            r.policy, r.as_of
        );
        for l in &r.lines {
            if current != Some(l.reviewer.as_str()) {
                let _ = writeln!(
                    out,
                    "\n### Reviewer `{}`\n\n| record | category | team | status | ends | basis |\n| --- | --- | --- | --- | --- | --- |",
                    cell(&l.reviewer)
                );
                current = Some(&l.reviewer);
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&l.record_id),
                cell(&l.category),
                cell(l.team.as_deref().unwrap_or("")),
                l.status.word(),
                date(l.ends),
                cell(&l.basis)
            );
        }
    } else {
        let _ = writeln!(
            out,
            "Restrictions ending for policy {} as of {}\n{summary}",
            r.policy, r.as_of
        );
        for l in &r.lines {
            if current != Some(l.reviewer.as_str()) {
                let _ = writeln!(out, "\nreviewer {}", l.reviewer);
                current = Some(&l.reviewer);
            }
            let _ = writeln!(
                out,
                "  {:<8} {:<12} {:<16} ends {:<10}  {}",
                l.status.word(),
                l.record_id,
                l.category,
                date(l.ends),
                l.basis
            );
        }
    }
    super::footer(&mut out, &r.invalid, &r.ignored_columns);
    out
}

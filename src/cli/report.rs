//! `caselock reviews` and `caselock retention`: reports over a register export.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::common::{self, Exit, Output};
use crate::report::{self, OutputFormat, register::Format};

/// Restrictions overdue or due for review, grouped by reviewer.
#[derive(Debug, clap::Args)]
pub struct ReviewsArgs {
    /// The policy (file or directory).
    #[arg(long, required = true)]
    policy: Vec<PathBuf>,
    /// The register: CSV with a header row, or JSON lines (`.json`/`.jsonl`); `-` for stdin.
    /// Columns: record_id, category (or flag), placed_on, last_reviewed, review_by, reviewer,
    /// team; with `--ending-within`, also ends and renewals.
    #[arg(long)]
    register: PathBuf,
    /// The report date (YYYY-MM-DD); today when absent.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// How far ahead counts as "due": `30d`, `4w`.
    #[arg(long, default_value = "30d")]
    within: String,
    /// Instead of reviews, list the restrictions that have reached their end or end within
    /// this many days or weeks (`14d`, `2w`): the end is the earlier of the register's `ends`
    /// and the category's `lasts` from `placed_on` (with `renewals`). Temporary grants are not
    /// in a register, so they are not listed.
    #[arg(long, value_name = "DAYS")]
    ending_within: Option<String>,
    /// List every restriction, not only those overdue or due.
    #[arg(long)]
    all: bool,
    /// Register format, when the extension does not say: `csv`, or `json` (JSON lines or one
    /// JSON array of objects; `jsonl` is the same).
    #[arg(long, value_enum)]
    register_format: Option<Format>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

/// Disposal dates for case files from the retention schedule.
#[derive(Debug, clap::Args)]
pub struct RetentionArgs {
    /// The policy (file or directory).
    #[arg(long, required = true)]
    policy: Vec<PathBuf>,
    /// The files register: CSV or JSON lines; `-` for stdin. Columns: file_id, file_type, the
    /// anchor dates (date_of_birth, date_of_death, closure, end_of_financial_year, notification,
    /// approval_end, adoption_order) and flags (`;`-separated, such as known_to_adult_services).
    #[arg(long)]
    register: PathBuf,
    /// The report date (YYYY-MM-DD); today when absent.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// List every file, not only those due.
    #[arg(long)]
    all: bool,
    /// Register format, when the extension does not say: `csv`, or `json` (JSON lines or one
    /// JSON array of objects; `jsonl` is the same).
    #[arg(long, value_enum)]
    register_format: Option<Format>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

pub(super) fn open(path: &std::path::Path) -> Result<Box<dyn Read>, Exit> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read>)
        .map_err(|e| {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            Exit::Usage
        })
}

pub(super) fn register_format(path: &std::path::Path, flag: Option<Format>) -> Format {
    match flag {
        Some(f) => f,
        None if path
            .extension()
            .is_some_and(|e| e == "json" || e == "jsonl") =>
        {
            Format::JsonLines
        }
        None => Format::Csv,
    }
}

fn parse_days(s: &str) -> Option<u32> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u32 = s[..split].parse().ok()?;
    match s[split..].trim() {
        "" | "d" | "day" | "days" => Some(n),
        "w" | "week" | "weeks" => n.checked_mul(7),
        _ => None,
    }
}

fn today() -> NaiveDate {
    crate::eval::time::uk_date(chrono::Utc::now())
}

/// Runs `caselock reviews`.
pub fn run_reviews(args: ReviewsArgs, out: &Output) -> Exit {
    if let Some(window) = &args.ending_within {
        return run_ends(&args, window, out);
    }
    let Some(within_days) = parse_days(&args.within) else {
        eprintln!(
            "error: `--within {}` is not a number of days or weeks, such as `30d`",
            args.within
        );
        return Exit::Usage;
    };
    let (sources, checked) = match common::one_policy(&args.policy, out) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let input = match open(&args.register) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let opts = report::reviews::Options {
        as_of: args.as_of.unwrap_or_else(today),
        within_days,
        list_all: args.all,
    };
    let fmt = register_format(&args.register, args.register_format);
    match report::reviews::reviews(&checked.policy, &sources, input, fmt, opts) {
        Ok(r) => {
            let format = args.format;
            print!("{}", report::render_reviews(&r, format));
            if format == OutputFormat::Csv {
                let note = r.no_schedule.as_deref();
                eprint!(
                    "{}",
                    report::csv_notes(note, &r.invalid, &r.ignored_columns)
                );
            }
            if r.invalid.is_empty() {
                Exit::Ok
            } else {
                Exit::Findings
            }
        }
        Err(e) => {
            eprintln!("error: register line {}: {}", e.line, e.message);
            Exit::Usage
        }
    }
}

/// Runs `caselock reviews --ending-within`.
fn run_ends(args: &ReviewsArgs, window: &str, out: &Output) -> Exit {
    let Some(within_days) = parse_days(window) else {
        eprintln!(
            "error: `--ending-within {window}` is not a number of days or weeks, such as `14d`"
        );
        return Exit::Usage;
    };
    let (sources, checked) = match common::one_policy(&args.policy, out) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let input = match open(&args.register) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let opts = report::ends::Options {
        as_of: args.as_of.unwrap_or_else(today),
        within_days,
        list_all: args.all,
    };
    let fmt = register_format(&args.register, args.register_format);
    match report::ends::ends(&checked.policy, &sources, input, fmt, opts) {
        Ok(r) => {
            print!("{}", report::ends::render(&r, args.format));
            if args.format == OutputFormat::Csv {
                eprint!(
                    "{}",
                    report::csv_notes(None, &r.invalid, &r.ignored_columns)
                );
            }
            if r.invalid.is_empty() {
                Exit::Ok
            } else {
                Exit::Findings
            }
        }
        Err(e) => {
            eprintln!("error: register line {}: {}", e.line, e.message);
            Exit::Usage
        }
    }
}

/// Runs `caselock retention`.
pub fn run_retention(args: RetentionArgs, out: &Output) -> Exit {
    let (sources, checked) = match common::one_policy(&args.policy, out) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let input = match open(&args.register) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let fmt = register_format(&args.register, args.register_format);
    let as_of = args.as_of.unwrap_or_else(today);
    match report::retention::retention(&checked.policy, &sources, input, fmt, as_of, args.all) {
        Ok(r) => {
            let format = args.format;
            print!("{}", report::render_retention(&r, format));
            if format == OutputFormat::Csv {
                let note = r.no_schedule.as_deref();
                eprint!(
                    "{}",
                    report::csv_notes(note, &r.invalid, &r.ignored_columns)
                );
            }
            if r.invalid.is_empty() {
                Exit::Ok
            } else {
                Exit::Findings
            }
        }
        Err(e) => {
            eprintln!("error: register line {}: {}", e.line, e.message);
            Exit::Usage
        }
    }
}

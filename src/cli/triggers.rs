//! `caselock triggers`: which restrictions records must carry, from a register export or for
//! one record's facts.

use std::path::PathBuf;

use serde::Serialize;

use super::common::{self, Exit, Output};
use super::report::{open, register_format};
use crate::eval::Decider;
use crate::report::{self, OutputFormat, register::Format};

/// Records whose facts require a restriction they do not carry, or forbid one they carry.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy (file or directory).
    #[arg(long, required = true)]
    policy: Vec<PathBuf>,
    /// The register of records: CSV with a header row, or JSON lines (`.json`/`.jsonl`); `-`
    /// for stdin. Columns: record_id, categories (`;`-separated), facts (`;`-separated).
    #[arg(long, conflicts_with_all = ["facts", "categories"], required_unless_present = "facts")]
    register: Option<PathBuf>,
    /// One record's facts (comma-separated): which restrictions must it carry, and why?
    #[arg(long, value_delimiter = ',', num_args = 0..)]
    facts: Option<Vec<String>>,
    /// With `--facts`: the categories the record carries (comma-separated), checked against
    /// what its facts require, forbid and allow together.
    #[arg(long, value_delimiter = ',', requires = "facts")]
    categories: Vec<String>,
    /// Register format, when the extension does not say: `csv`, or `json` (JSON lines or one
    /// JSON array of objects; `jsonl` is the same).
    #[arg(long, value_enum)]
    register_format: Option<Format>,
    /// Output format (`csv` for a register only).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

/// Runs `caselock triggers`.
pub fn run(args: Args, out: &Output) -> Exit {
    let (sources, checked) = match common::one_policy(&args.policy, out) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let decider = Decider::new(&crate::compile::compile(&checked, &sources));
    match (&args.register, &args.facts) {
        (Some(path), _) => register(&decider, path, &args),
        (None, Some(facts)) => {
            // `--facts ""` states none.
            let facts: Vec<String> = facts.iter().filter(|f| !f.is_empty()).cloned().collect();
            one(&decider, &facts, &args.categories, args.format)
        }
        (None, None) => Exit::Usage,
    }
}

fn register(decider: &Decider, path: &std::path::Path, args: &Args) -> Exit {
    let input = match open(path) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let fmt = register_format(path, args.register_format);
    match report::triggers::triggers(decider, input, fmt) {
        Ok(r) => {
            print!("{}", report::triggers::render(&r, args.format));
            if args.format == OutputFormat::Csv {
                eprint!(
                    "{}",
                    report::csv_notes(r.no_triggers.as_deref(), &r.invalid, &r.ignored_columns)
                );
            }
            if r.lines.is_empty() && r.invalid.is_empty() {
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

/// The answer for one record.
#[derive(Serialize)]
struct Answer<'a> {
    facts: &'a [String],
    /// The policy's `trigger never` reason and place, when it says nothing requires a
    /// restriction.
    no_triggers: Option<String>,
    required: Vec<Required<'a>>,
    categories: &'a [String],
    /// Whether the record may carry `categories` (null when none were given).
    may_carry: Option<bool>,
    /// Why not, when it may not.
    refusal: Option<String>,
    /// Required categories it does not carry (when `categories` were given).
    missing: Vec<&'a str>,
}

#[derive(Serialize)]
struct Required<'a> {
    category: &'a str,
    title: &'a str,
    reason: Option<&'a str>,
    rule: &'a str,
}

fn one(decider: &Decider, facts: &[String], categories: &[String], format: OutputFormat) -> Exit {
    let required = match decider.required(facts) {
        Ok(r) => r,
        Err(i) => {
            eprintln!(
                "error: `{}` (`--facts` entry {}) is not a fact the policy declares",
                facts.get(i).map_or("", String::as_str),
                i + 1
            );
            return Exit::Usage;
        }
    };
    let given = !categories.is_empty();
    let refusal = decider
        .may_carry(facts, categories)
        .err()
        .map(|r| decider.carry_refusal_text(facts, categories, r));
    let rules = &decider.table().restriction_rules;
    let answer = Answer {
        facts,
        no_triggers: rules
            .no_triggers
            .as_ref()
            .map(|n| format!("{} ({})", n.reason, n.source)),
        required: required
            .iter()
            .map(|r| Required {
                category: &r.category.name,
                title: &r.category.title,
                reason: r.trigger.reason.as_deref(),
                rule: &r.trigger.source,
            })
            .collect(),
        categories,
        may_carry: given.then_some(refusal.is_none()),
        missing: if given {
            required
                .iter()
                .map(|r| r.category.name.as_str())
                .filter(|c| !categories.iter().any(|g| g == c))
                .collect()
        } else {
            Vec::new()
        },
        refusal,
    };
    let text = match format {
        OutputFormat::Json => crate::json::to_string_pretty(&answer) + "\n",
        _ => words(&answer),
    };
    print!("{text}");
    if answer.refusal.is_some() || !answer.missing.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

fn words(a: &Answer<'_>) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let facts = if a.facts.is_empty() {
        "no facts".to_string()
    } else {
        format!("facts {}", a.facts.join(", "))
    };
    if let Some(none) = &a.no_triggers {
        let _ = writeln!(s, "The policy says nothing requires a restriction: {none}.");
    }
    if a.required.is_empty() {
        let _ = writeln!(s, "A record with {facts} need not carry any restriction.");
    } else {
        let _ = writeln!(s, "A record with {facts} must carry:");
        for r in &a.required {
            let why = r.reason.map_or_else(String::new, |w| format!(": {w}"));
            let _ = writeln!(s, "  {} ({}){why} ({})", r.category, r.title, r.rule);
        }
    }
    if a.may_carry.is_some() {
        let carried = a.categories.join(", ");
        match &a.refusal {
            Some(why) => {
                let _ = writeln!(s, "It may not carry {carried}: {why}.");
            }
            None => {
                let _ = writeln!(s, "It may carry {carried}.");
            }
        }
        if !a.missing.is_empty() {
            let _ = writeln!(
                s,
                "It does not carry {}, which it must.",
                a.missing.join(", ")
            );
        }
    }
    s
}

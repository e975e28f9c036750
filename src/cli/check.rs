//! `caselock check PATH...`

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::diag::{self, Diagnostic, json_diagnostics, render_summary};
use crate::span::SourceMap;

/// Parse and check policies.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files or directories (a directory of `.policy` files is one policy).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    format: String,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    let policies = match common::discover(&args.paths, &mut sources) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut summaries = Vec::new();
    for p in &policies {
        let diags = match crate::check_files(&sources, &p.files) {
            Ok(c) => {
                summaries.push(format!(
                    "{}: policy `{}` ({} categories)",
                    crate::loader::display_name(&p.root),
                    c.policy.id,
                    c.policy.categories.len()
                ));
                c.warnings
            }
            Err(d) => d,
        };
        all.extend(diags);
    }
    diag::sort(&mut all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let failed = errors > 0 || (args.deny_warnings && !all.is_empty());
    if args.format == "json" {
        let report = serde_json::json!({
            "diagnostics": json_diagnostics(&sources, &all),
            "errors": errors,
            "warnings": all.len() - errors,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        eprint!("{}", out.renderer(&sources).render_all(&all));
        for s in &summaries {
            println!("checked {s}");
        }
        println!("{}", render_summary(&all));
    }
    if failed { Exit::Findings } else { Exit::Ok }
}

//! `caselock test PATH... [--coverage] [--format human|json|junit] [--filter NAME]`
//!
//! Checks each policy, runs its `test` blocks and prints `ok`/`FAILED` per test, then
//! `N passed, N failed`. Exit 0 when every test passed, 1 when any failed (or a policy has
//! errors), 2 on a usage or I/O error.

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::span::SourceMap;
use crate::testing::{self, PolicyRun, render};

/// Run the test blocks of policies.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files or directories (a directory of `.policy` files is one policy).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// List every rule and whether a test reached it as the deciding rule.
    #[arg(long)]
    coverage: bool,
    /// Output format: `human`, `json`, or `junit` (JUnit XML for GitLab, Azure DevOps and
    /// Jenkins), all on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "NAME")]
    filter: Option<String>,
}

/// What `caselock test` writes (`--format`, whose help says what each value means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
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
    let mut runs: Vec<(String, PolicyRun)> = Vec::new();
    let mut broken: Vec<(String, Vec<crate::diag::Diagnostic>)> = Vec::new();
    for p in &policies {
        let root = crate::loader::display_name(&p.root);
        match crate::check_files(&sources, &p.files) {
            Ok(checked) => {
                if !checked.warnings.is_empty() && args.format == Format::Human {
                    eprint!("{}", out.renderer(&sources).render_all(&checked.warnings));
                }
                let run = testing::run(&checked, &sources, args.filter.as_deref());
                runs.push((root, run));
            }
            Err(diags) => {
                eprint!("{}", out.renderer(&sources).render_all(&diags));
                eprintln!("error: `{root}` has errors, so its tests did not run");
                broken.push((root, diags));
            }
        }
    }
    let style = render::Style {
        coverage: args.coverage,
        color: out.color,
        width: out.width,
    };
    if args.format == Format::Junit {
        print!(
            "{}",
            testing::junit::junit(&runs, &broken, &sources, chrono::Utc::now())
        );
    } else if args.format == Format::Json {
        let report = render::json(&runs, broken.len(), &sources);
        println!("{}", crate::json::to_string_pretty(&report));
    } else {
        for (root, run) in &runs {
            print!("{}", render::human(run, root, &sources, style));
            println!();
        }
        print!("{}", render::summary(&runs, broken.len(), args.coverage));
    }
    let failed = runs.iter().any(|(_, r)| r.failed() > 0);
    if failed || !broken.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

//! `caselock check PATH...`

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::diag::{self, Diagnostic, json_diagnostics, render_summary};
use crate::span::SourceMap;

/// Parse and check policies.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files or directories (a directory of `.policy` files is one policy); `-` reads
    /// one file from standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The path standard input stands for: diagnostics name it, and the other `.policy` files of
    /// its directory are checked with it as one policy, the text read replacing that file's.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Output format: `human` (rendered, on stderr), `json`, or `sarif` (SARIF 2.1.0 for GitHub
    /// code scanning), both on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Skip the static analysis (CL02xx): only parse and check.
    #[arg(long)]
    no_analysis: bool,
    /// Where `docs/diagnostics.md` is published: SARIF rules link to `URL#cl0201`.
    #[arg(long, value_name = "URL")]
    docs_url: Option<String>,
    /// A connected system's mapping file to check against the policies (repeat for each
    /// system): every target declared, no name mapped twice (docs/operations.md).
    #[arg(long, value_name = "FILE")]
    mapping: Vec<PathBuf>,
}

/// What `caselock check` writes (`--format`, whose help says what each value means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    let policies = match common::discover_with_stdin(
        &args.paths,
        args.stdin_filename.as_deref(),
        &mut sources,
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut summaries = Vec::new();
    let mut vocabularies = Vec::new();
    for p in &policies {
        let diags = match crate::check_files(&sources, &p.files) {
            Ok(c) => {
                if !args.mapping.is_empty() {
                    let table = crate::compile::compile(&c, &sources);
                    vocabularies.push(crate::mapping::Vocabulary::of(&table));
                }
                summaries.push(format!(
                    "{}: policy `{}` ({} categories)",
                    crate::loader::display_name(&p.root),
                    c.policy.id,
                    c.policy.categories.len()
                ));
                let mut diags = c.warnings.clone();
                if !args.no_analysis {
                    match crate::analyse::analyse(&c, &sources) {
                        Ok(found) => diags.extend(found),
                        Err(e) => {
                            eprintln!("error: {e}");
                            return Exit::Usage;
                        }
                    }
                }
                diags
            }
            Err(d) => d,
        };
        all.extend(diags);
    }
    for path in &args.mapping {
        match check_mapping(path, &vocabularies, &mut sources) {
            Ok((found, summary)) => {
                all.extend(found);
                summaries.push(summary);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Usage;
            }
        }
    }
    diag::sort(&mut all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let failed = errors > 0 || (args.deny_warnings && !all.is_empty());
    if args.format == Format::Sarif {
        let root = match std::env::current_dir() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: cannot read the current directory for SARIF's SRCROOT: {e}");
                return Exit::Usage;
            }
        };
        let log = diag::sarif::sarif(&sources, &all, &root, args.docs_url.as_deref());
        println!("{}", crate::json::to_string_pretty(&log));
    } else if args.format == Format::Json {
        let report = serde_json::json!({
            "diagnostics": json_diagnostics(&sources, &all),
            "errors": errors,
            "warnings": all.len() - errors,
        });
        println!("{}", crate::json::to_string_pretty(&report));
    } else {
        eprint!("{}", out.renderer(&sources).render_all(&all));
        for s in &summaries {
            println!("checked {s}");
        }
        println!("{}", render_summary(&all));
    }
    if failed { Exit::Findings } else { Exit::Ok }
}

/// Checks one mapping file against every policy checked (a target must exist in each).
fn check_mapping(
    path: &std::path::Path,
    vocabularies: &[crate::mapping::Vocabulary],
    sources: &mut SourceMap,
) -> Result<(Vec<Diagnostic>, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let name = crate::loader::display_name(path);
    let file = sources.add(name.clone(), text.clone());
    let parsed = match crate::mapping::parse(file, &text) {
        Ok(p) => p,
        Err(d) => return Ok((vec![d], format!("{name}: mapping (unreadable)"))),
    };
    let mut found: Vec<Diagnostic> = Vec::new();
    for v in vocabularies {
        for d in crate::mapping::check(&parsed, v) {
            let repeated = found
                .iter()
                .any(|f| f.code == d.code && f.primary.span.same_place(&d.primary.span));
            if !repeated {
                found.push(d);
            }
        }
    }
    Ok((
        found,
        format!("{name}: mapping of system `{}`", parsed.system()),
    ))
}

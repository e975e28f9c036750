//! `caselock fmt PATH... [--check] [--stdout]`

use std::path::{Path, PathBuf};

use super::common::{Exit, Output, STDIN_NAME, read_stdin};
use crate::diag::Diagnostic;
use crate::loader::display_name;
use crate::span::SourceMap;
use crate::syntax;

/// Lines of context around each change in `--check` diffs.
const DIFF_CONTEXT: usize = 2;

/// Rewrite policy files in canonical layout, keeping every comment.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A file that does not parse is reported (CL0001) and never rewritten. \
With `-`, standard input is formatted to standard output (with --check, only the diff). \
Exit status: 0 all files formatted; 1 a file did not parse, or (with --check) would change; \
2 a path could not be read or written. The layout is described in docs/language.md#formatting."
)]
pub struct Args {
    /// Policy files, or directories searched recursively for `.policy` files; `-` formats
    /// standard input to standard output.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The name standard input is shown under in diagnostics and diffs.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Change nothing: list the files that are not formatted, with a diff, and exit 1 if any.
    #[arg(long, conflicts_with = "stdout")]
    check: bool,
    /// Print the formatted text to standard output instead of rewriting the files.
    #[arg(long)]
    stdout: bool,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let mut io_failed = false;
    let mut files = Vec::new();
    if args.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        eprintln!("error: `-` (standard input) may be given once");
        return Exit::Usage;
    }
    for p in &args.paths {
        if p.as_os_str() == "-" {
            files.push(p.clone());
        } else if let Err(e) = collect(p, &mut files) {
            eprintln!("error: cannot read `{}`: {e}", display_name(p));
            io_failed = true;
        }
    }
    let mut sources = SourceMap::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut changed = Vec::new();
    for path in &files {
        let stdin = path.as_os_str() == "-";
        let name = match (&args.stdin_filename, stdin) {
            (Some(n), true) => display_name(n),
            (None, true) => STDIN_NAME.to_string(),
            (_, false) => display_name(path),
        };
        let read = if stdin {
            read_stdin()
        } else {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{name}`: {e}"))
        };
        let text = match read {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                io_failed = true;
                continue;
            }
        };
        let id = sources.add(name.clone(), text.clone());
        let formatted = match syntax::format(id, &text) {
            Ok(f) => f,
            Err(_) => {
                diagnostics.extend(
                    syntax::syntax_errors(id, &text)
                        .iter()
                        .map(syntax::SyntaxError::to_diagnostic),
                );
                continue;
            }
        };
        if args.stdout || (stdin && !args.check) {
            print!("{formatted}");
            continue;
        }
        if formatted == text {
            continue;
        }
        if args.check {
            println!("{name} is not formatted:");
            print!("{}", diff(&name, &text, &formatted));
        } else if let Err(e) = write_atomically(path, &formatted) {
            eprintln!("error: cannot write `{name}`: {e}");
            io_failed = true;
            continue;
        }
        changed.push(name);
    }
    if !diagnostics.is_empty() {
        eprint!("{}", out.renderer(&sources).render_all(&diagnostics));
        eprintln!(
            "error: {} file(s) could not be parsed and were left unchanged",
            sources.iter().count() - files_ok(&sources, &diagnostics)
        );
    }
    // Formatting standard input prints the text alone, so an editor can take stdout as it is.
    let text_only = args.stdout || files.iter().all(|p| p.as_os_str() == "-") && !args.check;
    if !text_only {
        let verb = if args.check {
            "would reformat"
        } else {
            "reformatted"
        };
        eprintln!(
            "{verb} {} of {} file(s)",
            changed.len(),
            sources.iter().count()
        );
    }
    if io_failed {
        Exit::Usage
    } else if !diagnostics.is_empty() || (args.check && !changed.is_empty()) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// The number of files without a diagnostic.
fn files_ok(sources: &SourceMap, diagnostics: &[Diagnostic]) -> usize {
    sources
        .iter()
        .filter(|(id, _)| !diagnostics.iter().any(|d| d.primary.span.file == *id))
        .count()
}

/// A named file is taken as it is; a directory is searched, in path order, for `.policy` files.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect(&e, files)?;
        } else if crate::loader::is_policy_file(&e) {
            files.push(e);
        }
    }
    Ok(())
}

/// Writes beside the file and renames over it, so an interrupted run never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".fmt-tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        // The rename failed; the original is untouched, so the copy is only clutter.
        let _ = std::fs::remove_file(&tmp);
    })
}

/// A unified diff from the file as written to the file as formatted.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(DIFF_CONTEXT)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}

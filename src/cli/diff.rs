//! `caselock diff OLD NEW`

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::diff::{self, DiffFormat};

/// Show who gains and who loses access between two policies (exit 1 when they differ).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old policy (a `.policy` file or directory), or a table JSON from `caselock compile`.
    old: PathBuf,
    /// The new policy or table JSON.
    new: PathBuf,
    /// Output format: text, markdown (for a pull-request comment) or json.
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
}

/// Runs the command: 0 no semantic change, 1 changes, 2 an error.
pub fn run(args: Args, out: &Output) -> Exit {
    // A policy that does not check is an error here, not a finding: exit 2 either way.
    let Ok(old) = common::load_table(&args.old, out) else {
        return Exit::Usage;
    };
    let Ok(new) = common::load_table(&args.new, out) else {
        return Exit::Usage;
    };
    let d = match diff::diff(&old, &new) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let format = DiffFormat::parse(&args.format).unwrap_or(DiffFormat::Text);
    print!("{}", diff::render(&d, format));
    if d.is_empty() {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

//! `caselock diff OLD NEW`

use std::path::PathBuf;

use super::common::{self, Exit, Output, TableSource};
use crate::diff::{self, DiffFormat};

/// Show who gains and who loses access between two policies (exit 1 when they differ).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old policy (a `.policy` file or directory), or a table JSON from `caselock compile`.
    old: PathBuf,
    /// The new policy or table JSON.
    new: PathBuf,
    /// Output format: text, markdown (for a pull-request comment) or json.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
}

/// Runs the command: 0 no semantic change, 1 changes, 2 an error.
pub fn run(args: Args, out: &Output) -> Exit {
    // A policy that does not check is an error here, not a finding: exit 2 either way.
    let Ok(old) = common::load_table(TableSource::of_path(&args.old), out) else {
        return Exit::Usage;
    };
    let Ok(new) = common::load_table(TableSource::of_path(&args.new), out) else {
        return Exit::Usage;
    };
    let d = match diff::diff(&old, &new) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    print!("{}", diff::render(&d, args.format));
    if d.is_empty() {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

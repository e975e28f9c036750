//! `caselock table POLICY --format markdown|html|csv`

use std::path::PathBuf;

use super::common::{self, Exit, Output, TableSource};
use crate::report::table::{self, TableFormat};

/// Print the compiled decision table for humans.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy (a `.policy` file or a directory), or a table JSON from `caselock compile`.
    path: PathBuf,
    /// Output format: markdown, a self-contained printable HTML page, or CSV.
    #[arg(long, value_enum, default_value_t = TableFormat::Markdown)]
    format: TableFormat,
    /// Where to write it (standard output when absent).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let decision_table = match common::load_table(TableSource::of_path(&args.path), out) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let text = table::render(&decision_table, args.format);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Usage;
            }
            Exit::Ok
        }
        None => {
            print!("{text}");
            Exit::Ok
        }
    }
}

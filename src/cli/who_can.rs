//! `caselock who-can POLICY --category C --action A`

use std::path::PathBuf;

use super::common::{self, Exit, Output, TableSource};
use crate::analyse::who_approves::who_approves;
use crate::analyse::who_can::who_can;
use crate::policy::Change;

/// Every class of subject that can take an action on a record of a category.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy (a `.policy` file or a directory), or a table JSON from `caselock compile`.
    path: PathBuf,
    /// The category (`unrestricted` for a record with no restriction).
    #[arg(long)]
    category: String,
    /// The action; a lifecycle action (`place`, `lift`, `grant_temporary`, `add_flag`...) lists
    /// who approves it, step by step (for `add_flag`, `--category` names the flag).
    #[arg(long)]
    action: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// What `caselock who-can` writes: plain text, a markdown table or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// Runs the command: exit 0 with the answer, 2 for an unknown category or action.
pub fn run(args: Args, out: &Output) -> Exit {
    let table = match common::load_table(TableSource::of_path(&args.path), out) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if let Some(change) = Change::from_word(&args.action) {
        let answer = match who_approves(&table, &args.category, change) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Usage;
            }
        };
        match args.format {
            Format::Json => println!("{}", crate::json::to_string_pretty(&answer)),
            Format::Markdown => print!("{}", answer.markdown()),
            Format::Text => print!("{}", answer.text()),
        }
        return Exit::Ok;
    }
    let answer = match who_can(&table, &args.category, &args.action) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    match args.format {
        Format::Json => println!("{}", crate::json::to_string_pretty(&answer)),
        Format::Markdown => print!("{}", answer.markdown()),
        Format::Text => print!("{}", answer.text()),
    }
    Exit::Ok
}

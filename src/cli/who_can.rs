//! `caselock who-can POLICY --category C --action A`

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::analyse::who_can::who_can;

/// Every class of subject that can take an action on a record of a category.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy (a `.policy` file or a directory), or a table JSON from `caselock compile`.
    path: PathBuf,
    /// The category (`unrestricted` for a record with no restriction).
    #[arg(long)]
    category: String,
    /// The action.
    #[arg(long)]
    action: String,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
}

/// Runs the command: exit 0 with the answer, 2 for an unknown category or action.
pub fn run(args: Args, out: &Output) -> Exit {
    let table = match common::load_table(&args.path, out) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let answer = match who_can(&table, &args.category, &args.action) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    match args.format.as_str() {
        "json" => println!("{}", crate::json::to_string_pretty(&answer)),
        "markdown" => print!("{}", answer.markdown()),
        _ => print!("{}", answer.text()),
    }
    Exit::Ok
}

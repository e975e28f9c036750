//! `caselock rule CODE`: the documentation of a diagnostic code.

use super::common::{Exit, Output};
use crate::diag::Code;

/// Print the documentation of a diagnostic code.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A code (`CL0101`) or name (`unknown-name`); `--all` lists every code.
    #[arg(required_unless_present = "all")]
    code: Option<String>,
    /// List every code with its summary.
    #[arg(long)]
    all: bool,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    if args.all {
        for c in Code::ALL {
            println!("{}  {:<28} {}", c.as_str(), c.name(), c.summary());
        }
        return Exit::Ok;
    }
    let text = args.code.unwrap_or_default();
    match Code::parse(&text) {
        Some(c) => {
            println!("{}", c.explain());
            Exit::Ok
        }
        None => {
            eprintln!("error: unknown diagnostic code `{text}`; `caselock rule --all` lists them");
            Exit::Usage
        }
    }
}

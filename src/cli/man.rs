//! `caselock man [--dir DIR]`: man pages generated from the command-line definition.

use std::path::PathBuf;

use super::common::{Exit, Output};

/// Print the caselock(1) man page, or write a page for every command into a directory.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write `caselock.1` and one `caselock-COMMAND.1` per command into this directory instead
    /// of printing `caselock.1`.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    let cmd = super::command();
    match args.dir {
        None => {
            let mut text = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut text) {
                eprintln!("error: cannot render the man page: {e}");
                return Exit::Usage;
            }
            super::common::print_bytes(&text)
        }
        Some(dir) => match clap_mangen::generate_to(cmd, &dir) {
            Ok(()) => {
                println!("wrote the man pages to `{}`", dir.display());
                Exit::Ok
            }
            Err(e) => {
                eprintln!("error: cannot write man pages to `{}`: {e}", dir.display());
                Exit::Usage
            }
        },
    }
}

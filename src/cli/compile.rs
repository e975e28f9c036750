//! `caselock compile POLICY... -o TABLE.json`

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::compile;

/// Compile a policy to a decision table (deterministic JSON).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy: a `.policy` file or a directory of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Where to write the table (standard output when absent).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Indent the JSON for reading (the hash is the same either way).
    #[arg(long)]
    pretty: bool,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let (sources, checked) = match common::load_checked(&args.paths, out) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let [one] = checked.as_slice() else {
        eprintln!(
            "error: found {} policies; compile one policy at a time",
            checked.len()
        );
        return Exit::Usage;
    };
    eprint!("{}", out.renderer(&sources).render_all(&one.warnings));
    let table = compile::compile(one, &sources);
    let text = if args.pretty {
        let mut s = serde_json::to_string_pretty(&table).unwrap_or_default();
        s.push('\n');
        s
    } else {
        compile::to_json(&table)
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Usage;
            }
            eprintln!(
                "compiled policy `{}` to {} ({} categories, table hash {})",
                table.policy.id,
                path.display(),
                table.categories.len(),
                &table.table_hash[..12.min(table.table_hash.len())]
            );
        }
        None => print!("{text}"),
    }
    Exit::Ok
}

//! `caselock compile POLICY... [-o BUNDLE.json] [--sign KEY]`

use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::compile::{self, Bundle, keys};
use crate::durable::{self, Access};

/// Compile a policy to a bundle: the decision table with a manifest of its sources, optionally
/// signed (deterministic JSON).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy: a `.policy` file or a directory of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Where to write the bundle, atomically (standard output when absent).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Sign the bundle with this ed25519 private key (from `caselock keygen`).
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
    /// Indent the JSON for reading (the checks are the same either way).
    #[arg(long)]
    pretty: bool,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let key = match args.sign.as_deref().map(keys::read_signing_key).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let (sources, one) = match common::one_policy(&args.paths, out) {
        Ok(x) => x,
        Err(e) => return e,
    };
    eprint!("{}", out.renderer(&sources).render_all(&one.warnings));
    let table = compile::compile(&one, &sources);
    let mut bundle = Bundle::new(table, &sources);
    if let Some(k) = &key {
        bundle.sign(k);
    }
    let text = bundle.to_json(args.pretty);
    match &args.output {
        Some(path) => {
            if let Err(e) = durable::write_atomically(path, text.as_bytes(), Access::Public) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Usage;
            }
            let signed = bundle
                .signature
                .as_ref()
                .map(|s| format!(", signed by key {}", s.key_id))
                .unwrap_or_else(|| ", unsigned".to_string());
            eprintln!(
                "compiled policy `{}` to {} ({} categories, {} source files{signed})",
                bundle.table.policy.id,
                path.display(),
                bundle.table.categories.len(),
                bundle.manifest.files.len(),
            );
        }
        None => print!("{text}"),
    }
    Exit::Ok
}

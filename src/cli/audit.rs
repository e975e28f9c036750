//! `caselock audit verify LOG [--head SEQ:HASH] [--key FILE]`: checks a decision log's chain.

use std::io::BufReader;
use std::path::PathBuf;

use super::common::{Exit, Output};
use crate::audit::{self, Chain, Head, LogKey};

/// Work with the decision log.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Check every line's hash and chain link; report the first line that fails.
    Verify(VerifyArgs),
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The log file.
    log: PathBuf,
    /// The head recorded earlier (`SEQ:sha256:HEX`, as this command prints it): the log must
    /// still hold that entry, which detects lines removed from the end or a rewritten chain.
    #[arg(long, value_parser = clap::value_parser!(Head))]
    head: Option<Head>,
    /// The log's key (`serve --log-key`): every line's HMAC is checked, which detects lines
    /// appended or rewritten by anyone without the key. Without it only the plain SHA-256 chain
    /// of an unkeyed log can be checked.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    let Command::Verify(a) = args.command;
    let chain = match a.key.as_deref().map(LogKey::read).transpose() {
        Ok(Some(k)) => Chain::Keyed(k),
        Ok(None) => Chain::Unkeyed,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let file = match std::fs::File::open(&a.log) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", a.log.display());
            return Exit::Usage;
        }
    };
    match audit::verify(BufReader::new(file), a.head.as_ref(), &chain) {
        Ok(s) => {
            let span = match (s.first, s.last) {
                (Some(f), Some(l)) => format!(", from {} to {}", f.to_rfc3339(), l.to_rfc3339()),
                _ => String::new(),
            };
            println!(
                "ok: {} entries{span}: {} decisions ({} allowed, {} denied), {} policy loads, {} rejected reloads",
                s.entries,
                s.decisions,
                s.allowed,
                s.decisions - s.allowed,
                s.policies_loaded,
                s.policies_rejected
            );
            println!("head: {}", s.head.unwrap_or_else(Head::genesis));
            if s.keyed {
                println!(
                    "checked: keyed (every line's HMAC-SHA256 under the key): nobody without the key could have written or appended these lines"
                );
            } else {
                println!(
                    "checked: unkeyed (SHA-256 chain only): edits, removals and reordering are found, but anyone able to write the log could append lines that verify; keep the log keyed (`serve --log-key`) and pass `--key`"
                );
            }
            Exit::Ok
        }
        Err(b) => {
            println!("error: `{}` {b}", a.log.display());
            Exit::Findings
        }
    }
}

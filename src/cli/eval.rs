//! `caselock eval --policy P... | --table T [REQUEST.json|-] [--jsonl]`
//!
//! One request in, one decision out (pretty JSON); or with `--jsonl`, one request per line in,
//! one decision per line out, in constant memory. A line that is not a valid request yields
//! `{"error": ..., "line": N}` on its output line and processing continues; the exit code is 0
//! when every request was read, 1 when any was not, 2 on a usage or I/O error.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use super::common::{self, Exit, Output};
use crate::compile::{self, keys};
use crate::eval::{Audience, Decider, Request};

/// Decide requests against a policy or a compiled table.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the decisions come from.
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    trust: Trust,
    /// The request file; `-` or absent reads standard input.
    request: Option<PathBuf>,
    /// Read one request per line and write one decision per line.
    #[arg(long)]
    jsonl: bool,
    /// Add an explanation for this audience.
    #[arg(long, value_parser = ["caseworker", "auditor"])]
    explain: Option<String>,
}

/// A policy to compile, or a compiled table.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A policy file or directory (repeat for the files of one policy).
    #[arg(long)]
    policy: Vec<PathBuf>,
    /// A bundle (or table) written by `caselock compile`.
    #[arg(long)]
    table: Option<PathBuf>,
}

/// The key a bundle must be signed by.
#[derive(Debug, clap::Args)]
pub struct Trust {
    /// Accept only a bundle signed by this ed25519 public key (`KEY.pub` from `caselock keygen`).
    #[arg(long, value_name = "PUBKEY", requires = "table")]
    trust: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let decider = match load(&args.source, &args.trust, out) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let audience = args.explain.as_deref().map(audience);
    let input: Box<dyn Read> = match args.request.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return Exit::Usage;
            }
        },
    };
    if args.jsonl {
        stream(&decider, input, audience)
    } else {
        single(&decider, input, audience)
    }
}

/// The audience a flag names.
pub(super) fn audience(word: &str) -> Audience {
    if word == "auditor" {
        Audience::Auditor
    } else {
        Audience::Caseworker
    }
}

/// Loads and compiles a policy, or loads a compiled table, and interns it.
pub(super) fn load(source: &Source, trust: &Trust, out: &Output) -> Result<Decider, Exit> {
    if let Some(path) = &source.table {
        let trust = trust
            .trust
            .as_deref()
            .map(keys::read_verifying_key)
            .transpose()
            .map_err(|e| {
                eprintln!("error: {e}");
                Exit::Usage
            })?;
        let text = std::fs::read_to_string(path).map_err(|e| {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            Exit::Usage
        })?;
        return match compile::bundle::load(&text, trust.as_ref()) {
            Ok(l) => Ok(Decider::new(&l.table)),
            Err(e) => {
                eprintln!("error: `{}`: {e}", path.display());
                Err(Exit::Usage)
            }
        };
    }
    let (sources, checked) = common::load_checked(&source.policy, out)?;
    let [one] = checked.as_slice() else {
        eprintln!(
            "error: found {} policies; give the files of one policy",
            checked.len()
        );
        return Err(Exit::Usage);
    };
    Ok(Decider::new(&compile::compile(one, &sources)))
}

fn single(decider: &Decider, mut input: Box<dyn Read>, audience: Option<Audience>) -> Exit {
    let mut text = String::new();
    if let Err(e) = input.read_to_string(&mut text) {
        eprintln!("error: cannot read the request: {e}");
        return Exit::Usage;
    }
    match Request::from_json(&text) {
        Ok(req) => {
            let d = decider.decide(&req);
            let resp = decider.response(&req, &d, audience);
            println!(
                "{}",
                serde_json::to_string_pretty(&resp).unwrap_or_default()
            );
            Exit::Ok
        }
        Err(e) => {
            println!("{}", serde_json::json!({ "error": e.to_string() }));
            eprintln!("error: {e}");
            Exit::Findings
        }
    }
}

fn stream(decider: &Decider, input: Box<dyn Read>, audience: Option<Audience>) -> Exit {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let stdout = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut long_line = Vec::new();
    let (mut number, mut bad) = (0u64, 0u64);
    loop {
        // A line wholly in the reader's buffer is decided where it lies; one that runs past
        // the buffer's end is copied out first. Either way the line keeps its newline, so a
        // request cut short is reported at the same position.
        let end = match reader.fill_buf() {
            Ok([]) => break,
            Ok(buffered) => memchr::memchr(b'\n', buffered).map(|i| i + 1),
            Err(e) => {
                eprintln!("error: cannot read line {}: {e}", number + 1);
                return Exit::Usage;
            }
        };
        let (line, used) = match end {
            Some(n) => (&reader.buffer()[..n], n),
            None => {
                long_line.clear();
                if let Err(e) = reader.read_until(b'\n', &mut long_line) {
                    eprintln!("error: cannot read line {}: {e}", number + 1);
                    return Exit::Usage;
                }
                (long_line.as_slice(), 0)
            }
        };
        number += 1;
        let written = if line.iter().all(u8::is_ascii_whitespace) {
            Ok(false)
        } else {
            match Request::borrowed_from_slice(line) {
                Ok(req) => {
                    let d = decider.decide(&req);
                    decider
                        .write_response(&req, &d, audience, &mut w)
                        .map(|()| true)
                }
                Err(e) => {
                    bad += 1;
                    let err = serde_json::json!({ "error": e.to_string(), "line": number });
                    serde_json::to_writer(&mut w, &err)
                        .map_err(std::io::Error::from)
                        .map(|()| true)
                }
            }
        };
        if let Err(e) = written.and_then(|wrote| if wrote { w.write_all(b"\n") } else { Ok(()) }) {
            eprintln!("error: cannot write: {e}");
            return Exit::Usage;
        }
        reader.consume(used);
    }
    if let Err(e) = w.flush() {
        eprintln!("error: cannot write: {e}");
        return Exit::Usage;
    }
    if bad > 0 {
        eprintln!("error: {bad} of {number} lines were not valid requests");
        Exit::Findings
    } else {
        Exit::Ok
    }
}

//! `caselock audit verify (LOG | --database CONNINFO [--instance NAME]) [--head SEQ:HASH]
//! [--key FILE]` checks a decision log's chain; `caselock audit query (--log FILE | --database
//! CONNINFO) (--record ID | --subject ID | --from T --to T) [--format text|json|csv]` lists
//! logged decisions, IDs only.

use std::io::BufReader;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::common::{Exit, Output};
use crate::audit::{self, Chain, Filter, Found, Head, LogKey, Summary, query};

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
    /// List logged decisions about a record, by a subject, or between two times (IDs only).
    Query(QueryArgs),
}

/// Where the log is: a file, or the PostgreSQL database `serve --log-database` writes to.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Source {
    /// The log file.
    #[arg(long)]
    log: Option<PathBuf>,
    /// The PostgreSQL database (a connection string, as `serve --log-database` takes).
    #[arg(long, env = "CASELOCK_LOG_DATABASE", value_name = "CONNINFO")]
    database: Option<String>,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The log file (or give `--database`). After rotations, give the archived files and the
    /// current one in order (`decisions.jsonl.4200 decisions.jsonl`): the chain is checked
    /// across them.
    #[arg(required_unless_present = "database", conflicts_with = "database")]
    log: Vec<PathBuf>,
    /// Verify every instance's chain in this PostgreSQL database, and that every row's columns
    /// say what its line says.
    #[arg(long, env = "CASELOCK_LOG_DATABASE", value_name = "CONNINFO")]
    database: Option<String>,
    /// Accept a first file that continues a rotated file's chain (the current file after a
    /// rotation, checked without the archives). Without it the first file must start the chain.
    #[arg(long, conflicts_with = "database")]
    continues: bool,
    /// With `--database`: only this instance's chain.
    #[arg(long, requires = "database")]
    instance: Option<String>,
    /// The head recorded earlier (`SEQ:sha256:HEX`, as this command prints it): the log must
    /// still hold that entry, which detects lines removed from the end or a rewritten chain.
    #[arg(long, value_parser = clap::value_parser!(Head), conflicts_with = "database")]
    head: Option<Head>,
    /// The log's key (`serve --log-key`): every line's HMAC is checked, which detects lines
    /// appended or rewritten by anyone without the key. Without it only the plain SHA-256 chain
    /// of an unkeyed log can be checked.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("filter").required(true).multiple(true).args(["record", "subject", "from", "to"])))]
struct QueryArgs {
    #[command(flatten)]
    source: Source,
    /// Decisions about this record id (ids compare ignoring case).
    #[arg(long)]
    record: Option<String>,
    /// Decisions asked for by this subject id.
    #[arg(long)]
    subject: Option<String>,
    /// From this time (RFC 3339, such as `2026-11-01T00:00:00Z`), inclusive.
    #[arg(long)]
    from: Option<DateTime<Utc>>,
    /// To this time, exclusive.
    #[arg(long)]
    to: Option<DateTime<Utc>>,
    /// `text` (aligned columns), `json` (an array) or `csv`.
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

/// What `caselock audit query` writes (`--format`, whose help says what each value means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QueryFormat {
    Text,
    Json,
    Csv,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    match args.command {
        Command::Verify(a) => verify(a),
        Command::Query(a) => run_query(a),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the runtime: {e}");
            Exit::Usage
        })
}

fn verify(a: VerifyArgs) -> Exit {
    let chain = match a.key.as_deref().map(LogKey::read).transpose() {
        Ok(Some(k)) => Chain::Keyed(k),
        Ok(None) => Chain::Unkeyed,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    if let Some(url) = &a.database {
        let rt = match runtime() {
            Ok(rt) => rt,
            Err(e) => return e,
        };
        return match rt.block_on(audit::postgres::verify(url, a.instance.as_deref(), &chain)) {
            Ok(all) if all.is_empty() => {
                println!("ok: the database holds no entries");
                Exit::Ok
            }
            Ok(all) => {
                for (instance, s) in &all {
                    print_summary(&format!("instance `{instance}`: "), s);
                }
                Exit::Ok
            }
            Err((instance, b)) => {
                println!("error: instance `{instance}` {b}");
                Exit::Findings
            }
        };
    }
    let mut v = audit::Verifier::new(a.head.as_ref(), &chain);
    if a.continues {
        v = v.continuing();
    }
    for path in &a.log {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return Exit::Usage;
            }
        };
        if let Err(b) = v.lines(BufReader::new(file)) {
            println!("error: `{}` {b}", path.display());
            return Exit::Findings;
        }
    }
    match v.finish() {
        Ok(s) => {
            if let Some(start) = &s.start {
                println!(
                    "note: the log continues a rotated file, from entry {} ({}); give the archived files first to check the chain from its start",
                    start.seq + 1,
                    start
                );
            }
            print_summary("", &s);
            Exit::Ok
        }
        Err(b) => {
            let last = a
                .log
                .last()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            println!("error: `{last}` {b}");
            Exit::Findings
        }
    }
}

fn print_summary(prefix: &str, s: &Summary) {
    let span = match (s.first, s.last) {
        (Some(f), Some(l)) => format!(", from {} to {}", f.to_rfc3339(), l.to_rfc3339()),
        _ => String::new(),
    };
    println!(
        "{prefix}ok: {} entries{span}: {} decisions ({} allowed, {} denied), {} policy loads, {} rejected reloads",
        s.entries,
        s.decisions,
        s.allowed,
        s.decisions - s.allowed,
        s.policies_loaded,
        s.policies_rejected
    );
    println!(
        "{prefix}head: {}",
        s.head.clone().unwrap_or_else(Head::genesis)
    );
    if s.keyed {
        println!(
            "{prefix}checked: keyed (every line's HMAC-SHA256 under the key): nobody without the key could have written or appended these lines"
        );
    } else {
        println!(
            "{prefix}checked: unkeyed (SHA-256 chain only): edits, removals and reordering are found, but anyone able to write the log could append lines that verify; keep the log keyed (`serve --log-key`) and pass `--key`"
        );
    }
}

fn run_query(a: QueryArgs) -> Exit {
    let filter = Filter {
        record: a.record,
        subject: a.subject,
        from: a.from,
        to: a.to,
    };
    let found: Result<Vec<Found>, String> = match (&a.source.log, &a.source.database) {
        (Some(path), _) => std::fs::File::open(path)
            .and_then(|f| query::scan(BufReader::new(f), &filter))
            .map_err(|e| format!("cannot read `{}`: {e}", path.display())),
        (None, Some(url)) => match runtime() {
            Ok(rt) => rt
                .block_on(audit::postgres::query(url, &filter))
                .map_err(|e| e.to_string()),
            Err(e) => return e,
        },
        (None, None) => Err("give `--log FILE` or `--database CONNINFO`".to_string()),
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let text = match a.format {
        QueryFormat::Json => crate::json::to_string_pretty(&found) + "\n",
        QueryFormat::Csv => query::csv(&found),
        QueryFormat::Text => query::text(&found),
    };
    super::common::print_bytes(text.as_bytes())
}

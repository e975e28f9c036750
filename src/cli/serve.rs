//! `caselock serve --table BUNDLE --trust KEY.pub | --policy PATH ... --log FILE | --no-log ...`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::common::{Exit, Output};
use crate::audit::{LogKey, SyncMode, valid_instance};
use crate::compile::keys;
use crate::serve::{self, Config, Limits};

/// Serve decisions over HTTP, with the caseworker page and the decision log.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("policy_source").required(true).multiple(true).args(["policy", "table"])))]
#[command(group(clap::ArgGroup::new("log_choice").required(true).args(["log", "log_database", "log_stdout", "no_log"])))]
#[command(group(clap::ArgGroup::new("log_sink").args(["log", "log_database", "log_stdout"])))]
pub struct Args {
    /// A TOML file of settings, keyed by these flags' names (docs/operations.md); a flag or
    /// its environment variable wins over the file, and the file over the built-in default.
    #[arg(long, env = "CASELOCK_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print every setting, its value and where it came from (flag, env, file or default),
    /// then exit without serving.
    #[arg(long)]
    print_config: bool,
    /// A policy file or directory to serve, compiled by the service (for development; repeat
    /// to serve several policies).
    #[arg(long)]
    policy: Vec<PathBuf>,
    /// A bundle written by `caselock compile` to serve (the production way; repeat for several).
    #[arg(long, env = "CASELOCK_TABLE", value_name = "BUNDLE")]
    table: Vec<PathBuf>,
    /// Serve only bundles signed by this ed25519 public key (`KEY.pub` from `caselock keygen`);
    /// a bundle that fails its signature, hash or manifest is refused and the running one stays.
    #[arg(
        long,
        env = "CASELOCK_TRUST",
        value_name = "PUBKEY",
        requires = "table"
    )]
    trust: Option<PathBuf>,
    /// Serve bundles without a signature (they are still checked for corruption). Without
    /// `--trust` this is required to serve a bundle.
    #[arg(long, env = "CASELOCK_ALLOW_UNSIGNED", conflicts_with = "trust")]
    allow_unsigned: bool,
    /// The policy `/v1/decisions` uses (by id); by default the first one given.
    #[arg(long, env = "CASELOCK_DEFAULT_POLICY")]
    default_policy: Option<String>,
    /// The address to listen on; loopback unless told otherwise.
    #[arg(long, env = "CASELOCK_ADDR", default_value = "127.0.0.1:8181")]
    addr: SocketAddr,
    /// Serve `/metrics` without the token on this address only (for example a loopback port
    /// the monitoring system scrapes); on the main address `/metrics` needs the token.
    #[arg(long, env = "CASELOCK_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Append every decision to this hash-chained log (created with mode 0600).
    #[arg(long, env = "CASELOCK_LOG")]
    log: Option<PathBuf>,
    /// Log every decision in this PostgreSQL database instead of a file (a connection string,
    /// such as `host=/run/postgresql dbname=caselock user=caselock`; docs/operations.md). The
    /// schema is created and migrated; each instance keeps its own chain; replicas share it.
    #[arg(long, env = "CASELOCK_LOG_DATABASE", value_name = "CONNINFO")]
    log_database: Option<String>,
    /// Write the decision log as JSON lines to standard output, for a log shipper (Vector,
    /// Fluent Bit); each start begins a new chain. Messages stay on standard error.
    #[arg(long, env = "CASELOCK_LOG_STDOUT")]
    log_stdout: bool,
    /// Serve without a decision log: decisions are not recorded (a warning says so at start-up).
    #[arg(long, env = "CASELOCK_NO_LOG")]
    no_log: bool,
    /// Key the log's chain with the HMAC key in this file (`caselock keygen --log-key`), so
    /// lines appended by anyone without the key are detected by `audit verify --key`.
    #[arg(
        long,
        env = "CASELOCK_LOG_KEY",
        value_name = "FILE",
        requires = "log_sink"
    )]
    log_key: Option<PathBuf>,
    /// When a logged decision reaches the disk before it is answered: `data` syncs (survives a
    /// machine crash), `os` only writes (survives a crash of the service).
    #[arg(long, env = "CASELOCK_LOG_SYNC", value_enum, default_value_t = SyncMode::Data)]
    log_sync: SyncMode,
    /// Require `Authorization: Bearer <token>` on every /v1 route, /metrics and the what-if
    /// tool, with the token in this file.
    #[arg(long, env = "CASELOCK_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// The connected systems, each with its own token and optionally its own names (a TOML
    /// file of `[[client]]` entries; docs/operations.md): instead of one shared `--token-file`.
    /// Every decision records the client that asked; the file is read again on reload.
    #[arg(
        long,
        env = "CASELOCK_CLIENTS",
        value_name = "FILE",
        conflicts_with = "token_file"
    )]
    clients: Option<PathBuf>,
    /// Sign and accept links to the caseworker page (`/why/{decision_id}`) with the secret key in
    /// this file (at least 64 hex digits; `caselock keygen --log-key -o FILE` makes one): the
    /// case-management system asks `POST /v1/decisions/{id}/link` for a link, or signs one
    /// itself (docs/service.md).
    #[arg(long, env = "CASELOCK_LINK_KEY", value_name = "FILE")]
    link_key: Option<PathBuf>,
    /// The staff directory: a CSV file of `subject_id,display_name,role_title` that names
    /// contacts on the caseworker page instead of user ids (docs/service.md); read again on
    /// reload.
    #[arg(long, env = "CASELOCK_DIRECTORY", value_name = "FILE")]
    directory: Option<PathBuf>,
    /// Seconds between checks for changed policy files or bundles; 0 does not watch (else 0.1
    /// to 86400).
    #[arg(long, env = "CASELOCK_WATCH_INTERVAL", default_value = "2", value_parser = watch_interval)]
    watch_interval: Duration,
    /// Seconds policy source files must stay unchanged before they are loaded (0 to 60).
    #[arg(long, env = "CASELOCK_SETTLE", default_value = "1", value_parser = seconds(0.0, 60.0))]
    settle: Duration,
    /// This instance's name, the first part of every decision id (letters, digits, `.`, `_`,
    /// `-`; default: the host's name).
    #[arg(long, env = "CASELOCK_INSTANCE", value_parser = instance)]
    instance: Option<String>,
    /// Seconds a client may take to send a request's headers; also how long an idle
    /// keep-alive connection is kept (0.01 to 3600).
    #[arg(long, env = "CASELOCK_HEADER_TIMEOUT", default_value = "10", value_parser = seconds(0.01, 3600.0))]
    header_timeout: Duration,
    /// Seconds a request may take from its headers to its answer, its body included; then 408
    /// (0.01 to 3600).
    #[arg(long, env = "CASELOCK_REQUEST_TIMEOUT", default_value = "30", value_parser = seconds(0.01, 3600.0))]
    request_timeout: Duration,
    /// The most connections open at once (1 to 100000); more wait to be accepted.
    #[arg(long, env = "CASELOCK_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_connections: u32,
    /// Seconds requests in flight may take to finish after SIGTERM (0 to 3600).
    #[arg(long, env = "CASELOCK_DRAIN_TIMEOUT", default_value = "30", value_parser = seconds(0.0, 3600.0))]
    drain_timeout: Duration,
    /// Worker threads (1 to 1024; default: one per core).
    #[arg(long, env = "CASELOCK_THREADS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
}

/// A number of seconds between `min` and `max`.
fn seconds(min: f64, max: f64) -> impl Fn(&str) -> Result<Duration, String> + Clone {
    move |s: &str| {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number of seconds"))?;
        if !(min..=max).contains(&v) {
            return Err(format!("must be between {min} and {max} seconds"));
        }
        Duration::try_from_secs_f64(v).map_err(|e| e.to_string())
    }
}

/// 0 (do not watch) or 0.1 to 86400 seconds.
fn watch_interval(s: &str) -> Result<Duration, String> {
    if s.trim().parse::<f64>().is_ok_and(|v| v == 0.0) {
        return Ok(Duration::ZERO);
    }
    seconds(0.1, 86_400.0)(s).map_err(|e| format!("{e} (or 0: do not watch)"))
}

fn instance(s: &str) -> Result<String, String> {
    if valid_instance(s) {
        Ok(s.to_string())
    } else {
        Err("must be 1 to 63 letters, digits, `.`, `_` or `-`".to_string())
    }
}

/// The host's name if it can be an instance name, else `caselock`.
fn default_instance() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| valid_instance(h))
        .unwrap_or_else(|| "caselock".to_string())
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    if !args.table.is_empty() && args.trust.is_none() && !args.allow_unsigned {
        eprintln!(
            "error: `--table` needs `--trust PUBKEY` (serve only bundles signed by that key), or `--allow-unsigned` to accept unsigned bundles"
        );
        return Exit::Usage;
    }
    let trust = match args
        .trust
        .as_deref()
        .map(keys::read_verifying_key)
        .transpose()
    {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let log_key = match args.log_key.as_deref().map(LogKey::read).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let link_key = match args
        .link_key
        .as_deref()
        .map(serve::LinkKey::read)
        .transpose()
    {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let config = Config {
        policies: args.policy,
        bundles: args.table,
        trust,
        default_policy: args.default_policy,
        log: args.log,
        log_database: args.log_database,
        log_stdout: args.log_stdout,
        log_key,
        log_sync: args.log_sync,
        token_file: args.token_file,
        clients: args.clients,
        link_key,
        directory: args.directory,
        watch: (!args.watch_interval.is_zero()).then_some(args.watch_interval),
        settle: args.settle,
        instance: args.instance.unwrap_or_else(default_instance),
        limits: Limits {
            header_timeout: args.header_timeout,
            request_timeout: args.request_timeout,
            max_connections: args.max_connections as usize,
            drain_timeout: args.drain_timeout,
        },
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.threads {
        rt.worker_threads(usize::from(n));
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return Exit::Usage;
        }
    };
    let result = rt.block_on(serve::run(config, args.addr, args.metrics_addr));
    // Connections still open after the drain deadline are not waited for.
    rt.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
    }
}

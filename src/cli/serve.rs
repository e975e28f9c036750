//! `caselock serve --policy PATH... [--addr 127.0.0.1:8181] [--log FILE] [--token-file F]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::common::{Exit, Output};
use crate::audit::SyncMode;
use crate::serve::{self, Config};

/// Serve decisions over HTTP, with the caseworker page and the decision log.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A policy file or directory to serve (repeat to serve several policies).
    #[arg(long, required = true)]
    policy: Vec<PathBuf>,
    /// The policy `/v1/decisions` uses (by id); by default the first one given.
    #[arg(long)]
    default_policy: Option<String>,
    /// The address to listen on; loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:8181")]
    addr: SocketAddr,
    /// Append every decision to this hash-chained log.
    #[arg(long)]
    log: Option<PathBuf>,
    /// When a logged decision reaches the disk before it is answered: `data` syncs (survives a
    /// machine crash), `os` only writes (survives a crash of the service).
    #[arg(long, default_value = "data", value_parser = ["data", "os"])]
    log_sync: String,
    /// Require `Authorization: Bearer <token>` on every /v1 route, with the token in this file.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Seconds between checks for changed policy files; 0 does not watch.
    #[arg(long, default_value_t = 2.0)]
    watch_interval: f64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    let config = Config {
        policies: args.policy,
        default_policy: args.default_policy,
        log: args.log,
        log_sync: if args.log_sync == "os" {
            SyncMode::Os
        } else {
            SyncMode::Data
        },
        token_file: args.token_file,
        watch: (args.watch_interval > 0.0)
            .then(|| Duration::try_from_secs_f64(args.watch_interval).ok())
            .flatten(),
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return Exit::Usage;
        }
    };
    match rt.block_on(serve::run(config, args.addr)) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
    }
}

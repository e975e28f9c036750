//! The decision service: `caselock serve` answers decision requests over HTTP for
//! case-management systems, serves the caseworker page, logs every decision to the hash-chained
//! decision log and reloads policies without stopping (docs/service.md).
//!
//! [`Service::router`] is the whole HTTP surface, so tests drive it in process; [`run`] binds it
//! to a socket with signal handling and graceful shutdown.

mod auth;
mod clients;
mod decisions;
pub(crate) mod directory;
mod form;
pub(crate) mod link;
mod listen;
mod metrics;
pub mod openapi;
mod page;
mod problem;
mod routes;
mod state;
mod what_if;
mod why;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arc_swap::{ArcSwap, ArcSwapOption};
use axum::Router;
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::audit::{
    Chain, Event, LogKey, LogWriter, Pending, PgLog, PolicyEntry, Sink, StdoutLog, SyncMode,
};

pub use clients::{Client, Clients};
pub use directory::{Directory, DirectoryError};
pub use link::LinkKey;
pub use listen::{Limits, serve_on};
pub use metrics::ReloadResult;
pub use openapi::OPENAPI;
pub use problem::{PROBLEM_JSON, Problem};
pub use routes::ROUTES;
pub use state::{Failure, Origin, ReloadOutcome, Version};

/// Writes a line to stderr, ignoring failure: a closed stderr must not stop the service
/// (`eprintln!` panics on a broken pipe).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// The largest request body accepted, in bytes (larger: 413 with a problem body).
pub const MAX_BODY: usize = 1024 * 1024;

/// The most requests one batch may hold.
pub const MAX_BATCH: usize = 1000;

/// How the service is started.
#[derive(Debug, Clone)]
pub struct Config {
    /// Policy files or directories compiled by the service; each policy found is served.
    pub policies: Vec<PathBuf>,
    /// Bundles written by `caselock compile`; each is served.
    pub bundles: Vec<PathBuf>,
    /// The key every bundle must be signed by; `None` accepts unsigned bundles.
    pub trust: Option<ed25519_dalek::VerifyingKey>,
    /// The id of the policy `/v1/decisions` uses; by default the first one found.
    pub default_policy: Option<String>,
    /// The decision log file, if any.
    pub log: Option<PathBuf>,
    /// The decision log in PostgreSQL (a connection string), instead of a file.
    pub log_database: Option<String>,
    /// The decision log as JSON lines on standard output, instead of a file.
    pub log_stdout: bool,
    /// The key of the log's keyed chain; `None` writes an unkeyed SHA-256 chain.
    pub log_key: Option<LogKey>,
    /// When the log reaches the disk.
    pub log_sync: SyncMode,
    /// A file holding the bearer token every `/v1` route and `/metrics` require.
    pub token_file: Option<PathBuf>,
    /// A file listing the connected systems, each with its own token (and mapping): instead of
    /// one shared token.
    pub clients: Option<PathBuf>,
    /// The key caseworker links (`/why/{decision_id}`) are signed with; `None` issues and
    /// accepts none.
    pub link_key: Option<LinkKey>,
    /// The staff directory (CSV: subject id, display name, role title) that names contacts on
    /// the caseworker page; read again on every reload.
    pub directory: Option<PathBuf>,
    /// How often to look for changed policy files or bundles; `None` does not watch.
    pub watch: Option<Duration>,
    /// How long policy source files must stay unchanged before they are loaded.
    pub settle: Duration,
    /// This instance's name, the first part of every decision id.
    pub instance: String,
    /// Connection limits and timeouts.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            policies: Vec::new(),
            bundles: Vec::new(),
            trust: None,
            default_policy: None,
            log: None,
            log_database: None,
            log_stdout: false,
            log_key: None,
            log_sync: SyncMode::Data,
            token_file: None,
            clients: None,
            link_key: None,
            directory: None,
            watch: None,
            settle: Duration::from_secs(1),
            instance: "caselock".to_string(),
            limits: Limits::default(),
        }
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A policy could not be loaded or does not check.
    #[error("{0}")]
    Policy(String),
    /// The decision log could not be opened or does not verify.
    #[error(transparent)]
    Log(#[from] crate::audit::LogError),
    /// The staff directory could not be read or has a fault.
    #[error("directory file `{path}`: {message}")]
    Directory {
        /// The file.
        path: String,
        /// What is wrong, with its line and field.
        message: String,
    },
    /// The token file could not be read or is empty.
    #[error("token file `{path}`: {message}")]
    Token {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The address could not be bound, or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Everything the routes share.
#[derive(Debug)]
pub(crate) struct AppState {
    slots: Vec<state::Slot>,
    default: usize,
    log: Option<Sink>,
    metrics: metrics::Metrics,
    /// The SHA-256 of the bearer token: requests' tokens are hashed and compared in constant
    /// time, so neither the token's bytes nor its length show in the timing.
    token: Option<[u8; 32]>,
    /// The connected systems with their own tokens, read again on every reload.
    clients: Option<(PathBuf, ArcSwap<Clients>)>,
    /// The key caseworker links are signed with.
    link_key: Option<LinkKey>,
    /// The staff directory's file, and the directory, read again on every reload.
    directory_file: Option<PathBuf>,
    directory: ArcSwapOption<Directory>,
    history: state::History,
    /// One reload at a time (SIGHUP, the watcher and `POST /v1/reload` may race).
    reloading: tokio::sync::Mutex<()>,
    loading: state::Loading,
    instance: String,
    limits: Limits,
    draining: AtomicBool,
}

/// A started service: policies loaded, log open.
#[derive(Debug, Clone)]
pub struct Service {
    state: Arc<AppState>,
}

impl Service {
    /// Loads and compiles the policies, opens the log and logs the versions served.
    pub async fn new(config: &Config) -> Result<Service, ServeError> {
        if !crate::audit::valid_instance(&config.instance) {
            return Err(ServeError::Policy(format!(
                "the instance name `{}` must be 1 to 63 letters, digits, `.`, `_` or `-`",
                config.instance
            )));
        }
        let loading = state::Loading {
            trust: config.trust,
            settle: config.settle,
        };
        let (paths, bundles, l) = (
            config.policies.clone(),
            config.bundles.clone(),
            loading.clone(),
        );
        let slots = tokio::task::spawn_blocking(move || state::load(&paths, &bundles, &l))
            .await
            .map_err(|e| ServeError::Policy(e.to_string()))?
            .map_err(ServeError::Policy)?;
        if slots.is_empty() {
            return Err(ServeError::Policy("no policy given".to_string()));
        }
        let default = match &config.default_policy {
            None => 0,
            Some(id) => slots
                .iter()
                .position(|s| s.current.load().id == *id)
                .ok_or_else(|| {
                    ServeError::Policy(format!(
                        "the default policy `{id}` is not among those served"
                    ))
                })?,
        };
        let token = match &config.token_file {
            None => None,
            Some(p) => Some(read_token(p)?),
        };
        let clients = match &config.clients {
            None => None,
            Some(p) => {
                let versions: Vec<_> = slots.iter().map(|s| s.current.load_full()).collect();
                let deciders: Vec<&crate::eval::Decider> =
                    versions.iter().map(|v| &v.decider).collect();
                let set = Clients::read(p, &deciders).map_err(ServeError::Policy)?;
                Some((p.clone(), ArcSwap::from_pointee(set)))
            }
        };
        let directory = match &config.directory {
            None => None,
            Some(p) => Some(Arc::new(read_directory(p).map_err(|message| {
                ServeError::Directory {
                    path: crate::loader::display_name(p),
                    message,
                }
            })?)),
        };
        let chain = match &config.log_key {
            Some(k) => Chain::Keyed(k.clone()),
            None => Chain::Unkeyed,
        };
        let sinks = usize::from(config.log.is_some())
            + usize::from(config.log_database.is_some())
            + usize::from(config.log_stdout);
        if sinks > 1 {
            return Err(ServeError::Policy(
                "give one decision log: a file, a database or standard output".to_string(),
            ));
        }
        let log = match (&config.log, &config.log_database) {
            _ if config.log_stdout => Some(Sink::Stdout(StdoutLog::open(chain)?)),
            (Some(p), _) => {
                let (p, sync) = (p.clone(), config.log_sync);
                Some(Sink::File(
                    tokio::task::spawn_blocking(move || LogWriter::open(&p, sync, chain))
                        .await
                        .map_err(|e| ServeError::Policy(e.to_string()))??,
                ))
            }
            (None, Some(url)) => Some(Sink::Postgres(
                PgLog::open(url, &config.instance, chain).await?,
            )),
            (None, None) => None,
        };
        let history = state::History::default();
        let mut loaded = Vec::new();
        for s in &slots {
            let v = s.current.load_full();
            loaded.push(Pending {
                time: Utc::now(),
                event: Event::PolicyLoaded(PolicyEntry {
                    policy_id: v.id.clone(),
                    policy_version: v.version,
                    policy_hash: v.hash.clone(),
                }),
            });
            history.remember(v);
        }
        if let Some(log) = &log {
            log.append(loaded)
                .await
                .map_err(|e| ServeError::Policy(e.to_string()))?;
        }
        Ok(Service {
            state: Arc::new(AppState {
                slots,
                default,
                log,
                metrics: metrics::Metrics::default(),
                token,
                clients,
                link_key: config.link_key.clone(),
                directory_file: config.directory.clone(),
                directory: ArcSwapOption::new(directory),
                history,
                reloading: tokio::sync::Mutex::new(()),
                loading,
                instance: config.instance.clone(),
                limits: config.limits,
                draining: AtomicBool::new(false),
            }),
        })
    }

    /// Every route, ready to serve or to drive in tests.
    pub fn router(&self) -> Router {
        routes::router(self.state.clone())
    }

    /// Reloads every policy, then the clients file and the staff directory (as SIGHUP and
    /// `POST /v1/reload` do).
    pub async fn reload(&self) -> Vec<ReloadOutcome> {
        let all: Vec<usize> = (0..self.state.slots.len()).collect();
        let out = reload(&self.state, &all).await;
        if let Err(e) = reload_clients(&self.state) {
            note!("caselock serve: {e}");
        }
        if let Err(e) = reload_directory(&self.state) {
            note!("caselock serve: {e}");
        }
        out
    }

    /// The ids of the policies served, the default first.
    pub fn policy_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .state
            .slots
            .iter()
            .map(|s| s.current.load().id.clone())
            .collect();
        ids.swap(0, self.state.default);
        ids
    }

    /// Starts looking for changed policy files every `interval`.
    pub fn watch(&self, interval: Duration) {
        let state = self.state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let s = state.clone();
                let changed = tokio::task::spawn_blocking(move || {
                    (0..s.slots.len())
                        .filter(|&i| s.slots.get(i).is_some_and(state::Slot::changed))
                        .collect::<Vec<usize>>()
                })
                .await
                .unwrap_or_default();
                if !changed.is_empty() {
                    reload(&state, &changed).await;
                }
            }
        });
    }

    /// Rotates a file log without a restart (as SIGUSR1 does): the current file is archived as
    /// `PATH.SEQ` and a new file continues the chain. Returns the archived file.
    pub async fn rotate_log(&self) -> Result<PathBuf, String> {
        match &self.state.log {
            Some(Sink::File(f)) => f.rotate().await.map_err(|e| e.to_string()),
            _ => {
                Err("only a file log is rotated (a database or standard output is not)".to_string())
            }
        }
    }

    /// Marks the service as shutting down: `/readyz` answers 503 from now on.
    pub fn drain(&self) {
        self.state.draining.store(true, Ordering::Relaxed);
    }

    /// Only `/metrics`, without the token: for `--metrics-addr`, an address only the
    /// monitoring system can reach.
    pub fn metrics_router(&self) -> Router {
        routes::metrics_router(self.state.clone())
    }

    /// The connection limits and timeouts the service was started with.
    pub fn limits(&self) -> Limits {
        self.state.limits
    }
}

/// Reloads the policies in the given slots, one reload at a time, and logs the outcomes.
async fn reload(state: &Arc<AppState>, which: &[usize]) -> Vec<ReloadOutcome> {
    let _one_at_a_time = state.reloading.lock().await;
    let mut out = Vec::new();
    for &i in which {
        let s = state.clone();
        let Ok(Some(mut o)) =
            tokio::task::spawn_blocking(move || s.slots.get(i).map(|slot| slot.reload(&s.loading)))
                .await
        else {
            continue;
        };
        state.metrics.reloaded(o.kind());
        if let Some(slot) = state.slots.get(i) {
            state.history.remember(slot.current.load_full());
        }
        match &o.error {
            Some(e) => note!("caselock serve: reload of `{}` refused:\n{e}", o.policy_id),
            None if o.kind() == ReloadResult::Reloaded => {
                note!("caselock serve: reloaded `{}` ({})", o.policy_id, o.hash);
            }
            None => {}
        }
        if let (Some(log), Some(event)) = (&state.log, o.event.take()) {
            if let Err(e) = log
                .append(vec![Pending {
                    time: Utc::now(),
                    event,
                }])
                .await
            {
                note!("caselock serve: cannot log the reload: {e}");
            }
        }
        out.push(o);
    }
    out
}

/// Reads the clients file again and swaps the new set in; a file that fails keeps the running
/// set (every client as it was). Returns the names now accepted.
pub(crate) fn reload_clients(state: &AppState) -> Result<Option<Vec<String>>, String> {
    let Some((path, set)) = &state.clients else {
        return Ok(None);
    };
    let versions: Vec<_> = state.slots.iter().map(|s| s.current.load_full()).collect();
    let deciders: Vec<&crate::eval::Decider> = versions.iter().map(|v| &v.decider).collect();
    let new = Clients::read(path, &deciders)
        .map_err(|e| format!("the clients file was refused; the running clients stay: {e}"))?;
    let names = new.names().iter().map(|s| s.to_string()).collect();
    set.store(Arc::new(new));
    Ok(Some(names))
}

/// Reads the staff directory file again and swaps it in; a file that fails keeps the running
/// directory.
pub(crate) fn reload_directory(state: &AppState) -> Result<(), String> {
    let Some(path) = &state.directory_file else {
        return Ok(());
    };
    let d = read_directory(path).map_err(|e| {
        format!(
            "the directory file `{}` was refused; the running directory stays: {e}",
            crate::loader::display_name(path)
        )
    })?;
    state.directory.store(Some(Arc::new(d)));
    Ok(())
}

/// Reads and checks a staff directory file.
fn read_directory(path: &std::path::Path) -> Result<Directory, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Directory::parse(&text).map_err(|e| e.to_string())
}

fn read_token(path: &std::path::Path) -> Result<[u8; 32], ServeError> {
    let err = |message: String| ServeError::Token {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(err("the file is empty".to_string()));
    }
    Ok(Sha256::digest(token.as_bytes()).into())
}

/// Serves on `addr` (and `/metrics` alone on `metrics_addr`, if given) until SIGINT or SIGTERM,
/// reloading on SIGHUP, then drains in-flight requests (up to the drain deadline) and returns.
pub async fn run(
    config: Config,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
) -> Result<(), ServeError> {
    let service = Service::new(&config).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    note!(
        "caselock serve: serving {} on http://{local}/ (default policy `{}`){}",
        service.policy_ids().join(", "),
        service.policy_ids().first().cloned().unwrap_or_default(),
        service
            .state
            .log
            .as_ref()
            .map(|l| format!(
                ", logging to `{}` ({})",
                l.describe(),
                if l.keyed() { "keyed" } else { "unkeyed" }
            ))
            .unwrap_or_default()
    );
    if let Some(Sink::File(f)) = &service.state.log {
        match f.continues() {
            Some((seq, true)) => note!(
                "caselock serve: the log continues its rotated file (entry {seq}), and joins it"
            ),
            Some((seq, false)) => note!(
                "caselock serve: WARNING: the log continues a rotated file ending at entry {seq}, which is not beside it to check; verify the archives with `caselock audit verify`"
            ),
            None => {}
        }
    }
    if service.state.log.is_none() {
        note!(
            "caselock serve: WARNING: no decision log (`--no-log`): decisions are not recorded and cannot be looked up or audited"
        );
    }
    if !config.bundles.is_empty() && config.trust.is_none() {
        note!(
            "caselock serve: WARNING: bundles are accepted unsigned (`--allow-unsigned`): anyone who can write them can change the policy served"
        );
    }
    if let Some(m) = metrics_addr {
        let l = tokio::net::TcpListener::bind(m).await?;
        note!(
            "caselock serve: metrics on http://{}/metrics",
            l.local_addr()?
        );
        let router = service.metrics_router();
        let limits = service.limits();
        tokio::spawn(listen::serve_router(
            router,
            l,
            limits,
            std::future::pending(),
        ));
    }
    if let Some(every) = config.watch {
        service.watch(every);
    }
    reload_on_hangup(service.clone())?;
    rotate_on_usr1(service.clone())?;
    let stopping = service.clone();
    serve_on(service, listener, async move {
        shutdown_signal().await;
        note!("caselock serve: shutting down; finishing requests in flight");
        stopping.drain();
    })
    .await?;
    Ok(())
}

#[cfg(unix)]
fn rotate_on_usr1(service: Service) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut usr1 = signal(SignalKind::user_defined1())?;
    tokio::spawn(async move {
        while usr1.recv().await.is_some() {
            match service.rotate_log().await {
                Ok(archived) => note!(
                    "caselock serve: log rotated; the earlier entries are in `{}`",
                    archived.display()
                ),
                Err(e) => note!("caselock serve: log not rotated: {e}"),
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn rotate_on_usr1(_service: Service) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn reload_on_hangup(service: Service) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            service.reload().await;
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn reload_on_hangup(_service: Service) -> std::io::Result<()> {
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

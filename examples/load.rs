//! Load and faults for the decision service: decisions per second and p50/p99 latency over
//! loopback at several numbers of keep-alive connections, optionally while the policy is
//! reloaded every second (alternating a good change and a broken file). Every answer is checked
//! against the answer the first pass gave; the decision log is verified at the end.
//!
//! `cargo run --release --example load -- --policy policies/nottingham-escr --seconds 5`
//! `cargo run --release --example load -- --policy policies/nottingham-escr --reload`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use caselock::audit::SyncMode;
use caselock::serve::{Config, Service, serve_on};
use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// The policy to serve (copied to a scratch directory).
    #[arg(long, default_value = "policies/nottingham-escr")]
    policy: PathBuf,
    /// Connection counts to measure.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    connections: Vec<usize>,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Reload the policy every second, every other time with a broken file.
    #[arg(long)]
    reload: bool,
    /// Log sync mode: `data` (fdatasync per group) or `os`; `none` keeps no log.
    #[arg(long, default_value = "data")]
    log: String,
    /// Server worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Key the log's chain (HMAC-SHA256) with a fresh key.
    #[arg(long)]
    keyed: bool,
}

/// The log's sync count and seconds so far, from `/metrics`.
fn sync_totals(addr: SocketAddr) -> (u64, f64) {
    let (_, text) = Conn::new(addr).call("GET", "/metrics", "");
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        value("caselock_log_syncs_total ") as u64,
        value("caselock_log_sync_seconds_total "),
    )
}

/// The disk's sync latency where the log is written: `write` of one log-sized line then
/// `fdatasync`, 200 times; the median and p99 in milliseconds.
fn fsync_latency(dir: &std::path::Path) -> (f64, f64) {
    let path = dir.join("fsync-probe");
    let mut f = std::fs::File::create(&path).unwrap();
    let line = [b'x'; 600];
    let mut micros: Vec<u32> = (0..200)
        .map(|_| {
            let t = Instant::now();
            f.write_all(&line).unwrap();
            f.sync_data().unwrap();
            u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX)
        })
        .collect();
    micros.sort_unstable();
    let _ = std::fs::remove_file(&path);
    (percentile(&micros, 0.5), percentile(&micros, 0.99))
}

const REQUESTS: [&str; 4] = [
    r#"{"subject":{"id":"u-2001","roles":["social_worker"],"teams":[],"organisation":"council"},"action":"view","record":{"id":"J1","restriction":{"category":"adoption","placed_on":"2026-10-01","owner":"u-3001"},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-1042","roles":["social_worker"],"teams":[],"organisation":"council"},"action":"view","record":{"id":"J2","restriction":{"category":"adoption","placed_on":"2026-10-01","owner":"u-3001"},"allocated_workers":["u-2001"],"allocated_managers":["u-3001"]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-5","roles":["social_worker"],"teams":[],"organisation":"partner_agency"},"action":"edit","record":{"id":"J3","restriction":{"category":"high_profile","owner":"u-3001"},"allocated_workers":["u-5"]},"at":"2026-11-22T10:00:00Z"}"#,
    r#"{"subject":{"id":"u-7","roles":["team_manager"],"teams":["placements"],"organisation":"council"},"action":"view","record":{"id":"J4"},"at":"2026-11-22T10:00:00Z"}"#,
];

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    w: TcpStream,
    r: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl Conn {
    fn new(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            r: BufReader::new(s.try_clone().unwrap()),
            w: s,
            addr,
        }
    }

    fn call(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        write!(
            self.w,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut line = String::new();
        self.r.read_line(&mut line).unwrap();
        let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut len = 0;
        loop {
            line.clear();
            self.r.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.r.read_exact(&mut body).unwrap();
        (status, String::from_utf8(body).unwrap())
    }
}

/// The decision word and rule of an answer.
fn verdict(body: &str) -> (String, String) {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    (v["decision"].to_string(), v["rule"].to_string())
}

struct Tally {
    latencies: Vec<u32>,
    failed: u64,
    wrong: u64,
}

fn measure(
    addr: SocketAddr,
    conns: usize,
    secs: u64,
    expected: &Arc<Vec<(String, String)>>,
) -> Tally {
    let stop = Instant::now() + Duration::from_secs(secs);
    let threads: Vec<_> = (0..conns)
        .map(|c| {
            let expected = expected.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::new(addr);
                let mut t = Tally {
                    latencies: Vec::new(),
                    failed: 0,
                    wrong: 0,
                };
                let mut i = c;
                while Instant::now() < stop {
                    let k = i % REQUESTS.len();
                    let started = Instant::now();
                    let (status, body) = conn.call("POST", "/v1/decisions", REQUESTS[k]);
                    t.latencies
                        .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
                    if status != 200 {
                        t.failed += 1;
                    } else if verdict(&body) != expected[k] {
                        t.wrong += 1;
                    }
                    i += 1;
                }
                t
            })
        })
        .collect();
    let mut all = Tally {
        latencies: Vec::new(),
        failed: 0,
        wrong: 0,
    };
    for t in threads {
        let t = t.join().unwrap();
        all.latencies.extend(t.latencies);
        all.failed += t.failed;
        all.wrong += t.wrong;
    }
    all.latencies.sort_unstable();
    all
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn main() {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("caselock-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policy")).unwrap();
    // Every file of the policy is copied; reloads rewrite the first one (in name order).
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.policy)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    files.sort();
    for p in &files {
        std::fs::copy(p, dir.join("policy").join(p.file_name().unwrap())).unwrap();
    }
    let file = dir.join("policy").join(files[0].file_name().unwrap());
    let source = std::fs::read_to_string(&file).unwrap();
    let log = dir.join("decisions.jsonl");
    let config = Config {
        policies: vec![dir.join("policy")],
        default_policy: None,
        log: (args.log != "none").then(|| log.clone()),
        log_sync: if args.log == "os" {
            SyncMode::Os
        } else {
            SyncMode::Data
        },
        log_key: args
            .keyed
            .then(|| caselock::audit::LogKey::generate().unwrap()),
        token_file: None,
        watch: None,
        settle: std::time::Duration::ZERO,
        ..Config::default()
    };
    let key = config.log_key.clone();
    let (sync_p50, sync_p99) = fsync_latency(&dir);
    println!("fdatasync latency here: p50 {sync_p50:.3} ms, p99 {sync_p99:.3} ms");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .unwrap();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        rt.block_on(async {
            let service = Service::new(&config).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            serve_on(service, listener, async {
                let _ = stop_rx.await;
            })
            .await
            .unwrap();
        });
    });
    let addr = addr_rx.recv().unwrap();

    let mut first = Conn::new(addr);
    let expected: Arc<Vec<(String, String)>> = Arc::new(
        REQUESTS
            .iter()
            .map(|r| verdict(&first.call("POST", "/v1/decisions", r).1))
            .collect(),
    );
    println!("expected answers: {expected:?}");

    let reloading = Arc::new(AtomicBool::new(args.reload));
    let reloader = {
        let reloading = reloading.clone();
        let file = file.clone();
        std::thread::spawn(move || {
            let mut conn = Conn::new(addr);
            let (mut good, mut broken, mut n) = (0, 0, 0u64);
            while reloading.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(1));
                n += 1;
                let text = if n % 2 == 0 {
                    format!("{source}\ncategory broken {{\n")
                } else {
                    format!("{source}\n# reload {n}\n")
                };
                std::fs::write(&file, text).unwrap();
                match conn.call("POST", "/v1/reload", "").0 {
                    200 => good += 1,
                    422 => broken += 1,
                    s => panic!("reload answered {s}"),
                }
            }
            (good, broken)
        })
    };

    println!(
        "{:>11} {:>9} {:>12} {:>9} {:>9} {:>7} {:>6} {:>12}",
        "connections",
        "requests",
        "decisions/s",
        "p50 ms",
        "p99 ms",
        "failed",
        "wrong",
        "  sync bound"
    );
    for &c in &args.connections {
        let before = sync_totals(addr);
        let started = Instant::now();
        let t = measure(addr, c, args.seconds, &expected);
        let secs = started.elapsed().as_secs_f64();
        let after = sync_totals(addr);
        let rate = t.latencies.len() as f64 / secs;
        // With a synced log each connection waits for a sync per decision, so the bound is
        // connections ÷ the service's own mean sync latency during this run.
        let syncs = after.0 - before.0;
        let bound = if syncs > 0 {
            let sync_ms = 1000.0 * (after.1 - before.1) / syncs as f64;
            let bound = c as f64 / (sync_ms / 1000.0);
            format!(
                "{:.0}% of {bound:.0}/s (sync {sync_ms:.3} ms, {syncs} syncs)",
                100.0 * rate / bound
            )
        } else {
            "no syncs".to_string()
        };
        println!(
            "{c:>11} {:>9} {rate:>12.0} {:>9.3} {:>9.3} {:>7} {:>6}  {bound}",
            t.latencies.len(),
            percentile(&t.latencies, 0.5),
            percentile(&t.latencies, 0.99),
            t.failed,
            t.wrong,
        );
    }
    reloading.store(false, Ordering::Relaxed);
    let (good, broken) = reloader.join().unwrap();
    if args.reload {
        println!("reloads: {good} accepted, {broken} refused (broken policy)");
    }
    let (after_p50, after_p99) = fsync_latency(&dir);
    println!("fdatasync latency after the runs: p50 {after_p50:.3} ms, p99 {after_p99:.3} ms");
    let _ = stop_tx.send(());
    server.join().unwrap();
    if args.log != "none" {
        let f = std::fs::File::open(&log).unwrap();
        match caselock::audit::verify(
            std::io::BufReader::new(f),
            None,
            &key.map_or(
                caselock::audit::Chain::Unkeyed,
                caselock::audit::Chain::Keyed,
            ),
        ) {
            Ok(s) => println!(
                "log verifies: {} entries, {} decisions, {} policy loads, {} rejected reloads",
                s.entries, s.decisions, s.policies_loaded, s.policies_rejected
            ),
            Err(e) => println!("LOG DOES NOT VERIFY: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! The decision log as JSON lines on standard output, for a log shipper (Vector, Fluent Bit)
//! to collect. Lines are exactly a file log's lines, chained the same way; each start of the
//! service begins a new chain at the genesis value (standard output cannot be read back), and
//! every line's decision id names the instance. A line is written and flushed before its
//! decision is answered; whether the shipper has stored it by then is the shipper's promise,
//! not caselock's, so use a file or the database where the log must survive a crash.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use super::writer::{Group, MAX_GROUP};
use super::{Chain, Entry, Head, LogError, seal};

/// The standard-output sink.
#[derive(Debug, Clone)]
pub struct StdoutLog {
    tx: mpsc::Sender<Group>,
    head: Arc<Mutex<Head>>,
    failed: Arc<AtomicBool>,
    chain: Chain,
}

impl StdoutLog {
    /// Starts the writer thread.
    pub fn open(chain: Chain) -> Result<StdoutLog, LogError> {
        let head = Arc::new(Mutex::new(Head::genesis()));
        let failed = Arc::new(AtomicBool::new(false));
        let (tx, mut rx) = mpsc::channel::<Group>(MAX_GROUP);
        let (h, f, c) = (head.clone(), failed.clone(), chain.clone());
        std::thread::Builder::new()
            .name("decision-log-stdout".to_string())
            .spawn(move || {
                let mut buf = String::new();
                while let Some(mut g) = rx.blocking_recv() {
                    let result = write(&mut g, &mut buf, &h, &f, &c);
                    let _ = g.done.send(result);
                }
            })
            .map_err(|source| LogError::Io {
                path: "standard output".to_string(),
                source,
            })?;
        Ok(StdoutLog {
            tx,
            head,
            failed,
            chain,
        })
    }

    /// Appends entries, written and flushed before this returns.
    pub async fn append(&self, entries: Vec<super::Pending>) -> Result<u64, Arc<LogError>> {
        Group::send(&self.tx, entries, false).await
    }

    /// The last entry written since start.
    pub fn head(&self) -> Head {
        self.head
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether entries can be written.
    pub fn healthy(&self) -> bool {
        !self.failed.load(Ordering::Relaxed)
    }

    /// Whether lines are keyed.
    pub fn keyed(&self) -> bool {
        self.chain.is_keyed()
    }
}

fn write(
    g: &mut Group,
    buf: &mut String,
    head: &Mutex<Head>,
    failed: &AtomicBool,
    chain: &Chain,
) -> Result<u64, Arc<LogError>> {
    if failed.load(Ordering::Relaxed) {
        return Err(Arc::new(LogError::Failed));
    }
    let mut at = head.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let first = at.seq + 1;
    buf.clear();
    for p in g.entries.drain(..) {
        let entry = Entry {
            seq: at.seq + 1,
            time: p.time,
            event: p.event,
            prev: at.hash.clone(),
        };
        let (line, hash) = seal(&entry, chain);
        buf.push_str(&line);
        buf.push('\n');
        at = Head {
            seq: entry.seq,
            hash,
        };
    }
    let mut out = std::io::stdout().lock();
    if let Err(source) = out.write_all(buf.as_bytes()).and_then(|()| out.flush()) {
        failed.store(true, Ordering::Relaxed);
        return Err(Arc::new(LogError::Io {
            path: "standard output".to_string(),
            source,
        }));
    }
    *head.lock().unwrap_or_else(PoisonError::into_inner) = at;
    Ok(first)
}

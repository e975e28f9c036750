//! Appending to the decision log from many requests at once: one writer thread owns the file and
//! the chain, takes whatever entries are waiting, writes them with one `write`, syncs them when
//! asked to, and only then tells each request its entries are stored (group commit). A request
//! answers only after that, so nothing that was answered can be lost (docs/service.md).
//!
//! One writer per log: the file is locked while open. The file at the log's path is compared
//! with the open file after every write, before anyone is answered: a log deleted or replaced
//! under the service stops decisions rather than taking entries that would be lost.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use fs4::TryLockError;
use tokio::sync::{mpsc, oneshot};

use super::archive::{archive_name, check_archive};
use super::{Broken, Chain, DecisionId, Entry, Event, Head, open, seal};
use crate::durable::{self, Access};

/// Entries written by one `write` at most.
pub(super) const MAX_GROUP: usize = 4096;

/// When appended entries reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncMode {
    /// `fdatasync` after every group of entries, before any of them is answered: an answered
    /// decision survives a crash of the machine.
    Data,
    /// Written to the operating system before being answered, never synced by the service: an
    /// answered decision survives a crash of the service but not of the machine.
    Os,
}

/// Why the log cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The file could not be opened, read, written or synced.
    #[error("decision log `{path}`: {source}")]
    Io {
        /// The log's path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The existing log does not verify, so it cannot be continued.
    #[error("decision log `{path}` does not verify at {broken}; run `caselock audit verify`")]
    Broken {
        /// The log's path.
        path: String,
        /// Where it breaks.
        broken: Broken,
    },
    /// Another process (or another writer in this one) holds the log's lock.
    #[error(
        "decision log `{path}` is in use by another writer (another `caselock serve` holds its lock); a log has one writer: give each service its own log"
    )]
    Locked {
        /// The log's path.
        path: String,
    },
    /// The file at the log's path is no longer the file being written: it was deleted, moved
    /// or replaced. Nothing more is written, so no decision goes unlogged.
    #[error(
        "decision log `{path}` was deleted, moved or replaced while in use; no more decisions are given (restart the service to start or continue a log)"
    )]
    Replaced {
        /// The log's path.
        path: String,
    },
    /// An earlier write failed, so the chain's state on disk is unknown and nothing more is
    /// written (every later decision is refused).
    #[error("the decision log failed earlier and accepts no more entries")]
    Failed,
}

/// An entry waiting for its sequence number and chain link.
#[derive(Debug, Clone)]
pub struct Pending {
    /// When it happened.
    pub time: DateTime<Utc>,
    /// What happened.
    pub event: Event,
}

pub(super) struct Group {
    pub(super) entries: Vec<Pending>,
    pub(super) done: oneshot::Sender<Result<u64, Arc<LogError>>>,
    /// Instead of entries: start a new file, after every group sent before this one.
    pub(super) rotate: bool,
}

impl Group {
    /// Sends a group to a sink's writer task and waits for its answer: the first entry's
    /// sequence number (for a rotation, the archived file's last). A writer that has gone away is
    /// a failed log.
    pub(super) async fn send(
        tx: &mpsc::Sender<Group>,
        entries: Vec<Pending>,
        rotate: bool,
    ) -> Result<u64, Arc<LogError>> {
        let (done, wait) = oneshot::channel();
        tx.send(Group {
            entries,
            done,
            rotate,
        })
        .await
        .map_err(|_| Arc::new(LogError::Failed))?;
        wait.await.map_err(|_| Arc::new(LogError::Failed))?
    }
}

/// Where the log stands, shared by the writer thread and readers.
#[derive(Debug)]
struct Index {
    /// Entries in earlier (rotated) files: the current file starts at entry `base + 1`.
    base: u64,
    /// The byte offset at which each entry of the current file starts (entry `seq` at
    /// `seq - 1 - base`).
    offsets: Vec<u64>,
    /// The entry number of each decision, by the UUID in its id.
    decisions: HashMap<u128, u64>,
    head: Head,
}

/// The decision log, open for appending.
#[derive(Debug, Clone)]
pub struct LogWriter {
    path: PathBuf,
    tx: mpsc::Sender<Group>,
    index: Arc<Mutex<Index>>,
    chain: Chain,
    /// Set once the log fails or its file is replaced: no more entries are accepted.
    failed: Arc<AtomicBool>,
    /// The open (and locked) file, to compare with what is at `path` now; replaced when the
    /// log is rotated.
    file: Arc<Mutex<Arc<File>>>,
    syncs: Arc<SyncStats>,
    continues: Option<(u64, bool)>,
}

/// How many `fdatasync`s the writer made and how long they took in all: the disk's sync
/// latency under the service's own load, which bounds a synced log's throughput.
#[derive(Debug, Default)]
struct SyncStats {
    count: AtomicU64,
    nanos: AtomicU64,
}

impl LogWriter {
    /// Opens (or creates, mode 0600, syncing its directory) a log, takes its lock and starts its
    /// writer thread. An existing log must verify under `chain`; new entries continue it.
    pub fn open(path: &Path, sync: SyncMode, chain: Chain) -> Result<LogWriter, LogError> {
        let name = path.display().to_string();
        let io = |source| LogError::Io {
            path: name.clone(),
            source,
        };
        let existed = path.exists();
        let mut file = durable::create_options(Access::Private)
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(io)?;
        lock(&file).map_err(|e| match e {
            TryLockError::WouldBlock => LogError::Locked { path: name.clone() },
            TryLockError::Error(e) => io(e),
        })?;
        if !existed {
            durable::sync_dir(durable::parent(path)).map_err(io)?;
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let summary = super::verify_continuing(BufReader::new(&mut file), None, &chain).map_err(
            |broken| LogError::Broken {
                path: name.clone(),
                broken,
            },
        )?;
        let base = summary.start.as_ref().map_or(0, |h| h.seq);
        let archived = match &summary.start {
            Some(start) => Some(check_archive(path, start, &chain)?),
            None => None,
        };
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let (offsets, decisions) = scan(BufReader::new(&mut file), base).map_err(io)?;
        let end = file.seek(SeekFrom::End(0)).map_err(io)?;
        let index = Arc::new(Mutex::new(Index {
            base,
            offsets,
            decisions,
            head: summary.head.unwrap_or_else(Head::genesis),
        }));
        let failed = Arc::new(AtomicBool::new(false));
        let file = Arc::new(Mutex::new(Arc::new(file)));
        let syncs = Arc::new(SyncStats::default());
        let (tx, rx) = mpsc::channel(MAX_GROUP);
        let thread = Thread {
            path: path.to_path_buf(),
            file: file.clone(),
            sync,
            end,
            index: index.clone(),
            chain: chain.clone(),
            failed: failed.clone(),
            syncs: syncs.clone(),
        };
        std::thread::Builder::new()
            .name("decision-log".to_string())
            .spawn(move || thread.run(rx))
            .map_err(io)?;
        Ok(LogWriter {
            path: path.to_path_buf(),
            tx,
            index,
            chain,
            failed,
            file,
            syncs,
            continues: summary.start.map(|s| (s.seq, archived.unwrap_or(false))),
        })
    }

    /// When the file continues a rotated one: the archived file's last entry, and whether the
    /// archived file was there to check that the chain joins.
    pub fn continues(&self) -> Option<(u64, bool)> {
        self.continues
    }

    /// The number of syncs made so far and the seconds they took in all.
    pub fn sync_totals(&self) -> (u64, f64) {
        (
            self.syncs.count.load(Ordering::Relaxed),
            self.syncs.nanos.load(Ordering::Relaxed) as f64 / 1e9,
        )
    }

    /// Whether the log can take entries: it has not failed, and the file at its path is still
    /// the one being written (one `stat`). A replaced log stays failed.
    pub fn healthy(&self) -> bool {
        if self.failed.load(Ordering::Relaxed) {
            return false;
        }
        let file = self
            .file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if same_file(&file, &self.path) {
            return true;
        }
        self.failed.store(true, Ordering::Relaxed);
        false
    }

    /// Whether lines are keyed.
    pub fn keyed(&self) -> bool {
        self.chain.is_keyed()
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends entries in order and waits until they are stored as [`SyncMode`] says; returns the
    /// first one's sequence number.
    pub async fn append(&self, entries: Vec<Pending>) -> Result<u64, Arc<LogError>> {
        Group::send(&self.tx, entries, false).await
    }

    /// Rotates the log without a restart: after every entry sent before this call, the file is
    /// synced and renamed to `PATH.SEQ` (SEQ: its last entry), and a new file at the log's path
    /// continues the chain (its first entry's `prev` is the last hash of the old file). Returns
    /// the archived file's name. Decisions in archived files are no longer read back by
    /// `GET /v1/decisions/{id}`; `audit verify OLD... NEW` checks the chain across the files.
    pub async fn rotate(&self) -> Result<PathBuf, Arc<LogError>> {
        let last = Group::send(&self.tx, Vec::new(), true).await?;
        Ok(archive_name(&self.path, last))
    }

    /// The last entry's sequence number and hash.
    pub fn head(&self) -> Head {
        self.index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .head
            .clone()
    }

    /// Reads the decision with this id back from the file (checking its own hash); `None` when
    /// there is none.
    pub fn read_decision(&self, id: &str) -> Result<Option<Entry>, LogError> {
        let Some(uuid) = DecisionId::parse(id) else {
            return Ok(None);
        };
        let seq = {
            let index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
            match index.decisions.get(&uuid) {
                Some(s) => *s,
                None => return Ok(None),
            }
        };
        match self.read(seq)? {
            Some(e) if matches!(&e.event, Event::Decision(d) if d.decision_id == id) => Ok(Some(e)),
            _ => Ok(None),
        }
    }

    /// Reads entry `seq` back from the file (checking its own hash); `None` when there is none.
    pub fn read(&self, seq: u64) -> Result<Option<Entry>, LogError> {
        let offset = {
            let index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
            let at = seq
                .checked_sub(1 + index.base)
                .and_then(|i| usize::try_from(i).ok());
            match at.and_then(|i| index.offsets.get(i)) {
                Some(o) => *o,
                None => return Ok(None),
            }
        };
        let io = |source| LogError::Io {
            path: self.path.display().to_string(),
            source,
        };
        let mut file = File::open(&self.path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut line = Vec::new();
        BufReader::new(file)
            .read_until(b'\n', &mut line)
            .map_err(io)?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let broken = |message: String| LogError::Broken {
            path: self.path.display().to_string(),
            broken: Broken { line: seq, message },
        };
        let text = String::from_utf8(line).map_err(|_| broken("not UTF-8".to_string()))?;
        open(&text, &self.chain)
            .map(|(e, _)| Some(e))
            .map_err(broken)
    }
}

/// Takes the log's lock, waiting up to half a second for a writer in this process that is
/// closing (its thread lets go of the file just after the last handle is dropped).
fn lock(file: &File) -> Result<(), TryLockError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    loop {
        match fs4::FileExt::try_lock(file) {
            Err(TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Whether `path` still names the open `file` (same device and inode, not unlinked).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(open), Ok(now)) => {
                open.nlink() > 0 && open.dev() == now.dev() && open.ino() == now.ino()
            }
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

/// The start offset of every line, and the entry number of every decision by its id's UUID.
fn scan(mut input: impl BufRead, base: u64) -> std::io::Result<(Vec<u64>, HashMap<u128, u64>)> {
    let mut offsets = Vec::new();
    let mut decisions = HashMap::new();
    let mut pos = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok((offsets, decisions));
        }
        offsets.push(pos);
        pos += n as u64;
        if let Some(uuid) = logged_decision_id(&line).and_then(DecisionId::parse) {
            decisions.insert(uuid, base + offsets.len() as u64);
        }
    }
}

/// The `decision_id` of a verified line. A request's strings are escaped, so the first
/// unescaped `"decision_id":"` is the entry's own field.
fn logged_decision_id(line: &[u8]) -> Option<&str> {
    const KEY: &str = "\"decision_id\":\"";
    let text = std::str::from_utf8(line).ok()?;
    let start = text.find(KEY)? + KEY.len();
    text.get(start..)?.split('"').next()
}

/// The writer thread's state.
struct Thread {
    path: PathBuf,
    file: Arc<Mutex<Arc<File>>>,
    sync: SyncMode,
    end: u64,
    index: Arc<Mutex<Index>>,
    chain: Chain,
    failed: Arc<AtomicBool>,
    syncs: Arc<SyncStats>,
}

impl Thread {
    fn run(mut self, mut rx: mpsc::Receiver<Group>) {
        let mut groups = Vec::new();
        let mut buf = String::new();
        while let Some(first) = rx.blocking_recv() {
            groups.push(first);
            while groups.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(g) => groups.push(g),
                    Err(_) => break,
                }
            }
            // Entries sent before a rotation go to the old file, those after it to the new one.
            while !groups.is_empty() {
                let cut = groups.iter().position(|g| g.rotate).unwrap_or(groups.len());
                let mut these: Vec<Group> = groups.drain(..cut).collect();
                let result = self.write(&mut these, &mut buf);
                for (g, r) in these.into_iter().zip(result) {
                    // The request may have gone (client hung up); its entries are stored all the
                    // same.
                    let _ = g.done.send(r);
                }
                if !groups.is_empty() {
                    let g = groups.remove(0);
                    let _ = g.done.send(self.rotate().map_err(Arc::new));
                }
            }
        }
    }

    /// Writes every group's entries; returns each group's first sequence number or the error.
    fn write(&mut self, groups: &mut [Group], buf: &mut String) -> Vec<Result<u64, Arc<LogError>>> {
        if self.failed.load(Ordering::Relaxed) {
            let e = Arc::new(LogError::Failed);
            return groups.iter().map(|_| Err(e.clone())).collect();
        }
        let mut head = self
            .index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .head
            .clone();
        buf.clear();
        let mut offsets = Vec::new();
        let mut ids = Vec::new();
        let mut firsts = Vec::with_capacity(groups.len());
        for g in groups.iter_mut() {
            firsts.push(head.seq + 1);
            for p in g.entries.drain(..) {
                let seq = head.seq + 1;
                let uuid = match &p.event {
                    Event::Decision(d) => DecisionId::parse(&d.decision_id),
                    _ => None,
                };
                ids.extend(uuid.map(|u| (u, seq)));
                let entry = Entry {
                    seq,
                    time: p.time,
                    event: p.event,
                    prev: head.hash.clone(),
                };
                let (line, hash) = seal(&entry, &self.chain);
                offsets.push(self.end + buf.len() as u64);
                buf.push_str(&line);
                buf.push('\n');
                head = Head { seq, hash };
            }
        }
        if let Err(e) = self.store(buf.as_bytes()) {
            self.failed.store(true, Ordering::Relaxed);
            let e = Arc::new(e);
            return groups.iter().map(|_| Err(e.clone())).collect();
        }
        self.end += buf.len() as u64;
        let mut index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
        index.offsets.extend(offsets);
        index.decisions.extend(ids);
        index.head = head;
        firsts.into_iter().map(Ok).collect()
    }

    /// Syncs the file, archives it, and opens (locked, 0600) a new one at the log's path.
    /// Returns the archived file's last entry. A failure stops the log, as a failed write does.
    fn rotate(&mut self) -> Result<u64, LogError> {
        if self.failed.load(Ordering::Relaxed) {
            return Err(LogError::Failed);
        }
        let io = |source| LogError::Io {
            path: self.path.display().to_string(),
            source,
        };
        let last = self
            .index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .head
            .seq;
        let result = (|| {
            let old = self
                .file
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            old.sync_all().map_err(io)?;
            let archive = archive_name(&self.path, last);
            if archive.exists() {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("`{}` exists already", archive.display()),
                )));
            }
            std::fs::rename(&self.path, &archive).map_err(io)?;
            let new = durable::create_options(Access::Private)
                .create_new(true)
                .append(true)
                .read(true)
                .open(&self.path)
                .map_err(io)?;
            lock(&new).map_err(|e| match e {
                TryLockError::WouldBlock => LogError::Locked {
                    path: self.path.display().to_string(),
                },
                TryLockError::Error(e) => io(e),
            })?;
            durable::sync_dir(durable::parent(&self.path)).map_err(io)?;
            *self.file.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(new);
            Ok(())
        })();
        if let Err(e) = result {
            self.failed.store(true, Ordering::Relaxed);
            return Err(e);
        }
        self.end = 0;
        let mut index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
        index.base = last;
        index.offsets.clear();
        Ok(last)
    }

    fn store(&mut self, bytes: &[u8]) -> Result<(), LogError> {
        let io = |source| LogError::Io {
            path: self.path.display().to_string(),
            source,
        };
        let file = self
            .file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        (&*file).write_all(bytes).map_err(io)?;
        if self.sync == SyncMode::Data {
            let started = std::time::Instant::now();
            file.sync_data().map_err(io)?;
            let took = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.syncs.count.fetch_add(1, Ordering::Relaxed);
            self.syncs.nanos.fetch_add(took, Ordering::Relaxed);
        }
        // After the write and before anyone is answered: entries written into a file that was
        // deleted or replaced are refused rather than answered and lost with the file.
        if !same_file(&file, &self.path) {
            return Err(LogError::Replaced {
                path: self.path.display().to_string(),
            });
        }
        Ok(())
    }
}

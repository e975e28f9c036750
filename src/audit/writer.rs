//! Appending to the decision log from many requests at once: one writer thread owns the file and
//! the chain, takes whatever entries are waiting, writes them with one `write`, syncs them when
//! asked to, and only then tells each request its entries are stored (group commit). A request
//! answers only after that, so nothing that was answered can be lost (docs/service.md).

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::{Broken, Entry, Event, Head, open, seal, verify};

/// Entries written by one `write` at most.
const MAX_GROUP: usize = 4096;

/// When appended entries reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// An entry could not be serialised.
    #[error("decision log entry: {0}")]
    Encode(#[from] serde_json::Error),
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
    /// What happened; a decision's `decision_id` is filled in from its sequence number.
    pub event: Event,
}

struct Group {
    entries: Vec<Pending>,
    done: oneshot::Sender<Result<u64, Arc<LogError>>>,
}

/// Where the log stands, shared by the writer thread and readers.
#[derive(Debug)]
struct Index {
    /// The byte offset at which each entry's line starts (entry `seq` at `seq - 1`).
    offsets: Vec<u64>,
    head: Head,
}

/// The decision log, open for appending.
#[derive(Debug, Clone)]
pub struct LogWriter {
    path: PathBuf,
    tx: mpsc::Sender<Group>,
    index: Arc<Mutex<Index>>,
}

/// A decision's id: `d` and its entry's sequence number in the log.
pub fn decision_id(seq: u64) -> String {
    format!("d{seq}")
}

/// The sequence number a decision id names.
pub fn decision_seq(id: &str) -> Option<u64> {
    id.strip_prefix('d')
        .filter(|s| !s.starts_with('0') && !s.starts_with('+'))
        .and_then(|s| s.parse().ok())
}

impl LogWriter {
    /// Opens (or creates) a log and starts its writer thread. An existing log must verify; new
    /// entries continue its chain.
    pub fn open(path: &Path, sync: SyncMode) -> Result<LogWriter, LogError> {
        let io = |source| LogError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let summary =
            verify(BufReader::new(&mut file), None).map_err(|broken| LogError::Broken {
                path: path.display().to_string(),
                broken,
            })?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let offsets = line_offsets(BufReader::new(&mut file)).map_err(io)?;
        let end = file.seek(SeekFrom::End(0)).map_err(io)?;
        let index = Arc::new(Mutex::new(Index {
            offsets,
            head: summary.head.unwrap_or_else(Head::genesis),
        }));
        let (tx, rx) = mpsc::channel(MAX_GROUP);
        let thread = Thread {
            path: path.to_path_buf(),
            file,
            sync,
            end,
            index: index.clone(),
            failed: false,
        };
        std::thread::Builder::new()
            .name("decision-log".to_string())
            .spawn(move || thread.run(rx))
            .map_err(io)?;
        Ok(LogWriter {
            path: path.to_path_buf(),
            tx,
            index,
        })
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends entries in order and waits until they are stored as [`SyncMode`] says; returns the
    /// first one's sequence number.
    pub async fn append(&self, entries: Vec<Pending>) -> Result<u64, Arc<LogError>> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Group { entries, done })
            .await
            .map_err(|_| Arc::new(LogError::Failed))?;
        wait.await.map_err(|_| Arc::new(LogError::Failed))?
    }

    /// The last entry's sequence number and hash.
    pub fn head(&self) -> Head {
        self.index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .head
            .clone()
    }

    /// Reads entry `seq` back from the file (checking its own hash); `None` when there is none.
    pub fn read(&self, seq: u64) -> Result<Option<Entry>, LogError> {
        let offset = {
            let index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
            let at = seq.checked_sub(1).and_then(|i| usize::try_from(i).ok());
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
        open(&text).map(|(e, _)| Some(e)).map_err(broken)
    }
}

/// The start offset of every line.
fn line_offsets(mut input: impl BufRead) -> std::io::Result<Vec<u64>> {
    let mut out = Vec::new();
    let mut pos = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(out);
        }
        out.push(pos);
        pos += n as u64;
    }
}

/// The writer thread's state.
struct Thread {
    path: PathBuf,
    file: File,
    sync: SyncMode,
    end: u64,
    index: Arc<Mutex<Index>>,
    failed: bool,
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
            let result = self.write(&mut groups, &mut buf);
            for (g, r) in groups.drain(..).zip(result) {
                // The request may have gone (client hung up); its entries are stored all the same.
                let _ = g.done.send(r);
            }
        }
    }

    /// Writes every group's entries; returns each group's first sequence number or the error.
    fn write(&mut self, groups: &mut [Group], buf: &mut String) -> Vec<Result<u64, Arc<LogError>>> {
        if self.failed {
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
        let mut firsts = Vec::with_capacity(groups.len());
        let mut encode_error = None;
        for g in groups.iter_mut() {
            firsts.push(head.seq + 1);
            for p in g.entries.drain(..) {
                let seq = head.seq + 1;
                let mut event = p.event;
                if let Event::Decision(d) = &mut event {
                    d.decision_id = decision_id(seq);
                }
                let entry = Entry {
                    seq,
                    time: p.time,
                    event,
                    prev: head.hash.clone(),
                };
                match seal(&entry) {
                    Ok((line, hash)) => {
                        offsets.push(self.end + buf.len() as u64);
                        buf.push_str(&line);
                        buf.push('\n');
                        head = Head { seq, hash };
                    }
                    Err(e) => encode_error = Some(e),
                }
            }
        }
        if let Some(e) = encode_error {
            // Nothing was written, so the chain on disk is intact.
            let e = Arc::new(LogError::Encode(e));
            return groups.iter().map(|_| Err(e.clone())).collect();
        }
        if let Err(e) = self.store(buf.as_bytes()) {
            self.failed = true;
            let e = Arc::new(e);
            return groups.iter().map(|_| Err(e.clone())).collect();
        }
        self.end += buf.len() as u64;
        let mut index = self.index.lock().unwrap_or_else(PoisonError::into_inner);
        index.offsets.extend(offsets);
        index.head = head;
        firsts.into_iter().map(Ok).collect()
    }

    fn store(&mut self, bytes: &[u8]) -> Result<(), LogError> {
        let io = |source| LogError::Io {
            path: self.path.display().to_string(),
            source,
        };
        self.file.write_all(bytes).map_err(io)?;
        if self.sync == SyncMode::Data {
            self.file.sync_data().map_err(io)?;
        }
        Ok(())
    }
}

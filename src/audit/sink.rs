//! Where decisions are logged: a file ([`LogWriter`]) or PostgreSQL ([`PgLog`]), behind one
//! type the service uses. Both chain entries the same way, answer only once entries are stored,
//! and refuse every entry after a failed write.

use std::sync::Arc;

use super::{Entry, Head, LogError, LogWriter, Pending, PgLog, StdoutLog};

/// A decision log the service appends to.
#[derive(Debug, Clone)]
pub enum Sink {
    /// A JSON-lines file, one writer.
    File(LogWriter),
    /// A PostgreSQL table, one chain per instance.
    Postgres(PgLog),
    /// JSON lines on standard output, for a log shipper.
    Stdout(StdoutLog),
}

impl Sink {
    /// Appends entries in order and waits until they are stored; returns the first one's
    /// sequence number in this instance's chain.
    pub async fn append(&self, entries: Vec<Pending>) -> Result<u64, Arc<LogError>> {
        match self {
            Sink::File(f) => f.append(entries).await,
            Sink::Postgres(p) => p.append(entries).await,
            Sink::Stdout(s) => s.append(entries).await,
        }
    }

    /// The last entry of this instance's chain.
    pub fn head(&self) -> Head {
        match self {
            Sink::File(f) => f.head(),
            Sink::Postgres(p) => p.head(),
            Sink::Stdout(s) => s.head(),
        }
    }

    /// Whether entries can be stored.
    pub fn healthy(&self) -> bool {
        match self {
            Sink::File(f) => f.healthy(),
            Sink::Postgres(p) => p.healthy(),
            Sink::Stdout(s) => s.healthy(),
        }
    }

    /// How many times entries were made durable (a file's `fdatasync`, a database commit) and
    /// the seconds that took in all.
    pub fn sync_totals(&self) -> (u64, f64) {
        match self {
            Sink::File(f) => f.sync_totals(),
            Sink::Postgres(p) => p.commit_totals(),
            Sink::Stdout(_) => (0, 0.0),
        }
    }

    /// Whether lines are keyed.
    pub fn keyed(&self) -> bool {
        match self {
            Sink::File(f) => f.keyed(),
            Sink::Postgres(p) => p.keyed(),
            Sink::Stdout(s) => s.keyed(),
        }
    }

    /// Where the log is, for people (a file's name; never a database password).
    pub fn describe(&self) -> String {
        match self {
            Sink::File(f) => crate::loader::display_name(f.path()),
            Sink::Postgres(p) => p.describe(),
            Sink::Stdout(_) => "standard output".to_string(),
        }
    }

    /// The logged decision with this id (for PostgreSQL, logged by any instance).
    pub async fn read_decision(&self, id: &str) -> Result<Option<Entry>, LogError> {
        match self {
            Sink::File(f) => {
                let (w, id) = (f.clone(), id.to_string());
                match tokio::task::spawn_blocking(move || w.read_decision(&id)).await {
                    Ok(r) => r,
                    Err(e) => Err(LogError::Io {
                        path: crate::loader::display_name(f.path()),
                        source: std::io::Error::other(e.to_string()),
                    }),
                }
            }
            Sink::Postgres(p) => p.read_decision(id).await,
            // Lines on standard output are gone once written: the shipper's store holds them.
            Sink::Stdout(_) => Ok(None),
        }
    }
}

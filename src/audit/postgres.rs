//! The decision log in PostgreSQL: one table for every replica, one hash chain per instance.
//!
//! Each row holds the exact line a file log would hold (so [`super::Verifier`] checks it the same
//! way, keyed or not) and, beside it, the columns the auditor's questions use — instance, client,
//! decision id, subject, record, time — indexed. `audit verify --database` checks every line's
//! chain and that its columns say what its line says.
//!
//! One writer per instance: the writer's session holds an advisory lock on the instance's name,
//! so a second service with the same instance name refuses to start (a replica killed with
//! SIGKILL loses its session and its lock). Entries are written like the file sink's group
//! commit: whatever is waiting goes in one `INSERT`, which commits before any of those requests
//! is answered — durable as PostgreSQL's `synchronous_commit` says (on by default: the commit
//! record is flushed to disk first).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio_postgres::{Client, NoTls};

use super::writer::{Group, MAX_GROUP};
use super::{Broken, Chain, Entry, Event, Head, LogError, Pending, Summary, Verifier, open, seal};
use crate::eval::id;

/// The schema, one step per version; applied in order, once, under a lock.
const MIGRATIONS: &[&str] = &["CREATE TABLE caselock_decision_log (
        instance text NOT NULL,
        seq bigint NOT NULL,
        time timestamptz NOT NULL,
        event text NOT NULL,
        decision_id text UNIQUE,
        client text,
        subject text,
        subject_key text,
        record text,
        record_key text,
        action text,
        decision text,
        policy_id text,
        line text NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (instance, seq)
    );
    CREATE INDEX caselock_decision_log_record ON caselock_decision_log (record_key, time);
    CREATE INDEX caselock_decision_log_subject ON caselock_decision_log (subject_key, time);
    CREATE INDEX caselock_decision_log_time ON caselock_decision_log (time);"];

/// The advisory lock key under which migrations run (any fixed number; "caselock" in ASCII).
const MIGRATION_LOCK: i64 = 0x6361_7365_6c6f_636b;

fn db(e: tokio_postgres::Error) -> LogError {
    LogError::Io {
        path: "postgresql".to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Connects and drives the connection on the runtime.
pub async fn connect(url: &str) -> Result<Client, LogError> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.map_err(db)?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "caselock: database connection: {e}");
        }
    });
    Ok(client)
}

/// Creates the schema, or brings it up to date; safe when replicas start at once.
pub(crate) async fn migrate(client: &mut Client) -> Result<(), LogError> {
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS caselock_schema (version integer NOT NULL)")
        .await
        .map_err(db)?;
    let version: i32 = tx
        .query_opt("SELECT max(version) FROM caselock_schema", &[])
        .await
        .map_err(db)?
        .and_then(|r| r.get::<_, Option<i32>>(0))
        .unwrap_or(0);
    let done = usize::try_from(version).unwrap_or(0);
    for (i, step) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.batch_execute(step).await.map_err(db)?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO caselock_schema (version) VALUES ($1)", &[&v])
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

/// The PostgreSQL sink, open for appending as one instance.
#[derive(Debug, Clone)]
pub struct PgLog {
    instance: String,
    tx: mpsc::Sender<Group>,
    reader: Arc<Client>,
    head: Arc<Mutex<Head>>,
    failed: Arc<AtomicBool>,
    chain: Chain,
    /// Commits made, and the nanoseconds they took in all.
    commits: Arc<[AtomicU64; 2]>,
}

impl PgLog {
    /// Connects, migrates, takes the instance's lock, finds the head of its chain (checking
    /// the last row's own hash) and starts the writer.
    pub async fn open(url: &str, instance: &str, chain: Chain) -> Result<PgLog, LogError> {
        let mut writer = connect(url).await?;
        migrate(&mut writer).await?;
        let locked: bool = writer
            .query_one(
                "SELECT pg_try_advisory_lock(hashtext('caselock-log'), hashtext($1))",
                &[&instance],
            )
            .await
            .map_err(db)?
            .get(0);
        if !locked {
            return Err(LogError::Locked {
                path: format!("postgresql, instance `{instance}`"),
            });
        }
        let last = writer
            .query_opt(
                "SELECT seq, line FROM caselock_decision_log WHERE instance = $1 ORDER BY seq DESC LIMIT 1",
                &[&instance],
            )
            .await
            .map_err(db)?;
        let head = match last {
            None => Head::genesis(),
            Some(row) => {
                let seq: i64 = row.get(0);
                let line: String = row.get(1);
                let broken = |message: String| LogError::Broken {
                    path: format!("postgresql, instance `{instance}`"),
                    broken: Broken {
                        line: u64::try_from(seq).unwrap_or(0),
                        message,
                    },
                };
                let (entry, hash) = open(&line, &chain).map_err(broken)?;
                if i64::try_from(entry.seq).ok() != Some(seq) {
                    return Err(broken("the row's `seq` is not its line's".to_string()));
                }
                Head {
                    seq: entry.seq,
                    hash,
                }
            }
        };
        let reader = Arc::new(connect(url).await?);
        let head = Arc::new(Mutex::new(head));
        let failed = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel(MAX_GROUP);
        let commits: Arc<[AtomicU64; 2]> = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        tokio::spawn(write_loop(
            Writer {
                client: writer,
                instance: instance.to_string(),
                chain: chain.clone(),
                head: head.clone(),
                failed: failed.clone(),
                commits: commits.clone(),
            },
            rx,
        ));
        Ok(PgLog {
            instance: instance.to_string(),
            tx,
            reader,
            head,
            failed,
            chain,
            commits,
        })
    }

    /// Where the log is, for people: no address or password.
    pub fn describe(&self) -> String {
        format!("postgresql, instance `{}`", self.instance)
    }

    /// Whether lines are keyed.
    pub fn keyed(&self) -> bool {
        self.chain.is_keyed()
    }

    /// The number of commits made so far and the seconds they took in all.
    pub fn commit_totals(&self) -> (u64, f64) {
        (
            self.commits[0].load(Ordering::Relaxed),
            self.commits[1].load(Ordering::Relaxed) as f64 / 1e9,
        )
    }

    /// Whether the log can take entries.
    pub fn healthy(&self) -> bool {
        !self.failed.load(Ordering::Relaxed) && !self.tx.is_closed()
    }

    /// The last entry's sequence number and hash in this instance's chain.
    pub fn head(&self) -> Head {
        self.head
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Appends entries in order, committed before this returns.
    pub async fn append(&self, entries: Vec<Pending>) -> Result<u64, Arc<LogError>> {
        Group::send(&self.tx, entries, false).await
    }

    /// The decision with this id, written by any instance (its line's own hash checked).
    pub async fn read_decision(&self, id: &str) -> Result<Option<Entry>, LogError> {
        let row = self
            .reader
            .query_opt(
                "SELECT seq, line FROM caselock_decision_log WHERE decision_id = $1",
                &[&id],
            )
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let seq: i64 = row.get(0);
        let line: String = row.get(1);
        open(&line, &self.chain)
            .map(|(e, _)| Some(e))
            .map_err(|message| LogError::Broken {
                path: "postgresql".to_string(),
                broken: Broken {
                    line: u64::try_from(seq).unwrap_or(0),
                    message,
                },
            })
    }
}

/// The columns of one row, beside its line.
#[derive(Default)]
struct Rows {
    seq: Vec<i64>,
    time: Vec<DateTime<Utc>>,
    event: Vec<String>,
    decision_id: Vec<Option<String>>,
    client: Vec<Option<String>>,
    subject: Vec<Option<String>>,
    subject_key: Vec<Option<String>>,
    record: Vec<Option<String>>,
    record_key: Vec<Option<String>>,
    action: Vec<Option<String>>,
    decision: Vec<Option<String>>,
    policy_id: Vec<Option<String>>,
    line: Vec<String>,
    hash: Vec<String>,
}

impl Rows {
    fn push(&mut self, e: &Entry, line: String, hash: String) {
        self.seq.push(i64::try_from(e.seq).unwrap_or(i64::MAX));
        self.time.push(e.time);
        let (event, d) = match &e.event {
            Event::Decision(d) => ("decision", Some(d)),
            Event::PolicyLoaded(_) => ("policy_loaded", None),
            Event::PolicyRejected(_) => ("policy_rejected", None),
        };
        self.event.push(event.to_string());
        self.decision_id.push(d.map(|d| d.decision_id.clone()));
        self.client.push(d.and_then(|d| d.client.clone()));
        self.subject.push(d.map(|d| d.subject.clone()));
        self.subject_key.push(d.map(|d| id::key(&d.subject)));
        self.record.push(d.map(|d| d.record.clone()));
        self.record_key.push(d.map(|d| id::key(&d.record)));
        self.action.push(d.map(|d| d.action.clone()));
        self.decision.push(d.map(|d| d.decision.word().to_string()));
        self.policy_id.push(match &e.event {
            Event::Decision(d) => Some(d.policy_id.clone()),
            Event::PolicyLoaded(p) => Some(p.policy_id.clone()),
            Event::PolicyRejected(r) => Some(r.policy_id.clone()),
        });
        self.line.push(line);
        self.hash.push(hash);
    }
}

const INSERT: &str = "INSERT INTO caselock_decision_log
    (instance, seq, time, event, decision_id, client, subject, subject_key, record, record_key,
     action, decision, policy_id, line, hash)
    SELECT $1, * FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
        $14::text[], $15::text[])";

/// The writer task's state.
struct Writer {
    client: Client,
    instance: String,
    chain: Chain,
    head: Arc<Mutex<Head>>,
    failed: Arc<AtomicBool>,
    commits: Arc<[AtomicU64; 2]>,
}

async fn write_loop(w: Writer, mut rx: mpsc::Receiver<Group>) {
    let mut groups: Vec<Group> = Vec::new();
    while let Some(first) = rx.recv().await {
        groups.push(first);
        while groups.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(g) => groups.push(g),
                Err(_) => break,
            }
        }
        let result = write(&w, &mut groups).await;
        for (g, r) in groups.drain(..).zip(result) {
            let _ = g.done.send(r);
        }
    }
}

async fn write(w: &Writer, groups: &mut [Group]) -> Vec<Result<u64, Arc<LogError>>> {
    let (instance, chain, head, failed) = (&w.instance, &w.chain, &w.head, &w.failed);
    let n = groups.len();
    let all = |e: LogError| {
        let e = Arc::new(e);
        (0..n).map(|_| Err(e.clone())).collect::<Vec<_>>()
    };
    if failed.load(Ordering::Relaxed) {
        return all(LogError::Failed);
    }
    let mut at = head.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let mut rows = Rows::default();
    let mut firsts = Vec::with_capacity(groups.len());
    for g in groups.iter_mut() {
        firsts.push(at.seq + 1);
        for p in g.entries.drain(..) {
            let entry = Entry {
                seq: at.seq + 1,
                time: p.time,
                event: p.event,
                prev: at.hash.clone(),
            };
            let (line, hash) = seal(&entry, chain);
            at = Head {
                seq: entry.seq,
                hash: hash.clone(),
            };
            rows.push(&entry, line, hash);
        }
    }
    let r = &rows;
    let started = std::time::Instant::now();
    let inserted = w
        .client
        .execute(
            INSERT,
            &[
                &instance,
                &r.seq,
                &r.time,
                &r.event,
                &r.decision_id,
                &r.client,
                &r.subject,
                &r.subject_key,
                &r.record,
                &r.record_key,
                &r.action,
                &r.decision,
                &r.policy_id,
                &r.line,
                &r.hash,
            ],
        )
        .await;
    if let Err(e) = inserted {
        // Whether the commit happened is unknown: accept nothing more (restart to continue).
        failed.store(true, Ordering::Relaxed);
        return all(db(e));
    }
    w.commits[0].fetch_add(1, Ordering::Relaxed);
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    w.commits[1].fetch_add(nanos, Ordering::Relaxed);
    *head.lock().unwrap_or_else(PoisonError::into_inner) = at;
    firsts.into_iter().map(Ok).collect()
}

/// Verifies every instance's chain in the database (or one), and that each row's columns say
/// what its line says. Returns each instance's summary, or the instance and where it breaks.
pub async fn verify(
    url: &str,
    instance: Option<&str>,
    chain: &Chain,
) -> Result<Vec<(String, Summary)>, (String, Broken)> {
    let fail = |m: String| {
        (
            "(database)".to_string(),
            Broken {
                line: 0,
                message: m,
            },
        )
    };
    let client = connect(url).await.map_err(|e| fail(e.to_string()))?;
    let instances: Vec<String> = match instance {
        Some(i) => vec![i.to_string()],
        None => client
            .query(
                "SELECT DISTINCT instance FROM caselock_decision_log ORDER BY instance",
                &[],
            )
            .await
            .map_err(|e| fail(e.to_string()))?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    };
    let mut out = Vec::new();
    for inst in instances {
        let rows = client
            .query(
                "SELECT seq, line, decision_id, client, subject, record FROM caselock_decision_log WHERE instance = $1 ORDER BY seq",
                &[&inst],
            )
            .await
            .map_err(|e| fail(e.to_string()))?;
        let mut v = Verifier::new(None, chain);
        for row in &rows {
            let line: String = row.get(1);
            let entry = v.line(&line).map_err(|b| (inst.clone(), b))?;
            let seq: i64 = row.get(0);
            let cols: [Option<String>; 4] = [row.get(2), row.get(3), row.get(4), row.get(5)];
            let want: [Option<String>; 4] = match &entry.event {
                Event::Decision(d) => [
                    Some(d.decision_id.clone()),
                    d.client.clone(),
                    Some(d.subject.clone()),
                    Some(d.record.clone()),
                ],
                _ => [None, None, None, None],
            };
            if i64::try_from(entry.seq).ok() != Some(seq) || cols != want {
                return Err((
                    inst.clone(),
                    Broken {
                        line: entry.seq,
                        message:
                            "the row's columns do not say what its line says: the row was edited"
                                .to_string(),
                    },
                ));
            }
        }
        let summary = v.finish().map_err(|b| (inst.clone(), b))?;
        out.push((inst, summary));
    }
    Ok(out)
}

/// Logged decisions matching a filter, oldest first, through the indexes. Only the conditions
/// given are in the statement, so the planner can use the record, subject or time index.
pub async fn query(url: &str, filter: &super::Filter) -> Result<Vec<super::Found>, LogError> {
    use tokio_postgres::types::ToSql;
    let client = connect(url).await?;
    let mut conds = vec!["event = 'decision'".to_string()];
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    let mut add = |cond: &str, p: Box<dyn ToSql + Sync + Send>| {
        params.push(p);
        conds.push(format!("{cond} ${}", params.len()));
    };
    if let Some(r) = &filter.record {
        add("record_key =", Box::new(id::key(r)));
    }
    if let Some(s) = &filter.subject {
        add("subject_key =", Box::new(id::key(s)));
    }
    if let Some(f) = filter.from {
        add("time >=", Box::new(f));
    }
    if let Some(t) = filter.to {
        add("time <", Box::new(t));
    }
    let sql = format!(
        "SELECT line FROM caselock_decision_log WHERE {} ORDER BY time, instance, seq",
        conds.join(" AND ")
    );
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let rows = client.query(&sql, &refs).await.map_err(db)?;
    Ok(rows
        .iter()
        .filter_map(|row| super::Found::from_line(row.get(0)))
        .collect())
}

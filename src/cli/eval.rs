//! `caselock eval --policy P... | --table T [REQUEST.json|-] [--jsonl]`
//!
//! One request in, one decision out (pretty JSON); or with `--jsonl`, one request per line in,
//! one decision per line out, in constant memory. A line that is not a valid request yields
//! `{"error": ..., "line": N}` on its output line and processing continues; the exit code is 0
//! when every request was read, 1 when any was not, 2 on a usage or I/O error.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use super::common::{self, Exit, Output, TableSource};
use crate::eval::{Audience, Decider, Request, RequestReader, Response};
use crate::mapping::{self, Mapping, Translated};
use crate::span::SourceMap;

/// Decide requests against a policy or a compiled table.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the decisions come from.
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    trust: Trust,
    /// The request file; `-` or absent reads standard input.
    request: Option<PathBuf>,
    /// Read one request per line and write one decision per line.
    #[arg(long)]
    jsonl: bool,
    /// Add an explanation for this audience.
    #[arg(long, value_enum)]
    explain: Option<Audience>,
    /// The requests come from a connected system that uses its own names: translate its roles,
    /// teams and organisations with this mapping file first (an unmapped name is refused).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
}

/// A policy to compile, or a compiled table.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A policy file or directory (repeat for the files of one policy).
    #[arg(long)]
    policy: Vec<PathBuf>,
    /// A bundle (or table) written by `caselock compile`.
    #[arg(long)]
    table: Option<PathBuf>,
}

/// The key a bundle must be signed by.
#[derive(Debug, clap::Args)]
pub struct Trust {
    /// Accept only a bundle signed by this ed25519 public key (`KEY.pub` from `caselock keygen`).
    #[arg(long, value_name = "PUBKEY", requires = "table")]
    trust: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let decider = match load(&args.source, &args.trust, out) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let mapping = match args
        .mapping
        .as_deref()
        .map(|p| load_mapping(p, &decider, out))
    {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => return e,
        None => None,
    };
    let judge = Judge {
        decider: &decider,
        mapping: mapping.as_ref(),
        audience: args.explain,
    };
    let input: Box<dyn Read> = match args.request.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return Exit::Usage;
            }
        },
    };
    if args.jsonl {
        stream(&judge, input)
    } else {
        single(&judge, input)
    }
}

/// Decides one request: translated from the system's names first when there is a mapping.
struct Judge<'a> {
    decider: &'a Decider,
    mapping: Option<&'a Mapping>,
    audience: Option<Audience>,
}

impl Judge<'_> {
    fn decide(&self, req: Request) -> Response {
        let translated = match self.mapping {
            Some(m) => m.translate(req, self.decider),
            None => Translated {
                request: req,
                unmapped: Vec::new(),
            },
        };
        let req = &translated.request;
        let d = self.decider.decide(req);
        let mut resp = self.decider.response(req, &d, self.audience);
        translated.explain(&mut resp);
        resp
    }
}

/// Reads and checks a mapping file against the policy decided with.
pub(super) fn load_mapping(
    path: &std::path::Path,
    decider: &Decider,
    out: &Output,
) -> Result<Mapping, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read `{}`: {e}", path.display());
        Exit::Usage
    })?;
    let mut sources = SourceMap::new();
    let file = sources.add(crate::loader::display_name(path), text.clone());
    let vocabulary = mapping::Vocabulary::of(decider.table());
    let result = mapping::parse(file, &text)
        .map_err(|d| vec![d])
        .and_then(|f| f.mapping(&vocabulary));
    result.map_err(|diags| {
        eprint!("{}", out.renderer(&sources).render_all(&diags));
        eprintln!(
            "error: the mapping `{}` has errors; run `caselock check POLICY --mapping FILE`",
            path.display()
        );
        Exit::Usage
    })
}

/// Loads and compiles a policy, or loads a compiled table, and interns it.
pub(super) fn load(source: &Source, trust: &Trust, out: &Output) -> Result<Decider, Exit> {
    let from = match &source.table {
        Some(path) => TableSource::Compiled {
            path,
            trust: trust.trust.as_deref(),
        },
        None => TableSource::Policy(&source.policy),
    };
    common::load_table(from, out).map(|table| Decider::new(&table))
}

fn single(judge: &Judge<'_>, mut input: Box<dyn Read>) -> Exit {
    let mut text = String::new();
    if let Err(e) = input.read_to_string(&mut text) {
        eprintln!("error: cannot read the request: {e}");
        return Exit::Usage;
    }
    match Request::from_json(&text) {
        Ok(req) => {
            let resp = judge.decide(req);
            println!("{}", crate::json::to_string_pretty(&resp));
            Exit::Ok
        }
        Err(e) => {
            println!("{}", serde_json::json!({ "error": e.to_string() }));
            eprintln!("error: {e}");
            Exit::Findings
        }
    }
}

fn stream(judge: &Judge<'_>, input: Box<dyn Read>) -> Exit {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let stdout = std::io::stdout();
    let mut answers = Answers {
        judge,
        w: BufWriter::with_capacity(1 << 16, stdout.lock()),
        number: 0,
        bad: 0,
    };
    let mut long = Vec::new();
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) => {
                eprintln!("error: cannot read line {}: {e}", answers.number + 1);
                return Exit::Usage;
            }
        };
        if buf.is_empty() {
            break;
        }
        // The lines that lie whole in the read buffer are answered where they lie, by one
        // reader: they borrow from the same buffer, so each request's lists pass to the next.
        // Only a line that runs past the buffer's end is copied out, whole. (Copying every
        // line, and finding its end a byte at a time, took a twentieth of the time.)
        let mut requests = RequestReader::default();
        let whole = memchr::memrchr(b'\n', buf).map_or(0, |end| end + 1);
        let lines = buf.get(..whole).unwrap_or_default();
        // The whole lines are checked to be UTF-8 at once: a newline ends no character, so
        // each line of them is UTF-8 too. (Checked a line at a time, it took a fiftieth of a
        // line's time.) When some are not, each line is checked on its own, for its message.
        let text = simdutf8::basic::from_utf8(lines).ok();
        let mut taken = 0;
        let mut answered = Ok(());
        for end in memchr::memchr_iter(b'\n', lines) {
            let line = match text {
                Some(text) => Line::Text(text.get(taken..=end).unwrap_or_default()),
                None => Line::Bytes(lines.get(taken..=end).unwrap_or_default()),
            };
            answered = answers.answer(&mut requests, line);
            taken = end + 1;
            if answered.is_err() {
                break;
            }
        }
        if taken > 0 {
            reader.consume(taken);
        } else {
            long.clear();
            if let Err(e) = reader.read_until(b'\n', &mut long) {
                eprintln!("error: cannot read line {}: {e}", answers.number + 1);
                return Exit::Usage;
            }
            answered = answers.answer(&mut RequestReader::default(), Line::Bytes(&long));
        }
        if let Err(e) = answered {
            eprintln!("error: cannot write: {e}");
            return Exit::Usage;
        }
    }
    let Answers {
        mut w, number, bad, ..
    } = answers;
    if let Err(e) = w.flush() {
        eprintln!("error: cannot write: {e}");
        return Exit::Usage;
    }
    if bad > 0 {
        eprintln!("error: {bad} of {number} lines were not valid requests");
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// A line of a stream, with its newline.
#[derive(Clone, Copy)]
enum Line<'a> {
    /// Known to be UTF-8: a line of a read buffer checked whole.
    Text(&'a str),
    /// Not yet checked: a line of a buffer with bytes that are not UTF-8 somewhere in it, or
    /// a line longer than the buffer.
    Bytes(&'a [u8]),
}

impl<'a> Line<'a> {
    fn bytes(self) -> &'a [u8] {
        match self {
            Line::Text(text) => text.as_bytes(),
            Line::Bytes(bytes) => bytes,
        }
    }
}

/// Answers one line of a stream after another, counting them and those that are not requests.
struct Answers<'j, W> {
    judge: &'j Judge<'j>,
    w: W,
    number: u64,
    bad: u64,
}

impl<W: Write> Answers<'_, W> {
    /// Answers a line (a blank one is skipped), reading it with `requests`, whose lists the
    /// lines before it left; an error is one of writing.
    fn answer<'a>(
        &mut self,
        requests: &mut RequestReader<'a>,
        line: Line<'a>,
    ) -> std::io::Result<()> {
        self.number += 1;
        if line.bytes().iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let judge = self.judge;
        let w = &mut self.w;
        // Without a mapping there is nothing to translate: the line is read in place, with its
        // names borrowed, and the answer written straight out (the same bytes as the serialised
        // response, tests/response_bytes.rs).
        let read = match judge.mapping {
            None => {
                let then = |req: &Request<&str>| {
                    let d = judge.decider.decide(req);
                    judge.decider.write_response(req, &d, judge.audience, w)
                };
                match line {
                    Line::Text(text) => requests.read(text, then),
                    Line::Bytes(bytes) => requests.read_slice(bytes, then),
                }
            }
            Some(_) => Request::from_json_slice(line.bytes()).map(|req| {
                serde_json::to_writer(&mut *w, &judge.decide(req)).map_err(std::io::Error::from)
            }),
        };
        let written = match read {
            Ok(written) => written,
            Err(e) => {
                self.bad += 1;
                let err = serde_json::json!({ "error": e.to_string(), "line": self.number });
                serde_json::to_writer(&mut *w, &err).map_err(std::io::Error::from)
            }
        };
        written.and_then(|()| w.write_all(b"\n"))
    }
}

//! Registers exported by a case-management system: CSV with a header row, JSON lines, or one
//! JSON array of objects.
//!
//! CSV and JSON lines are streamed one row at a time, so a register of millions of rows needs
//! constant memory; a JSON array is held as text (never as parsed rows) while it is read.
//! Only the columns a report needs are read; every other column (names, addresses, dates of
//! birth) is never stored or echoed, and its name is reported as ignored.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use chrono::NaiveDate;

/// A register row: its line number and the known columns it has, by lowercase name.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The 1-based line in the file (the header is line 1 in CSV).
    pub line: u64,
    /// Known column values, by column name.
    pub fields: BTreeMap<String, String>,
}

impl Row {
    /// A non-empty text field.
    pub fn text(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("null"))
    }

    /// A date field: `None` when empty, an error naming the column when malformed.
    pub fn date(&self, column: &str) -> Result<Option<NaiveDate>, String> {
        match self.text(column) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
                .map(Some)
                .map_err(|_| format!("`{column}` is not a date (use YYYY-MM-DD or DD/MM/YYYY)")),
        }
    }
}

/// A row that could not be used, with the reason; its content is never repeated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowError {
    /// The line number.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// The input format of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// One JSON object per line, or a JSON array of objects (told apart by the first
    /// character).
    #[value(name = "json", alias = "jsonl")]
    JsonLines,
}

/// Streams rows from a register, keeping only `known` columns.
pub struct Reader<R: Read> {
    inner: Inner<R>,
    known: &'static [&'static str],
    /// Column names seen in the input that the report does not use.
    pub ignored: std::collections::BTreeSet<String>,
}

enum Inner<R: Read> {
    Csv {
        reader: csv::Reader<R>,
        header: Vec<String>,
        record: csv::StringRecord,
    },
    Json {
        lines: std::io::Lines<BufReader<R>>,
        line: u64,
    },
    Array {
        text: String,
        /// Byte offset of the next unread character.
        pos: usize,
        /// The line `pos` is on.
        line: u64,
        done: bool,
    },
}

impl<R: Read> Reader<R> {
    /// A reader over `input` in `format`, keeping the `known` columns.
    pub fn new(input: R, format: Format, known: &'static [&'static str]) -> Result<Self, RowError> {
        let mut ignored = std::collections::BTreeSet::new();
        let inner = match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| RowError {
                        line: 1,
                        message: format!("cannot read the header row: {e}"),
                    })?
                    .iter()
                    .map(|h| h.trim().to_ascii_lowercase())
                    .collect();
                for h in &header {
                    if !known.contains(&h.as_str()) {
                        ignored.insert(h.clone());
                    }
                }
                Inner::Csv {
                    reader,
                    header,
                    record: csv::StringRecord::new(),
                }
            }
            Format::JsonLines => {
                let mut buf = BufReader::new(input);
                if first_char(&mut buf)? == Some(b'[') {
                    let mut text = String::new();
                    buf.read_to_string(&mut text).map_err(|e| RowError {
                        line: 1,
                        message: format!("cannot read the register: {e}"),
                    })?;
                    let start = text.find('[').map_or(0, |i| i + 1);
                    let line = 1 + text[..start].matches('\n').count() as u64;
                    Inner::Array {
                        text,
                        pos: start,
                        line,
                        done: false,
                    }
                } else {
                    Inner::Json {
                        lines: buf.lines(),
                        line: 0,
                    }
                }
            }
        };
        Ok(Reader {
            inner,
            known,
            ignored,
        })
    }

    /// The next row, an error for an unreadable row, or `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row, RowError>> {
        match &mut self.inner {
            Inner::Csv {
                reader,
                header,
                record,
            } => match reader.read_record(record) {
                Ok(false) => None,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let mut fields = BTreeMap::new();
                    for (h, v) in header.iter().zip(record.iter()) {
                        if self.known.contains(&h.as_str()) {
                            fields.insert(h.clone(), v.to_string());
                        }
                    }
                    Some(Ok(Row { line, fields }))
                }
                Err(e) => Some(Err(RowError {
                    line: e.position().map_or(0, |p| p.line()),
                    message: "malformed CSV row".to_string(),
                })),
            },
            Inner::Json { lines, line } => loop {
                *line += 1;
                let text = match lines.next()? {
                    Ok(t) => t,
                    Err(e) => {
                        return Some(Err(RowError {
                            line: *line,
                            message: format!("cannot read line: {e}"),
                        }));
                    }
                };
                if text.trim().is_empty() {
                    continue;
                }
                let value: serde_json::Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        return Some(Err(RowError {
                            line: *line,
                            message: format!("not a JSON object: {}", e.classify_message()),
                        }));
                    }
                };
                return Some(object(&value, *line, self.known, &mut self.ignored));
            },
            Inner::Array {
                text,
                pos,
                line,
                done,
            } => {
                if *done {
                    return None;
                }
                let next = next_element(text, pos, line);
                match next {
                    Ok(Some((value, at))) => {
                        Some(object(&value, at, self.known, &mut self.ignored))
                    }
                    Ok(None) => {
                        *done = true;
                        None
                    }
                    Err(e) => {
                        // After a syntax error the array's structure is lost: stop here.
                        *done = true;
                        Some(Err(e))
                    }
                }
            }
        }
    }
}

/// The first non-whitespace byte of the input, left unread.
fn first_char<R: Read>(buf: &mut BufReader<R>) -> Result<Option<u8>, RowError> {
    loop {
        let bytes = buf.fill_buf().map_err(|e| RowError {
            line: 1,
            message: format!("cannot read the register: {e}"),
        })?;
        if bytes.is_empty() {
            return Ok(None);
        }
        match bytes.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => return Ok(bytes.get(i).copied()),
            None => {
                let n = bytes.len();
                buf.consume(n);
            }
        }
    }
}

/// Advances past whitespace, counting lines.
fn skip_ws(text: &str, pos: &mut usize, line: &mut u64) {
    let rest = &text[*pos..];
    let n = rest.len() - rest.trim_start().len();
    *line += rest[..n].matches('\n').count() as u64;
    *pos += n;
}

/// The next element of a JSON array and the line it starts on, or `None` after `]`.
fn next_element(
    text: &str,
    pos: &mut usize,
    line: &mut u64,
) -> Result<Option<(serde_json::Value, u64)>, RowError> {
    skip_ws(text, pos, line);
    if text[*pos..].starts_with(',') {
        *pos += 1;
        skip_ws(text, pos, line);
    }
    if text[*pos..].starts_with(']') || *pos >= text.len() {
        return Ok(None);
    }
    let at = *line;
    let mut stream =
        serde_json::Deserializer::from_str(&text[*pos..]).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(value)) => {
            let used = stream.byte_offset();
            *line += text[*pos..*pos + used].matches('\n').count() as u64;
            *pos += used;
            Ok(Some((value, at)))
        }
        Some(Err(e)) => Err(RowError {
            line: at + e.line().saturating_sub(1) as u64,
            message: format!("not a JSON array of objects: {}", e.classify_message()),
        }),
        None => Ok(None),
    }
}

/// A JSON object as a row of the known columns; other keys are recorded as ignored.
fn object(
    value: &serde_json::Value,
    line: u64,
    known: &[&str],
    ignored: &mut std::collections::BTreeSet<String>,
) -> Result<Row, RowError> {
    let Some(obj) = value.as_object() else {
        return Err(RowError {
            line,
            message: "not a JSON object".to_string(),
        });
    };
    let mut fields = BTreeMap::new();
    for (k, v) in obj {
        let key = k.to_ascii_lowercase();
        if !known.contains(&key.as_str()) {
            ignored.insert(key);
            continue;
        }
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            other => other.to_string(),
        };
        fields.insert(key, s);
    }
    Ok(Row { line, fields })
}

/// A short description of a serde_json error that never quotes the input.
trait Classify {
    fn classify_message(&self) -> String;
}

impl Classify for serde_json::Error {
    fn classify_message(&self) -> String {
        format!("{:?} error at column {}", self.classify(), self.column())
    }
}

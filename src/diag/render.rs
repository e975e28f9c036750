//! Renders diagnostics for people (miette) and machines (JSON).

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::span::{Source, SourceMap};

/// Renders diagnostics against the sources they came from.
pub struct Renderer<'a> {
    sources: &'a SourceMap,
    handler: GraphicalReportHandler,
    /// Per file: whether every line break is `\n` or `\r\n`, so a [`Window`] may start reading
    /// at a line start found from the file's line index.
    plain: Vec<bool>,
}

impl<'a> Renderer<'a> {
    /// A renderer; `color` adds ANSI colour, `width` wraps text.
    pub fn new(sources: &'a SourceMap, color: bool, width: usize) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let plain = sources
            .iter()
            .map(|(_, s)| {
                let b = s.text.as_bytes();
                !b.iter()
                    .enumerate()
                    .any(|(i, c)| *c == b'\r' && b.get(i + 1) != Some(&b'\n'))
            })
            .collect();
        Renderer {
            sources,
            plain,
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(width)
                .with_links(false),
        }
    }

    /// One diagnostic, rendered as rustc would, followed by its notes.
    pub fn render(&self, diag: &Diagnostic) -> String {
        let file = diag.primary.span.file;
        let window = Window {
            source: self.sources.get(file),
            plain: self.plain.get(file.0 as usize).copied().unwrap_or(false),
        };
        let mut notes: Vec<String> = Vec::new();
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(diag.primary.message.clone()).filter(|m| !m.is_empty()),
            diag.primary.span.source_span(),
        )];
        for l in &diag.secondary {
            if l.span.file == file {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    l.span.source_span(),
                ));
            } else {
                notes.push(format!("{} ({})", l.message, self.sources.cite(l.span)));
            }
        }
        notes.extend(diag.notes.iter().cloned());
        let report = Report {
            diag,
            labels,
            source: window,
        };
        let mut out = String::new();
        if self.handler.render_report(&mut out, &report).is_err() {
            out = format!(
                "{}[{}]: {}\n",
                severity_word(diag.severity),
                diag.code,
                diag.message
            );
        }
        for n in notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        out
    }

    /// Every diagnostic, then a summary line.
    pub fn render_all(&self, diags: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diags {
            out.push_str(&self.render(d));
            out.push('\n');
        }
        out
    }
}

/// `2 errors, 1 warning` style summary.
pub fn render_summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

struct Report<'d> {
    diag: &'d Diagnostic,
    labels: Vec<LabeledSpan>,
    source: Window<'d>,
}

/// A source file as miette reads it, without copying it, and starting each read a few lines
/// above the span rather than at the top of the file: miette's own reader scans from the first
/// byte, which made rendering many diagnostics of a large policy quadratic.
struct Window<'s> {
    source: Option<&'s Source>,
    /// Whether reads may start mid-file (the file breaks lines only with `\n` or `\r\n`);
    /// otherwise they start at the
    /// top, where miette counts a lone `\r` as a line break too.
    plain: bool,
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let Some(source) = self.source else {
            let empty: &[u8] = &[];
            let inner = empty.read_span(span, context_lines_before, context_lines_after)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                "<unknown>".to_string(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count(),
            )));
        };
        // Starting at a line start with the context lines still ahead reads exactly what miette
        // reads from the top; only the line numbers and offsets move by the skipped part.
        let (skipped_lines, base) = if self.plain {
            source.line_start_above(span.offset(), context_lines_before)
        } else {
            (0, 0)
        };
        let rest = source.text.as_bytes().get(base..).unwrap_or_default();
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let inner = rest.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            source.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + skipped_lines,
            inner.column(),
            inner.line_count() + skipped_lines,
        )))
    }
}

impl std::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            severity_word(self.diag.severity),
            self.diag.code,
            self.diag.message
        )
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// A place in a file, 1-based, as JSON and SARIF report it.
#[derive(Debug, Clone, Serialize)]
pub struct JsonLocation {
    /// The file's name.
    pub file: String,
    /// First line.
    pub line: usize,
    /// First column.
    pub column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column after the last character.
    pub end_column: usize,
}

/// A labelled place for JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    /// Where.
    #[serde(flatten)]
    pub location: JsonLocation,
    /// What is said there.
    pub message: String,
}

/// A diagnostic for JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    /// The stable code.
    pub code: String,
    /// The code's name.
    pub name: &'static str,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The place at fault.
    #[serde(flatten)]
    pub location: JsonLocation,
    /// The primary label's text.
    pub label: String,
    /// Other places involved.
    pub related: Vec<JsonLabel>,
    /// What to do.
    pub help: Option<String>,
    /// Further facts.
    pub notes: Vec<String>,
}

/// Diagnostics as JSON-ready values with resolved lines and columns.
pub fn json_diagnostics(sources: &SourceMap, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let loc = |span: crate::span::Span| {
        let (file, (line, column), (end_line, end_column)) = match sources.get(span.file) {
            Some(s) => (s.name.clone(), s.line_col(span.start), s.line_col(span.end)),
            None => ("<unknown>".into(), (1, 1), (1, 1)),
        };
        JsonLocation {
            file,
            line,
            column,
            end_line,
            end_column,
        }
    };
    diags
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code.as_str().to_string(),
            name: d.code.name(),
            severity: d.severity,
            message: d.message.clone(),
            location: loc(d.primary.span),
            label: d.primary.message.clone(),
            related: d
                .secondary
                .iter()
                .map(|l| JsonLabel {
                    location: loc(l.span),
                    message: l.message.clone(),
                })
                .collect(),
            help: d.help.clone(),
            notes: d.notes.clone(),
        })
        .collect()
}

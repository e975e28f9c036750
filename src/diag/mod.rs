//! Diagnostics: one data type for every stage, rendered with miette or as JSON/SARIF.

pub mod codes;
mod render;
pub(crate) mod sarif;
pub(crate) mod suggest;

pub use codes::Code;
pub(crate) use render::render_summary;
pub use render::{Renderer, json_diagnostics};
pub use sarif::sarif;

use serde::Serialize;

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy cannot be compiled.
    Error,
    /// The policy compiles, but something is probably wrong.
    Warning,
}

/// A labelled place in the source.
#[derive(Debug, Clone)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
}

/// A finding about a policy: a stable code, a message, labelled spans and help.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The stable code, such as `CL0101`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One lowercase line, user input in backticks, no final full stop.
    pub message: String,
    /// The place at fault.
    pub primary: Label,
    /// Other places involved (the earlier duplicate, the rule that shadows).
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Further facts.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error with the code's default severity overridden to error.
    pub fn error(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Error, message, span, label)
    }

    /// A warning.
    pub fn warning(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Warning, message, span, label)
    }

    fn new(
        code: Code,
        severity: Severity,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label {
                span,
                message: label.into(),
            },
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file and position, then code, so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| {
        (
            d.primary.span.file,
            d.primary.span.start,
            d.primary.span.end,
            d.code,
        )
    });
}

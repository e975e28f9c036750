//! The library's diagnostics as the protocol publishes them, one list per file of a policy.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString,
    PublishDiagnosticsParams, Uri,
};

use super::workspace::Snapshot;
use crate::diag::{Code, Diagnostic, Severity};

/// Where a code's documentation is: `BASE#cl0101`, as SARIF's `helpUri` links it.
#[derive(Debug, Clone, Default)]
pub struct DocsLink {
    base: Option<String>,
}

impl DocsLink {
    /// Links into `docs/diagnostics.md` at `base` (a URL or `file:` URI); none when `None`.
    pub fn new(base: Option<String>) -> Self {
        DocsLink { base }
    }

    /// The link for a code.
    pub fn href(&self, code: Code) -> Option<Uri> {
        let base = self.base.as_deref()?;
        Uri::from_str(&format!("{base}#{}", code.as_str().to_lowercase())).ok()
    }
}

/// The diagnostics of every file of a checked policy, each file once (an empty list clears
/// what the editor showed before).
pub fn publish(snap: &Snapshot, docs: &DocsLink) -> Vec<PublishDiagnosticsParams> {
    snap.files
        .iter()
        .map(|f| PublishDiagnosticsParams {
            uri: f.uri.clone(),
            diagnostics: snap
                .diagnostics
                .iter()
                .filter(|d| d.primary.span.file == f.id)
                .filter_map(|d| to_lsp(d, snap, docs))
                .collect(),
            version: None,
        })
        .collect()
}

/// One diagnostic in the protocol's terms: the message with its label, help and notes, the
/// code with a link to its documentation, and the secondary labels as related places.
pub fn to_lsp(d: &Diagnostic, snap: &Snapshot, docs: &DocsLink) -> Option<lsp_types::Diagnostic> {
    let at = snap.location(d.primary.span)?;
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!(": {}", d.primary.message));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    for n in &d.notes {
        message.push_str(&format!("\nnote: {n}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: snap.location(l.span)?,
                message: l.message.clone(),
            })
        })
        .collect();
    Some(lsp_types::Diagnostic {
        range: at.range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: docs.href(d.code).map(|href| CodeDescription { href }),
        source: Some("caselock".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

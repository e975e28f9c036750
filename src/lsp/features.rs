//! Answers to the editor's questions about a checked policy: hover, definition, references,
//! formatting and quick fixes. Each reads the library's results; none re-derives them.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Hover, HoverContents, Location, MarkupContent,
    MarkupKind, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::diagnostics::{DocsLink, to_lsp};
use super::workspace::{FileView, Snapshot};
use crate::diag::suggest;
use crate::syntax;

/// How many uses a hover lists before saying how many more there are.
const HOVER_USES: usize = 10;

/// The file and byte offset of a position in a document.
fn locate<'a>(snap: &'a Snapshot, uri: &Uri, pos: Position) -> Option<(&'a FileView, usize)> {
    let f = snap.file(uri)?;
    Some((f, f.lines.offset(snap.text(f.id), pos)))
}

/// The declaration named at a position.
fn declaration_at(snap: &Snapshot, uri: &Uri, pos: Position) -> Option<usize> {
    let (f, offset) = locate(snap, uri, pos)?;
    snap.index
        .at(f.id, u32::try_from(offset).unwrap_or(u32::MAX))
}

/// `file:line`, with the file's name only: the editor shows which directory.
fn cite(snap: &Snapshot, span: crate::span::Span) -> String {
    let cited = snap.sources.cite(span);
    match cited.rsplit_once('/') {
        Some((_, short)) => short.to_string(),
        None => cited,
    }
}

/// The hover at a position: the declaration named there (kind, title, where declared, where
/// used) and the documentation of each diagnostic there, as `caselock rule` prints it.
pub fn hover(snap: &Snapshot, uri: &Uri, pos: Position) -> Option<Hover> {
    let (f, offset) = locate(snap, uri, pos)?;
    let mut parts = Vec::new();
    if let Some(d) = declaration_at(snap, uri, pos).and_then(|i| snap.index.get(i).map(|d| (i, d)))
    {
        let (i, d) = d;
        let mut s = format!("**{}** `{}`", d.kind.word(), d.name);
        if let Some(t) = &d.title {
            s.push_str(&format!(" — {t}"));
        }
        s.push_str(&format!("\n\ndeclared at {}", cite(snap, d.span)));
        let uses = snap.index.uses_of(i);
        if uses.is_empty() {
            s.push_str("; never used");
        } else {
            let listed: Vec<String> = uses
                .iter()
                .take(HOVER_USES)
                .map(|u| cite(snap, *u))
                .collect();
            s.push_str(&format!(
                "; used {} time(s): {}",
                uses.len(),
                listed.join(", ")
            ));
            if uses.len() > HOVER_USES {
                s.push_str(&format!(" and {} more", uses.len() - HOVER_USES));
            }
        }
        parts.push(s);
    }
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    for d in &snap.diagnostics {
        let span = d.primary.span;
        if span.file == f.id && span.start <= offset && offset <= span.end {
            parts.push(format!("```text\n{}\n```", d.code.explain().trim_end()));
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.dedup();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: None,
    })
}

/// Where the name at a position is declared.
pub fn definition(snap: &Snapshot, uri: &Uri, pos: Position) -> Option<Location> {
    let d = snap.index.get(declaration_at(snap, uri, pos)?)?;
    snap.location(d.span)
}

/// Every use of the name at a position, and its declaration when asked for.
pub fn references(
    snap: &Snapshot,
    uri: &Uri,
    pos: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(i) = declaration_at(snap, uri, pos) else {
        return Vec::new();
    };
    let declared = snap
        .index
        .get(i)
        .filter(|_| include_declaration)
        .map(|d| d.span);
    declared
        .into_iter()
        .chain(snap.index.uses_of(i))
        .filter_map(|s| snap.location(s))
        .collect()
}

/// The whole document in canonical layout, as one edit; nothing when it is already formatted
/// or does not parse (its syntax errors are already shown).
pub fn format(snap: &Snapshot, uri: &Uri) -> Option<Vec<TextEdit>> {
    let f = snap.file(uri)?;
    let text = snap.text(f.id);
    let formatted = syntax::format(f.id, text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(
        f.lines.range(text, 0, text.len()),
        formatted,
    )])
}

/// A quick fix for each diagnostic in the range whose help proposes a replacement ("did you
/// mean `x`?"): replace the name at fault with the one proposed.
pub fn code_actions(
    snap: &Snapshot,
    uri: &Uri,
    range: Range,
    docs: &DocsLink,
) -> Vec<CodeActionOrCommand> {
    let Some(f) = snap.file(uri) else {
        return Vec::new();
    };
    let text = snap.text(f.id);
    let (from, to) = (
        f.lines.offset(text, range.start),
        f.lines.offset(text, range.end),
    );
    snap.diagnostics
        .iter()
        .filter(|d| {
            let s = d.primary.span;
            s.file == f.id && s.start as usize <= to && from <= s.end as usize
        })
        .filter_map(|d| {
            let replacement = suggest::proposed(d.help.as_deref()?)?;
            let lsp = to_lsp(d, snap, docs)?;
            let edit = TextEdit::new(lsp.range, replacement.to_string());
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with `{replacement}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }))
        })
        .collect()
}

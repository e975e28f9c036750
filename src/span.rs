//! Source locations shared by every stage, from the parser to a caseworker's explanation.

use serde::{Deserialize, Serialize};

/// Index of a file in a [`SourceMap`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// Spans compare equal to every other span, so two syntax trees that differ only in layout are
/// equal (as Cedar ignores `Loc`). Use [`Span::same_place`] to compare places.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl Span {
    /// A span from byte offsets.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// Whether two spans cover the same bytes of the same file.
    pub fn same_place(&self, other: &Span) -> bool {
        self.file == other.file && self.start == other.start && self.end == other.end
    }

    /// Byte length.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span as a miette label range.
    pub fn source_span(&self) -> miette::SourceSpan {
        (self.start as usize, self.len()).into()
    }
}

/// One source file: its display name (a path) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name diagnostics show, normally a path relative to where caselock was run.
    pub name: String,
    /// The file's path relative to its policy's root (the policy directory, or the file itself
    /// for a one-file policy): what a compiled table cites and hashes, so a policy's identity
    /// never depends on where it was loaded from. The display name until the loader sets it.
    pub policy_path: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<u32>,
}

impl Source {
    /// A source from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(
                text.match_indices('\n')
                    .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            )
            .collect();
        let name = name.into();
        Source {
            policy_path: name.clone(),
            name,
            text,
            line_starts,
        }
    }

    /// The 0-based number and byte offset of the line `back` lines above the one holding
    /// `offset` (the first line if there are fewer), so a renderer can read a few lines of a
    /// large file without scanning it from the top.
    pub fn line_start_above(&self, offset: usize, back: usize) -> (usize, usize) {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let above = line.saturating_sub(back);
        (
            above,
            self.line_starts.get(above).map_or(0, |&s| s as usize),
        )
    }

    /// The 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Every source file of one run, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<Source>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(Source::new(name, text));
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// Records a file's path relative to its policy's root.
    pub fn set_policy_path(&mut self, id: FileId, path: impl Into<String>) {
        if let Some(f) = self.files.get_mut(id.0 as usize) {
            f.policy_path = path.into();
        }
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&Source> {
        self.files.get(id.0 as usize)
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &Source)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, s)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), s))
    }

    /// `file:line` for a span, as explanations and tables cite it.
    pub fn cite(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(src) => format!("{}:{}", src.name, src.line_col(span.start).0),
            None => "<unknown>".to_string(),
        }
    }

    /// `file:line` for a span with the file's path relative to its policy's root, as compiled
    /// tables cite it.
    pub fn cite_in_policy(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(src) => format!("{}:{}", src.policy_path, src.line_col(span.start).0),
            None => "<unknown>".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let s = Source::new("a", "ab\ncd\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(1), (1, 2));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(6), (3, 1));
    }
}

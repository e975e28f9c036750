//! Where things are in the protocol's terms: byte offsets to and from line/UTF-16 positions,
//! and `file:` URIs to and from paths.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Byte offsets of line starts in one text, to convert offsets and positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes a text.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The position of a byte offset (a column counts UTF-16 code units, as the protocol's
    /// default encoding does).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col: usize = text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(col))
    }

    /// The byte offset of a position; a column past the end of its line is the line's end.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let line = text.get(start..).unwrap_or("");
        let line = line.split_inclusive('\n').next().unwrap_or("");
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    /// The range of a byte span.
    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Characters escaped in a `file:` URI's path: what VS Code escapes, so the URIs the server
/// makes for files the editor has not opened match the ones it makes itself.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The path of a `file:` URI; `None` for other schemes (an unsaved buffer).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    // `file:///C:/x` on Windows is the path `C:/x`.
    let decoded = match decoded.strip_prefix('/') {
        Some(p) if cfg!(windows) && p.get(1..2) == Some(":") => p.to_string(),
        _ => decoded.into_owned(),
    };
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let s = abs.to_string_lossy().replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    Uri::from_str(&format!("file://{}", utf8_percent_encode(&s, PATH))).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a\n\u{e9}\u{1f600}x\n";
        let ix = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(ix.position(text, x), Position::new(1, 3));
        assert_eq!(ix.offset(text, Position::new(1, 3)), x);
        assert_eq!(ix.offset(text, Position::new(1, 99)), text.len() - 1);
        assert_eq!(ix.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(ix.position(text, 0), Position::new(0, 0));
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/a council/p#1.policy");
        let uri = path_to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20council/p%231.policy");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(p));
        let untitled = Uri::from_str("untitled:Untitled-1").ok();
        assert_eq!(untitled.and_then(|u| uri_to_path(&u)), None);
    }

    proptest::proptest! {
        #[test]
        fn offsets_and_positions_round_trip(text in "[a\n\u{e9}\u{1f600}]{0,40}") {
            let ix = LineIndex::new(&text);
            for (offset, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                proptest::prop_assert_eq!(ix.offset(&text, ix.position(&text, offset)), offset);
            }
        }
    }
}

//! Finds `#` comments in source text, outside string literals, for the formatter.

use super::ast::Comment;
use crate::span::{FileId, Span};

/// Every comment in `text`, in order.
pub fn scan(file: FileId, text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'#' {
            let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            let body = text[i..end].trim_end();
            out.push(Comment {
                text: body.to_string(),
                span: Span::new(file, i, i + body.len()),
            });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

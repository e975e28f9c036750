//! Text made safe for a markdown table cell, said once: every markdown report (the decision
//! table, who-can, the semantic diff, the reviews and retention registers, the settings
//! reference) escapes its cells alike.

/// Text safe inside a markdown table cell or list item, on one line: pipes escaped everywhere;
/// outside code spans, backslashes and stray backticks escaped and HTML neutralised. A code
/// span (`like this`) is kept, since markdown shows its text as written: only a span between
/// two lone backticks counts, so a run such as ``` `` ``` can never open one that markdown
/// would read differently.
pub fn cell(s: &str) -> String {
    let line = s.replace(['\n', '\r'], " ");
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some((before, after)) = rest.split_once('`') {
        out.push_str(&plain(before));
        match after.split_once('`') {
            Some((code, tail)) if !code.is_empty() && !tail.starts_with('`') => {
                out.push('`');
                out.push_str(&code.replace('|', "\\|"));
                out.push('`');
                rest = tail;
            }
            _ => {
                out.push_str("\\`");
                rest = after;
            }
        }
    }
    out.push_str(&plain(rest));
    out
}

/// Text outside a code span: nothing in it can start markup that leaves the cell.
fn plain(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_value_stays_in_its_cell() {
        assert_eq!(
            cell("a|b\\|c<script>\r\nx"),
            "a\\|b\\\\\\|c&lt;script&gt;  x"
        );
    }

    #[test]
    fn a_code_span_keeps_its_text_but_not_its_pipes() {
        assert_eq!(
            cell("send `Bearer <token>` or `a|b`"),
            "send `Bearer <token>` or `a\\|b`"
        );
    }

    #[test]
    fn backticks_that_markdown_would_pair_differently_are_escaped() {
        // Markdown pairs a backtick only with a run of the same length: "`<img>``" is no code
        // span, so the tag must not pass through as one.
        assert_eq!(cell("`<img>``"), "\\`&lt;img&gt;\\`\\`");
        assert_eq!(cell("``<img>``"), "\\`\\`&lt;img&gt;\\`\\`");
        assert_eq!(cell("a ` b"), "a \\` b");
    }
}

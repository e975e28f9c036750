//! Text made safe for a markdown table cell, said once: every markdown report (the decision
//! table, who-can, the semantic diff, the reviews and retention registers, the settings
//! reference) escapes its cells alike.

/// Text safe inside a markdown table cell or list item: backslashes and pipes escaped, HTML
/// neutralised, one line.
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
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
}

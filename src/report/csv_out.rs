//! CSV for spreadsheets. Every CSV caselock writes (decision tables, reviews, retention) goes
//! through `csv::Writer` and one guard: a cell that a spreadsheet would run as a formula
//! (`=HYPERLINK(...)`, `+1`, `-1+1`, `@SUM(1)`, or one starting with a tab or carriage return) is
//! prefixed with `'`, so text from a policy or a register is always shown, never executed.

use std::borrow::Cow;

/// A cell as a spreadsheet will show it, never run it. A lone `-` (an empty date) is no formula.
pub(crate) fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    let risky =
        cell.starts_with(['=', '+', '@', '\t', '\r']) || (cell.starts_with('-') && cell.len() > 1);
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A header and rows as CSV text, every cell through [`spreadsheet_safe`].
pub(crate) fn write<S: AsRef<str>>(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<S>>,
) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut result = w.write_record(header);
    for row in rows {
        if result.is_err() {
            break;
        }
        result = w.write_record(
            row.iter()
                .map(|c| spreadsheet_safe(c.as_ref()).into_owned()),
        );
    }
    // INVARIANT: writing to a `Vec` cannot fail, and every cell is a valid `&str`, so neither
    // the records nor the final flush can produce an error; should one ever, the output says
    // so rather than being cut short silently.
    match (result, w.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => "error: the CSV could not be written\n".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cells_are_shown_not_run() {
        let out = write(
            &["id", "note"],
            [
                vec!["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)"],
                vec!["+1", "-1+1"],
                vec!["J1", "-"],
                vec!["a,b", "say \"hi\"\nthere"],
            ],
        );
        assert_eq!(
            out,
            "id,note\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(1)\n'+1,'-1+1\nJ1,-\n\"a,b\",\"say \"\"hi\"\"\nthere\"\n"
        );
    }
}

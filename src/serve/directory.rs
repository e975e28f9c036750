//! The staff directory (`--directory FILE`): who a contact is, by the name colleagues know them
//! by and their role title, so the caseworker page never shows a bare user id. The service reads
//! it at start-up and on every reload; a file with any fault is refused with its line and field.
//!
//! The format is CSV with exactly this header (docs/service.md):
//!
//! ```text
//! subject_id,display_name,role_title
//! u-3001,Pat Placeholder,Team Manager
//! ```
//!
//! `subject_id` follows the request's id rules and is matched as ids are (ignoring case, so a
//! file listing one person twice that way is refused); `display_name` is required;
//! `role_title` may be empty. No field may start or end with a space or hold a control
//! character, and each is at most [`MAX_FIELD`] characters.

use std::collections::HashMap;

use crate::eval::Id;
use crate::eval::id::key;

/// The header the file must start with, field for field.
pub const HEADER: [&str; 3] = ["subject_id", "display_name", "role_title"];

/// The most characters a name or title may have.
pub const MAX_FIELD: usize = 120;

/// A person the directory lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name colleagues know them by.
    pub display_name: String,
    /// Their role title, if the file gives one.
    pub role_title: Option<String>,
}

impl Person {
    /// "Pat Placeholder, Team Manager", or the name alone.
    pub fn describe(&self) -> String {
        match &self.role_title {
            Some(t) => format!("{}, {t}", self.display_name),
            None => self.display_name.clone(),
        }
    }
}

/// People by subject id (by the id's matching key).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    people: HashMap<String, Person>,
}

/// A fault in a directory file: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {message}", field.map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct DirectoryError {
    /// The line, from 1.
    pub line: u64,
    /// The field at fault, if one is.
    pub field: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl Directory {
    /// The person with this subject id.
    pub fn find(&self, subject_id: &str) -> Option<&Person> {
        self.people.get(&key(subject_id))
    }

    /// Reads a directory file's text.
    pub fn parse(text: &str) -> Result<Directory, DirectoryError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let at = |line: u64, field: Option<&'static str>, message: String| DirectoryError {
            line,
            field,
            message,
        };
        let header = match records.next() {
            None => {
                return Err(at(
                    1,
                    None,
                    format!(
                        "the file is empty; it must start with `{}`",
                        HEADER.join(",")
                    ),
                ));
            }
            Some(r) => r.map_err(|e| at(1, None, csv_message(&e)))?,
        };
        if header.iter().ne(HEADER) {
            return Err(at(
                1,
                None,
                format!(
                    "the header must be `{}`, found `{}`",
                    HEADER.join(","),
                    header.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let mut people = HashMap::new();
        let mut lines: HashMap<String, u64> = HashMap::new();
        for record in records {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                at(line, None, csv_message(&e))
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() != HEADER.len() {
                return Err(at(
                    line,
                    None,
                    format!(
                        "expected {} fields ({}), found {}",
                        HEADER.len(),
                        HEADER.join(", "),
                        record.len()
                    ),
                ));
            }
            let field = |i: usize| record.get(i).unwrap_or_default();
            let id = field(0);
            Id::new(id).map_err(|p| at(line, Some(HEADER[0]), p.describe().to_string()))?;
            let display_name = text_field(field(1), true)
                .map_err(|m| at(line, Some(HEADER[1]), m))?
                .unwrap_or_default();
            let role_title =
                text_field(field(2), false).map_err(|m| at(line, Some(HEADER[2]), m))?;
            let k = key(id);
            if let Some(first) = lines.insert(k.clone(), line) {
                return Err(at(
                    line,
                    Some(HEADER[0]),
                    format!(
                        "`{id}` is listed twice (first on line {first}; ids are matched ignoring case)"
                    ),
                ));
            }
            people.insert(
                k,
                Person {
                    display_name,
                    role_title,
                },
            );
        }
        Ok(Directory { people })
    }
}

/// A name or title: None when empty and not required.
fn text_field(text: &str, required: bool) -> Result<Option<String>, String> {
    if text.is_empty() {
        return if required {
            Err("must not be empty".to_string())
        } else {
            Ok(None)
        };
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return Err("must not start or end with a space".to_string());
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".to_string());
    }
    if text.chars().count() > MAX_FIELD {
        return Err(format!("must be at most {MAX_FIELD} characters"));
    }
    Ok(Some(text.to_string()))
}

/// A CSV reader's error without its position (the caller gives the line).
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
        _ => format!("not CSV: {e}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_read_and_looked_up_as_ids_are_matched() {
        let d = Directory::parse(
            "subject_id,display_name,role_title\nu-3001,Pat Placeholder,Team Manager\nU-7,Sam Sample,\n",
        )
        .unwrap();
        assert_eq!(d.people.len(), 2);
        assert_eq!(
            d.find("U-3001").unwrap().describe(),
            "Pat Placeholder, Team Manager"
        );
        assert_eq!(d.find("u-7").unwrap().describe(), "Sam Sample");
        assert!(d.find("u-8").is_none());
    }

    #[test]
    fn every_fault_names_its_line_and_field() {
        let h = "subject_id,display_name,role_title\n";
        let cases = [
            ("", "line 1: the file is empty"),
            ("id,name\n", "line 1: the header must be"),
            (
                &format!("{h}u-1,Pat\n") as &str,
                "line 2: expected 3 fields",
            ),
            (
                &format!("{h}u-1,,Manager\n"),
                "line 2, field `display_name`: must not be empty",
            ),
            (
                &format!("{h} u-1,Pat,\n"),
                "line 2, field `subject_id`: an id may not start",
            ),
            (
                &format!("{h},Pat,\n"),
                "line 2, field `subject_id`: an id may not be empty",
            ),
            (
                &format!("{h}u-1,Pat ,\n"),
                "line 2, field `display_name`: must not start or end",
            ),
            (
                &format!("{h}u-1,Pat,\"Team\nManager\"\n"),
                "line 2, field `role_title`: must not contain control",
            ),
            (
                &format!("{h}u-1,Pat,\nU-1,Sam,\n"),
                "line 3, field `subject_id`: `U-1` is listed twice (first on line 2",
            ),
            (
                &format!("{h}u-1,{},\n", "x".repeat(MAX_FIELD + 1)),
                "line 2, field `display_name`: must be at most",
            ),
        ];
        for (text, want) in cases {
            let e = Directory::parse(text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }
}

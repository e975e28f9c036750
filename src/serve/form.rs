//! Form fields and their errors in the GOV.UK Design System pattern, for every HTML form the
//! service serves: each error is found at once and listed in an error summary at the top whose
//! links move to the field; each field with an error carries an inline message ("Error:" read
//! first by screen readers), `aria-invalid` and a red border; the page title starts "Error:";
//! a hint sits outside the label and is read once, through `aria-describedby`. Messages are plain
//! language written here, never parser text. Dates are read as a caseworker writes them: UK
//! `01/05/2026` as well as `2026-05-01`.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::report::html_escape as esc;

/// The prefix of a page title, and of each inline message for screen readers, when a form has
/// errors.
pub const ERROR_PREFIX: &str = "Error: ";

/// The error summary's heading.
const SUMMARY_TITLE: &str = "There is a problem";

/// CSS for fields, hints and errors (no class outside this module needs to know the names).
pub const STYLE: &str = ".field{margin-top:1rem}\
.field-error{border-left:5px solid #d4351c;padding-left:0.75rem}\
.field label{display:block;font-weight:600}\
.hint{color:#505a5f;margin:0.15rem 0}\
.error-message{color:#d4351c;font-weight:700;margin:0.15rem 0}\
.input-error{border-color:#d4351c!important}\
.error-summary{border:5px solid #d4351c;padding:0.75rem 1rem;margin:1rem 0}\
.error-summary:focus{outline:3px solid #fd0}\
.error-summary ul{padding-left:1.25rem}.error-summary a{color:#d4351c;font-weight:700}\
.choices{border:0;padding:0;margin:0;min-width:0}.choices legend{font-weight:600}\
.choice{margin:0.25rem 0}.choice input{width:auto;margin-right:0.5rem}.choice label{display:inline;font-weight:400;overflow-wrap:anywhere}\
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;clip-path:inset(50%)!important;border:0!important;white-space:nowrap!important}";

/// One field's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's `id` (and `name`), which the summary links to; None for a problem with no
    /// field (the service could not answer), listed without a link.
    pub field: Option<String>,
    /// What is wrong and how to put it right, in plain words.
    pub message: String,
}

/// Every error of one submission, in the order of the form's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    /// No errors yet.
    pub fn new() -> Self {
        FormErrors::default()
    }

    /// Adds an error for a field.
    pub fn field(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: Some(field.to_string()),
            message: message.into(),
        });
    }

    /// Adds a problem that no single field caused.
    pub fn general(&mut self, message: impl Into<String>) {
        self.0.push(FieldError {
            field: None,
            message: message.into(),
        });
    }

    /// Puts the errors in the order of the form's fields (`fields`, first to last); problems of
    /// no field come first, as they concern the whole form.
    pub fn in_form_order(&mut self, fields: &[&str]) {
        self.0.sort_by_key(|e| {
            e.field.as_deref().map_or(0, |f| {
                1 + fields.iter().position(|x| *x == f).unwrap_or(fields.len())
            })
        });
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error on this field.
    pub fn on(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .map(|e| e.message.as_str())
    }

    /// The error summary, for the top of the page (before the form); empty with no errors.
    pub fn summary(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let mut h = format!(
            "<div class=\"error-summary\" id=\"error-summary\" role=\"alert\" tabindex=\"-1\" \
             aria-labelledby=\"error-summary-title\" autofocus>\n\
             <h2 id=\"error-summary-title\">{SUMMARY_TITLE}</h2>\n<ul>\n"
        );
        for e in &self.0 {
            let _ = match &e.field {
                Some(f) => writeln!(
                    h,
                    "<li><a href=\"#{}\">{}</a></li>",
                    esc(f),
                    esc(&e.message)
                ),
                None => writeln!(h, "<li>{}</li>", esc(&e.message)),
            };
        }
        h.push_str("</ul>\n</div>\n");
        h
    }
}

/// A text field: what the form asks and how to render it.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    /// The `id` and `name`.
    pub name: &'static str,
    /// The label.
    pub label: &'static str,
    /// The hint, if any (shown under the label, read once).
    pub hint: &'static str,
    /// Whether spelling should not be checked (ids and lists).
    pub no_spellcheck: bool,
}

impl TextField {
    /// The field in the GOV.UK pattern, filled with `value`, with its error if it has one.
    pub fn render(&self, h: &mut String, value: &str, errors: &FormErrors) {
        let n = self.name;
        let error = errors.on(n);
        let mut described = Vec::new();
        let _ = write!(
            h,
            "<div class=\"field{}\">\n<label for=\"{n}\">{}</label>\n",
            if error.is_some() { " field-error" } else { "" },
            esc(self.label)
        );
        if !self.hint.is_empty() {
            let _ = writeln!(
                h,
                "<div class=\"hint\" id=\"{n}-hint\">{}</div>",
                esc(self.hint)
            );
            described.push(format!("{n}-hint"));
        }
        if let Some(e) = error {
            let _ = writeln!(
                h,
                "<p class=\"error-message\" id=\"{n}-error\"><span class=\"visually-hidden\">{}</span>{}</p>",
                ERROR_PREFIX,
                esc(e)
            );
            described.push(format!("{n}-error"));
        }
        let _ = writeln!(
            h,
            "<input id=\"{n}\" name=\"{n}\" type=\"text\" value=\"{}\"{}{}{}{}>\n</div>",
            esc(value),
            if error.is_some() {
                " class=\"input-error\""
            } else {
                ""
            },
            if described.is_empty() {
                String::new()
            } else {
                format!(" aria-describedby=\"{}\"", described.join(" "))
            },
            if error.is_some() {
                " aria-invalid=\"true\""
            } else {
                ""
            },
            if self.no_spellcheck {
                " spellcheck=\"false\""
            } else {
                ""
            },
        );
    }
}

/// A choice among names a policy declares: one of them (a drop-down `select`), or any number
/// (checkboxes in a `fieldset`, the GOV.UK pattern for "select all that apply"). Options are
/// `(value, text)`: the policy's identifier and its title.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    /// The `name` (and the `id` of the select, or of the first checkbox).
    pub name: &'a str,
    /// The label, or the fieldset's legend.
    pub label: &'a str,
    /// The hint, if any.
    pub hint: &'static str,
    /// The options, in the policy's order.
    pub options: &'a [(String, String)],
    /// Checkboxes (several) rather than a select (one).
    pub multiple: bool,
    /// For a select: the text of a first option with an empty value (such as "Not restricted");
    /// None makes "Choose ..." that first option, which a required field refuses.
    pub empty: Option<&'static str>,
}

impl Choice<'_> {
    /// The field, with `chosen` selected or ticked, and its error if it has one.
    pub fn render(&self, h: &mut String, chosen: &[&str], errors: &FormErrors) {
        let n = self.name;
        let error = errors.on(n);
        // The hint and the error, and the ids that describe the control.
        let mut notes = String::new();
        let mut described = Vec::new();
        if !self.hint.is_empty() {
            let _ = writeln!(
                notes,
                "<div class=\"hint\" id=\"{n}-hint\">{}</div>",
                esc(self.hint)
            );
            described.push(format!("{n}-hint"));
        }
        if let Some(e) = error {
            let _ = writeln!(
                notes,
                "<p class=\"error-message\" id=\"{n}-error\"><span class=\"visually-hidden\">{ERROR_PREFIX}</span>{}</p>",
                esc(e)
            );
            described.push(format!("{n}-error"));
        }
        let describedby = if described.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{}\"", described.join(" "))
        };
        let _ = writeln!(
            h,
            "<div class=\"field{}\">",
            if error.is_some() { " field-error" } else { "" }
        );
        if self.multiple {
            let _ = write!(
                h,
                "<fieldset class=\"choices\"{describedby}>\n<legend>{}</legend>\n{notes}",
                esc(self.label)
            );
            if self.options.is_empty() {
                h.push_str("<p class=\"hint\">The policy declares none.</p>\n");
            }
            for (i, (value, text)) in self.options.iter().enumerate() {
                // The first box carries the field's id, so the error summary's link reaches it.
                let id = if i == 0 {
                    n.to_string()
                } else {
                    format!("{n}-{i}")
                };
                let checked = if chosen.contains(&value.as_str()) {
                    " checked"
                } else {
                    ""
                };
                let _ = writeln!(
                    h,
                    "<div class=\"choice\"><input type=\"checkbox\" id=\"{id}\" name=\"{n}\" value=\"{}\"{checked}>\n<label for=\"{id}\">{} <span class=\"name\">({})</span></label></div>",
                    esc(value),
                    esc(text),
                    esc(value)
                );
            }
            h.push_str("</fieldset>\n</div>\n");
            return;
        }
        let _ = write!(
            h,
            "<label for=\"{n}\">{}</label>\n{notes}<select id=\"{n}\" name=\"{n}\"{describedby}{}>\n",
            esc(self.label),
            if error.is_some() {
                " class=\"input-error\" aria-invalid=\"true\""
            } else {
                ""
            }
        );
        let first = self.empty.unwrap_or("Choose one");
        let _ = writeln!(h, "<option value=\"\">{}</option>", esc(first));
        for (value, text) in self.options {
            let selected = if chosen.first() == Some(&value.as_str()) {
                " selected"
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<option value=\"{}\"{selected}>{} ({})</option>",
                esc(value),
                esc(text),
                esc(value)
            );
        }
        h.push_str("</select>\n</div>\n");
    }
}

/// A date as a caseworker writes it: `01/05/2026` or `1/5/2026` (day, month, year, the UK
/// order) or `2026-05-01`. None when it is neither, or not a real date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = t.split('/').map(str::trim).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (day, month) = (number(d, 2)?, number(m, 2)?);
    let year = i32::try_from(number(y, 4).filter(|_| y.len() == 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn uk_and_iso_dates_are_read_and_impossible_ones_are_not() {
        let may_day = NaiveDate::from_ymd_opt(2026, 5, 1);
        for text in [
            "01/05/2026",
            "1/5/2026",
            " 01/05/2026 ",
            "2026-05-01",
            "01 / 05 / 2026",
        ] {
            assert_eq!(parse_date(text), may_day, "{text}");
        }
        for text in [
            "",
            "31/02/2026",
            "05/01/26",
            "2026/05/01",
            "1/5",
            "aa/bb/cccc",
            "01/13/2026",
            "+1/05/2026",
            "2026-13-45",
            "01/05/02026",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn a_field_with_an_error_is_marked_and_described_once() {
        let mut errors = FormErrors::new();
        errors.field("placed_on", "Restriction placed on must be a real date");
        let field = TextField {
            name: "placed_on",
            label: "Restriction placed on",
            hint: "For example, 01/05/2026",
            no_spellcheck: false,
        };
        let mut h = String::new();
        field.render(&mut h, "31/02/2026", &errors);
        assert!(h.contains("aria-invalid=\"true\""), "{h}");
        assert!(
            h.contains("aria-describedby=\"placed_on-hint placed_on-error\""),
            "{h}"
        );
        assert!(
            h.contains("<span class=\"visually-hidden\">Error: </span>"),
            "{h}"
        );
        // The hint is not inside the label, so it is read once.
        let label = &h[h.find("<label").unwrap()..h.find("</label>").unwrap()];
        assert!(!label.contains("hint"), "{h}");
        let summary = errors.summary();
        assert!(summary.contains("<a href=\"#placed_on\">"), "{summary}");
        assert!(summary.contains("There is a problem"));
    }
}

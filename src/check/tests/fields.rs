//! The fields of a test statement: each key checked against the ones the statement takes
//! (CL0114, with "did you mean"), each value checked for its kind, every problem collected in a
//! [`Lowering`].

use chrono::{DateTime, NaiveDate, Utc};

use crate::check::values;
use crate::diag::{Code, Diagnostic, suggest};
use crate::policy::{TestListEntry, TestName, check_id};
use crate::span::Span;
use crate::syntax::ast::{Ident, TestField, TestValue};

/// The problems found while checking one test.
#[derive(Default)]
pub(super) struct Lowering {
    /// Every problem, in the order found.
    pub(super) errors: Vec<Diagnostic>,
}

/// The fields of one statement, each taken at most once.
pub(super) struct Fields<'a> {
    fields: &'a [TestField],
    statement: &'static str,
}

impl Lowering {
    /// Checks a statement's keys against the ones it accepts.
    pub(super) fn fields<'a>(
        &mut self,
        fields: &'a [TestField],
        statement: &'static str,
        known: &[&str],
    ) -> Fields<'a> {
        for (i, f) in fields.iter().enumerate() {
            if !known.contains(&f.key.name.as_str()) {
                let help = suggest::one_of(&f.key.name, known, &format!("`{statement}` takes"));
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("unknown field `{}` in `{statement}`", f.key.name),
                        f.key.span,
                        "unknown field",
                    )
                    .with_help(help),
                );
            } else if let Some(first) = fields[..i].iter().find(|g| g.key.name == f.key.name) {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("field `{}` is given twice in `{statement}`", f.key.name),
                        f.key.span,
                        "second",
                    )
                    .with_label(first.key.span, "first given here")
                    .with_help("list several values with commas: `roles a, b`"),
                );
            }
        }
        Fields { fields, statement }
    }
}

impl<'a> Fields<'a> {
    pub(super) fn get(&self, key: &str) -> Option<&'a TestField> {
        self.fields.iter().find(|f| f.key.name == key)
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A field that must hold exactly one value.
    pub(super) fn single(&self, l: &mut Lowering, key: &str) -> Option<&'a TestValue> {
        let f = self.get(key)?;
        match f.values.as_slice() {
            [v] => Some(v),
            _ => {
                l.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("`{key}` in `{}` takes one value", self.statement),
                        f.span,
                        format!("{} values", f.values.len()),
                    )
                    .with_help("write another test for another value"),
                );
                None
            }
        }
    }

    pub(super) fn one_ident(&self, l: &mut Lowering, key: &str) -> Option<Ident> {
        let v = self.single(l, key)?;
        match v {
            TestValue::Name(i) => Some(i.clone()),
            other => {
                l.wrong(key, self.statement, other, "a name");
                None
            }
        }
    }

    pub(super) fn one_name(&self, l: &mut Lowering, key: &str) -> Option<TestName> {
        self.one_ident(l, key).map(|i| name(&i))
    }

    pub(super) fn one_id(&self, l: &mut Lowering, key: &str) -> Option<String> {
        let v = self.single(l, key)?;
        l.id(key, self.statement, v)
    }

    pub(super) fn idents(&self, l: &mut Lowering, key: &str) -> Vec<Ident> {
        let Some(f) = self.get(key) else {
            return Vec::new();
        };
        f.values
            .iter()
            .filter_map(|v| match v {
                TestValue::Name(i) => Some(i.clone()),
                other => {
                    l.wrong(key, self.statement, other, "a name");
                    None
                }
            })
            .collect()
    }

    pub(super) fn names(&self, l: &mut Lowering, key: &str) -> Vec<TestName> {
        self.idents(l, key).iter().map(name).collect()
    }

    pub(super) fn ids(&self, l: &mut Lowering, key: &str) -> Vec<String> {
        let Some(f) = self.get(key) else {
            return Vec::new();
        };
        f.values
            .iter()
            .filter_map(|v| l.id(key, self.statement, v))
            .collect()
    }

    /// An access or exclusion list: a string is a person's id, a name is a team.
    pub(super) fn entries(&self, l: &mut Lowering, key: &str) -> Vec<TestListEntry> {
        let Some(f) = self.get(key) else {
            return Vec::new();
        };
        f.values
            .iter()
            .filter_map(|v| match v {
                TestValue::Name(i) => Some(TestListEntry::Team(name(i))),
                other => l.id(key, self.statement, other).map(TestListEntry::Person),
            })
            .collect()
    }

    pub(super) fn strings(&self, l: &mut Lowering, key: &str) -> Vec<String> {
        let Some(f) = self.get(key) else {
            return Vec::new();
        };
        f.values
            .iter()
            .filter_map(|v| match v {
                TestValue::Str(s) => Some(s.value.clone()),
                other => {
                    l.wrong(key, self.statement, other, "a string");
                    None
                }
            })
            .collect()
    }

    pub(super) fn date(&self, l: &mut Lowering, key: &str) -> Option<NaiveDate> {
        match self.single(l, key)? {
            TestValue::Date(d) => match NaiveDate::parse_from_str(&d.text, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    l.errors.push(
                        Diagnostic::error(
                            Code::Literal,
                            format!("`{}` is not a date", d.text),
                            d.span,
                            "no such day",
                        )
                        .with_help("write a real calendar date such as `2026-05-01`"),
                    );
                    None
                }
            },
            other => {
                l.wrong(key, self.statement, other, "a date such as `2026-05-01`");
                None
            }
        }
    }

    pub(super) fn timestamp(&self, l: &mut Lowering, key: &str) -> Option<DateTime<Utc>> {
        match self.single(l, key)? {
            TestValue::Timestamp(d) => l.time(&d.text, d.span),
            other => {
                l.wrong(
                    key,
                    self.statement,
                    other,
                    "a time such as `2026-11-22T09:00:00Z`",
                );
                None
            }
        }
    }

    /// A whole number without a unit (`renewals 1`).
    pub(super) fn count(&self, l: &mut Lowering, key: &str) -> Option<u32> {
        match self.single(l, key)? {
            TestValue::Duration(d) if d.unit.is_none() => Some(d.amount),
            other => {
                l.wrong(key, self.statement, other, "a whole number such as `1`");
                None
            }
        }
    }

    pub(super) fn duration(&self, l: &mut Lowering, key: &str) -> Option<crate::policy::Period> {
        match self.single(l, key)? {
            TestValue::Duration(d) => match values::period(d) {
                Ok(p) => Some(p),
                Err(e) => {
                    l.errors.push(e);
                    None
                }
            },
            other => {
                l.wrong(key, self.statement, other, "a duration such as `24h`");
                None
            }
        }
    }
}

/// `warnings none` and `obligations none` expect an empty list.
pub(super) fn none_is_empty(list: Vec<Ident>) -> Vec<Ident> {
    match list.as_slice() {
        [only] if only.name == "none" => Vec::new(),
        _ => list,
    }
}

impl Lowering {
    /// A subject id: a string, or a name written bare (`u-1`).
    pub(super) fn id(&mut self, key: &str, statement: &str, v: &TestValue) -> Option<String> {
        let (text, span) = match v {
            TestValue::Str(s) => (&s.value, s.span),
            TestValue::Name(i) => (&i.name, i.span),
            other => {
                self.wrong(key, statement, other, "a subject id such as `\"u-1\"`");
                return None;
            }
        };
        match check_id(text) {
            Ok(()) => Some(text.clone()),
            Err(problem) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!(
                            "`{key}` in `{statement}` is not a valid id: {}",
                            problem.describe()
                        ),
                        span,
                        "invalid id",
                    )
                    .with_help(
                        "write the id as the case-management system issues it, such as `\"u-1\"`",
                    ),
                );
                None
            }
        }
    }

    pub(super) fn wrong(&mut self, key: &str, statement: &str, v: &TestValue, wanted: &str) {
        let found = match v {
            TestValue::Str(_) => "a string",
            TestValue::Name(_) => "a name",
            TestValue::Date(_) => "a date",
            TestValue::Timestamp(_) => "a time",
            TestValue::Duration(_) => "a duration",
        };
        self.errors.push(
            Diagnostic::error(
                Code::TestField,
                format!("`{key}` in `{statement}` takes {wanted}, found {found}"),
                v.span(),
                found.to_string(),
            )
            .with_help(format!("write `{key}` followed by {wanted}")),
        );
    }

    /// An RFC 3339 time (`at`, `granted_at`).
    pub(super) fn time(&mut self, text: &str, span: Span) -> Option<DateTime<Utc>> {
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::Literal,
                        format!("`{text}` is not a time"),
                        span,
                        "not an RFC 3339 time",
                    )
                    .with_help("write a time such as `2026-11-22T10:00:00Z`"),
                );
                None
            }
        }
    }
}

/// A name a test gives, as the checked case holds it.
pub(super) fn name(i: &Ident) -> TestName {
    TestName {
        name: i.name.clone(),
        span: i.span,
    }
}

//! A `test` block to a runnable [`TestCase`]: a [`Request`] and what the test expects of the
//! decision. Every field is checked here (CL0114, CL0301); names the policy must know (rule ids,
//! obligations) are checked against the compiled table by the runner.

use chrono::{DateTime, NaiveDate, Utc};

use crate::check::values;
use crate::diag::{Code, Diagnostic, suggest};
use crate::eval::request::{GrantDuration, Record, Restriction, Subject, TemporaryGrant};
use crate::eval::{DenyKind, Outcome, Request};
use crate::span::Span;
use crate::syntax::ast::{Ident, TestBlock, TestField, TestStatement, TestValue};

/// One test, ready to run.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test's name.
    pub name: String,
    /// The whole `test` block.
    pub span: Span,
    /// The request it decides.
    pub request: Request,
    /// What the decision must be.
    pub expect: Expectation,
}

/// What a test expects; a field left out is not compared.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// Allow or deny.
    pub outcome: Outcome,
    /// `full`, `minimal`, `notice` or `none`.
    pub view: Option<String>,
    /// The deciding rule's id, with where the test names it.
    pub rule: Option<Ident>,
    /// For a deny: forbidden or not permitted.
    pub kind: Option<DenyKind>,
    /// Exactly these obligations (by name, `access_expires` included), in any order;
    /// `obligations none` expects none.
    pub obligations: Option<Vec<Ident>>,
    /// Exactly these warning codes, in any order; `warnings none` expects none.
    pub warnings: Option<Vec<Ident>>,
    /// Fragments the caseworker explanation must contain.
    pub explains: Vec<String>,
    /// Fragments the caseworker response (explanation, reasons, next steps) must not contain.
    pub conceals: Vec<String>,
    /// The `expect` statement.
    pub span: Span,
}

/// The views a decision reports.
pub const VIEWS: [&str; 4] = ["full", "minimal", "notice", "none"];

/// The warning codes a decision reports.
pub const WARNINGS: [&str; 5] = [
    "unknown_role",
    "unknown_team",
    "review_overdue",
    "temporary_grant_capped",
    "temporary_grant_not_valid",
];

const SUBJECT_FIELDS: [&str; 3] = ["roles", "teams", "organisation"];
const RECORD_FIELDS: [&str; 10] = [
    "category",
    "placed_on",
    "last_reviewed",
    "review_by",
    "owner",
    "named_allow",
    "named_deny",
    "allocated_workers",
    "allocated_managers",
    "teams",
];
const GRANT_FIELDS: [&str; 5] = ["holder", "granted_at", "for", "approved_by", "actions"];
const EXPECT_FIELDS: [&str; 7] = [
    "view",
    "rule",
    "kind",
    "obligations",
    "warnings",
    "explains",
    "conceals",
];

/// Turns a test block into a case, or every problem found in it.
pub fn lower(block: &TestBlock) -> Result<TestCase, Vec<Diagnostic>> {
    let mut l = Lowering::default();
    let case = l.case(block);
    match case {
        Some(c) if l.errors.is_empty() => Ok(c),
        _ => Err(l.errors),
    }
}

#[derive(Default)]
struct Lowering {
    errors: Vec<Diagnostic>,
}

/// The fields of one statement, each taken at most once.
struct Fields<'a> {
    fields: &'a [TestField],
    statement: &'static str,
}

impl Lowering {
    fn case(&mut self, block: &TestBlock) -> Option<TestCase> {
        let mut subject = None;
        let mut record = None;
        let mut action = None;
        let mut at = None;
        let mut expect = None;
        let mut grants = Vec::new();
        for s in &block.statements {
            match s {
                TestStatement::Subject(..) => self.once(&mut subject, s, "subject"),
                TestStatement::Record(..) => self.once(&mut record, s, "record"),
                TestStatement::Action(..) => self.once(&mut action, s, "action"),
                TestStatement::At(..) => self.once(&mut at, s, "at"),
                TestStatement::Expect(..) => self.once(&mut expect, s, "expect"),
                TestStatement::TemporaryGrant(..) => grants.push(s),
            }
        }
        let missing: Vec<&str> = [
            ("subject", subject.is_none()),
            ("record", record.is_none()),
            ("action", action.is_none()),
            ("at", at.is_none()),
            ("expect", expect.is_none()),
        ]
        .into_iter()
        .filter_map(|(w, m)| m.then_some(w))
        .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.errors.push(
                Diagnostic::error(
                    Code::TestShape,
                    format!("test `{}` has no {list}", block.name.value),
                    block.name.span,
                    "incomplete test",
                )
                .with_help(
                    "a test needs a `subject`, a `record`, an `action`, an `at` time and an `expect`",
                ),
            );
        }
        let subject = subject.and_then(|s| self.subject(s));
        let at = at.and_then(|s| self.at(s));
        let action = match action {
            Some(TestStatement::Action(a, _)) => Some(a.name.clone()),
            _ => None,
        };
        let record = record.and_then(|s| self.record(s));
        let expect = expect.and_then(|s| self.expect(s));
        let holder = subject.as_ref().map(|s| s.id.clone()).unwrap_or_default();
        let temporary_grants: Vec<TemporaryGrant> = grants
            .into_iter()
            .filter_map(|g| self.grant(g, &holder))
            .collect();
        Some(TestCase {
            name: block.name.value.clone(),
            span: block.span,
            request: Request {
                subject: subject?,
                action: action?,
                record: record?,
                temporary_grants,
                at: Some(at?),
            },
            expect: expect?,
        })
    }

    fn once<'a>(&mut self, slot: &mut Option<&'a TestStatement>, s: &'a TestStatement, word: &str) {
        match slot {
            Some(first) => self.errors.push(
                Diagnostic::error(
                    Code::TestShape,
                    format!("`{word}` is given twice in one test"),
                    s.span(),
                    "second",
                )
                .with_label(first.span(), "first given here")
                .with_help(format!(
                    "a test has one `{word}`; write another test for another case"
                )),
            ),
            None => *slot = Some(s),
        }
    }

    fn subject(&mut self, s: &TestStatement) -> Option<Subject> {
        let TestStatement::Subject(id, fields, span) = s else {
            return None;
        };
        let f = self.fields(fields, "subject", &SUBJECT_FIELDS);
        let organisation = f.one_name(self, "organisation");
        if organisation.is_none() && !f.has("organisation") {
            self.errors.push(
                Diagnostic::error(
                    Code::TestField,
                    "the subject has no `organisation`",
                    *span,
                    "whose organisation?",
                )
                .with_help("add `organisation NAME`, such as `organisation council`"),
            );
        }
        Some(Subject {
            id: id.value.clone(),
            roles: f.names(self, "roles"),
            teams: f.names(self, "teams"),
            organisation: organisation?,
        })
    }

    fn record(&mut self, s: &TestStatement) -> Option<Record> {
        let TestStatement::Record(id, fields, _) = s else {
            return None;
        };
        let f = self.fields(fields, "record", &RECORD_FIELDS);
        let category = f.one_name(self, "category");
        let restriction = match category {
            Some(category) => Some(Restriction {
                category,
                placed_on: f.date(self, "placed_on"),
                last_reviewed: f.date(self, "last_reviewed"),
                review_by: f.date(self, "review_by"),
                owner: f.one_id(self, "owner"),
                named_allow: f.ids(self, "named_allow"),
                named_deny: f.ids(self, "named_deny"),
            }),
            None => {
                // An unrestricted record has no restriction to carry these facts.
                for k in [
                    "placed_on",
                    "last_reviewed",
                    "review_by",
                    "owner",
                    "named_allow",
                    "named_deny",
                ] {
                    if let Some(field) = f.get(k) {
                        self.errors.push(
                            Diagnostic::error(
                                Code::TestField,
                                format!("`{k}` describes a restriction, but the record has no `category`"),
                                field.key.span,
                                "needs a restriction",
                            )
                            .with_help("add `category NAME`, or remove the field to test an unrestricted record"),
                        );
                    }
                }
                None
            }
        };
        Some(Record {
            id: id.value.clone(),
            teams: f.names(self, "teams"),
            restriction,
            allocated_workers: f.ids(self, "allocated_workers"),
            allocated_managers: f.ids(self, "allocated_managers"),
        })
    }

    fn grant(&mut self, s: &TestStatement, holder: &str) -> Option<TemporaryGrant> {
        let TestStatement::TemporaryGrant(fields, span) = s else {
            return None;
        };
        let f = self.fields(fields, "temporary_grant", &GRANT_FIELDS);
        let granted_at = f.timestamp(self, "granted_at");
        let duration = f.duration(self, "for");
        let approved_by = f.one_id(self, "approved_by");
        let actions = f.get("actions").map(|_| f.names(self, "actions"));
        let holder = f
            .one_id(self, "holder")
            .unwrap_or_else(|| holder.to_string());
        for (k, present) in [
            ("granted_at", f.has("granted_at")),
            ("for", f.has("for")),
            ("approved_by", f.has("approved_by")),
        ] {
            if !present {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("the temporary grant has no `{k}`"),
                        *span,
                        "incomplete grant",
                    )
                    .with_help(
                        "write `temporary_grant granted_at TIME for DURATION approved_by \"ID\"`",
                    ),
                );
            }
        }
        Some(TemporaryGrant {
            subject: holder,
            record: None,
            actions,
            granted_at: granted_at?,
            duration: GrantDuration(duration?),
            approved_by: approved_by?,
        })
    }

    fn at(&mut self, s: &TestStatement) -> Option<DateTime<Utc>> {
        let TestStatement::At(d, _) = s else {
            return None;
        };
        self.time(&d.text, d.span)
    }

    fn expect(&mut self, s: &TestStatement) -> Option<Expectation> {
        let TestStatement::Expect(outcome, fields, span) = s else {
            return None;
        };
        let outcome = match outcome.name.as_str() {
            "allow" => Some(Outcome::Allow),
            "deny" => Some(Outcome::Deny),
            other => {
                let help = suggest::did_you_mean(other, ["allow", "deny"])
                    .unwrap_or_else(|| "write `expect allow` or `expect deny`".to_string());
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("`expect` must be followed by `allow` or `deny`, found `{other}`"),
                        outcome.span,
                        "not a decision",
                    )
                    .with_help(help),
                );
                None
            }
        };
        let f = self.fields(fields, "expect", &EXPECT_FIELDS);
        let view = f
            .one_ident(self, "view")
            .and_then(|v| self.word(&v, "view", &VIEWS).then(|| v.name.clone()));
        let kind = f
            .one_ident(self, "kind")
            .and_then(|k| match k.name.as_str() {
                "forbidden" => Some(DenyKind::Forbidden),
                "not_permitted" => Some(DenyKind::NotPermitted),
                _ => {
                    self.word(&k, "deny kind", &["forbidden", "not_permitted"]);
                    None
                }
            });
        let warnings = f
            .get("warnings")
            .map(|_| none_is_empty(f.idents(self, "warnings")));
        for w in warnings.iter().flatten() {
            self.word(w, "warning code", &WARNINGS);
        }
        Some(Expectation {
            outcome: outcome?,
            view,
            rule: f.one_ident(self, "rule"),
            kind,
            obligations: f
                .get("obligations")
                .map(|_| none_is_empty(f.idents(self, "obligations"))),
            warnings,
            explains: f.strings(self, "explains"),
            conceals: f.strings(self, "conceals"),
            span: *span,
        })
    }

    /// Checks a word against a fixed list, reporting CL0114 with a suggestion.
    fn word(&mut self, i: &Ident, what: &str, options: &[&str]) -> bool {
        if options.contains(&i.name.as_str()) {
            return true;
        }
        let listed = options
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let help = match suggest::closest(&i.name, options.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? a {what} is one of {listed}"),
            None => format!("a {what} is one of {listed}"),
        };
        self.errors.push(
            Diagnostic::error(
                Code::TestField,
                format!("unknown {what} `{}`", i.name),
                i.span,
                format!("not a {what}"),
            )
            .with_help(help),
        );
        false
    }

    fn time(&mut self, text: &str, span: Span) -> Option<DateTime<Utc>> {
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

    /// Checks a statement's keys against the ones it accepts.
    fn fields<'a>(
        &mut self,
        fields: &'a [TestField],
        statement: &'static str,
        known: &[&str],
    ) -> Fields<'a> {
        for (i, f) in fields.iter().enumerate() {
            if !known.contains(&f.key.name.as_str()) {
                let listed = known
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let help = match suggest::closest(&f.key.name, known.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`? `{statement}` takes {listed}"),
                    None => format!("`{statement}` takes {listed}"),
                };
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
    fn get(&self, key: &str) -> Option<&'a TestField> {
        self.fields.iter().find(|f| f.key.name == key)
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A field that must hold exactly one value.
    fn single(&self, l: &mut Lowering, key: &str) -> Option<&'a TestValue> {
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

    fn one_ident(&self, l: &mut Lowering, key: &str) -> Option<Ident> {
        let v = self.single(l, key)?;
        match v {
            TestValue::Name(i) => Some(i.clone()),
            other => {
                l.wrong(key, self.statement, other, "a name");
                None
            }
        }
    }

    fn one_name(&self, l: &mut Lowering, key: &str) -> Option<String> {
        self.one_ident(l, key).map(|i| i.name)
    }

    fn one_id(&self, l: &mut Lowering, key: &str) -> Option<String> {
        let v = self.single(l, key)?;
        l.id(key, self.statement, v)
    }

    fn idents(&self, l: &mut Lowering, key: &str) -> Vec<Ident> {
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

    fn names(&self, l: &mut Lowering, key: &str) -> Vec<String> {
        self.idents(l, key).into_iter().map(|i| i.name).collect()
    }

    fn ids(&self, l: &mut Lowering, key: &str) -> Vec<String> {
        let Some(f) = self.get(key) else {
            return Vec::new();
        };
        f.values
            .iter()
            .filter_map(|v| l.id(key, self.statement, v))
            .collect()
    }

    fn strings(&self, l: &mut Lowering, key: &str) -> Vec<String> {
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

    fn date(&self, l: &mut Lowering, key: &str) -> Option<NaiveDate> {
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

    fn timestamp(&self, l: &mut Lowering, key: &str) -> Option<DateTime<Utc>> {
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

    fn duration(&self, l: &mut Lowering, key: &str) -> Option<crate::check::model::Period> {
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
fn none_is_empty(list: Vec<Ident>) -> Vec<Ident> {
    match list.as_slice() {
        [only] if only.name == "none" => Vec::new(),
        _ => list,
    }
}

impl Lowering {
    /// A subject id: a string, or a name written bare (`u-1`).
    fn id(&mut self, key: &str, statement: &str, v: &TestValue) -> Option<String> {
        match v {
            TestValue::Str(s) => Some(s.value.clone()),
            TestValue::Name(i) => Some(i.name.clone()),
            other => {
                self.wrong(key, statement, other, "a subject id such as `\"u-1\"`");
                None
            }
        }
    }

    fn wrong(&mut self, key: &str, statement: &str, v: &TestValue, wanted: &str) {
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
}

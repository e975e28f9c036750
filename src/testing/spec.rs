//! A `test` block to a runnable [`TestCase`]: a [`Request`] and what the test expects of the
//! decision. Every field is checked here (CL0114, CL0301); names the policy must know (rule ids,
//! obligations) are checked against the compiled table by the runner.

use chrono::{DateTime, Utc};

use super::fields::none_is_empty;
use crate::diag::{Code, Diagnostic, suggest};
use crate::eval::request::{GrantDuration, Record, Restriction, Subject, TemporaryGrant};
use crate::eval::{DenyKind, FailReason, Id, Outcome, Request};
use crate::policy::words::article;
use crate::span::Span;
use crate::syntax::ast::{Ident, TestBlock, TestStatement, TestValue};

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
    /// The fail-closed reason the test expects (`fails_closed unknown_role`); without it, a
    /// request refused unchecked fails the test, so a misspelt name cannot make `expect deny`
    /// pass.
    pub fails_closed: Option<Ident>,
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
pub const WARNINGS: [&str; 3] = [
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
const EXPECT_FIELDS: [&str; 8] = [
    "fails_closed",
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

/// The problems found while lowering one test.
#[derive(Default)]
pub(super) struct Lowering {
    /// Every problem, in the order found.
    pub(super) errors: Vec<Diagnostic>,
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
        let holder = subject.as_ref().map(|s| s.id.clone());
        let temporary_grants: Vec<TemporaryGrant> = grants
            .into_iter()
            .filter_map(|g| self.grant(g, holder.as_ref()))
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
        let id = self.id("id", "subject", &TestValue::Str(id.clone()));
        Some(Subject {
            id: id?,
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
                named_allow: f.entries(self, "named_allow"),
                named_deny: f.entries(self, "named_deny"),
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
        let id = self.id("id", "record", &TestValue::Str(id.clone()));
        Some(Record {
            id: id?,
            teams: f.names(self, "teams"),
            restriction,
            allocated_workers: f.ids(self, "allocated_workers"),
            allocated_managers: f.ids(self, "allocated_managers"),
        })
    }

    fn grant(&mut self, s: &TestStatement, holder: Option<&Id>) -> Option<TemporaryGrant> {
        let TestStatement::TemporaryGrant(fields, span) = s else {
            return None;
        };
        let f = self.fields(fields, "temporary_grant", &GRANT_FIELDS);
        let granted_at = f.timestamp(self, "granted_at");
        let duration = f.duration(self, "for");
        let approved_by = f.one_id(self, "approved_by");
        let actions = f.get("actions").map(|_| f.names(self, "actions"));
        let holder = f.one_id(self, "holder").or_else(|| holder.cloned());
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
            subject: holder?,
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
        let fails_closed = f
            .one_ident(self, "fails_closed")
            .filter(|w| self.word(w, "fail-closed reason", &FailReason::WORDS));
        Some(Expectation {
            outcome: outcome?,
            fails_closed,
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
        let help = suggest::one_of(&i.name, options, &format!("{} is one of", article(what)));
        self.errors.push(
            Diagnostic::error(
                Code::TestField,
                format!("unknown {what} `{}`", i.name),
                i.span,
                format!("not {}", article(what)),
            )
            .with_help(help),
        );
        false
    }

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

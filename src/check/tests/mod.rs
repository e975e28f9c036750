//! `test` blocks to checked [`TestCase`]s: every statement and field validated here (CL0114,
//! CL0301, CL0002), every name the policy must declare checked by [`names`] (CL0304). The names
//! only the compiled table knows (rule ids, obligations) are checked by the test runner.

mod fields;
mod names;

pub(super) use names::{expects_fail_closed, unknown_kinds, unknown_names};

use chrono::{DateTime, Utc};

use self::fields::{Lowering, name, none_is_empty};
use crate::diag::{Code, Diagnostic, suggest};
use crate::policy::words::article;
use crate::policy::{
    ChangeRefusal, DenyKind, Expectation, FailClosed, Outcome, Shown, TestActing, TestApproval,
    TestCase, TestChange, TestContext, TestGrant, TestLink, TestName, TestRecord, TestRestriction,
    TestSubject, WarningCode,
};
use crate::syntax::ast::{Ident, TestBlock, TestStatement, TestValue};

const SUBJECT_FIELDS: [&str; 3] = ["roles", "teams", "organisation"];
/// The fields of a `record` statement besides the restriction's ([`RESTRICTION_FIELDS`], which
/// the record's `category` shorthand takes too).
const RECORD_OWN_FIELDS: [&str; 11] = [
    "category",
    "section",
    "allocated_workers",
    "allocated_managers",
    "teams",
    "record_subject",
    "relatives",
    "flags",
    "flags_last_reviewed",
    "authors",
    "facts",
];
/// The fields of a `restriction` statement, which the record's own `category` shorthand also
/// takes.
const RESTRICTION_FIELDS: [&str; 8] = [
    "placed_on",
    "last_reviewed",
    "review_by",
    "ends",
    "renewals",
    "owner",
    "named_allow",
    "named_deny",
];
/// The fields of a `linked_record` statement besides the restriction's.
const LINKED_OWN_FIELDS: [&str; 2] = ["link", "category"];
const GRANT_FIELDS: [&str; 9] = [
    "holder",
    "granted_at",
    "for",
    "approved_by",
    "actions",
    "kind",
    "renewals",
    "approver_roles",
    "approver_teams",
];
const ACTING_FIELDS: [&str; 8] = [
    "roles",
    "teams",
    "organisation",
    "approved_by",
    "approver_roles",
    "approver_teams",
    "from",
    "until",
];
const CHANGE_FIELDS: [&str; 5] = ["category", "kind", "flag", "renewals", "line_manager"];
const APPROVAL_FIELDS: [&str; 5] = ["step", "by", "roles", "teams", "approved_at"];
const EXPECT_FIELDS: [&str; 10] = [
    "fails_closed",
    "refused",
    "approved_steps",
    "view",
    "rule",
    "kind",
    "obligations",
    "warnings",
    "explains",
    "conceals",
];

/// Turns a test block into a case, or every problem found in it.
///
/// INVARIANT: every path on which a part of the case is `None` reports an error first, so a
/// test is never dropped without a diagnostic that fails the check.
pub(super) fn test_case(block: &TestBlock) -> Result<TestCase, Vec<Diagnostic>> {
    let mut l = Lowering::default();
    let case = l.case(block);
    match case {
        Some(c) if l.errors.is_empty() => Ok(c),
        _ => Err(l.errors),
    }
}

impl Lowering {
    fn case(&mut self, block: &TestBlock) -> Option<TestCase> {
        let mut subject = None;
        let mut record = None;
        let mut action = None;
        let mut at = None;
        let mut expect = None;
        let mut context = None;
        let mut acting = None;
        let mut grants = Vec::new();
        let mut restrictions = Vec::new();
        let mut links = Vec::new();
        let mut change = None;
        let mut approvals = Vec::new();
        for s in &block.statements {
            match s {
                TestStatement::Subject(..) => self.once(&mut subject, s, "subject"),
                TestStatement::Record(..) => self.once(&mut record, s, "record"),
                TestStatement::Action(..) => self.once(&mut action, s, "action"),
                TestStatement::At(..) => self.once(&mut at, s, "at"),
                TestStatement::Expect(..) => self.once(&mut expect, s, "expect"),
                TestStatement::TemporaryGrant(..) => grants.push(s),
                TestStatement::Context(..) => self.once(&mut context, s, "context"),
                TestStatement::ActingFor(..) => self.once(&mut acting, s, "acting_for"),
                TestStatement::Restriction(..) => restrictions.push(s),
                TestStatement::Linked(..) => links.push(s),
                TestStatement::Change(..) => self.once(&mut change, s, "change"),
                TestStatement::Approval(..) => approvals.push(s),
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
            Some(TestStatement::Action(a, _)) => Some(name(a)),
            _ => None,
        };
        let links = self.links(&links);
        let record = record
            .and_then(|s| self.record(s, &restrictions))
            .map(|r| TestRecord { links, ..r });
        let context = context.map(|s| self.context(s)).unwrap_or_default();
        // Read (and its problems reported) before any `?` below.
        let acting_for = acting.map(|s| self.acting(s));
        let expect = expect.and_then(|s| self.expect(s));
        let holder = subject.as_ref().map(|s| s.id.clone());
        let temporary_grants: Vec<TestGrant> = grants
            .into_iter()
            .filter_map(|g| self.grant(g, holder.as_ref()))
            .collect();
        Some(TestCase {
            name: block.name.value.clone(),
            name_span: block.name.span,
            span: block.span,
            subject: subject?,
            record: record?,
            action: action?,
            at: at?,
            temporary_grants,
            context,
            acting_for: match acting_for {
                Some(a) => Some(a?),
                None => None,
            },
            change: change.and_then(|c| self.change(c)),
            approvals: approvals
                .into_iter()
                .filter_map(|a| self.approval(a))
                .collect(),
            expect: expect?,
        })
    }

    /// `change category adoption kind task_access renewals 1 line_manager "u-3"`.
    fn change(&mut self, s: &TestStatement) -> Option<TestChange> {
        let TestStatement::Change(fields, _) = s else {
            return None;
        };
        let f = self.fields(fields, "change", &CHANGE_FIELDS);
        let renewals = match f.get("renewals") {
            Some(_) => f.count(self, "renewals")?,
            None => 0,
        };
        Some(TestChange {
            category: f.get("category").and_then(|_| f.one_name(self, "category")),
            kind: f.get("kind").and_then(|_| f.one_name(self, "kind")),
            flag: f.get("flag").and_then(|_| f.one_name(self, "flag")),
            renewals,
            line_manager: f.one_id(self, "line_manager"),
        })
    }

    /// `approval step 1 by "u-3" roles team_manager approved_at 2026-11-20T10:00:00Z`.
    fn approval(&mut self, s: &TestStatement) -> Option<TestApproval> {
        let TestStatement::Approval(fields, span) = s else {
            return None;
        };
        let f = self.fields(fields, "approval", &APPROVAL_FIELDS);
        for k in ["step", "by", "approved_at"] {
            if !f.has(k) {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("the approval has no `{k}`"),
                        *span,
                        "incomplete approval",
                    )
                    .with_help("write `approval step 1 by \"ID\" approved_at TIME`"),
                );
            }
        }
        let step = f.count(self, "step");
        let by = f.one_id(self, "by");
        let at = f.timestamp(self, "approved_at");
        Some(TestApproval {
            step: step?,
            by: by?,
            roles: f.names(self, "roles"),
            teams: f.names(self, "teams"),
            at: at?,
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

    fn subject(&mut self, s: &TestStatement) -> Option<TestSubject> {
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
        // Every field is read before any `?`, so each problem is reported.
        let roles = f.names(self, "roles");
        let teams = f.names(self, "teams");
        Some(TestSubject {
            id: id?,
            roles,
            teams,
            organisation: organisation?,
        })
    }

    fn record(&mut self, s: &TestStatement, more: &[&TestStatement]) -> Option<TestRecord> {
        let TestStatement::Record(id, fields, _) = s else {
            return None;
        };
        let known = [&RECORD_OWN_FIELDS[..], &RESTRICTION_FIELDS[..]].concat();
        let f = self.fields(fields, "record", &known);
        let mut restrictions = Vec::new();
        if let Some(field) = f.get("category") {
            if let Some(first) = more.first() {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        "the record gives a `category` and `restriction` statements",
                        field.key.span,
                        "one restriction here",
                    )
                    .with_label(first.span(), "more restrictions here")
                    .with_help(
                        "give every restriction as a `restriction` statement: `restriction adoption owner \"u-3\"`",
                    ),
                );
            }
            let category = f.one_name(self, "category");
            restrictions.extend(self.restriction_facts(&f, category));
        } else {
            // An unrestricted record has no restriction to carry these facts.
            for k in RESTRICTION_FIELDS {
                if let Some(field) = f.get(k) {
                    self.errors.push(
                        Diagnostic::error(
                            Code::TestField,
                            format!(
                                "`{k}` describes a restriction, but the record has no `category`"
                            ),
                            field.key.span,
                            "needs a restriction",
                        )
                        .with_help(
                            "add `category NAME` or a `restriction NAME` statement, or remove the field to test an unrestricted record",
                        ),
                    );
                }
            }
        }
        for statement in more {
            let TestStatement::Restriction(category, fields, _) = statement else {
                continue;
            };
            let f = self.fields(fields, "restriction", &RESTRICTION_FIELDS);
            restrictions.extend(self.restriction_facts(&f, Some(name(category))));
        }
        let id = self.id("id", "record", &TestValue::Str(id.clone()));
        let teams = f.names(self, "teams");
        let section = f.one_name(self, "section");
        let allocated_workers = f.ids(self, "allocated_workers");
        let allocated_managers = f.ids(self, "allocated_managers");
        let subject = f.one_id(self, "record_subject");
        let relatives = f.ids(self, "relatives");
        let flags = f.names(self, "flags");
        let flags_last_reviewed = f.date(self, "flags_last_reviewed");
        if let (Some(field), true) = (f.get("flags_last_reviewed"), flags.is_empty()) {
            self.errors.push(
                Diagnostic::error(
                    Code::TestField,
                    "`flags_last_reviewed` describes flags, but the record has no `flags`",
                    field.key.span,
                    "needs flags",
                )
                .with_help("add `flags NAME`, or remove the field"),
            );
        }
        let authors = f.ids(self, "authors");
        let facts = f.names(self, "facts");
        Some(TestRecord {
            id: id?,
            section,
            teams,
            restrictions,
            allocated_workers,
            allocated_managers,
            subject,
            relatives,
            flags,
            flags_last_reviewed,
            authors,
            facts,
            links: Vec::new(),
        })
    }

    /// The records linked to the test's record: `linked_record` statements that name the same
    /// record and kind of link give that record's several restrictions, in the order written.
    fn links(&mut self, statements: &[&TestStatement]) -> Vec<TestLink> {
        let mut out: Vec<TestLink> = Vec::new();
        for s in statements {
            let TestStatement::Linked(id, fields, span) = s else {
                continue;
            };
            let known = [&LINKED_OWN_FIELDS[..], &RESTRICTION_FIELDS[..]].concat();
            let f = self.fields(fields, "linked_record", &known);
            let link = f.one_name(self, "link");
            if !f.has("link") {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        "the linked record has no `link`",
                        *span,
                        "linked how?",
                    )
                    .with_help("add `link NAME`: the kind of link the policy declares, such as `link adoption_record`"),
                );
            }
            let category = f.one_name(self, "category");
            if !f.has("category") {
                self.restriction_without_category(&f, "linked record");
            }
            let restriction = self.restriction_facts(&f, category);
            let record = self.id("id", "linked_record", &TestValue::Str(id.clone()));
            let (Some(record), Some(link)) = (record, link) else {
                continue;
            };
            let at = out
                .iter()
                .position(|l| l.record == record && l.link.name == link.name);
            let entry = match at {
                Some(i) => out.get_mut(i),
                None => {
                    out.push(TestLink {
                        record,
                        link,
                        restrictions: Vec::new(),
                    });
                    out.last_mut()
                }
            };
            if let (Some(entry), Some(r)) = (entry, restriction) {
                entry.restrictions.push(r);
            }
        }
        out
    }

    /// Restriction fields given where no category says which restriction they describe.
    fn restriction_without_category(&mut self, f: &fields::Fields, what: &str) {
        for k in RESTRICTION_FIELDS {
            if let Some(field) = f.get(k) {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("`{k}` describes a restriction, but the {what} has no `category`"),
                        field.key.span,
                        "needs a restriction",
                    )
                    .with_help(format!(
                        "add `category NAME`, or remove the field to test an unrestricted {what}"
                    )),
                );
            }
        }
    }

    /// A restriction under `category`, its facts from the record's fields or a `restriction`
    /// statement's; every field is read (and its problems reported) even when the category is
    /// in error.
    fn restriction_facts(
        &mut self,
        f: &fields::Fields,
        category: Option<TestName>,
    ) -> Option<TestRestriction> {
        let placed_on = f.date(self, "placed_on");
        let last_reviewed = f.date(self, "last_reviewed");
        let review_by = f.date(self, "review_by");
        let ends = f.date(self, "ends");
        let renewals = match f.get("renewals") {
            Some(_) => f.count(self, "renewals"),
            None => Some(0),
        };
        let owner = f.one_id(self, "owner");
        let named_allow = f.entries(self, "named_allow");
        let named_deny = f.entries(self, "named_deny");
        category.map(|category| TestRestriction {
            category,
            placed_on,
            last_reviewed,
            review_by,
            ends,
            renewals: renewals.unwrap_or(0),
            owner,
            named_allow,
            named_deny,
        })
    }

    fn grant(&mut self, s: &TestStatement, holder: Option<&String>) -> Option<TestGrant> {
        let TestStatement::TemporaryGrant(fields, span) = s else {
            return None;
        };
        let f = self.fields(fields, "temporary_grant", &GRANT_FIELDS);
        let granted_at = f.timestamp(self, "granted_at");
        let duration = f.duration(self, "for");
        let approved_by = f.one_id(self, "approved_by");
        let actions = f.get("actions").map(|_| f.names(self, "actions"));
        let holder = f.one_id(self, "holder").or_else(|| holder.cloned());
        let kind = f.get("kind").and_then(|_| f.one_name(self, "kind"));
        let renewals = match f.get("renewals") {
            Some(_) => f.count(self, "renewals"),
            None => Some(0),
        };
        let approver_roles = f.names(self, "approver_roles");
        let approver_teams = f.names(self, "approver_teams");
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
        Some(TestGrant {
            holder: holder?,
            actions,
            granted_at: granted_at?,
            duration: duration?,
            approved_by: approved_by?,
            kind,
            renewals: renewals?,
            approver_roles,
            approver_teams,
            span: *span,
        })
    }

    /// `acting_for "ID" roles ... organisation ... approved_by "ID" from TIME until TIME`: the
    /// colleague the subject acts for, and the window.
    fn acting(&mut self, s: &TestStatement) -> Option<TestActing> {
        let TestStatement::ActingFor(id, fields, span) = s else {
            return None;
        };
        let f = self.fields(fields, "acting_for", &ACTING_FIELDS);
        let organisation = f.one_name(self, "organisation");
        let id = self.id("id", "acting_for", &TestValue::Str(id.clone()));
        let roles = f.names(self, "roles");
        let teams = f.names(self, "teams");
        let approved_by = f.one_id(self, "approved_by");
        let approver_roles = f.names(self, "approver_roles");
        let approver_teams = f.names(self, "approver_teams");
        let from = f.timestamp(self, "from");
        let until = f.timestamp(self, "until");
        for (k, present) in [
            ("organisation", f.has("organisation")),
            ("approved_by", f.has("approved_by")),
            ("from", f.has("from")),
            ("until", f.has("until")),
        ] {
            if !present {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("`acting_for` has no `{k}`"),
                        *span,
                        "incomplete acting window",
                    )
                    .with_help(
                        "write `acting_for \"ID\" organisation NAME approved_by \"ID\" from TIME until TIME`",
                    ),
                );
            }
        }
        Some(TestActing {
            subject: TestSubject {
                id: id?,
                roles,
                teams,
                organisation: organisation?,
            },
            approved_by: approved_by?,
            approver_roles,
            approver_teams,
            from: from?,
            until: until?,
        })
    }

    /// `context network ncc purpose casework`: one value per context, each context once. The
    /// names are checked against the policy's contexts by the resolver, which knows them.
    fn context(&mut self, s: &TestStatement) -> Vec<TestContext> {
        let TestStatement::Context(fields, _) = s else {
            return Vec::new();
        };
        let mut out: Vec<TestContext> = Vec::new();
        for f in fields {
            if let Some(first) = out.iter().find(|c| c.context.name == f.key.name) {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("the test gives context `{}` twice", f.key.name),
                        f.key.span,
                        "second",
                    )
                    .with_label(first.context.span, "first given here")
                    .with_help("a request states one value for each context"),
                );
                continue;
            }
            match f.values.as_slice() {
                [TestValue::Name(v)] => out.push(TestContext {
                    context: name(&f.key),
                    value: name(v),
                }),
                _ => self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!("context `{}` takes one value", f.key.name),
                        f.span,
                        "one name expected",
                    )
                    .with_help(format!("write `context {} VALUE`", f.key.name)),
                ),
            }
        }
        out
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
            "pending" => Some(Outcome::Pending),
            other => {
                let help = suggest::did_you_mean(other, ["allow", "deny", "pending"])
                    .unwrap_or_else(|| {
                        "write `expect allow`, `expect deny` or `expect pending`".to_string()
                    });
                self.errors.push(
                    Diagnostic::error(
                        Code::TestField,
                        format!(
                            "`expect` must be followed by `allow`, `deny` or `pending`, found `{other}`"
                        ),
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
            .and_then(|v| self.choose(&v, "view", &Shown::ALL, Shown::word));
        let kind = f
            .one_ident(self, "kind")
            .and_then(|k| self.choose(&k, "deny kind", &DenyKind::ALL, DenyKind::word));
        let warnings = f.get("warnings").map(|_| {
            none_is_empty(f.idents(self, "warnings"))
                .iter()
                .filter_map(|w| {
                    self.choose(w, "warning code", &WarningCode::ALL, WarningCode::word)
                })
                .collect()
        });
        let fails_closed = f.one_ident(self, "fails_closed").and_then(|w| {
            self.choose(&w, "fail-closed reason", &FailClosed::ALL, FailClosed::word)
        });
        let refused = f.one_ident(self, "refused").and_then(|w| {
            self.choose(
                &w,
                "lifecycle refusal",
                &ChangeRefusal::ALL,
                ChangeRefusal::word,
            )
        });
        let approved_steps = match f.get("approved_steps") {
            Some(_) => f.count(self, "approved_steps"),
            None => None,
        };
        let rule = f.one_ident(self, "rule").map(|i| name(&i));
        let obligations = f.get("obligations").map(|_| {
            none_is_empty(f.idents(self, "obligations"))
                .iter()
                .map(name)
                .collect()
        });
        let explains = f.strings(self, "explains");
        let conceals = f.strings(self, "conceals");
        Some(Expectation {
            outcome: outcome?,
            fails_closed,
            refused,
            approved_steps,
            view,
            rule,
            kind,
            obligations,
            warnings,
            explains,
            conceals,
            span: *span,
        })
    }

    /// The option whose word `i` is, or CL0114 with a suggestion.
    fn choose<T: Copy>(
        &mut self,
        i: &Ident,
        what: &str,
        options: &[T],
        word: fn(T) -> &'static str,
    ) -> Option<T> {
        if let Some(&found) = options.iter().find(|&&o| word(o) == i.name) {
            return Some(found);
        }
        let words: Vec<&str> = options.iter().map(|&o| word(o)).collect();
        let help = suggest::one_of(&i.name, &words, &format!("{} is one of", article(what)));
        self.errors.push(
            Diagnostic::error(
                Code::TestField,
                format!("unknown {what} `{}`", i.name),
                i.span,
                format!("not {}", article(what)),
            )
            .with_help(help),
        );
        None
    }
}

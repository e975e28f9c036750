//! CL0304: a `test` block that names a role, team, organisation, category, flag or action the
//! policy does not declare.
//!
//! Such a request is refused before any rule is read (it fails closed), so an `expect deny`
//! would pass for the wrong reason. `caselock check`, the CI gate, reports it; a test that means
//! to exercise the fail-closed refusal says so with `expect deny fails_closed REASON` and is left
//! alone.

use crate::check::names::{SymbolKind, Symbols};
use crate::diag::{Code, Diagnostic, suggest};
use crate::policy::Policy;
use crate::syntax::ast::{Ident, TestBlock, TestField, TestStatement, TestValue};

/// Every unknown name in a test block, as a diagnostic (none when the test expects the request
/// to fail closed).
pub(in crate::check) fn unknown_names(symbols: &Symbols, block: &TestBlock) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !expects_fail_closed(block) {
        for st in &block.statements {
            match st {
                TestStatement::Subject(_, fields, _) => {
                    names(symbols, fields, "roles", SymbolKind::Role, &mut out);
                    names(symbols, fields, "teams", SymbolKind::Team, &mut out);
                    names(
                        symbols,
                        fields,
                        "organisation",
                        SymbolKind::Organisation,
                        &mut out,
                    );
                }
                TestStatement::Record(_, fields, _) => {
                    names(symbols, fields, "category", SymbolKind::Category, &mut out);
                    names(symbols, fields, "flags", SymbolKind::Flag, &mut out);
                    names(symbols, fields, "facts", SymbolKind::Fact, &mut out);
                    names(symbols, fields, "section", SymbolKind::Section, &mut out);
                    for key in ["teams", "named_allow", "named_deny"] {
                        names(symbols, fields, key, SymbolKind::Team, &mut out);
                    }
                }
                TestStatement::Linked(_, fields, _) => {
                    names(symbols, fields, "link", SymbolKind::Link, &mut out);
                    names(symbols, fields, "category", SymbolKind::Category, &mut out);
                    for key in ["named_allow", "named_deny"] {
                        names(symbols, fields, key, SymbolKind::Team, &mut out);
                    }
                }
                TestStatement::Restriction(c, fields, _) => {
                    known(symbols, c, SymbolKind::Category, &mut out);
                    for key in ["named_allow", "named_deny"] {
                        names(symbols, fields, key, SymbolKind::Team, &mut out);
                    }
                }
                TestStatement::Action(a, _) => {
                    if crate::policy::Change::from_word(&a.name).is_none() {
                        known(symbols, a, SymbolKind::Action, &mut out);
                    }
                }
                TestStatement::Change(fields, _) => {
                    names(symbols, fields, "category", SymbolKind::Category, &mut out);
                    names(symbols, fields, "flag", SymbolKind::Flag, &mut out);
                }
                TestStatement::Approval(fields, _) => {
                    names(symbols, fields, "roles", SymbolKind::Role, &mut out);
                    names(symbols, fields, "teams", SymbolKind::Team, &mut out);
                }
                TestStatement::TemporaryGrant(fields, _) => {
                    names(symbols, fields, "actions", SymbolKind::Action, &mut out);
                    names(
                        symbols,
                        fields,
                        "approver_roles",
                        SymbolKind::Role,
                        &mut out,
                    );
                    names(
                        symbols,
                        fields,
                        "approver_teams",
                        SymbolKind::Team,
                        &mut out,
                    );
                }
                TestStatement::ActingFor(_, fields, _) => {
                    names(symbols, fields, "roles", SymbolKind::Role, &mut out);
                    names(symbols, fields, "teams", SymbolKind::Team, &mut out);
                    names(
                        symbols,
                        fields,
                        "organisation",
                        SymbolKind::Organisation,
                        &mut out,
                    );
                    names(
                        symbols,
                        fields,
                        "approver_roles",
                        SymbolKind::Role,
                        &mut out,
                    );
                    names(
                        symbols,
                        fields,
                        "approver_teams",
                        SymbolKind::Team,
                        &mut out,
                    );
                }
                TestStatement::Context(fields, _) => {
                    for f in fields {
                        known(symbols, &f.key, SymbolKind::Context, &mut out);
                    }
                }
                TestStatement::At(..) | TestStatement::Expect(..) => {}
            }
        }
    }
    out
}

/// Every temporary grant in a test block whose `kind` no category of the policy gives (none when
/// the test expects the request to fail closed): such a grant is refused before any rule is read.
pub(in crate::check) fn unknown_kinds(p: &Policy, block: &TestBlock) -> Vec<Diagnostic> {
    if expects_fail_closed(block) {
        return Vec::new();
    }
    let kinds: Vec<&str> = p
        .categories
        .iter()
        .flat_map(|c| c.temporary.iter().filter_map(|t| t.kind_name()))
        .collect();
    let mut out = Vec::new();
    for st in &block.statements {
        let TestStatement::TemporaryGrant(fields, _) = st else {
            continue;
        };
        for f in fields.iter().filter(|f| f.key.name == "kind") {
            for v in &f.values {
                let TestValue::Name(name) = v else { continue };
                if kinds.contains(&name.name.as_str()) {
                    continue;
                }
                let help = suggest::did_you_mean(&name.name, kinds.iter().copied()).unwrap_or_else(|| {
                    "the request would be refused before any rule is read; name a kind a `temporary` statement gives, leave `kind` out for the default kind, or write `expect deny fails_closed unknown_grant_kind` to test that refusal".to_string()
                });
                out.push(
                    Diagnostic::error(
                        Code::TestUnknownName,
                        format!(
                            "the test names an unknown kind of temporary access `{}`",
                            name.name
                        ),
                        name.span,
                        "no category gives this kind",
                    )
                    .with_help(help),
                );
            }
        }
    }
    out
}

pub(in crate::check) fn expects_fail_closed(block: &TestBlock) -> bool {
    block.statements.iter().any(|st| match st {
        TestStatement::Expect(_, fields, _) => fields.iter().any(|f| f.key.name == "fails_closed"),
        _ => false,
    })
}

/// The names (not strings: a string on an access list is a person's id) of one field.
fn names(
    symbols: &Symbols,
    fields: &[TestField],
    key: &str,
    kind: SymbolKind,
    out: &mut Vec<Diagnostic>,
) {
    for f in fields.iter().filter(|f| f.key.name == key) {
        for v in &f.values {
            if let TestValue::Name(name) = v {
                known(symbols, name, kind, out);
            }
        }
    }
}

fn known(symbols: &Symbols, name: &Ident, kind: SymbolKind, out: &mut Vec<Diagnostic>) {
    let found = symbols.get(&name.name);
    if found.is_some_and(|s| s.kind == kind) {
        return;
    }
    let mut d = Diagnostic::error(
        Code::TestUnknownName,
        format!("the test names an unknown {} `{}`", kind.word(), name.name),
        name.span,
        "not declared by the policy",
    );
    if let Some(s) = found {
        d = d.with_label(
            s.span,
            format!("`{}` is {}", name.name, s.kind.with_article()),
        );
    }
    let help = suggest::did_you_mean(&name.name, symbols.names_of(kind)).unwrap_or_else(|| {
        format!(
            "the request would be refused before any rule is read; declare the {}, or write `expect deny fails_closed unknown_{}` to test that refusal",
            kind.word(),
            kind.word()
        )
    });
    out.push(d.with_help(help));
}

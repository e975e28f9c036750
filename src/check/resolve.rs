//! Resolves names and builds the policy, collecting every diagnostic rather than stopping.
//!
//! The orchestrator: declarations first ([`super::declarations`]), then the hierarchies and
//! groups ([`super::hierarchy`]), then every item in source order, each checked by the module
//! that owns it: subjects ([`super::subjects`]), approvers ([`super::approvals`]), categories
//! ([`super::categories`], with shared rules from [`super::shared`]), flags ([`super::flags`]),
//! retention ([`super::retention`]) and tests ([`super::tests`]).

use chrono::NaiveDate;

use super::declarations::named;
use super::disclosure::disclosure;
use super::names::{Symbol, SymbolKind, Symbols};
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::span::Span;
use crate::syntax::ast;

/// Collects declarations, then resolves every use.
#[derive(Default)]
pub(super) struct Resolver {
    /// Every declared name.
    pub(super) symbols: Symbols,
    /// Every problem found so far.
    pub(super) diags: Vec<Diagnostic>,
    /// Each group's resolved condition, by group index (`None` until resolved, or when it failed).
    pub(super) groups: Vec<Option<Condition>>,
    /// Each board's members' condition, by board index (`None` until resolved, or when it
    /// failed).
    pub(super) boards: Vec<Option<Condition>>,
}

impl Resolver {
    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }

    pub(super) fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(super) fn declare(&mut self, kind: SymbolKind, name: &ast::Ident) -> Option<u32> {
        let r = self.symbols.declare(kind, name);
        self.ok(r)
    }

    pub(super) fn resolve(
        &mut self,
        name: &ast::Ident,
        kinds: &[SymbolKind],
        what: &str,
    ) -> Option<Symbol> {
        let r = self.symbols.resolve(name, kinds, what);
        self.ok(r)
    }

    pub(super) fn ok<T>(&mut self, r: Result<T, Diagnostic>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(d) => {
                self.report(d);
                None
            }
        }
    }

    pub(super) fn policy(&mut self, files: &[ast::File]) -> Option<Policy> {
        let header = self.header(files);
        let items: Vec<&ast::Item> = files.iter().flat_map(|f| f.items.iter()).collect();

        let mut p = Policy {
            id: header.map_or(String::new(), |h| h.name.name.clone()),
            title: header.map_or(String::new(), |h| h.title.value.clone()),
            version: header.and_then(|h| h.version.as_ref().map(|v| v.value)),
            sources: Vec::new(),
            systems: Vec::new(),
            updated: None,
            span: header.map_or(Span::default(), |h| h.span),
            actions: Vec::new(),
            sections: Vec::new(),
            links: Vec::new(),
            roles: Vec::new(),
            teams: Vec::new(),
            persons: Vec::new(),
            organisations: Vec::new(),
            contexts: Vec::new(),
            context_values: Vec::new(),
            groups: Vec::new(),
            boards: Vec::new(),
            obligations: Vec::new(),
            escalations: Vec::new(),
            approvals: Vec::new(),
            unstated_approvals: Vec::new(),
            disclose: None,
            acting: Vec::new(),
            unrestricted: None,
            categories: Vec::new(),
            flags: Vec::new(),
            facts: Vec::new(),
            restriction_rules: RestrictionRules::default(),
            retention: Vec::new(),
            tests: Vec::new(),
        };

        self.declare_all(&items, &mut p);
        self.hierarchies(&items, &mut p);
        self.resolve_groups(&items, &mut p);
        self.resolve_boards(&items, &mut p);

        p.disclose = self.policy_disclosure(&items);
        let shared = self.shared_rules(&items, &p);

        let mut unrestricted_span: Option<Span> = None;
        let mut tests: Vec<&ast::TestBlock> = Vec::new();
        for item in &items {
            match item {
                ast::Item::Source(s, _) => p.sources.extend(s.iter().map(|s| s.value.clone())),
                ast::Item::Systems(s, _) => p.systems.extend(s.iter().map(|s| s.name.clone())),
                ast::Item::Updated(d, _) => p.updated = self.date(d),
                ast::Item::Escalation(e) => {
                    if let Some(chain) = self.chain(&e.chain) {
                        p.escalations.push(Escalation {
                            named: named(&e.name, e.title.as_ref()),
                            chain,
                        });
                    }
                }
                ast::Item::Approve(a) => {
                    let (stated, unstated) = self.approve(a);
                    p.approvals.extend(stated);
                    p.unstated_approvals.extend(unstated);
                }
                ast::Item::Acting(a) => p.acting.extend(self.acting(a)),
                ast::Item::Unrestricted(b) => {
                    if let Some(first) = unrestricted_span {
                        self.report(
                            Diagnostic::error(
                                Code::Repeated,
                                "`unrestricted` is given twice",
                                b.span,
                                "given again here",
                            )
                            .with_label(first, "first given here")
                            .with_help("merge the two blocks into one"),
                        );
                    } else {
                        unrestricted_span = Some(b.span);
                        p.unrestricted = self.category(
                            CategoryKind::Unrestricted,
                            (
                                CategoryKind::UNRESTRICTED,
                                // The block starts with its keyword.
                                Span {
                                    end: b.span.start + CategoryKind::UNRESTRICTED.len() as u32,
                                    ..b.span
                                },
                            ),
                            None,
                            b,
                            b.span,
                            (&p, &shared),
                        );
                    }
                }
                ast::Item::Category(c) => {
                    if let Some(cat) = self.category(
                        CategoryKind::Restriction,
                        (c.name.name.as_str(), c.name.span),
                        c.title.as_ref(),
                        &c.body,
                        c.span,
                        (&p, &shared),
                    ) {
                        p.categories.push(cat);
                    }
                }
                ast::Item::Flag(f) => {
                    if let Some(flag) = self.flag(f) {
                        p.flags.push(flag);
                    }
                }
                ast::Item::Retention(r) => {
                    if let Some(ret) = self.retention(r) {
                        p.retention.push(ret);
                    }
                }
                ast::Item::Test(t) => {
                    self.test_uses(t);
                    tests.push(t);
                }
                ast::Item::Decl(_)
                | ast::Item::Trigger(_)
                | ast::Item::NoTrigger(..)
                | ast::Item::NeverRestrict(_)
                | ast::Item::Exclusive(_)
                | ast::Item::Context(_)
                | ast::Item::Group(_)
                | ast::Item::Board(_)
                | ast::Item::Obligation(_)
                | ast::Item::Rules(_)
                | ast::Item::Use(..)
                | ast::Item::Disclose(..) => {}
            }
        }
        self.flag_limit(&p);
        self.acting_for_uses(&p);
        self.restriction_rules(&items, &mut p);
        // After `unused`: a malformed test does not hide an unused declaration.
        self.unused(&p);
        for t in tests {
            match super::tests::test_case(t) {
                Ok(case) => {
                    self.test_context(&case, t, &p);
                    p.tests.push(case);
                }
                Err(errors) => self.diags.extend(errors),
            }
            let mut unknown = super::tests::unknown_names(&self.symbols, t);
            unknown.extend(super::tests::unknown_kinds(&p, t));
            self.diags.extend(unknown);
        }
        header.map(|_| p)
    }

    /// The top-level `disclose`, read before the categories so each can fall back on it.
    fn policy_disclosure(&mut self, items: &[&ast::Item]) -> Option<Disclosure> {
        let mut found: Option<(Span, Option<Disclosure>)> = None;
        for item in items {
            let ast::Item::Disclose(list, span) = item else {
                continue;
            };
            if let Some((first, _)) = &found {
                self.report(
                    Diagnostic::error(
                        Code::Repeated,
                        "the policy-wide `disclose` is given twice",
                        *span,
                        "given again here",
                    )
                    .with_label(*first, "first given here")
                    .with_help("keep one top-level `disclose` statement"),
                );
                continue;
            }
            match disclosure(list) {
                Ok(d) => found = Some((*span, Some(d))),
                Err(errors) => {
                    errors.into_iter().for_each(|e| self.report(e));
                    found = Some((*span, None));
                }
            }
        }
        found.and_then(|(_, d)| d)
    }

    fn header<'a>(&mut self, files: &'a [ast::File]) -> Option<&'a ast::Header> {
        let headers: Vec<&ast::Header> = files.iter().filter_map(|f| f.header.as_ref()).collect();
        match headers.as_slice() {
            [] => {
                let span = files.first().map_or(Span::default(), |f| Span {
                    end: f.span.start,
                    ..f.span
                });
                self.report(
                    Diagnostic::error(
                        Code::Header,
                        "no file of this policy has a `policy` header",
                        span,
                        "expected `policy ID \"Title\" version N` here",
                    )
                    .with_help(
                        "start the policy's main file with `policy my_council \"Title\" version 1`",
                    ),
                );
                None
            }
            [one] => Some(one),
            [first, rest @ ..] => {
                for h in rest {
                    self.report(
                        Diagnostic::error(
                            Code::Header,
                            "a policy has more than one `policy` header",
                            h.span,
                            "second header",
                        )
                        .with_label(first.span, "first header")
                        .with_help("a policy directory holds one policy: remove this header, or move the file to its own directory"),
                    );
                }
                Some(first)
            }
        }
    }

    fn date(&mut self, d: &ast::DateLit) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(&d.text, "%Y-%m-%d") {
            Ok(v) => Some(v),
            Err(_) => {
                // The parser reports these first (CL0002); kept so the model never holds one.
                let e = crate::syntax::SyntaxError::Literal(
                    crate::syntax::LiteralError::not_a_date(d.span, &d.text),
                );
                self.report(e.to_diagnostic());
                None
            }
        }
    }
}

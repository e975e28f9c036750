//! Rules about restrictions themselves: `trigger`, `trigger never`, `never restrict` and
//! `exclusive`. Their categories and facts are declared names (CL0101, CL0103); a condition
//! names facts only (CL0180); a category list names each category once, and `exclusive` at
//! least two (CL0181); `trigger never` stands alone (CL0182, CL0110); a reason is not empty
//! (CL0119); a policy declares at most [`MAX_FACTS`] facts.

use super::names::SymbolKind;
use super::resolve::Resolver;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::span::Span;
use crate::syntax::ast;

impl Resolver {
    /// Reads every rule about restrictions of the policy, in source order.
    pub(super) fn restriction_rules(&mut self, items: &[&ast::Item], p: &mut Policy) {
        if let Some(f) = p.facts.get(MAX_FACTS) {
            self.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("a policy may declare at most {MAX_FACTS} facts"),
                    f.span,
                    "one too many",
                )
                .with_help("merge facts that always trigger the same restrictions"),
            );
        }
        let mut rules = RestrictionRules::default();
        let mut first_trigger: Option<Span> = None;
        for item in items {
            match item {
                ast::Item::Trigger(t) => {
                    first_trigger.get_or_insert(t.span);
                    let category = self.category_name(&t.category);
                    let when = self.fact_condition(&t.when);
                    let reason = self.reason(t.reason.as_ref(), "trigger");
                    if let (Some(category), Some(when)) = (category, when) {
                        rules.triggers.push(Trigger {
                            category,
                            when,
                            reason,
                            span: t.span,
                        });
                    }
                }
                ast::Item::NoTrigger(why, span) => {
                    if let Some((_, first)) = &rules.no_triggers {
                        self.report(
                            Diagnostic::error(
                                Code::Repeated,
                                "`trigger never` is given twice",
                                *span,
                                "given again here",
                            )
                            .with_label(*first, "first given here")
                            .with_help("keep one `trigger never` statement"),
                        );
                        continue;
                    }
                    let reason = self.reason(Some(why), "trigger never").unwrap_or_default();
                    rules.no_triggers = Some((reason, *span));
                }
                ast::Item::NeverRestrict(n) => {
                    let categories = self.category_list(&n.categories, "never restrict", 1);
                    let when = self.fact_condition(&n.when);
                    let reason = self.reason(n.reason.as_ref(), "never restrict");
                    if let (Some(categories), Some(when)) = (categories, when) {
                        rules.never.push(NeverRestrict {
                            categories,
                            when,
                            reason,
                            span: n.span,
                        });
                    }
                }
                ast::Item::Exclusive(e) => {
                    let categories = self.category_list(&e.categories, "exclusive", 2);
                    let reason = self.reason(e.reason.as_ref(), "exclusive");
                    if let Some(categories) = categories {
                        rules.exclusive.push(Exclusive {
                            categories,
                            reason,
                            span: e.span,
                        });
                    }
                }
                _ => {}
            }
        }
        if let (Some((_, none)), Some(trigger)) = (&rules.no_triggers, first_trigger) {
            self.report(
                Diagnostic::error(
                    Code::TriggerNoneContradicted,
                    "the policy says nothing requires a restriction, and gives a trigger",
                    trigger,
                    "a trigger",
                )
                .with_label(*none, "`trigger never` says there is none")
                .with_help(
                    "keep `trigger never` if the source names no situation that requires a restriction; otherwise remove it",
                ),
            );
        }
        p.restriction_rules = rules;
    }

    fn category_name(&mut self, name: &ast::Ident) -> Option<String> {
        self.resolve(name, &[SymbolKind::Category], "a category")
            .map(|_| name.name.clone())
    }

    /// Categories each named once, at least `least` of them (an empty list is "every category"
    /// where `least` is 1 and the list may be left out).
    fn category_list(
        &mut self,
        list: &[ast::Ident],
        statement: &str,
        least: usize,
    ) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let mut ok = true;
        for (i, c) in list.iter().enumerate() {
            if let Some(first) = list[..i].iter().find(|f| f.name == c.name) {
                self.report(
                    Diagnostic::error(
                        Code::CategoryListShape,
                        format!("`{statement}` lists category `{}` twice", c.name),
                        c.span,
                        "listed again here",
                    )
                    .with_label(first.span, "first listed here")
                    .with_help("list each category once"),
                );
                ok = false;
                continue;
            }
            match self.category_name(c) {
                Some(name) => out.push(name),
                None => ok = false,
            }
        }
        if ok && !list.is_empty() && out.len() < least {
            let span = list.first().map(|c| c.span).unwrap_or_default();
            self.report(
                Diagnostic::error(
                    Code::CategoryListShape,
                    format!("`{statement}` needs at least {least} different categories"),
                    span,
                    "only one category",
                )
                .with_help("name the categories no record may carry together: `exclusive adoption, post_adoption`"),
            );
            ok = false;
        }
        ok.then_some(out)
    }

    /// A condition over the record's facts: bare fact names joined by `and`, `not` and commas.
    fn fact_condition(&mut self, s: &ast::Subjects) -> Option<FactCondition> {
        let mut terms = Vec::new();
        let mut ok = true;
        for t in &s.terms {
            let mut term = FactTerm::default();
            for l in &t.literals {
                let ast::Atom::Name { kind: None, name } = &l.atom else {
                    self.report(
                        Diagnostic::error(
                            Code::FactConditionAtom,
                            "a trigger's condition names facts about the record only",
                            l.span,
                            "not a fact",
                        )
                        .with_help(
                            "declare the fact (`fact adoption_plan \"Adoption is the permanence plan\"`) and name it here; who asks is for the categories' rules",
                        ),
                    );
                    ok = false;
                    continue;
                };
                let Some(sym) = self.resolve(name, &[SymbolKind::Fact], "a fact") else {
                    ok = false;
                    continue;
                };
                if l.negated {
                    term.not.push(sym.index);
                } else {
                    term.all.push(sym.index);
                }
            }
            term.all.sort_unstable();
            term.all.dedup();
            term.not.sort_unstable();
            term.not.dedup();
            terms.push(term);
        }
        ok.then_some(FactCondition { terms })
    }

    /// A statement's reason, which must not be empty when given (CL0119).
    fn reason(&mut self, why: Option<&ast::Str>, statement: &str) -> Option<String> {
        let why = why?;
        if why.value.trim().is_empty() {
            self.report(
                Diagnostic::error(
                    Code::SilenceWithoutReason,
                    format!("`{statement}` gives an empty reason"),
                    why.span,
                    "empty text",
                )
                .with_help("say why, in the source's words, and where the source says it"),
            );
        }
        Some(why.value.clone())
    }
}

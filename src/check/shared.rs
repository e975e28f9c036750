//! Shared rules: `rules NAME { ... }` blocks, checked once, and the `use` statements that inline
//! them into categories.
//!
//! A shared rule becomes an ordinary rule of each category that uses it, in the place of the
//! `use` (a top-level `use` stands before each category's first statement), so the combining
//! rule, the compiled table and the analysis treat it exactly as if it were written there. Its
//! id is `CATEGORY.BLOCK.grant.N` (or `.deny.N`), numbered within its block, so it is the same
//! in every category and does not renumber the category's own rules; its span stays on the
//! shared block, so every diagnostic about it points at the line that says it.

use std::collections::HashMap;

use super::categories::RuleNumbers;
use super::names::SymbolKind;
use super::resolve::Resolver;
use crate::diag::{Code, Diagnostic};
use crate::policy::{CategoryKind, Policy, Rule};
use crate::span::Span;
use crate::syntax::ast;

/// The rules blocks of a policy and its top-level `use`.
#[derive(Debug, Default)]
pub(super) struct Shared {
    /// Each block's rules, with ids `BLOCK.grant.N`, by block name; `None` when a rule of the
    /// block failed to check (its errors are reported once, where the block is written).
    blocks: HashMap<String, Option<Vec<Rule>>>,
    /// The blocks every category uses, in order, with where the top-level `use` names them.
    every_category: Vec<(String, Span)>,
}

impl Resolver {
    /// Checks every rules block once and reads the top-level `use` statements.
    pub(super) fn shared_rules(&mut self, items: &[&ast::Item], p: &Policy) -> Shared {
        let mut shared = Shared::default();
        for item in items {
            match item {
                ast::Item::Rules(block) => {
                    if shared.blocks.contains_key(&block.name.name) {
                        // Declared twice: CL0102 was reported by the declarations.
                        continue;
                    }
                    let rules = self.block_rules(block, p);
                    shared.blocks.insert(block.name.name.clone(), rules);
                }
                ast::Item::Use(names, _) => {
                    for name in names {
                        if let Some(first) =
                            shared.every_category.iter().find(|(n, _)| *n == name.name)
                        {
                            let first = first.1;
                            self.report(twice(name, first, "every category"));
                            continue;
                        }
                        if self
                            .resolve(name, &[SymbolKind::Rules], "a rules block")
                            .is_some()
                        {
                            shared.every_category.push((name.name.clone(), name.span));
                        }
                    }
                }
                _ => {}
            }
        }
        shared
    }

    fn block_rules(&mut self, block: &ast::RulesBlock, p: &Policy) -> Option<Vec<Rule>> {
        let mut numbers = RuleNumbers::default();
        let mut rules = Vec::new();
        let mut ok = true;
        for st in &block.statements {
            let (r, is_grant) = match st {
                ast::Statement::Grant(r) => (r, true),
                ast::Statement::Deny(r) => (r, false),
                // INVARIANT: the grammar allows only grants and denies in a rules block.
                _ => continue,
            };
            let n = numbers.next(is_grant);
            match self.rule(&block.name.name, r, is_grant, n, p) {
                Some(rule) => rules.push(rule),
                None => ok = false,
            }
        }
        ok.then_some(rules)
    }

    /// A category's own `use NAME, ...`: the shared rules in this place of its rules. `used`
    /// holds the blocks the category already has, with where they were taken in.
    pub(super) fn use_in_category(
        &mut self,
        shared: &Shared,
        names: &[ast::Ident],
        (kind, category): (CategoryKind, &str),
        used: &mut Vec<(String, Span)>,
    ) -> Vec<Rule> {
        let mut out = Vec::new();
        for name in names {
            let policy_wide = shared
                .every_category
                .iter()
                .find(|(n, _)| *n == name.name)
                .filter(|_| kind == CategoryKind::Restriction);
            if let Some((_, at)) =
                policy_wide.or_else(|| used.iter().find(|(n, _)| *n == name.name))
            {
                let at = *at;
                self.report(twice(name, at, &format!("category `{category}`")));
                continue;
            }
            if self
                .resolve(name, &[SymbolKind::Rules], "a rules block")
                .is_none()
            {
                continue;
            }
            used.push((name.name.clone(), name.span));
            out.extend(inlined(shared, &name.name, category));
        }
        out
    }
}

impl Shared {
    /// The shared rules a category takes in before its own statements: the top-level `use`
    /// (restriction categories only: the unrestricted block takes shared rules only when it
    /// says so itself).
    pub(super) fn every_category(&self, kind: CategoryKind, category: &str) -> Vec<Rule> {
        if kind == CategoryKind::Unrestricted {
            return Vec::new();
        }
        self.every_category
            .iter()
            .flat_map(|(name, _)| inlined(self, name, category))
            .collect()
    }
}

/// A block's rules as rules of one category: ids prefixed with the category's name.
fn inlined(shared: &Shared, block: &str, category: &str) -> Vec<Rule> {
    shared
        .blocks
        .get(block)
        .and_then(Option::as_ref)
        .map(|rules| {
            rules
                .iter()
                .map(|r| Rule {
                    id: format!("{category}.{}", r.id),
                    ..r.clone()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// CL0110: a rules block taken in twice by one category.
fn twice(name: &ast::Ident, first: Span, place: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Repeated,
        format!("rules `{}` are used twice in {place}", name.name),
        name.span,
        "used again here",
    )
    .with_label(first, "first used here")
    .with_help(
        "each rules block is taken in once per category: a top-level `use` already puts it in every category",
    )
}

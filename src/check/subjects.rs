//! Subjects: a subject list (`team a and not role b, owner`) resolved to a [`Condition`], with
//! relations checked for where they appear and the size of the expansion bounded (CL0116).

use super::names::SymbolKind;
use super::resolve::Resolver;
use super::values;
use crate::diag::{Code, Diagnostic, suggest};
use crate::policy::*;
use crate::span::Span;
use crate::syntax::ast;

const SUBJECT_KINDS: &[SymbolKind] = &[
    SymbolKind::Role,
    SymbolKind::Team,
    SymbolKind::Person,
    SymbolKind::Organisation,
    SymbolKind::Group,
];

/// Where a subject expression appears, which decides which relations it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Rule,
    Group,
    TemporaryTo,
}

impl Resolver {
    /// Resolves a subject list to a condition, refusing one larger than [`MAX_CONDITION_SIZE`].
    pub(super) fn subjects(
        &mut self,
        s: &ast::Subjects,
        ctx: Context,
        p: &Policy,
    ) -> Option<Condition> {
        let mut out = Condition { terms: Vec::new() };
        let mut ok = true;
        for t in &s.terms {
            let mut term = Condition::everyone();
            for l in &t.literals {
                let Some(c) = self.literal(l, ctx, p) else {
                    ok = false;
                    continue;
                };
                let room = MAX_CONDITION_SIZE.saturating_sub(out.size());
                match term.and_within(&c, room) {
                    Some(product) => term = product,
                    None => {
                        self.report(too_large(s, l.span));
                        return None;
                    }
                }
            }
            term.normalise();
            out.terms.append(&mut term.terms);
            if out.size() > MAX_CONDITION_SIZE {
                self.report(too_large(s, t.span));
                return None;
            }
        }
        ok.then_some(out)
    }

    pub(super) fn literal(
        &mut self,
        l: &ast::Literal,
        ctx: Context,
        p: &Policy,
    ) -> Option<Condition> {
        let cond = match &l.atom {
            ast::Atom::Context { dimension, value } => {
                Condition::atom(Atom::Context(self.context_value(dimension, value, p)?))
            }
            ast::Atom::OrgKind(k) => Condition::atom(Atom::OrgKind(self.ok(values::org_kind(k))?)),
            ast::Atom::Name { kind: None, name } if name.name == "everyone" => {
                if l.negated {
                    self.report(
                        Diagnostic::error(
                            Code::InvalidValue,
                            "`not everyone` matches nobody",
                            l.span,
                            "matches nobody",
                        )
                        .with_help("remove the rule instead"),
                    );
                    return None;
                }
                return Some(Condition::everyone());
            }
            ast::Atom::Name { kind: None, name } if relation_word(&name.name).is_some() => {
                let rel = relation_word(&name.name)?;
                if rel == Relation::LineManager {
                    let place = match ctx {
                        Context::Rule => "a grant or deny",
                        Context::Group => "a group",
                        Context::TemporaryTo => "a temporary statement's `to` list",
                    };
                    self.report(
                        Diagnostic::error(
                            Code::RelationMisplaced,
                            format!("`line_manager` cannot be used in {place}"),
                            name.span,
                            "only known while an approval is routed",
                        )
                        .with_help("use `line_manager` in `approve ... by` chains; in rules use `allocated_manager`"),
                    );
                    return None;
                }
                Condition::atom(Atom::Relation(rel))
            }
            ast::Atom::Name { kind, name } => {
                let (kinds, what): (&[SymbolKind], String) = match kind {
                    Some(k) => {
                        let sk = SymbolKind::from(*k);
                        (
                            std::slice::from_ref(kind_static(sk)),
                            sk.with_article().to_string(),
                        )
                    }
                    None => (SUBJECT_KINDS, "a subject".to_string()),
                };
                let sym = self.resolve(name, kinds, &what)?;
                match sym.kind {
                    SymbolKind::Role => Condition::atom(Atom::Role(sym.index)),
                    SymbolKind::Team => Condition::atom(Atom::Team(sym.index)),
                    SymbolKind::Person => Condition::atom(Atom::Person(sym.index)),
                    SymbolKind::Organisation => Condition::atom(Atom::Organisation(sym.index)),
                    // A board's members, as a group's.
                    SymbolKind::Board => self.boards.get(sym.index as usize).cloned().flatten()?,
                    _ => {
                        let g = self
                            .groups
                            .get(sym.index as usize)
                            .cloned()
                            .flatten()
                            .or_else(|| {
                                p.groups
                                    .get(sym.index as usize)
                                    .map(|g| g.condition.clone())
                            })?;
                        if l.negated {
                            let single = matches!(g.terms.as_slice(), [t] if t.len() == 1);
                            if !single {
                                self.report(
                                    Diagnostic::error(
                                        Code::InvalidValue,
                                        format!("group `{}` cannot be negated", name.name),
                                        l.span,
                                        "`not` of a group of several members",
                                    )
                                    .with_help("negate its members one by one: `not team a and not team b`"),
                                );
                                return None;
                            }
                            let mut lit = g.terms[0][0];
                            lit.negated = !lit.negated;
                            return Some(Condition {
                                terms: vec![vec![lit]],
                            });
                        }
                        return Some(g);
                    }
                }
            }
        };
        if l.negated {
            let mut c = cond;
            for t in &mut c.terms {
                for lit in t.iter_mut() {
                    lit.negated = !lit.negated;
                }
            }
            Some(c)
        } else {
            Some(cond)
        }
    }
}

impl Resolver {
    /// The value `value` of the context `dimension` (CL0101 for an unknown context, CL0140 for
    /// a value it does not list).
    pub(super) fn context_value(
        &mut self,
        dimension: &ast::Ident,
        value: &ast::Ident,
        p: &Policy,
    ) -> Option<ContextValueId> {
        let sym = self.resolve(dimension, &[SymbolKind::Context], "a context")?;
        let mut values = p
            .context_values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.context == sym.index);
        if let Some((i, _)) = values.clone().find(|(_, v)| v.named.name == value.name) {
            return ContextValueId::try_from(i).ok();
        }
        let listed: Vec<&str> = values
            .by_ref()
            .map(|(_, v)| v.named.name.as_str())
            .collect();
        self.report(
            Diagnostic::error(
                Code::UnknownContextValue,
                format!("context `{}` has no value `{}`", dimension.name, value.name),
                value.span,
                "not one of its values",
            )
            .with_label(sym.span, format!("`{}` is declared here", dimension.name))
            .with_help(suggest::one_of(
                &value.name,
                &listed,
                &format!("`{}` is one of", dimension.name),
            )),
        );
        None
    }
}

impl Resolver {
    /// CL0142: a grant's (or a temporary `to` list's) condition that holds through `not` of a
    /// context value, which a request that states no value for the context also meets. Said at
    /// the literal when it is written in the list, else (through a group) at the list.
    pub(super) fn negated_context(&mut self, s: &ast::Subjects, c: &Condition, p: &Policy) {
        let mut seen: Vec<ContextValueId> = Vec::new();
        for lit in c.terms.iter().flatten() {
            let (Atom::Context(v), true) = (lit.atom, lit.negated) else {
                continue;
            };
            if seen.contains(&v) {
                continue;
            }
            seen.push(v);
            let Some(said) = words::Titles::context_value(p, v) else {
                continue;
            };
            let written = s.terms.iter().flat_map(|t| &t.literals).find(|l| {
                l.negated
                    && matches!(&l.atom, ast::Atom::Context { dimension, value }
                        if dimension.name == said.context && value.name == said.value)
            });
            let others: Vec<String> = p
                .context_values
                .iter()
                .enumerate()
                .filter(|(i, x)| {
                    Some(x.context) == p.context_values.get(v as usize).map(|y| y.context)
                        && *i != v as usize
                })
                .map(|(_, x)| format!("`{} {}`", said.context, x.named.name))
                .collect();
            let help = if others.is_empty() {
                format!(
                    "deny to `{} {}` instead, so a request that states no `{}` is refused",
                    said.context, said.value, said.context
                )
            } else {
                format!(
                    "grant to {} (the values that are required), or deny to `{} {}`",
                    words::join_or(&others, "or"),
                    said.context,
                    said.value
                )
            };
            self.report(
                Diagnostic::warning(
                    Code::NegatedContextGrant,
                    format!(
                        "`not {} {}` also holds for a request that states no `{}`",
                        said.context, said.value, said.context
                    ),
                    written.map_or(s.span, |l| l.span),
                    "holds when the context is left out",
                )
                .with_help(help),
            );
        }
    }

    /// CL0140 for a test's context value its context does not list (an unknown context is
    /// CL0304's), unless the test expects the request to fail closed.
    pub(super) fn test_context(&mut self, case: &TestCase, block: &ast::TestBlock, p: &Policy) {
        if super::tests::expects_fail_closed(block) {
            return;
        }
        for c in &case.context {
            let known = self
                .symbols
                .get(&c.context.name)
                .is_some_and(|s| s.kind == SymbolKind::Context);
            if known {
                let ident = |n: &TestName| ast::Ident {
                    name: n.name.clone(),
                    span: n.span,
                };
                self.context_value(&ident(&c.context), &ident(&c.value), p);
            }
        }
    }
}

/// CL0116: a subject list whose expansion passes [`MAX_CONDITION_SIZE`] at `at`.
fn too_large(s: &ast::Subjects, at: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConditionTooLarge,
        format!("these subjects expand to more than {MAX_CONDITION_SIZE} names and alternatives"),
        at,
        "the limit is passed here",
    )
    .with_label(s.span, "in this subject list")
    .with_help(
        "`and` between groups multiplies their members: name the combinations that are meant, \
         or split the rule",
    )
}

pub(super) fn relation_word(w: &str) -> Option<Relation> {
    Relation::from_word(w)
}

pub(super) fn kind_static(k: SymbolKind) -> &'static SymbolKind {
    match k {
        SymbolKind::Role => &SymbolKind::Role,
        SymbolKind::Team => &SymbolKind::Team,
        SymbolKind::Person => &SymbolKind::Person,
        SymbolKind::Organisation => &SymbolKind::Organisation,
        SymbolKind::Group => &SymbolKind::Group,
        SymbolKind::Board => &SymbolKind::Board,
        SymbolKind::Action => &SymbolKind::Action,
        SymbolKind::Obligation => &SymbolKind::Obligation,
        SymbolKind::Escalation => &SymbolKind::Escalation,
        SymbolKind::Category => &SymbolKind::Category,
        SymbolKind::Retention => &SymbolKind::Retention,
        SymbolKind::Rules => &SymbolKind::Rules,
        SymbolKind::Flag => &SymbolKind::Flag,
        SymbolKind::Section => &SymbolKind::Section,
        SymbolKind::Link => &SymbolKind::Link,
        SymbolKind::Context => &SymbolKind::Context,
        SymbolKind::Fact => &SymbolKind::Fact,
    }
}

/// The subjects of a rule in the policy's own titles, for explanations: groups keep their title
/// rather than their members.
pub(super) fn describe_subjects(s: &ast::Subjects, p: &Policy) -> String {
    let title_of = |name: &str| -> String {
        p.groups
            .iter()
            .map(|g| &g.named)
            .chain(p.roles.iter().map(|m| &m.named))
            .chain(p.teams.iter().map(|m| &m.named))
            .chain(p.persons.iter().map(|m| &m.named))
            .chain(p.organisations.iter().map(|m| &m.named))
            .find(|n| n.name == name)
            .map_or_else(|| words::spoken(name), |n| n.title.clone())
    };
    let alternatives: Vec<String> = s
        .terms
        .iter()
        .map(|t| {
            let parts: Vec<String> = t
                .literals
                .iter()
                .map(|l| {
                    let atom = match &l.atom {
                        ast::Atom::OrgKind(k) => words::org_kind(&k.name),
                        ast::Atom::Context { dimension, value } => p
                            .context_values
                            .iter()
                            .find(|v| {
                                v.named.name == value.name
                                    && p.contexts.get(v.context as usize).map(|c| c.name.as_str())
                                        == Some(dimension.name.as_str())
                            })
                            .map_or_else(
                                || format!("{} {}", dimension.name, value.name),
                                |v| v.named.title.clone(),
                            ),
                        ast::Atom::Name { name, .. } => match Relation::from_word(&name.name) {
                            Some(r) => r.describe().to_string(),
                            None if name.name == "everyone" => words::EVERYONE.to_string(),
                            None => title_of(&name.name),
                        },
                    };
                    words::negated(atom, l.negated)
                })
                .collect();
            words::all_of(&parts)
        })
        .collect();
    words::subjects_text(&alternatives)
}

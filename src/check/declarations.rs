//! Declarations: every name a policy declares (actions, sections, links, roles, teams, people,
//! organisations, groups, obligations, escalations, categories, flags, retention schedules, rules
//! blocks), and the warning for those
//! nothing uses (CL0115).

use super::names::SymbolKind;
use super::resolve::Resolver;
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::syntax::ast;

impl Resolver {
    pub(super) fn declare_all(&mut self, items: &[&ast::Item], p: &mut Policy) {
        for item in items {
            match item {
                ast::Item::Decl(d) => {
                    for e in &d.entries {
                        self.declare_entry(d.kind, e, p);
                    }
                }
                ast::Item::Group(g) if self.declare(SymbolKind::Group, &g.name).is_some() => {
                    p.groups.push(Group {
                        named: named(&g.name, g.title.as_ref()),
                        condition: Condition::default(),
                    });
                }
                ast::Item::Board(b) if self.declare(SymbolKind::Board, &b.name).is_some() => {
                    p.boards.push(Board {
                        named: named(&b.name, b.title.as_ref()),
                        members: Vec::new(),
                        condition: Condition::default(),
                    });
                }
                ast::Item::Obligation(o)
                    if self.declare(SymbolKind::Obligation, &o.name).is_some() =>
                {
                    p.obligations.push(Obligation {
                        name: o.name.name.clone(),
                        text: o.text.value.clone(),
                        span: o.span,
                    });
                }
                ast::Item::Escalation(e) => {
                    self.declare(SymbolKind::Escalation, &e.name);
                }
                ast::Item::Category(c) => {
                    self.declare(SymbolKind::Category, &c.name);
                }
                ast::Item::Retention(r) => {
                    self.declare(SymbolKind::Retention, &r.name);
                }
                ast::Item::Rules(r) => {
                    self.declare(SymbolKind::Rules, &r.name);
                }
                ast::Item::Flag(f) => {
                    self.declare(SymbolKind::Flag, &f.name);
                }
                ast::Item::Context(c) => self.declare_context(c, p),
                _ => {}
            }
        }
        if p.actions.len() > MAX_ACTIONS {
            if let Some(a) = p.actions.get(MAX_ACTIONS) {
                let span = a.span;
                self.report(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("a policy may declare at most {MAX_ACTIONS} actions"),
                        span,
                        "one too many",
                    )
                    .with_help("merge actions that are always granted together"),
                );
            }
        }
    }

    /// A context and its values: the context's name in the one namespace, its values its own
    /// (CL0141 for a value listed twice; CL0104 for a keyword, which `network review` could not
    /// be written as).
    fn declare_context(&mut self, c: &ast::ContextDecl, p: &mut Policy) {
        if crate::syntax::keywords::is_keyword(&c.name.name) {
            self.report(
                Diagnostic::error(
                    Code::ReservedName,
                    format!("`{}` is a keyword and cannot name a context", c.name.name),
                    c.name.span,
                    "a keyword",
                )
                .with_help(format!(
                    "`{} VALUE` would read as another statement; choose another name, such as `{}_context`",
                    c.name.name, c.name.name
                )),
            );
            return;
        }
        if self.declare(SymbolKind::Context, &c.name).is_none() {
            return;
        }
        let context = p.contexts.len() as ContextId;
        p.contexts.push(named(&c.name, c.title.as_ref()));
        let mut seen: Vec<&ast::ContextValueDecl> = Vec::new();
        for v in &c.values {
            if crate::syntax::keywords::is_keyword(&v.name.name) {
                self.report(
                    Diagnostic::error(
                        Code::ReservedName,
                        format!(
                            "`{}` is a keyword and cannot be a context's value",
                            v.name.name
                        ),
                        v.name.span,
                        "a keyword",
                    )
                    .with_help(format!(
                        "`{} {}` would read as the start of a statement; choose another word",
                        c.name.name, v.name.name
                    )),
                );
                continue;
            }
            if let Some(first) = seen.iter().find(|s| s.name.name == v.name.name) {
                self.report(
                    Diagnostic::error(
                        Code::RepeatedContextValue,
                        format!("context `{}` lists `{}` twice", c.name.name, v.name.name),
                        v.name.span,
                        "listed again here",
                    )
                    .with_label(first.name.span, "first listed here")
                    .with_help("remove one of them, or name the value that was meant"),
                );
                continue;
            }
            seen.push(v);
            let title = v.title.as_ref().map_or_else(
                || {
                    format!(
                        "with {} {}",
                        words::spoken(&c.name.name),
                        words::spoken(&v.name.name)
                    )
                },
                |t| t.value.clone(),
            );
            p.context_values.push(ContextValue {
                named: Named {
                    name: v.name.name.clone(),
                    title,
                    span: v.name.span,
                },
                context,
            });
        }
    }

    pub(super) fn declare_entry(
        &mut self,
        kind: ast::DeclKind,
        e: &ast::DeclEntry,
        p: &mut Policy,
    ) {
        let sk = match kind {
            ast::DeclKind::Action => SymbolKind::Action,
            ast::DeclKind::Section => SymbolKind::Section,
            ast::DeclKind::Fact => SymbolKind::Fact,
            ast::DeclKind::Link => SymbolKind::Link,
            ast::DeclKind::Role => SymbolKind::Role,
            ast::DeclKind::Team => SymbolKind::Team,
            ast::DeclKind::Person => SymbolKind::Person,
            ast::DeclKind::Organisation => SymbolKind::Organisation,
        };
        if let Some(parent) = &e.parent {
            if !matches!(kind, ast::DeclKind::Role | ast::DeclKind::Team) {
                self.report(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("{} `{}` cannot have a parent", kind.keyword(), e.name.name),
                        parent.span,
                        "only roles and teams have parents",
                    )
                    .with_help("remove `in ...`; use a group to collect other kinds"),
                );
            }
        }
        if let Some(id) = &e.external_id {
            if kind != ast::DeclKind::Person {
                self.report(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("{} `{}` cannot have an id", kind.keyword(), e.name.name),
                        id.span,
                        "only people have ids",
                    )
                    .with_help("remove `id \"...\"`"),
                );
            }
        }
        let org_kind = match (&e.org_kind, kind) {
            (Some(k), _) => self.ok(values::org_kind(k)),
            _ => None,
        };
        if self.declare(sk, &e.name).is_none() {
            return;
        }
        if kind == ast::DeclKind::Action {
            if let Some(change) = crate::policy::Change::from_word(&e.name.name) {
                self.report(
                    Diagnostic::error(
                        Code::ReservedAction,
                        format!("`{}` is a lifecycle action every policy has", change.word()),
                        e.name.span,
                        "a lifecycle action's name",
                    )
                    .with_help(format!(
                        "who may do it is said with `approve {} by ...`; name this action otherwise",
                        change.purpose().word()
                    )),
                );
                return;
            }
        }
        let n = named(&e.name, e.title.as_ref());
        match kind {
            ast::DeclKind::Action => p.actions.push(n),
            ast::DeclKind::Section => p.sections.push(n),
            ast::DeclKind::Fact => p.facts.push(n),
            ast::DeclKind::Link => p.links.push(n),
            ast::DeclKind::Role => p.roles.push(Member {
                named: n,
                parent: None,
            }),
            ast::DeclKind::Team => p.teams.push(Member {
                named: n,
                parent: None,
            }),
            ast::DeclKind::Person => p.persons.push(Person {
                subject_id: e
                    .external_id
                    .as_ref()
                    .map_or_else(|| e.name.name.clone(), |s| s.value.clone()),
                named: n,
            }),
            ast::DeclKind::Organisation => p.organisations.push(Organisation {
                named: n,
                kind: org_kind.unwrap_or(OrgKind::External),
            }),
        }
    }

    /// Marks the roles and teams a test's subject or record names as used: declaring a role only
    /// so that requests carrying it are decided (rather than refused as unknown) is a use, and a
    /// test that asks with it shows it.
    pub(super) fn test_uses(&mut self, t: &ast::TestBlock) {
        for statement in &t.statements {
            let (ast::TestStatement::Subject(_, fields, _)
            | ast::TestStatement::Record(_, fields, _)
            | ast::TestStatement::Restriction(_, fields, _)
            | ast::TestStatement::Linked(_, fields, _)) = statement
            else {
                continue;
            };
            for value in fields.iter().flat_map(|f| &f.values) {
                let ast::TestValue::Name(name) = value else {
                    continue;
                };
                let member = self
                    .symbols
                    .get(&name.name)
                    .is_some_and(|s| matches!(s.kind, SymbolKind::Role | SymbolKind::Team));
                if member {
                    self.symbols.mark_used(&name.name);
                }
            }
        }
    }

    /// CL0115: declarations nothing uses. A role or team counts as used when it is named
    /// anywhere (a parent named by `in` and a test's subject or record included) or sits below
    /// one that is: holding it then counts for its ancestor's rules.
    ///
    /// Said only of a policy without errors: a name that failed to resolve, or a group in a
    /// cycle, may be where the "unused" one was meant to be used.
    pub(super) fn unused(&mut self, p: &Policy) {
        if self.diags.iter().any(Diagnostic::is_error) {
            return;
        }
        for kind in [
            SymbolKind::Role,
            SymbolKind::Team,
            SymbolKind::Group,
            SymbolKind::Board,
            SymbolKind::Obligation,
            SymbolKind::Escalation,
            SymbolKind::Rules,
            SymbolKind::Section,
            SymbolKind::Link,
            SymbolKind::Context,
            SymbolKind::Fact,
        ] {
            let members = match kind {
                SymbolKind::Role => p.roles.as_slice(),
                SymbolKind::Team => p.teams.as_slice(),
                _ => &[],
            };
            for (name, span) in self.symbols.unused(kind) {
                let below_used = self.symbols.get(&name).is_some_and(|s| {
                    let mut cur = members.get(s.index as usize).and_then(|m| m.parent);
                    // Parents were checked for cycles; the bound keeps a cyclic one finite.
                    for _ in 0..members.len() {
                        let Some(m) = cur.and_then(|i| members.get(i as usize)) else {
                            return false;
                        };
                        if self.symbols.is_used(&m.named.name) {
                            return true;
                        }
                        cur = m.parent;
                    }
                    false
                });
                if below_used {
                    continue;
                }
                self.diags.push(
                    Diagnostic::warning(
                        Code::UnusedDeclaration,
                        format!("{} `{name}` is declared but never used", kind.word()),
                        span,
                        "never used",
                    )
                    .with_help("use it in a rule, or remove it"),
                );
            }
        }
    }
}

/// A declared name with its title (the name, underscores as spaces, when none is given).
pub(super) fn named(name: &ast::Ident, title: Option<&ast::Str>) -> Named {
    Named {
        name: name.name.clone(),
        title: title.map_or_else(|| name.name.replace('_', " "), |t| t.value.clone()),
        span: name.span,
    }
}

//! Resolves names and builds the model, collecting every diagnostic rather than stopping.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::disclosure::disclosure;
use super::graph::{self, Node};
use super::names::{SymbolKind, Symbols};
use super::values;
use crate::diag::{Code, Diagnostic};
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
const APPROVER_KINDS: &[SymbolKind] = &[SymbolKind::Role, SymbolKind::Team, SymbolKind::Person];

/// Where a subject expression appears, which decides which relations it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Rule,
    Group,
    TemporaryTo,
}

/// Collects declarations, then resolves every use.
#[derive(Default)]
pub(super) struct Resolver {
    symbols: Symbols,
    diags: Vec<Diagnostic>,
    groups: Vec<Option<Condition>>,
}

impl Resolver {
    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }

    fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn declare(&mut self, kind: SymbolKind, name: &ast::Ident) -> Option<u32> {
        let r = self.symbols.declare(kind, name);
        self.ok(r)
    }

    fn resolve(
        &mut self,
        name: &ast::Ident,
        kinds: &[SymbolKind],
        what: &str,
    ) -> Option<super::names::Symbol> {
        let r = self.symbols.resolve(name, kinds, what);
        self.ok(r)
    }

    fn ok<T>(&mut self, r: Result<T, Diagnostic>) -> Option<T> {
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
            roles: Vec::new(),
            teams: Vec::new(),
            persons: Vec::new(),
            organisations: Vec::new(),
            groups: Vec::new(),
            obligations: Vec::new(),
            escalations: Vec::new(),
            approvals: Vec::new(),
            disclose: None,
            unrestricted: None,
            categories: Vec::new(),
            retention: Vec::new(),
            tests: Vec::new(),
        };

        self.declare_all(&items, &mut p);
        self.hierarchies(&items, &mut p);
        self.resolve_groups(&items, &mut p);

        p.disclose = self.policy_disclosure(&items);

        let mut unrestricted_span: Option<Span> = None;
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
                    let approvals = self.approve(a);
                    p.approvals.extend(approvals);
                }
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
                        p.unrestricted = self.category("unrestricted", None, b, b.span, &p);
                    }
                }
                ast::Item::Category(c) => {
                    if let Some(cat) =
                        self.category(&c.name.name, c.title.as_ref(), &c.body, c.span, &p)
                    {
                        p.categories.push(cat);
                    }
                }
                ast::Item::Retention(r) => {
                    if let Some(ret) = self.retention(r) {
                        p.retention.push(ret);
                    }
                }
                ast::Item::Test(t) => {
                    self.test_uses(t);
                    p.tests.push(t.clone());
                }
                ast::Item::Decl(_)
                | ast::Item::Group(_)
                | ast::Item::Obligation(_)
                | ast::Item::Disclose(..) => {}
            }
        }
        self.unused(&p);
        for d in super::tests::unknown_names(&self.symbols, &p.tests) {
            self.report(d);
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

    fn declare_all(&mut self, items: &[&ast::Item], p: &mut Policy) {
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

    fn declare_entry(&mut self, kind: ast::DeclKind, e: &ast::DeclEntry, p: &mut Policy) {
        let sk = match kind {
            ast::DeclKind::Action => SymbolKind::Action,
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
        let n = named(&e.name, e.title.as_ref());
        match kind {
            ast::DeclKind::Action => p.actions.push(n),
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

    /// Resolves `in PARENT` for roles and teams and rejects cycles; ancestors are read by walking
    /// parents, never stored, so a long chain costs its length, not its length squared.
    fn hierarchies(&mut self, items: &[&ast::Item], p: &mut Policy) {
        for (decl_kind, sym_kind) in [
            (ast::DeclKind::Role, SymbolKind::Role),
            (ast::DeclKind::Team, SymbolKind::Team),
        ] {
            let members = if sym_kind == SymbolKind::Role {
                &mut p.roles
            } else {
                &mut p.teams
            };
            let mut edges = Vec::new();
            let mut nodes: Vec<Node> = members
                .iter()
                .map(|m| Node {
                    name: m.named.name.clone(),
                    span: m.named.span,
                })
                .collect();
            for item in items {
                let ast::Item::Decl(d) = item else { continue };
                if d.kind != decl_kind {
                    continue;
                }
                for e in &d.entries {
                    let Some(parent) = &e.parent else { continue };
                    let Some(me) = self
                        .symbols
                        .get(&e.name.name)
                        .filter(|s| s.kind == sym_kind && s.span.same_place(&e.name.span))
                    else {
                        continue;
                    };
                    let what = sym_kind.with_article();
                    let Some(ps) = self.resolve(parent, &[sym_kind], what) else {
                        continue;
                    };
                    if let Some(m) = members.get_mut(me.index as usize) {
                        m.parent = Some(ps.index);
                    }
                    if let Some(node) = nodes.get_mut(me.index as usize) {
                        node.span = e.span;
                    }
                    edges.push((me.index as usize, ps.index as usize));
                }
            }
            let what = format!("{} hierarchy", decl_kind.keyword());
            let cycles = graph::cycles(&nodes, &edges, &what, Code::HierarchyCycle);
            self.diags.extend(cycles);
        }
    }

    /// Resolves groups in dependency order, rejecting groups that include themselves.
    fn resolve_groups(&mut self, items: &[&ast::Item], p: &mut Policy) {
        let decls: Vec<&ast::GroupDecl> = items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Group(g) => Some(g),
                _ => None,
            })
            .filter(|g| {
                self.symbols
                    .get(&g.name.name)
                    .is_some_and(|s| s.kind == SymbolKind::Group && s.span.same_place(&g.name.span))
            })
            .collect();
        let index: HashMap<&str, usize> = decls
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.name.as_str(), i))
            .collect();
        let mut edges = Vec::new();
        for (i, g) in decls.iter().enumerate() {
            for t in &g.subjects.terms {
                for l in &t.literals {
                    if let ast::Atom::Name { kind, name } = &l.atom {
                        if matches!(kind, None | Some(ast::NameKind::Group)) {
                            if let Some(&j) = index.get(name.name.as_str()) {
                                edges.push((i, j));
                                self.symbols.mark_used(&name.name);
                            }
                        }
                    }
                }
            }
        }
        let nodes: Vec<Node> = decls
            .iter()
            .map(|g| Node {
                name: g.name.name.clone(),
                span: g.name.span,
            })
            .collect();
        let cycles = graph::cycles(&nodes, &edges, "group", Code::GroupCycle);
        let cyclic = !cycles.is_empty();
        for c in cycles {
            self.report(Diagnostic {
                message: c
                    .message
                    .replacen("group has a cycle", "a group includes itself", 1),
                ..c
            });
        }
        self.groups = vec![None; decls.len()];
        if cyclic {
            return;
        }
        // Resolve in dependency order: a group after every group it names.
        let Some(order) = graph::dependency_order(decls.len(), &edges) else {
            return;
        };
        for i in order {
            let g = decls[i];
            if let Some(c) = self.subjects(&g.subjects, Context::Group, p) {
                if let Some(slot) = p.groups.get_mut(i) {
                    slot.condition = c.clone();
                }
                self.groups[i] = Some(c);
            }
        }
    }

    /// Resolves a subject list to a condition, refusing one larger than [`MAX_CONDITION_SIZE`].
    fn subjects(&mut self, s: &ast::Subjects, ctx: Context, p: &Policy) -> Option<Condition> {
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

    fn literal(&mut self, l: &ast::Literal, ctx: Context, p: &Policy) -> Option<Condition> {
        let cond = match &l.atom {
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

    /// Resolves an approver (chains, contacts).
    fn approver(&mut self, a: &ast::Atom) -> Option<Atom> {
        match a {
            ast::Atom::OrgKind(k) => {
                self.report(
                    Diagnostic::error(
                        Code::WrongKind,
                        format!("`{} organisations` cannot approve", k.name),
                        k.span,
                        "not a person, role or team",
                    )
                    .with_help("name a role, team, person or relation such as `owner`"),
                );
                None
            }
            ast::Atom::Name { kind: None, name } if relation_word(&name.name).is_some() => {
                let rel = relation_word(&name.name)?;
                if matches!(
                    rel,
                    Relation::NamedDeny | Relation::TemporaryGrant | Relation::NamedAllow
                ) {
                    self.report(
                        Diagnostic::error(
                            Code::RelationMisplaced,
                            format!("`{}` cannot approve", name.name),
                            name.span,
                            "not an approver",
                        )
                        .with_help("approvers are roles, teams, people, `owner`, `allocated_manager`, `allocated_worker`, `record_team` or `line_manager`"),
                    );
                    return None;
                }
                Some(Atom::Relation(rel))
            }
            ast::Atom::Name { kind, name } => {
                if name.name == "everyone" {
                    self.report(
                        Diagnostic::error(
                            Code::RelationMisplaced,
                            "`everyone` cannot approve",
                            name.span,
                            "not an approver",
                        )
                        .with_help("name the role or person who approves"),
                    );
                    return None;
                }
                let (kinds, what): (&[SymbolKind], &str) = match kind {
                    Some(k) => {
                        let sk = SymbolKind::from(*k);
                        (std::slice::from_ref(kind_static(sk)), sk.with_article())
                    }
                    None => (APPROVER_KINDS, "a role, team or person"),
                };
                let sym = self.resolve(name, kinds, what)?;
                match sym.kind {
                    SymbolKind::Role => Some(Atom::Role(sym.index)),
                    SymbolKind::Team => Some(Atom::Team(sym.index)),
                    SymbolKind::Person => Some(Atom::Person(sym.index)),
                    other => {
                        self.report(
                            Diagnostic::error(
                                Code::WrongKind,
                                format!(
                                    "`{}` is {} and cannot approve",
                                    name.name,
                                    other.with_article()
                                ),
                                name.span,
                                "not a role, team or person",
                            )
                            .with_help("name a role, team or person"),
                        );
                        None
                    }
                }
            }
        }
    }

    fn chain(&mut self, c: &ast::Chain) -> Option<Chain> {
        let mut steps = Vec::new();
        let mut ok = true;
        for s in &c.steps {
            let mut alts = Vec::new();
            for a in &s.alternatives {
                match self.approver(a) {
                    Some(x) => alts.push(x),
                    None => ok = false,
                }
            }
            steps.push(alts);
        }
        ok.then_some(Chain {
            steps,
            via: None,
            span: c.span,
        })
    }

    fn approve(&mut self, a: &ast::Approve) -> Vec<Approval> {
        let chain = match &a.approvers {
            ast::Approvers::Chain(c) => self.chain(c),
            ast::Approvers::Via(name) => {
                let sym = self.resolve(name, &[SymbolKind::Escalation], "an escalation path");
                sym.map(|s| Chain {
                    steps: Vec::new(),
                    via: Some(s.index),
                    span: name.span,
                })
            }
        };
        let mut out = Vec::new();
        for p in &a.purposes {
            if let (Some(purpose), Some(chain)) = (self.ok(values::purpose(p)), chain.clone()) {
                out.push(Approval {
                    purpose,
                    chain,
                    span: a.span,
                });
            }
        }
        out
    }

    fn actions(&mut self, names: &[ast::Ident], p: &Policy) -> Option<ActionSet> {
        let mut set = ActionSet::default();
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for n in names {
            if seen.contains(&n.name.as_str()) {
                self.report(
                    Diagnostic::warning(
                        Code::EmptyActions,
                        format!("action `{}` is named twice", n.name),
                        n.span,
                        "named again",
                    )
                    .with_help("remove the repeat"),
                );
            }
            seen.push(&n.name);
            if n.name == "all" {
                for i in 0..p.actions.len().min(MAX_ACTIONS) {
                    set.insert(i as ActionId);
                }
                continue;
            }
            match self.resolve(n, &[SymbolKind::Action], "an action") {
                Some(s) => set.insert(s.index),
                None => ok = false,
            }
        }
        ok.then_some(set)
    }

    fn obligations(&mut self, names: &[ast::Ident]) -> Vec<ObligationId> {
        names
            .iter()
            .filter_map(|n| {
                self.resolve(n, &[SymbolKind::Obligation], "an obligation")
                    .map(|s| s.index)
            })
            .collect()
    }

    fn category(
        &mut self,
        name: &str,
        title: Option<&ast::Str>,
        body: &ast::Block,
        span: Span,
        p: &Policy,
    ) -> Option<Category> {
        let is_unrestricted = name == "unrestricted";
        let mut cat = Category {
            name: name.to_string(),
            title: title.map_or_else(|| name.to_string(), |t| t.value.clone()),
            criteria: Vec::new(),
            restriction: RestrictionType::Exclude,
            rules: Vec::new(),
            denied_view: View::Notice,
            disclose: None,
            review: None,
            temporary: None,
            contact: None,
            approvals: Vec::new(),
            span,
        };
        let mut once: HashMap<&'static str, Span> = HashMap::new();
        let mut restriction_seen = false;
        let (mut grants, mut denies) = (0, 0);
        for st in &body.statements {
            let key = match st {
                ast::Statement::Restriction(..) => Some("restriction"),
                ast::Statement::Review(..) => Some("review"),
                ast::Statement::DeniedView(..) => Some("denied_view"),
                ast::Statement::Temporary(..) => Some("temporary"),
                ast::Statement::Contact(..) => Some("contact"),
                ast::Statement::Disclose(..) => Some("disclose"),
                _ => None,
            };
            if let Some(k) = key {
                if let Some(first) = once.get(k) {
                    self.report(
                        Diagnostic::error(
                            Code::Repeated,
                            format!("`{k}` is given twice in category `{name}`"),
                            st.span(),
                            "given again here",
                        )
                        .with_label(*first, "first given here")
                        .with_help(format!("keep one `{k}` statement")),
                    );
                    continue;
                }
                once.insert(k, st.span());
            }
            match st {
                ast::Statement::Criteria(s, _) => cat.criteria.push(s.value.clone()),
                ast::Statement::Restriction(i, _) => {
                    restriction_seen = true;
                    if let Some(r) = self.ok(values::restriction(i)) {
                        cat.restriction = r;
                    }
                }
                ast::Statement::Grant(r) | ast::Statement::Deny(r) => {
                    let is_grant = matches!(st, ast::Statement::Grant(_));
                    let n = if is_grant {
                        grants += 1;
                        grants
                    } else {
                        denies += 1;
                        denies
                    };
                    if let Some(rule) = self.rule(name, r, is_grant, n, p) {
                        cat.rules.push(rule);
                    }
                }
                ast::Statement::Review(r) => {
                    let schedule = match &r.schedule {
                        ast::ReviewSchedule::Every(d) => {
                            self.ok(values::period(d)).map(Schedule::Every)
                        }
                        ast::ReviewSchedule::Never(why) => {
                            Some(Schedule::Never(why.as_ref().map(|s| s.value.clone())))
                        }
                        ast::ReviewSchedule::Until(e) => Some(Schedule::Until(e.value.clone())),
                    };
                    let reviewer = r.reviewer.as_ref().and_then(|c| self.chain(c));
                    if let Some(schedule) = schedule {
                        cat.review = Some(Review {
                            schedule,
                            reviewer,
                            span: r.span,
                        });
                    }
                }
                ast::Statement::DeniedView(v, _) => {
                    if let Some(v) = self.ok(values::view(v)) {
                        cat.denied_view = v;
                    }
                }
                ast::Statement::Disclose(_, span) if is_unrestricted => self.report(
                    Diagnostic::error(
                        Code::DiscloseUnrestricted,
                        "the `unrestricted` block has nothing to conceal",
                        *span,
                        "`disclose` on the unrestricted block",
                    )
                    .with_help("a refusal by the unrestricted block is explained in full; say what each category discloses in the category, or for all of them with a top-level `disclose`"),
                ),
                ast::Statement::Disclose(items, _) => match disclosure(items) {
                    Ok(d) => cat.disclose = Some(d),
                    Err(errors) => errors.into_iter().for_each(|e| self.report(e)),
                },
                ast::Statement::Temporary(t) if is_unrestricted => self.report(
                    Diagnostic::error(
                        Code::TemporaryUnrestricted,
                        "the `unrestricted` block cannot offer temporary access",
                        t.span,
                        "temporary access on unrestricted records",
                    )
                    .with_help("offer temporary access in the categories whose records need it"),
                ),
                ast::Statement::Temporary(t) => cat.temporary = self.temporary(t, p),
                ast::Statement::Contact(a, text, span) => {
                    if let Some(who) = self.approver(a) {
                        cat.contact = Some(Contact {
                            who,
                            text: text.as_ref().map(|s| s.value.clone()),
                            span: *span,
                        });
                    }
                }
                ast::Statement::Approve(a) => {
                    let v = self.approve(a);
                    cat.approvals.extend(v);
                }
            }
        }
        if !restriction_seen && !is_unrestricted {
            self.report(
                Diagnostic::error(
                    Code::MissingRestriction,
                    format!("category `{name}` has no restriction type"),
                    span,
                    "add `restriction universal` or `restriction exclude`",
                )
                .with_help("`universal` refuses everyone not granted; `exclude` allows normal access except the named exclusions"),
            );
        }
        let disclosed = p.disclosure(&cat).contact;
        if let Some(d) = contact_never_shown(&cat, disclosed, once.get("denied_view").copied()) {
            self.report(d);
        }
        Some(cat)
    }

    fn rule(
        &mut self,
        cat: &str,
        r: &ast::Rule,
        is_grant: bool,
        n: usize,
        p: &Policy,
    ) -> Option<Rule> {
        let actions = self.actions(&r.actions, p);
        let condition = self.subjects(&r.subjects, Context::Rule, p);
        let obligations = self.obligations(&r.requires);
        let shows = r.shows.as_ref().and_then(|v| self.ok(values::view(v)));
        if is_grant && (r.absolute || r.shows.is_some()) {
            self.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    "`absolute` and `shows` apply only to denies",
                    r.span,
                    "on a grant",
                )
                .with_help("remove it, or make the rule a `deny`"),
            );
        }
        let effect = match (is_grant, r.absolute) {
            (true, _) => Effect::Grant,
            (false, true) => Effect::AbsoluteDeny,
            (false, false) => Effect::Deny,
        };
        Some(Rule {
            id: format!("{cat}.{}.{n}", if is_grant { "grant" } else { "deny" }),
            effect,
            actions: actions?,
            condition: condition?,
            subjects_text: describe_subjects(&r.subjects, p),
            obligations,
            shows,
            span: r.span,
        })
    }

    fn temporary(&mut self, t: &ast::Temporary, p: &Policy) -> Option<TemporaryAccess> {
        let actions = self.actions(&t.actions, p);
        let max = self.ok(values::period(&t.max));
        let to = match &t.to {
            Some(s) => Some(self.subjects(s, Context::TemporaryTo, p)?),
            None => None,
        };
        let mut approved_by = Vec::new();
        for a in &t.approved_by.alternatives {
            let Some(x) = self.approver(a) else { continue };
            let checkable = matches!(
                x,
                Atom::Person(_)
                    | Atom::Relation(
                        Relation::Owner | Relation::AllocatedManager | Relation::AllocatedWorker
                    )
            );
            if checkable {
                approved_by.push(x);
            } else {
                self.report(
                    Diagnostic::error(
                        Code::RelationMisplaced,
                        format!("`{}` cannot be checked as a temporary grant's approver", a.ident().name),
                        a.ident().span,
                        "the request does not say who holds this",
                    )
                    .with_help("a temporary grant's approver must be `owner`, `allocated_manager`, `allocated_worker` or a person"),
                );
            }
        }
        let obligations = self.obligations(&t.requires);
        Some(TemporaryAccess {
            actions: actions?,
            max: max?,
            to,
            approved_by,
            obligations,
            span: t.span,
        })
    }

    fn retention(&mut self, r: &ast::RetentionBlock) -> Option<Retention> {
        let mut keep = None;
        let mut keep_span: Option<Span> = None;
        let mut then = None;
        let mut unless = Vec::new();
        let mut criteria = Vec::new();
        for st in &r.statements {
            match st {
                ast::RetentionStatement::Keep(..) | ast::RetentionStatement::KeepPermanently(_) => {
                    if let Some(first) = keep_span {
                        self.report(
                            Diagnostic::error(
                                Code::Repeated,
                                format!("`keep` is given twice in retention `{}`", r.name.name),
                                st.span(),
                                "given again here",
                            )
                            .with_label(first, "first given here")
                            .with_help("keep one `keep` statement"),
                        );
                        continue;
                    }
                    keep_span = Some(st.span());
                    keep = match st {
                        ast::RetentionStatement::Keep(d, a, _) => {
                            let period = self.ok(values::period(d));
                            let anchor = self.ok(values::anchor(a));
                            period.zip(anchor).map(|(p, a)| Keep::For(p, a))
                        }
                        _ => Some(Keep::Permanently),
                    };
                }
                ast::RetentionStatement::Then(a, text, _) => {
                    then = self
                        .ok(values::disposal(a))
                        .map(|d| (d, text.as_ref().map(|s| s.value.clone())));
                }
                ast::RetentionStatement::Unless(c, a, text, _) => {
                    if let Some(d) = self.ok(values::disposal(a)) {
                        unless.push((c.name.clone(), d, text.as_ref().map(|s| s.value.clone())));
                    }
                }
                ast::RetentionStatement::Criteria(s, _) => criteria.push(s.value.clone()),
            }
        }
        if keep_span.is_none() {
            self.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "retention `{}` does not say how long to keep the file",
                        r.name.name
                    ),
                    r.span,
                    "no `keep` statement",
                )
                .with_help("add `keep 25 years from date_of_birth` or `keep permanently`"),
            );
        }
        Some(Retention {
            name: r.name.name.clone(),
            title: r
                .title
                .as_ref()
                .map_or_else(|| r.name.name.clone(), |t| t.value.clone()),
            criteria,
            keep: keep?,
            then,
            unless,
            span: r.span,
        })
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

    /// Marks the roles and teams a test's subject or record names as used: declaring a role only
    /// so that requests carrying it are decided (rather than refused as unknown) is a use, and a
    /// test that asks with it shows it.
    fn test_uses(&mut self, t: &ast::TestBlock) {
        for statement in &t.statements {
            let (ast::TestStatement::Subject(_, fields, _)
            | ast::TestStatement::Record(_, fields, _)) = statement
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
    fn unused(&mut self, p: &Policy) {
        if self.diags.iter().any(Diagnostic::is_error) {
            return;
        }
        for kind in [
            SymbolKind::Role,
            SymbolKind::Team,
            SymbolKind::Group,
            SymbolKind::Obligation,
            SymbolKind::Escalation,
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

/// CL0118: a category names a contact that no refusal ever shows: its `denied_view` (by
/// default `notice`) and every deny's `shows` are below `notice_with_contact`. A contact the
/// category does not disclose is withheld on purpose, and not reported.
fn contact_never_shown(
    cat: &Category,
    disclosed: bool,
    denied_view_at: Option<Span>,
) -> Option<Diagnostic> {
    let contact = cat.contact.as_ref()?;
    if !disclosed {
        return None;
    }
    let shown = |v: View| v >= View::NoticeWithContact;
    let refusals = std::iter::once(cat.denied_view).chain(
        cat.rules
            .iter()
            .filter(|r| r.effect != Effect::Grant)
            .map(|r| r.shows.unwrap_or(cat.denied_view)),
    );
    if refusals.into_iter().any(shown) {
        return None;
    }
    let mut d = Diagnostic::warning(
        Code::ContactNeverShown,
        format!(
            "the contact of category `{}` is never shown: a refused person sees `{}`",
            cat.name,
            cat.denied_view.word()
        ),
        contact.span,
        "never shown",
    );
    d = match denied_view_at {
        Some(at) => d.with_label(at, "shows no contact"),
        None => d.with_note("`denied_view` is `notice` when a category does not set it"),
    };
    Some(d.with_help(
        "write `denied_view notice_with_contact` (or `minimal`) so a refused person learns who to ask, or remove the contact",
    ))
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

fn named(name: &ast::Ident, title: Option<&ast::Str>) -> Named {
    Named {
        name: name.name.clone(),
        title: title.map_or_else(|| name.name.replace('_', " "), |t| t.value.clone()),
        span: name.span,
    }
}

fn relation_word(w: &str) -> Option<Relation> {
    Relation::from_word(w)
}

fn kind_static(k: SymbolKind) -> &'static SymbolKind {
    match k {
        SymbolKind::Role => &SymbolKind::Role,
        SymbolKind::Team => &SymbolKind::Team,
        SymbolKind::Person => &SymbolKind::Person,
        SymbolKind::Organisation => &SymbolKind::Organisation,
        SymbolKind::Group => &SymbolKind::Group,
        SymbolKind::Action => &SymbolKind::Action,
        SymbolKind::Obligation => &SymbolKind::Obligation,
        SymbolKind::Escalation => &SymbolKind::Escalation,
        SymbolKind::Category => &SymbolKind::Category,
        SymbolKind::Retention => &SymbolKind::Retention,
    }
}

/// The subjects of a rule in the policy's own words, for explanations.
fn describe_subjects(s: &ast::Subjects, p: &Policy) -> String {
    let title_of = |name: &str| -> String {
        p.groups
            .iter()
            .map(|g| &g.named)
            .chain(p.roles.iter().map(|m| &m.named))
            .chain(p.teams.iter().map(|m| &m.named))
            .chain(p.persons.iter().map(|m| &m.named))
            .chain(p.organisations.iter().map(|m| &m.named))
            .find(|n| n.name == name)
            .map_or_else(|| name.replace('_', " "), |n| n.title.clone())
    };
    s.terms
        .iter()
        .map(|t| {
            t.literals
                .iter()
                .map(|l| {
                    let atom = match &l.atom {
                        ast::Atom::OrgKind(k) => format!("{} organisations", k.name),
                        ast::Atom::Name { name, .. } => match Relation::from_word(&name.name) {
                            Some(r) => r.describe().to_string(),
                            None if name.name == "everyone" => "everyone".to_string(),
                            None => title_of(&name.name),
                        },
                    };
                    if l.negated {
                        format!("not {atom}")
                    } else {
                        atom
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

//! Role and team hierarchies (`in PARENT`) and groups: each a graph through [`super::graph`],
//! whose cycles are reported (CL0107, CL0108) and whose order resolves groups before their users.

use std::collections::HashMap;

use super::graph::{self, CycleReport, Node};
use super::names::SymbolKind;
use super::resolve::Resolver;
use super::subjects::Context;
use crate::diag::Code;
use crate::policy::*;
use crate::syntax::ast;

impl Resolver {
    /// Resolves `in PARENT` for roles and teams and rejects cycles; ancestors are read by walking
    /// parents, never stored, so a long chain costs its length, not its length squared.
    pub(super) fn hierarchies(&mut self, items: &[&ast::Item], p: &mut Policy) {
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
            let message = format!("{} hierarchy has a cycle", decl_kind.keyword());
            let report = CycleReport {
                code: Code::HierarchyCycle,
                message: &message,
            };
            let cycles = graph::cycles(&nodes, &edges, report);
            self.diags.extend(cycles);
        }
    }

    /// Resolves groups in dependency order, rejecting groups that include themselves.
    pub(super) fn resolve_groups(&mut self, items: &[&ast::Item], p: &mut Policy) {
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
        self.groups = vec![None; decls.len()];
        let report = CycleReport {
            code: Code::GroupCycle,
            message: "a group includes itself",
        };
        // Resolved in dependency order: a group after every group it names.
        let order = match graph::dependency_order(&nodes, &edges, report) {
            Ok(order) => order,
            Err(cycles) => {
                self.diags.extend(cycles);
                return;
            }
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
}

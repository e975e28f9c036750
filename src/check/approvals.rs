//! Approvers: who approves access (`approve ... by` chains, escalation paths), who is contacted,
//! and who may approve a temporary grant.

use super::names::SymbolKind;
use super::resolve::Resolver;
use super::subjects::{kind_static, relation_word};
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::syntax::ast;

const APPROVER_KINDS: &[SymbolKind] = &[SymbolKind::Role, SymbolKind::Team, SymbolKind::Person];

impl Resolver {
    /// Resolves an approver (chains, contacts).
    pub(super) fn approver(&mut self, a: &ast::Atom) -> Option<Atom> {
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
            ast::Atom::Context { dimension, value } => {
                self.report(
                    Diagnostic::error(
                        Code::WrongKind,
                        format!("`{} {}` cannot approve", dimension.name, value.name),
                        dimension.span,
                        "a fact about a request, not an approver",
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

    pub(super) fn chain(&mut self, c: &ast::Chain) -> Option<Chain> {
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

    /// The approvals an `approve` statement gives, or the purposes it says the source names no
    /// approver for.
    pub(super) fn approve(&mut self, a: &ast::Approve) -> (Vec<Approval>, Vec<UnstatedApproval>) {
        if let ast::Approvers::Unstated(why) = &a.approvers {
            let reason = self.ok(values::reason(why, "approve unstated"));
            let unstated = a
                .purposes
                .iter()
                .filter_map(|p| self.ok(values::purpose(p)))
                .collect::<Vec<_>>()
                .into_iter()
                .filter_map(|purpose| {
                    reason.clone().map(|reason| UnstatedApproval {
                        purpose,
                        reason,
                        span: a.span,
                    })
                })
                .collect();
            return (Vec::new(), unstated);
        }
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
            // INVARIANT: handled above.
            ast::Approvers::Unstated(_) => None,
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
        (out, Vec::new())
    }
}

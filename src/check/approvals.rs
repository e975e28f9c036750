//! Approvers: who approves access (`approve ... by` chains, escalation paths), who is contacted,
//! and who may approve a temporary grant.

use super::names::SymbolKind;
use super::resolve::Resolver;
use super::subjects::{kind_static, relation_word};
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::syntax::ast;

const APPROVER_KINDS: &[SymbolKind] = &[
    SymbolKind::Role,
    SymbolKind::Team,
    SymbolKind::Person,
    SymbolKind::Board,
];

/// Whether an approver part may be a board (in a chain or a temporary statement), or not (a
/// contact, or a board's own member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Boards {
    Allowed,
    Refused,
}

impl Resolver {
    /// Resolves a contact: a role, team, person or relation.
    pub(super) fn contact_atom(&mut self, a: &ast::Atom) -> Option<Atom> {
        match self.approver_part(a, Boards::Refused)? {
            ApproverPart::Atom(x) => Some(x),
            ApproverPart::Board(_) => None,
        }
    }

    /// Resolves one approver: its parts joined by `and`, with each board's members in its place.
    pub(super) fn approver(&mut self, a: &ast::Approver, boards: Boards) -> Option<Approver> {
        let mut parts = Vec::new();
        let mut condition = Condition::everyone();
        let mut ok = true;
        for x in &a.atoms {
            let Some(part) = self.approver_part(x, boards) else {
                ok = false;
                continue;
            };
            let c = match part {
                ApproverPart::Atom(atom) => Condition::atom(atom),
                ApproverPart::Board(b) => self.boards.get(b as usize).cloned().flatten()?,
            };
            // Boards joined by `and` multiply their members: bounded as subject lists are.
            let Some(both) = condition.and_within(&c, MAX_CONDITION_SIZE) else {
                self.report(
                    Diagnostic::error(
                        Code::ConditionTooLarge,
                        format!(
                            "this approver expands to more than {MAX_CONDITION_SIZE} names and alternatives"
                        ),
                        x.ident().span,
                        "the limit is passed here",
                    )
                    .with_label(a.span, "in this approver")
                    .with_help("`and` between boards multiplies their members: name the combinations that are meant"),
                );
                return None;
            };
            condition = both;
            parts.push(part);
        }
        condition.normalise();
        (ok && !parts.is_empty()).then_some(Approver { parts, condition })
    }

    /// Resolves one part of an approver.
    fn approver_part(&mut self, a: &ast::Atom, boards: Boards) -> Option<ApproverPart> {
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
                    Relation::NamedDeny
                        | Relation::TemporaryGrant
                        | Relation::NamedAllow
                        | Relation::ActingFor
                ) {
                    self.report(
                        Diagnostic::error(
                            Code::RelationMisplaced,
                            format!("`{}` cannot approve", name.name),
                            name.span,
                            "not an approver",
                        )
                        .with_help("approvers are roles, teams, people, boards, `owner`, `allocated_manager`, `allocated_worker`, `record_team` or `line_manager`"),
                    );
                    return None;
                }
                Some(ApproverPart::Atom(Atom::Relation(rel)))
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
                    None if boards == Boards::Allowed => {
                        (APPROVER_KINDS, "a role, team, person or board")
                    }
                    None => (&APPROVER_KINDS[..3], "a role, team or person"),
                };
                let sym = self.resolve(name, kinds, what)?;
                match sym.kind {
                    SymbolKind::Role => Some(ApproverPart::Atom(Atom::Role(sym.index))),
                    SymbolKind::Team => Some(ApproverPart::Atom(Atom::Team(sym.index))),
                    SymbolKind::Person => Some(ApproverPart::Atom(Atom::Person(sym.index))),
                    SymbolKind::Board if boards == Boards::Allowed => {
                        Some(ApproverPart::Board(sym.index))
                    }
                    other => {
                        self.report(
                            Diagnostic::error(
                                Code::WrongKind,
                                format!(
                                    "`{}` is {} and cannot approve here",
                                    name.name,
                                    other.with_article()
                                ),
                                name.span,
                                "not a role, team or person",
                            )
                            .with_help(if other == SymbolKind::Board {
                                "a board approves in `approve ... by` chains and temporary access; name its members here"
                            } else {
                                "name a role, team or person"
                            }),
                        );
                        None
                    }
                }
            }
        }
    }

    /// Resolves every board's members (before anything that may name a board). A member is a
    /// role, team or person, or several joined by `and`; never a relation to a record (a board
    /// is the same people for every record) nor another board (CL0163).
    pub(super) fn resolve_boards(&mut self, items: &[&ast::Item], p: &mut Policy) {
        let decls: Vec<&ast::BoardDecl> = items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Board(b) => Some(b),
                _ => None,
            })
            .filter(|b| {
                self.symbols
                    .get(&b.name.name)
                    .is_some_and(|s| s.kind == SymbolKind::Board && s.span.same_place(&b.name.span))
            })
            .collect();
        self.boards = vec![None; decls.len()];
        for (i, b) in decls.iter().enumerate() {
            let mut members = Vec::new();
            let mut ok = true;
            for m in &b.members {
                let relation = m.atoms.iter().find(|a| {
                    matches!(a, ast::Atom::Name { kind: None, name } if relation_word(&name.name).is_some())
                });
                if let Some(r) = relation {
                    let name = r.ident();
                    self.report(
                        Diagnostic::error(
                            Code::BoardMemberMisplaced,
                            format!("board `{}` cannot have `{}` as a member", b.name.name, name.name),
                            name.span,
                            "a relation to a record, not a person",
                        )
                        .with_label(b.name.span, "the board")
                        .with_help("a board is the same people for every record: name its people, roles or teams, and write the relation beside the board (`board x and owner`)"),
                    );
                    ok = false;
                    continue;
                }
                match self.approver(m, Boards::Refused) {
                    Some(a) => members.push(a),
                    None => ok = false,
                }
            }
            if !ok {
                continue;
            }
            let condition = members
                .iter()
                .flat_map(|m| m.condition.terms.iter().cloned())
                .collect::<Vec<_>>();
            let condition = Condition { terms: condition };
            if let Some(slot) = p.boards.get_mut(i) {
                slot.members = members;
                slot.condition = condition.clone();
            }
            self.boards[i] = Some(condition);
        }
    }

    pub(super) fn chain(&mut self, c: &ast::Chain) -> Option<Chain> {
        let mut steps = Vec::new();
        let mut ok = true;
        for s in &c.steps {
            let mut alts = Vec::new();
            for a in &s.alternatives {
                match self.approver(a, Boards::Allowed) {
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
        let valid_for = match &a.valid_for {
            Some(d) => match self.ok(values::period(d)) {
                Some(p) => Some(p),
                None => return (Vec::new(), Vec::new()),
            },
            None => None,
        };
        let mut out = Vec::new();
        for p in &a.purposes {
            if let (Some(purpose), Some(chain)) = (self.ok(values::purpose(p)), chain.clone()) {
                out.push(Approval {
                    purpose,
                    chain,
                    valid_for,
                    span: a.span,
                });
            }
        }
        (out, Vec::new())
    }
}

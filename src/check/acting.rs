//! `acting` statements (who may approve a deputy acting for a colleague, and for how long) and
//! the rules that speak of acting: CL0170 (an approver that is a relation to a record), CL0171
//! (`acting_for` in a policy that lets nobody act) and CL0172 (a grant that would give a deputy
//! more than the colleague they act for).

use super::approvals::Boards;
use super::resolve::Resolver;
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::span::{FileId, Span};
use crate::syntax::ast;

impl Resolver {
    /// One `acting` statement: its maximum and its approvers, each a role, team, person or
    /// board (or several joined by `and`).
    pub(super) fn acting(&mut self, a: &ast::Acting) -> Option<Acting> {
        let max = self.ok(values::period(&a.max));
        let mut approved_by = Vec::new();
        for alt in &a.approved_by.alternatives {
            let Some(x) = self.approver(alt, Boards::Allowed) else {
                continue;
            };
            let relation = x.condition_atoms().find_map(|atom| match atom {
                Atom::Relation(r) => Some(r),
                _ => None,
            });
            match relation {
                None => approved_by.push(x),
                Some(r) => self.report(
                    Diagnostic::error(
                        Code::ActingApproverRelation,
                        format!(
                            "`{}` cannot approve a deputy acting for a colleague",
                            r.word()
                        ),
                        alt.span,
                        "a relation to a record, which differs from record to record",
                    )
                    .with_label(a.span, "in this `acting` statement")
                    .with_help("an acting window counts for every record the deputy opens: name a role, team, person or board, or several joined by `and`"),
                ),
            }
        }
        let max = max?;
        (approved_by.len() == a.approved_by.alternatives.len()).then_some(Acting {
            max,
            approved_by,
            span: a.span,
        })
    }

    /// Every rule and temporary statement that speaks of acting: `acting_for` where no request
    /// can act (CL0171), and a grant that holds through it (CL0172).
    pub(super) fn acting_for_uses(&mut self, p: &Policy) {
        // A shared rule stands in every category that uses it: reported once, where written
        // (spans compare equal whatever their place, so their places are compared).
        let mut seen: Vec<(FileId, u32, u32)> = Vec::new();
        for c in p.unrestricted.iter().chain(&p.categories) {
            for r in &c.rules {
                let at = (r.span.file, r.span.start, r.span.end);
                if seen.contains(&at) {
                    continue;
                }
                seen.push(at);
                // A grant widens through `acting_for`, a deny through `not acting_for`.
                let (what, widening) = match r.effect {
                    Effect::Grant => ("grant", false),
                    Effect::Deny | Effect::AbsoluteDeny => ("deny", true),
                };
                self.acting_for_use(p, &r.condition, widening, r.span, what);
            }
            for t in &c.temporary {
                if let Some(to) = &t.to {
                    self.acting_for_use(p, to, false, t.span, "temporary statement's `to` list");
                }
            }
        }
    }

    /// One condition that names `acting_for`: CL0172 when it widens through it (`widening`
    /// is the negation that does: `not acting_for` in a deny, `acting_for` in a grant).
    fn acting_for_use(
        &mut self,
        p: &Policy,
        c: &Condition,
        widening: bool,
        span: Span,
        what: &str,
    ) {
        let literals = || c.terms.iter().flatten();
        let acting = |l: &&Literal| l.atom == Atom::Relation(Relation::ActingFor);
        if literals().filter(acting).any(|l| l.negated == widening) {
            let how = if widening {
                "not acting_for"
            } else {
                "acting_for"
            };
            self.report(
                Diagnostic::error(
                    Code::ActingForWidens,
                    format!("this {what} reads `{how}`, which would give a deputy more than the colleague they act for"),
                    span,
                    "widens access because the request acts for someone",
                )
                .with_help("a deputy inherits the colleague's rights and never more: deny with `acting_for` (`deny all to acting_for`), or narrow a grant with `not acting_for`"),
            );
        } else if p.acting.is_empty() && literals().any(|l| acting(&l)) {
            self.report(
                Diagnostic::warning(
                    Code::ActingForNeverHolds,
                    "`acting_for` is named, but the policy has no `acting` statement: no request may act for anyone",
                    span,
                    "never reached by a request acting for someone",
                )
                .with_help("add the `acting for up to PERIOD approved_by APPROVER` statement the source describes, or remove `acting_for`"),
            );
        }
    }
}

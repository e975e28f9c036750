//! Caseworker explanations: two to six sentences of plain English, saying the decision, the
//! reason in the policy's words, who to contact, whether temporary access can be asked for, and
//! what would give access — and nothing the category conceals.

use super::decider::{Context, Decider};
use super::decision::{
    Audience, Basis, CategoryRef, Decision, DenyKind, GrantProblem, Outcome, Warning,
};
use super::render::Disclosure;
use super::request::Request;
use super::{intern, time, words};
use crate::compile::table::{CategoryTable, Layer, Row};
use crate::policy::words::{all_of, join_or, literal_phrase, spoken};
use crate::policy::{Atom, Literal, Purpose, Relation};

/// At most this many ways to gain access are listed.
const CLOSEST: usize = 3;

/// A way to gain access: the literals a grant still needs.
pub(super) struct Closest<'t> {
    /// The grant row.
    pub row: &'t Row,
    /// The literals that do not hold.
    pub missing: Vec<Literal>,
}

impl Decider {
    /// Explains a decision to an audience.
    pub fn explain(&self, req: &Request, d: &Decision, audience: Audience) -> String {
        match audience {
            Audience::Caseworker => self.caseworker(req, d),
            Audience::Auditor => self.auditor(req, d),
        }
    }

    /// The request's facts again (explanations are off the fast path), or `None` when the
    /// evaluator refused the request.
    pub(super) fn fact_set<'r, S: AsRef<str>>(
        &self,
        req: &'r Request<S>,
        d: &Decision,
    ) -> Option<(Vec<u64>, Context<'r, S>)> {
        let mut facts = vec![0u64; self.layout.words()];
        let mut ctx = self.facts(req, &mut facts).ok()?;
        // A refusal by the unrestricted block was decided on the facts before the restriction's.
        let gated = matches!(
            d.basis,
            Basis::Row {
                category: CategoryRef::Unrestricted,
                ..
            }
        ) && ctx.category != CategoryRef::Unrestricted;
        if !gated {
            self.restrict(req, &mut ctx, d.at, &mut facts, &mut Default::default());
        }
        Some((facts, ctx))
    }

    /// Whether a literal holds for these facts.
    pub(super) fn literal_holds(&self, l: Literal, facts: &[u64]) -> bool {
        intern::get(facts, self.layout.bit(l.atom)) != l.negated
    }

    /// Whether the subject meets the category's `to` condition for temporary access.
    pub(super) fn meets_temporary_to<S: AsRef<str>>(&self, req: &Request<S>, d: &Decision) -> bool {
        let Some((mut facts, ctx)) = self.fact_set(req, d) else {
            return false;
        };
        let Some(t) = self
            .category(ctx.category)
            .and_then(|c| c.temporary.as_ref())
        else {
            return false;
        };
        // The `to` condition is judged before the temporary_grant fact is known.
        if let Some(w) = facts.first_mut() {
            *w &= !(1u64 << intern::relation_bit(Relation::TemporaryGrant));
        }
        t.to.as_ref().is_none_or(|c| {
            c.terms
                .iter()
                .any(|term| term.iter().all(|l| self.literal_holds(*l, &facts)))
        })
    }

    /// The grants that came closest: the fewest literals missing, ways that need only a relation
    /// to the record (being allocated, on the access list) first.
    pub(super) fn closest<'t>(
        &'t self,
        d: &Decision,
        facts: &[u64],
        relations_only: bool,
    ) -> Vec<Closest<'t>> {
        let Basis::Row {
            category, action, ..
        } = d.basis
        else {
            return Vec::new();
        };
        let Some(list) = self
            .category(category)
            .and_then(|c| c.decisions.get(action as usize))
        else {
            return Vec::new();
        };
        let mut found: Vec<(usize, bool, Closest)> = Vec::new();
        for row in list.rows.iter().filter(|r| r.layer == Layer::Grant) {
            for term in &row.condition.terms {
                let missing: Vec<Literal> = term
                    .iter()
                    .copied()
                    .filter(|l| !self.literal_holds(*l, facts))
                    .collect();
                let relational = missing.iter().all(|l| matches!(l.atom, Atom::Relation(_)));
                if missing.is_empty() || (relations_only && !relational) {
                    continue;
                }
                found.push((missing.len(), !relational, Closest { row, missing }));
            }
        }
        let Some(fewest) = found.iter().map(|f| f.0).min() else {
            return Vec::new();
        };
        found.retain(|f| f.0 == fewest);
        found.sort_by_key(|f| f.1);
        found.into_iter().map(|f| f.2).collect()
    }

    /// Plain English for the person who asked.
    fn caseworker(&self, req: &Request, d: &Decision) -> String {
        let act = spoken(&req.action);
        let show = self.disclosure(d);
        let (c, row) = match (d.basis, self.deciding_row(d)) {
            (Basis::Row { .. }, Some(x)) => x,
            (Basis::FailClosed(reason), _) => {
                return format!(
                    "Not permitted: you may not {act} this record. {} Please tell your system administrator: {}.",
                    words::FAIL_CLOSED,
                    words::fail_reason_plain(reason)
                );
            }
            _ => {
                return format!(
                    "Not permitted: you may not {act} this record. {}",
                    words::FAIL_CLOSED
                );
            }
        };
        let mut s: Vec<String> = Vec::new();
        match (d.outcome, d.deny_kind) {
            (Outcome::Allow, _) => self.allowed(req, d, c, row, &act, &mut s),
            (Outcome::Deny, kind) => {
                let kind = kind.unwrap_or(DenyKind::NotPermitted);
                s.push(format!(
                    "{}: you may not {act} this record.",
                    words::deny_heading(kind)
                ));
                if !show.restricted {
                    s.push(kind_meaning(kind).to_string());
                    s.push("If you need it for your work, speak to your line manager.".to_string());
                } else {
                    self.refused(req, d, c, row, kind, show, &mut s);
                }
            }
        }
        s.join(" ")
    }

    fn allowed(
        &self,
        req: &Request,
        d: &Decision,
        c: &CategoryTable,
        row: &Row,
        act: &str,
        s: &mut Vec<String>,
    ) {
        s.push(format!("Allowed: you may {act} this record."));
        let unrestricted = !c.is_restriction();
        s.push(match row.layer {
            Layer::Grant if unrestricted => format!(
                "The policy gives access to unrestricted records to {} (rule {}).",
                row.subjects_text, row.id
            ),
            Layer::Grant => format!(
                "The {} restriction gives access to {} (rule {}){}.",
                c.title,
                row.subjects_text,
                row.id,
                self.qualifying(req, d, row)
            ),
            Layer::TemporaryOverride => format!(
                "Rule {} would refuse you, but your valid temporary grant overrides it.",
                row.overrides.as_deref().unwrap_or("")
            ),
            Layer::Temporary => "You hold a valid temporary grant for this record.".to_string(),
            _ if unrestricted => "The record is not restricted: normal access applies.".to_string(),
            _ => format!(
                "The record is restricted under {}, which excludes only the people it names, and you are not one of them: normal access applies.",
                c.title
            ),
        });
        let texts: Vec<String> = row
            .obligations
            .iter()
            .filter_map(|o| self.table.vocabulary.obligations.get(*o as usize))
            .map(|o| o.text.clone())
            .collect();
        if !texts.is_empty() {
            s.push(format!("You must: {}.", texts.join("; ")));
        }
        if let Some(t) = d.expires_at {
            s.push(format!(
                "Your temporary access expires at {}.",
                time::timestamp(t)
            ));
        }
        for w in &d.warnings {
            if let Warning::ReviewOverdue(due) = w {
                s.push(format!(
                    "This restriction's review has been overdue since {}; it still applies, so please tell {}.",
                    due.format("%Y-%m-%d"),
                    self.contact(req, c).map_or_else(|| "your line manager".to_string(), |k| k.description)
                ));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn refused(
        &self,
        req: &Request,
        d: &Decision,
        c: &CategoryTable,
        row: &Row,
        kind: DenyKind,
        show: Disclosure,
        s: &mut Vec<String>,
    ) {
        let what = if show.category && c.is_restriction() {
            format!("The {} restriction", c.title)
        } else {
            "The policy".to_string()
        };
        match row.layer {
            Layer::NamedExclusion => {
                s.push(
                    "You, or one of your teams, are named on this record's exclusion list."
                        .to_string(),
                );
                s.push(kind_meaning(kind).to_string());
            }
            Layer::AbsoluteDeny | Layer::Deny => {
                if show.category {
                    s.push(format!(
                        "{what} forbids it for {} (rule {}).",
                        row.subjects_text, row.id
                    ));
                } else {
                    s.push(
                        "This record is restricted, and a deny rule of the policy covers you."
                            .to_string(),
                    );
                }
                if row.layer == Layer::AbsoluteDeny {
                    s.push(words::ABSOLUTE.to_string());
                }
            }
            _ => {
                s.push(if show.category {
                    format!("{what} gives access only to the people it names, and no rule gives you access.")
                } else {
                    "This record is restricted, and no rule of the policy gives you access.".to_string()
                });
                if let Some((facts, _)) = self.fact_set(req, d) {
                    let ways = self.closest(d, &facts, !show.category);
                    let mut phrases: Vec<String> = Vec::new();
                    for w in &ways {
                        let p = all_of(
                            &w.missing
                                .iter()
                                .map(|l| self.literal_phrase(*l))
                                .collect::<Vec<_>>(),
                        );
                        if !phrases.contains(&p) {
                            phrases.push(p);
                        }
                    }
                    let more = phrases.len().saturating_sub(CLOSEST);
                    phrases.truncate(CLOSEST);
                    if !phrases.is_empty() {
                        let tail = if more > 0 {
                            format!(
                                " (or {more} other way{} the policy lists)",
                                if more == 1 { "" } else { "s" }
                            )
                        } else {
                            String::new()
                        };
                        s.push(format!(
                            "You would have access if you were {}{tail}.",
                            join_or(&phrases, "or")
                        ));
                    }
                }
            }
        }
        let steps = self.next_steps_sentence(req, c, show, row.layer);
        s.extend(steps);
        if row.layer == Layer::Deny || row.layer == Layer::Default {
            s.extend(self.temporary_sentence(req, d, c, show));
        }
    }

    /// "Contact X; access is approved by Y, then Z."
    fn next_steps_sentence(
        &self,
        req: &Request,
        c: &CategoryTable,
        show: Disclosure,
        layer: Layer,
    ) -> Option<String> {
        let lead = match layer {
            Layer::AbsoluteDeny | Layer::NamedExclusion => "If you think this is wrong, contact",
            _ => "To ask for access, contact",
        };
        if !show.contact {
            return Some(format!("{lead} your line manager."));
        }
        let who = self.contact(req, c).map_or_else(
            || "your line manager".to_string(),
            |k| match k.subject_id {
                Some(id) => format!("{} ({id})", k.description),
                None => k.description,
            },
        );
        let chain = c
            .approval(Purpose::Access)
            .map(|a| words::chain_steps(&a.chain))
            .filter(|steps| {
                !steps.is_empty() && !matches!(layer, Layer::AbsoluteDeny | Layer::NamedExclusion)
            });
        Some(match chain {
            Some(steps) => format!(
                "{lead} {who}; access is approved by {}.",
                steps.join(", then ")
            ),
            None => format!("{lead} {who}."),
        })
    }

    /// Whether temporary access can be asked for, from whom and for how long.
    fn temporary_sentence(
        &self,
        req: &Request,
        d: &Decision,
        c: &CategoryTable,
        show: Disclosure,
    ) -> Option<String> {
        let Basis::Row { action, .. } = d.basis else {
            return None;
        };
        let t = c
            .temporary
            .as_ref()
            .filter(|t| t.actions.contains(&action))?;
        // A concealed contact conceals the approvers too: they can reveal the category.
        let approvers = if show.contact {
            join_or(
                &t.approved_by
                    .iter()
                    .map(words::approver_phrase)
                    .collect::<Vec<_>>(),
                "or",
            )
        } else {
            "your line manager".to_string()
        };
        for w in &d.warnings {
            if let Warning::GrantNotValid(
                i,
                p @ (GrantProblem::Expired | GrantProblem::NotStarted),
            ) = w
            {
                return Some(format!(
                    "Your temporary grant does not count because {}; you can ask {} for a new one for up to {}.",
                    self.grant_problem(req, *i, *p),
                    approvers,
                    t.max.describe()
                ));
            }
        }
        if !self.meets_temporary_to(req, d) {
            return Some("Temporary access is not available to you for this record.".to_string());
        }
        Some(format!(
            "You can ask {} for temporary access for up to {}.",
            approvers,
            t.max.describe()
        ))
    }

    /// "; you qualify as an allocated worker of the record": the term of a grant that held.
    fn qualifying(&self, req: &Request, d: &Decision, row: &Row) -> String {
        let Some((facts, _)) = self.fact_set(req, d) else {
            return String::new();
        };
        let held = row
            .condition
            .terms
            .iter()
            .find(|t| t.iter().all(|l| self.literal_holds(*l, &facts)));
        match held {
            Some(t) if !t.is_empty() => {
                let parts: Vec<String> = t.iter().map(|l| self.literal_phrase(*l)).collect();
                format!("; you qualify as {}", all_of(&parts))
            }
            _ => String::new(),
        }
    }

    /// A literal as a caseworker reads it after "you were".
    pub(super) fn literal_phrase(&self, l: Literal) -> String {
        literal_phrase(&self.table.vocabulary, l)
    }
}

fn kind_meaning(kind: DenyKind) -> &'static str {
    match kind {
        DenyKind::Forbidden => words::FORBIDDEN,
        DenyKind::NotPermitted => words::NOT_PERMITTED,
    }
}

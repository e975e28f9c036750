//! Caseworker explanations: two to six sentences of plain English, saying the decision, the
//! reason in the policy's words, who to contact, whether temporary access can be asked for, and
//! what would give access — and nothing the category conceals.

use super::decider::{Context, Decider};
use super::decision::{
    Audience, Basis, CategoryRef, Decision, DenyKind, GrantProblem, Outcome, Warning,
};
use super::refusal::{Refusal, refusal_as};
use super::render::{Told, owner};
use super::request::Request;
use super::{intern, time, words};
use crate::compile::table::{CategoryTable, Layer, Row};
use crate::policy::words::{all_of, join_or, literal_phrase, spoken};
use crate::policy::{Atom, Literal, Relation};

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
        if let Some(state) = d.basis.chain() {
            return self.change_explanation(req, d, state, audience);
        }
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
        let mut ctx = self.facts(req, d.at, &mut facts).ok()?;
        match d.basis {
            // A refusal by the unrestricted block was decided on the facts before any
            // restriction's; an unrestricted record is decided on the unrestricted block's.
            Basis::Row {
                category: CategoryRef::Unrestricted,
                ..
            } => {
                if ctx.placed.is_empty() {
                    self.consult(req, &mut ctx, 0, d.at, &mut facts, &mut Default::default());
                }
            }
            Basis::Row { category, .. } => {
                let k = ctx
                    .placed
                    .iter()
                    .position(|p| p.category == category && p.via == d.via)?;
                self.restrict(req, &mut ctx, k, d.at, &mut facts, &mut Default::default());
            }
            Basis::FailClosed(_) | Basis::Change(_) => return None,
        }
        Some((facts, ctx))
    }

    /// Whether a literal holds for these facts.
    pub(super) fn literal_holds(&self, l: Literal, facts: &[u64]) -> bool {
        intern::get(facts, self.layout.bit(l.atom)) != l.negated
    }

    /// Whether the subject meets the `to` condition of the category's first kind of temporary
    /// access that covers the action.
    pub(super) fn meets_temporary_to<S: AsRef<str>>(&self, req: &Request<S>, d: &Decision) -> bool {
        let (Some(c), Basis::Row { action, .. }) = (self.deciding_row(d).map(|(c, _)| c), d.basis)
        else {
            return false;
        };
        c.temporary
            .iter()
            .position(|t| t.actions.contains(&action))
            .is_some_and(|i| self.meets_kind_to(req, d, i))
    }

    /// Whether the subject meets the `to` condition of the category's kind of temporary access
    /// at this index.
    pub(super) fn meets_kind_to<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        d: &Decision,
        kind: usize,
    ) -> bool {
        let Some((mut facts, ctx)) = self.fact_set(req, d) else {
            return false;
        };
        let Some(t) = self
            .category(ctx.category)
            .and_then(|c| c.temporary.get(kind))
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

    /// The action as a caseworker reads it after "you may": its title with a lower-case first
    /// letter ("add a case note"), or its name when the policy does not declare it.
    fn action_words(&self, name: &str) -> String {
        let Some(title) = self.table.action_title(name) else {
            return spoken(name);
        };
        let mut chars = title.chars();
        match (chars.next(), chars.next()) {
            // "MASH referral" keeps its capitals; "View the record" reads "view the record".
            (Some(first), Some(second)) if !second.is_uppercase() => {
                first.to_lowercase().chain(title.chars().skip(1)).collect()
            }
            _ => title.to_string(),
        }
    }

    /// Plain English for the person who asked: as far as the deciding category discloses
    /// (docs/semantics.md, "Disclosure"), and never a rule id or the policy's notation.
    fn caseworker(&self, req: &Request, d: &Decision) -> String {
        let act = self.action_words(&req.action);
        let show = self.disclosure(d);
        let Some((c, row)) = self
            .deciding_row(d)
            .filter(|_| matches!(d.basis, Basis::Row { .. }))
        else {
            // A request the evaluator refused as invalid: what was wrong is in the decision log
            // for an auditor; the value itself may come from the record.
            return format!(
                "Refused. {} Please tell your system administrator; the decision log records what was wrong.",
                words::FAIL_CLOSED
            );
        };
        let mut s: Vec<String> = Vec::new();
        if d.outcome == Outcome::Allow {
            self.allowed(req, d, c, row, &act, &mut s);
            if let Some(a) = acting(req, d) {
                s.insert(1.min(s.len()), a);
            }
            return s.join(" ");
        }
        let kind = d.deny_kind.unwrap_or(DenyKind::NotPermitted);
        let heading = if show.reason {
            words::deny_heading(kind)
        } else {
            "Refused"
        };
        s.push(format!("{heading}: you may not {act}."));
        // Whom they act for is the subject's own statement, not a fact of the record.
        s.extend(acting(req, d));
        if !show.restricted {
            s.push(
                "If you need this record for your work, speak to your line manager.".to_string(),
            );
            return s.join(" ");
        }
        self.refused(req, d, c, row, kind, show, &mut s);
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
        s.push(format!("Allowed: you may {act}."));
        let unrestricted = !c.is_restriction();
        s.push(match row.layer {
            Layer::Grant if unrestricted => format!(
                "The policy gives access to unrestricted records to {}.",
                row.subjects_text
            ),
            Layer::Grant => format!(
                "The {} restriction gives access to {}{}.",
                c.title,
                row.subjects_text,
                self.qualifying(req, d, row)
            ),
            Layer::TemporaryOverride => {
                "A rule of the restriction would refuse you, but your valid temporary grant overrides it."
                    .to_string()
            }
            Layer::Temporary => "You hold a valid temporary grant for this record.".to_string(),
            _ if unrestricted => "The record is not restricted: normal access applies.".to_string(),
            _ => format!(
                "The record is restricted under {}, which excludes only the people it names, and you are not one of them: normal access applies.",
                c.title
            ),
        });
        let texts: Vec<String> = self
            .deciding_obligations(d, row)
            .iter()
            .filter_map(|o| self.table.vocabulary.obligations.get(*o as usize))
            .map(|o| o.text.clone())
            .collect();
        if !texts.is_empty() {
            s.push(format!("You must: {}.", texts.join("; ")));
        }
        // A flag's duty, in the flag's own words, for whoever may open the record.
        for f in self.flags_on(d) {
            s.push(format!("This record is flagged {}: {}.", f.title, f.warns));
        }
        if let Some(t) = d.expires_at {
            s.push(format!(
                "Your temporary access ends at {} (UK time).",
                time::uk_local(t)
            ));
        }
        for w in &d.warnings {
            match w {
                Warning::ReviewOverdue(due) => s.push(format!(
                    "This restriction's review has been overdue since {}; it still applies, so please tell {}.",
                    due.format("%-d %B %Y"),
                    self.contact(req, c, d.via).map_or_else(|| "your line manager".to_string(), |k| k.description)
                )),
                Warning::FlagReviewOverdue(flag, due) => {
                    if let Some(f) = self.table.vocabulary.flags.get(*flag as usize) {
                        s.push(format!(
                            "The {} flag's review has been overdue since {}; it still applies.",
                            f.title,
                            due.format("%-d %B %Y")
                        ));
                    }
                }
                Warning::RestrictionEndsSoon(cat, end) => s.push(format!(
                    "The {} restriction ends at {} (UK time); if it is still needed, it must be renewed before then.",
                    self.category_title(*cat),
                    time::uk_local(time::uk_day_start(*end))
                )),
                Warning::RestrictionEnded(cat, end) => s.push(format!(
                    "The {} restriction reached its end at {} (UK time) but still applies until someone renews or lifts it, so please tell {}.",
                    self.category_title(*cat),
                    time::uk_local(time::uk_day_start(*end)),
                    self.whom_to_tell(req, *cat)
                )),
                Warning::RestrictionRenewedTooOften(cat, n) => s.push(format!(
                    "The {} restriction has been renewed {n} times, more than the policy allows; it still applies, so please tell {}.",
                    self.category_title(*cat),
                    self.whom_to_tell(req, *cat)
                )),
                // What the facts require is for an auditor (render.rs).
                Warning::GrantCapped(..)
                | Warning::GrantNotValid(..)
                | Warning::GrantEndsSoon(..)
                | Warning::RestrictionRequired(_)
                | Warning::ActingNotValid(_) => {}
            }
        }
    }

    /// Whom an allowed person should tell about a restriction's own problem (its end, its
    /// renewals): the category's contact, or the restriction's owner, else their line manager.
    /// A restriction reached across a link names its own owner, as the same restriction on the
    /// record would (never the link).
    fn whom_to_tell(&self, req: &Request, category: u32) -> String {
        self.category(CategoryRef::Category(category))
            .and_then(|c| {
                let via = req
                    .record
                    .every_placed()
                    .find(|(_, r)| r.category == c.name)
                    .and_then(|(via, _)| via);
                self.contact(req, c, via)
            })
            .map_or_else(|| "your line manager".to_string(), |k| k.description)
    }

    #[allow(clippy::too_many_arguments)]
    fn refused(
        &self,
        req: &Request,
        d: &Decision,
        c: &CategoryTable,
        row: &Row,
        kind: DenyKind,
        show: Told,
        s: &mut Vec<String>,
    ) {
        let what = if show.title && c.is_restriction() {
            format!("The {} restriction", c.title)
        } else {
            "The policy".to_string()
        };
        if show.title && c.is_restriction() {
            s.push(format!("This record is restricted under {}.", c.title));
        } else if c.is_restriction() {
            s.push("This record is restricted.".to_string());
        }
        if show.reason {
            match row.layer {
                Layer::NamedExclusion => {
                    s.push(
                        "You, or one of your teams, are named on this record's exclusion list."
                            .to_string(),
                    );
                    s.push(kind_meaning(kind).to_string());
                }
                Layer::AbsoluteDeny | Layer::Deny => {
                    s.push(if show.title {
                        format!("{what} forbids it for {}.", row.subjects_text)
                    } else {
                        "A deny rule of the policy covers you.".to_string()
                    });
                    if row.layer == Layer::AbsoluteDeny {
                        s.push(words::ABSOLUTE.to_string());
                    }
                }
                _ => {
                    s.push(if show.title {
                        format!("{what} gives access only to the people it names, and no rule gives you access.")
                    } else {
                        "No rule of the policy gives you access.".to_string()
                    });
                    // The ways in are the restriction's rules: told only with its title, and
                    // only ways that depend on the record, never joining a team or changing
                    // organisation.
                    if show.title {
                        s.extend(self.ways_in(req, d));
                    }
                }
            }
        }
        // Whom to ask and the notice, as the response's own fields say them.
        if let Basis::Row { action, .. } = d.basis {
            let told = refusal_as(c, row, action, show, owner(req, d.via, c).is_some());
            s.push(next_steps_sentence(&told, show, row.layer));
            if show.temporary && matches!(row.layer, Layer::Deny | Layer::Default) {
                s.extend(self.temporary_sentence(req, d, c, show));
            }
            s.extend(told.notice);
        }
    }

    /// "You would have access if you were an allocated worker of the record."
    fn ways_in(&self, req: &Request, d: &Decision) -> Option<String> {
        let (facts, _) = self.fact_set(req, d)?;
        let ways = self.closest(d, &facts, true);
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
        if phrases.is_empty() {
            return None;
        }
        let tail = if more > 0 {
            format!(
                " (or {more} other way{} the policy lists)",
                if more == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        Some(format!(
            "You would have access if you were {}{tail}.",
            join_or(&phrases, "or")
        ))
    }

    /// Whether temporary access can be asked for, from whom and for how long, and when it
    /// cannot: one sentence for the first kind that covers the action, one more for each other
    /// kind.
    fn temporary_sentence(
        &self,
        req: &Request,
        d: &Decision,
        c: &CategoryTable,
        show: Told,
    ) -> Option<String> {
        let Basis::Row { action, .. } = d.basis else {
            return None;
        };
        let mut kinds = c
            .temporary
            .iter()
            .enumerate()
            .filter(|(_, t)| t.actions.contains(&action));
        let Some((first, t)) = kinds.next() else {
            return Some("Temporary access cannot be given for this.".to_string());
        };
        // Who approves can reveal what the category is, as the contact can.
        let approvers = |t: &crate::compile::table::TemporaryEntry| {
            if show.contact {
                join_or(
                    &t.approved_by
                        .iter()
                        .map(words::approver_phrase)
                        .collect::<Vec<_>>(),
                    "or",
                )
            } else {
                "your line manager".to_string()
            }
        };
        let others: String = kinds
            .map(|(i, k)| {
                // A kind's title can say what the category is, as the category's title can.
                let what = match k.kind.as_ref().filter(|_| show.title) {
                    Some(kind) => format!("{} (`{}`)", kind.title, kind.name),
                    None => "another kind of temporary access".to_string(),
                };
                if self.meets_kind_to(req, d, i) {
                    format!(
                        " You can also ask {} for {what} for up to {}.",
                        approvers(k),
                        k.max.describe()
                    )
                } else {
                    format!(" {what} is not available to you for this record.")
                }
            })
            .collect();
        let what = match t.kind.as_ref().filter(|_| show.title) {
            Some(kind) => format!("{} (`{}`)", kind.title, kind.name),
            None => "temporary access".to_string(),
        };
        for w in &d.warnings {
            if let Warning::GrantNotValid(
                i,
                p @ (GrantProblem::Expired(_) | GrantProblem::NotStarted),
            ) = w
            {
                return Some(format!(
                    "Your temporary grant does not count because {}; you can ask {} for a new one for up to {}.{others}",
                    self.grant_problem_local(req, *i, *p),
                    approvers(t),
                    t.max.describe()
                ));
            }
        }
        if !self.meets_kind_to(req, d, first) {
            return Some(format!(
                "{} is not available to you for this record.{others}",
                capitalise(&what)
            ));
        }
        Some(format!(
            "You can ask {} for {what} for up to {}.{others}",
            approvers(t),
            t.max.describe()
        ))
    }

    /// Why a grant does not count, with its times in UK local time.
    fn grant_problem_local(&self, req: &Request, i: u16, p: GrantProblem) -> String {
        let g = req.temporary_grants.get(usize::from(i));
        match p {
            GrantProblem::NotStarted => format!(
                "it starts at {} (UK time)",
                g.map_or_else(String::new, |g| time::uk_local(g.granted_at))
            ),
            GrantProblem::Expired(end) => format!("it ended at {} (UK time)", time::uk_local(end)),
            other => self.grant_problem(req, i, other),
        }
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

/// "Contact X; access is approved by Y, then Z.", from a refusal's contact and escalation (so
/// nobody is named as approving what an absolute deny or an exclusion refuses: nobody can).
fn next_steps_sentence(told: &Refusal, show: Told, layer: Layer) -> String {
    let final_refusal = matches!(layer, Layer::AbsoluteDeny | Layer::NamedExclusion);
    let lead = if final_refusal && show.reason {
        "If you think this is wrong, contact"
    } else {
        "If you need this record for your work, contact"
    };
    let who = told
        .contact
        .as_deref()
        .unwrap_or(Relation::LineManager.describe());
    if told.escalation.is_empty() {
        format!("{lead} {who}.")
    } else {
        format!(
            "{lead} {who}; access is approved by {}.",
            told.escalation.join(", then ")
        )
    }
}

/// The text with its first letter in capitals.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Whom the subject acts for, as the request says and the policy admitted, or why acting did
/// not count: their own statement, so told whatever the record conceals.
fn acting(req: &Request, d: &Decision) -> Option<String> {
    let a = req.acting_for.as_ref()?;
    let who = a.subject.id.as_str();
    if d.acting {
        return Some(format!(
            "You asked on behalf of {who}, with their rights, until {} (UK time); anything the policy denies you yourself is still refused.",
            time::uk_local(a.until)
        ));
    }
    d.warnings.iter().find_map(|w| match w {
        Warning::ActingNotValid(p) => Some(format!(
            "Acting for {who} does not count: {}. This was decided with your own rights.",
            words::acting_problem(*p)
        )),
        _ => None,
    })
}

//! Auditor explanations: the request, the facts, every row of the decision list and why it
//! matched or not, the deciding row with its source line, and the combining rule applied.

use std::fmt::Write as _;

use super::acting::denies;
use super::decider::Decider;
use super::decision::{Basis, Decision, DenyKind, TraceStep};
use super::render::{fail_value, linked_field};
use super::request::Request;
use super::{time, words};
use crate::compile::table::Row;
use crate::policy::words::{all_of, atom_notation, literal_notation, term_notation};
use crate::policy::{Atom, Condition, Relation};

impl Decider {
    /// Every row of the decision list with whether it held, why, and whether it decided.
    pub fn trace(&self, req: &Request, d: &Decision) -> Vec<TraceStep> {
        let Basis::Row {
            category,
            action,
            row: decided,
        } = d.basis
        else {
            return Vec::new();
        };
        let Some((facts, ctx)) = self.fact_set(req, d) else {
            return Vec::new();
        };
        // While acting, a deny is read on the deputy's own facts too (eval/acting.rs).
        let deputy = self.deputy_facts(&ctx, &facts);
        let rows = self.rows(category, action);
        let Some(list) = self
            .category(category)
            .and_then(|c| c.decisions.get(action as usize))
        else {
            return Vec::new();
        };
        list.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (mut matched, mut detail) = self.why(&r.condition, &facts);
                if let (false, Some(own), Some(row)) = (matched, &deputy, rows.get(i)) {
                    let (held, why) = self.why(&r.condition, own);
                    if held && denies(row) {
                        (matched, detail) = (true, format!("the subject themselves: {why}"));
                    }
                }
                let why = format!("{}: {detail}", if matched { "matched" } else { "failed" });
                TraceStep {
                    rule: r.id.clone(),
                    layer: r.layer.word().to_string(),
                    matched,
                    decided: i == decided as usize,
                    why: if i > decided as usize {
                        format!(
                            "not reached (would {}match: {detail})",
                            if matched { "" } else { "not " }
                        )
                    } else {
                        why
                    },
                    source: r.source.clone(),
                }
            })
            .collect()
    }

    /// Whether a condition holds and why: the term that held, or every term's failing literals.
    pub(super) fn why(&self, c: &Condition, facts: &[u64]) -> (bool, String) {
        let v = &self.table.vocabulary;
        if let Some(term) = c
            .terms
            .iter()
            .find(|t| t.iter().all(|l| self.literal_holds(*l, facts)))
        {
            return (true, term_notation(v, term));
        }
        if c.terms.is_empty() {
            return (false, "no one matches this condition".to_string());
        }
        let failed: Vec<String> = c
            .terms
            .iter()
            .map(|t| {
                all_of(
                    &t.iter()
                        .filter(|l| !self.literal_holds(**l, facts))
                        .map(|l| literal_notation(v, *l))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        (false, failed.join(" | "))
    }

    /// The full trace as text.
    pub(super) fn auditor(&self, req: &Request, d: &Decision) -> String {
        let mut out = String::new();
        let kind = match d.deny_kind {
            None => String::new(),
            Some(k) => format!(" ({})", k.word().replace('_', " ")),
        };
        let _ = writeln!(
            out,
            "Decision: {}{kind}, view {}, at {}.",
            d.outcome.word(),
            d.view.decision_word(),
            time::timestamp(d.at)
        );
        self.describe_request(req, &mut out);
        if let (Some(a), true) = (&req.acting_for, d.acting) {
            let _ = writeln!(
                out,
                "Acting for: `{}` (roles {}, teams {}, organisation {}), approved by `{}`, from {} until {}. {}",
                a.subject.id.as_str(),
                list_or_none(&a.subject.roles),
                list_or_none(&a.subject.teams),
                a.subject.organisation,
                a.approved_by.id().as_str(),
                time::timestamp(a.from),
                time::timestamp(a.until),
                words::ACTING
            );
        }
        let (c, row) = match (d.basis, self.deciding_row(d)) {
            (Basis::FailClosed(reason), _) => {
                let _ = writeln!(
                    out,
                    "Refused: {}.",
                    words::fail_reason(reason, fail_value(req, reason))
                );
                if let Some(field) = linked_field(req, reason) {
                    let _ = writeln!(out, "The value is at `{field}`.");
                }
                let _ = writeln!(out, "{}", words::FAIL_CLOSED);
                return out;
            }
            (_, Some(x)) => x,
            (_, None) => return out,
        };
        let _ = writeln!(
            out,
            "Category: {} \"{}\" ({}), restriction {}.",
            c.name,
            c.title,
            c.source,
            match c.restriction {
                crate::policy::RestrictionType::Universal => "universal",
                crate::policy::RestrictionType::Exclude => "exclude",
            }
        );
        if let Some(l) = d.via.and_then(|i| req.record.links.get(usize::from(i))) {
            let _ = writeln!(
                out,
                "The deciding restriction is linked record `{}`'s, reaching this record by link `{}` ({}). {}",
                l.record,
                l.link,
                self.link_title(&l.link),
                words::LINKED
            );
        }
        if self.applying(req).nth(1).is_some() {
            let each: Vec<String> = self
                .each_restriction(req, d.at)
                .into_iter()
                .map(|(category, via, e)| {
                    let kind = e.deny_kind.map_or(String::new(), |k| {
                        format!(" ({})", k.word().replace('_', " "))
                    });
                    let from = via
                        .and_then(|i| req.record.links.get(usize::from(i)))
                        .map_or_else(String::new, |l| {
                            format!(" (linked record `{}`, link `{}`)", l.record, l.link)
                        });
                    format!(
                        "`{category}`{from} {}{kind}, view {}",
                        e.outcome.word(),
                        e.view.decision_word()
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "Several restrictions: {}. {}",
                each.join("; "),
                words::SEVERAL
            );
        }
        if let Some((facts, ctx)) = self.fact_set(req, d) {
            if let Some(own) = self.deputy_facts(&ctx, &facts) {
                let _ = writeln!(
                    out,
                    "The subject's own facts, for denies: {}.",
                    list_or_none(&self.facts_held(&own))
                );
            }
            let held: Vec<String> = self.facts_held(&facts);
            let _ = writeln!(
                out,
                "Facts that hold: {}.",
                if held.is_empty() {
                    "none".to_string()
                } else {
                    held.join(", ")
                }
            );
        }
        let action = req.action.as_str();
        let _ = writeln!(
            out,
            "Decision list for {} × {action} (the first matching row decides):",
            c.name
        );
        for (i, step) in self.trace(req, d).iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. [{}] {} ({}): {}{}",
                i + 1,
                step.layer,
                step.rule,
                step.source,
                step.why,
                if step.decided { "  <- decides" } else { "" }
            );
        }
        let _ = writeln!(out, "Deciding row: {} at {}.", row.id, row.source);
        let _ = writeln!(
            out,
            "Combining rule applied: {}",
            words::combining_rule(row.layer, c.restriction)
        );
        self.deny_kind_lines(req, d, row, &mut out);
        let resp = self.response(req, d, None);
        for o in &resp.obligations {
            let _ = writeln!(out, "Obligation: {}.", o.text);
        }
        for w in &d.warnings {
            let _ = writeln!(out, "Warning: {}.", self.warning(req, *w).message);
        }
        out
    }

    fn deny_kind_lines(&self, req: &Request, d: &Decision, row: &Row, out: &mut String) {
        match d.deny_kind {
            Some(DenyKind::Forbidden) => {
                let strength = if row.layer == crate::compile::Layer::AbsoluteDeny {
                    "absolute: nothing overrides it"
                } else if row.layer == crate::compile::Layer::NamedExclusion {
                    "a named exclusion: no grant or temporary access overrides it"
                } else {
                    "not absolute: a valid temporary grant would override it"
                };
                let _ = writeln!(
                    out,
                    "Forbidden by {} ({}), which is {strength}.",
                    row.id, row.subjects_text
                );
            }
            Some(DenyKind::NotPermitted) => {
                let closest = self
                    .fact_set(req, d)
                    .map(|(facts, _)| self.closest(d, &facts, false))
                    .unwrap_or_default();
                let ways: Vec<String> = closest
                    .iter()
                    .map(|w| {
                        let need = all_of(
                            &w.missing
                                .iter()
                                .map(|l| literal_notation(&self.table.vocabulary, *l))
                                .collect::<Vec<_>>(),
                        );
                        format!("{} ({}) needs {need}", w.row.id, w.row.source)
                    })
                    .collect();
                if ways.is_empty() {
                    let _ = writeln!(
                        out,
                        "Not permitted: no grant matched, and no grant covers this action."
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "Not permitted: no grant matched. Closest grants: {}.",
                        ways.join("; ")
                    );
                }
            }
            None => {}
        }
    }

    /// Every atom that holds, in the policy's notation.
    fn facts_held(&self, facts: &[u64]) -> Vec<String> {
        let v = &self.table.vocabulary;
        let mut atoms: Vec<Atom> = Relation::ALL.iter().map(|r| Atom::Relation(*r)).collect();
        atoms.extend(
            crate::policy::OrgKind::ALL
                .iter()
                .map(|k| Atom::OrgKind(*k)),
        );
        atoms.extend((0..v.organisations.len() as u32).map(Atom::Organisation));
        atoms.extend((0..v.persons.len() as u32).map(Atom::Person));
        atoms.extend((0..v.roles.len() as u32).map(Atom::Role));
        atoms.extend((0..v.teams.len() as u32).map(Atom::Team));
        atoms.extend((0..v.context_values.len() as u32).map(Atom::Context));
        atoms
            .into_iter()
            .filter(|a| crate::eval::intern::get(facts, self.layout.bit(*a)))
            .map(|a| atom_notation(v, a))
            .collect()
    }

    fn describe_request(&self, req: &Request, out: &mut String) {
        let s = &req.subject;
        fn list<T: std::fmt::Display>(l: &[T]) -> String {
            if l.is_empty() {
                "none".to_string()
            } else {
                l.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
            }
        }
        let _ = writeln!(
            out,
            "Request: subject `{}` (roles: {}; teams: {}; organisation `{}`) asks to {} record `{}`.",
            s.id,
            list(&s.roles),
            list(&s.teams),
            s.organisation,
            req.action,
            req.record.id
        );
        if !req.context.is_empty() {
            let stated: Vec<String> = req
                .context
                .0
                .iter()
                .map(|(c, v)| format!("{c} `{v}`"))
                .collect();
            let _ = writeln!(out, "Context: {}.", stated.join(", "));
        }
        let r = &req.record;
        let _ = writeln!(
            out,
            "Record: {}; allocated workers: {}; allocated managers: {}; record teams: {}.",
            if r.is_restricted() {
                "restricted"
            } else {
                "unrestricted"
            },
            list(&r.allocated_workers),
            list(&r.allocated_managers),
            list(&r.teams)
        );
        for x in r.placed() {
            let _ = writeln!(
                out,
                "Restriction under `{}`: owner {}; access list: {}; exclusion list: {}.",
                x.category,
                x.owner.as_ref().map_or("none", |o| o.as_str()),
                list(&x.named_allow),
                list(&x.named_deny)
            );
        }
        for l in &r.links {
            let each: Vec<String> = l
                .restrictions
                .iter()
                .map(|x| {
                    format!(
                        "`{}` ({}; owner {}; access list: {}; exclusion list: {})",
                        x.category,
                        if self.reaches_link(&x.category, &l.link) {
                            "reaches this record"
                        } else {
                            "does not reach this record"
                        },
                        x.owner.as_ref().map_or("none", |o| o.as_str()),
                        list(&x.named_allow),
                        list(&x.named_deny)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "Linked record `{}` by link `{}` ({}): restrictions {}.",
                l.record,
                l.link,
                self.link_title(&l.link),
                if each.is_empty() {
                    "none".to_string()
                } else {
                    each.join("; ")
                }
            );
        }
        if !r.flags.is_empty() {
            let flags: Vec<String> = r.flags.iter().map(|f| format!("`{}`", f.flag)).collect();
            let _ = writeln!(
                out,
                "Flags on the record: {}. {}",
                flags.join(", "),
                words::FLAGS
            );
        }
        if !r.facts.is_empty() {
            let facts: Vec<String> = r.facts.iter().map(|f| format!("`{f}`")).collect();
            let _ = writeln!(
                out,
                "Facts of the record: {}. {}",
                facts.join(", "),
                words::FACTS
            );
        }
        for (i, g) in req.temporary_grants.iter().enumerate() {
            let stated = g.approved_by.stated().map_or_else(String::new, |s| {
                format!(
                    " (roles: {}; teams: {})",
                    list_or_none(&s.roles),
                    list_or_none(&s.teams)
                )
            });
            let kind = g
                .kind
                .as_deref()
                .map_or_else(String::new, |k| format!(", kind `{k}`"));
            let renewed = match g.renewals {
                0 => String::new(),
                n => format!(", renewed {n} times"),
            };
            let _ = writeln!(
                out,
                "Temporary grant {}: subject `{}`, record {}, granted at {} for {}{kind}{renewed}, approved by `{}`{stated}.",
                i + 1,
                g.subject,
                g.record.as_deref().unwrap_or("(this record)"),
                time::timestamp(g.granted_at),
                g.duration.0.describe(),
                g.approved_by.id()
            );
        }
    }
}

impl Decider {
    /// A kind of link's title, or "not declared by the policy".
    fn link_title(&self, name: &str) -> &str {
        self.table
            .vocabulary
            .links
            .iter()
            .find(|l| l.name == name)
            .map_or("not declared by the policy", |l| l.title.as_str())
    }
}

/// Names joined by commas, or "none".
fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

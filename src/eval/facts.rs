//! The facts about one person a decision reads: their organisation, person, roles and teams,
//! the request's context, their relations to the record and to each restriction on it. The
//! decider sets them for the subject who asks and, while acting, for the colleague they act for
//! (eval/acting.rs); a name the policy does not declare fails closed, naming whose it is.

use super::acting::Who;
use super::decider::{Decider, index};
use super::decision::{FailReason, NamedList};
use super::id::{self, Id, ListEntry};
use super::intern;
use super::request::{Record, Request, Restriction, Subject};
use crate::policy::{Atom, Relation};

impl Decider {
    /// Sets the facts about one person that hold for every record: their organisation, person,
    /// roles and teams. A name the policy does not declare fails closed, naming whose it is.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    pub(super) fn subject_facts<S: AsRef<str>>(
        &self,
        s: &Subject<S>,
        facts: &mut [u64],
        who: Who,
    ) -> Result<(), FailReason> {
        let org = *self
            .orgs
            .get(s.organisation.as_ref())
            .ok_or(who.unknown_organisation())?;
        intern::set(facts, self.layout.bit(Atom::Organisation(org)));
        if let Some(k) = self.org_kinds.get(org as usize) {
            intern::set(facts, self.layout.bit(Atom::OrgKind(*k)));
        }
        // Most policies name no one: skip folding the subject id for them.
        let person = (!self.persons.is_empty())
            .then(|| id::with_key(&s.id, |k| self.persons.get(k).copied()))
            .flatten();
        if let Some(p) = person {
            for b in self.person_bits.get(p as usize).into_iter().flatten() {
                intern::set(facts, *b);
            }
        }
        for (i, name) in s.roles.iter().enumerate() {
            let r = self
                .roles
                .get(name.as_ref())
                .ok_or(who.unknown_role(index(i)))?;
            self.role_tree.hold(facts, *r);
        }
        for (i, name) in s.teams.iter().enumerate() {
            let t = self
                .teams
                .get(name.as_ref())
                .ok_or(who.unknown_team(index(i)))?;
            self.team_tree.hold(facts, *t);
        }
        Ok(())
    }

    /// Sets one person's relations to the record itself (not to a restriction on it), once
    /// their teams are set: a team of the record's the policy does not declare fails closed.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    pub(super) fn record_facts<S: AsRef<str>>(
        &self,
        s: &Subject<S>,
        rec: &Record<S>,
        facts: &mut [u64],
    ) -> Result<(), FailReason> {
        let has = |list: &[Id<S>]| list.iter().any(|x| x.same_as(&s.id));
        let mut held = 0u64;
        let mut rel = |r: Relation, on: bool| {
            if on {
                held |= 1 << intern::relation_bit(r);
            }
        };
        rel(Relation::AllocatedWorker, has(&rec.allocated_workers));
        rel(Relation::AllocatedManager, has(&rec.allocated_managers));
        let mut in_record_team = false;
        for (i, t) in rec.teams.iter().enumerate() {
            in_record_team |= self
                .in_team(t.as_ref(), facts)
                .ok_or(FailReason::UnknownRecordTeam(index(i)))?;
        }
        rel(Relation::RecordTeam, in_record_team);
        rel(
            Relation::RecordSubject,
            rec.subject.as_ref().is_some_and(|x| x.same_as(&s.id)),
        );
        rel(Relation::Relative, has(&rec.relatives));
        rel(Relation::Author, has(&rec.authors));
        // INVARIANT: relations occupy the lowest bits of the first word (see `Layout`).
        if let Some(w) = facts.first_mut() {
            *w |= held;
        }
        Ok(())
    }

    /// Sets the bit of every context value the request states. A context the request leaves out
    /// sets no bit: none of its atoms holds.
    pub(super) fn context_facts<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        facts: &mut [u64],
    ) -> Result<(), FailReason> {
        for (i, (name, value)) in req.context.0.iter().enumerate() {
            let c = self
                .contexts
                .get(name.as_ref())
                .ok_or(FailReason::UnknownContext(index(i)))?;
            let v = self
                .context_values
                .get(*c as usize)
                .and_then(|values| values.get(value.as_ref()))
                .ok_or(FailReason::UnknownContextValue(index(i)))?;
            intern::set(facts, self.layout.bit(Atom::Context(*v)));
        }
        Ok(())
    }

    /// One restriction's relation bits for a person: its owner, access and exclusion lists.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    pub(super) fn restriction_bits<S: AsRef<str>>(
        &self,
        r: &Restriction<S>,
        person: &Id<S>,
        facts: &[u64],
        k: usize,
    ) -> Result<u64, FailReason> {
        let mut bits = 0u64;
        let mut rel = |rl: Relation, on: bool| {
            if on {
                bits |= 1 << intern::relation_bit(rl);
            }
        };
        rel(
            Relation::Owner,
            r.owner.as_ref().is_some_and(|o| o.same_as(person)),
        );
        let k = index(k);
        // An empty list, as most are, names no one: no call for it.
        let named = |list: &[ListEntry<S>], which| {
            if list.is_empty() {
                Ok(false)
            } else {
                self.named(list, person, facts, k, which)
            }
        };
        rel(
            Relation::NamedAllow,
            named(&r.named_allow, NamedList::Allow)?,
        );
        rel(Relation::NamedDeny, named(&r.named_deny, NamedList::Deny)?);
        Ok(bits)
    }

    /// Whether an access or exclusion list names the subject: by id, by a team they are in
    /// (or below), or by a role they hold (or one below it). A team or role the policy does not
    /// declare fails closed rather than being skipped.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    fn named<S: AsRef<str>>(
        &self,
        list: &[ListEntry<S>],
        subject: &Id<S>,
        facts: &[u64],
        restriction: u16,
        which: NamedList,
    ) -> Result<bool, FailReason> {
        let mut named = false;
        for (i, e) in list.iter().enumerate() {
            let unknown = || FailReason::UnknownListEntry(restriction, which, index(i));
            named |= match e {
                ListEntry::Person(id) => id.same_as(subject),
                ListEntry::Team(t) => self.in_team(t.as_ref(), facts).ok_or_else(unknown)?,
                ListEntry::Role(r) => {
                    let r = self.roles.get(r.as_ref()).ok_or_else(unknown)?;
                    intern::get(facts, self.layout.bit(Atom::Role(*r)))
                }
            };
        }
        Ok(named)
    }

    /// Whether the subject is in a declared team (or one below it); `None` when the policy
    /// does not declare the team. (Every team the subject gives is declared, or the request
    /// failed closed, so its bit is already set.)
    fn in_team(&self, team: &str, facts: &[u64]) -> Option<bool> {
        self.teams
            .get(team)
            .map(|t| intern::get(facts, self.layout.bit(Atom::Team(*t))))
    }
}

//! A reference interpreter for the combining rule, for tests only.
//!
//! It decides a request straight from the checked model (`policy::Policy`), never from the
//! compiled table, with the combining rule of docs/semantics.md written out step by step and
//! every fact computed from the request's strings. The differential test holds the compiled
//! `Decider` to it.

use caselock::eval::{DenyKind, FailReason, ListEntry, NamedList, Outcome};
use caselock::eval::{Request, Restriction};
use caselock::policy::{
    Atom, Category, Condition, Effect, Literal, Policy, Relation, RestrictionType, Schedule, View,
};

/// The id rule of docs/api.md, written out independently: equal ignoring letter case.
fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}
use chrono::{DateTime, NaiveDate, Utc};

/// What the reference decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefDecision {
    /// Allow or deny.
    pub outcome: Outcome,
    /// What the subject sees.
    pub view: View,
    /// Forbidden or not permitted, for a deny.
    pub deny_kind: Option<DenyKind>,
    /// The deciding rule's id.
    pub rule: Option<String>,
    /// Why the request was refused unchecked.
    pub fail: Option<FailReason>,
    /// Whether an allow rests on temporary access that ends within its kind's notice.
    pub ends_soon: bool,
    /// What each restriction consulted says of its own end and renewals ([`lifetime`]).
    pub lifetime: Vec<Lifetime>,
}

/// One thing a restriction says of its end or renewals: its category, what (`ended`,
/// `ends_soon` or `renewed_too_often`), and the day it ends (none for renewals).
pub type Lifetime = (String, &'static str, Option<NaiveDate>);

fn refuse(reason: FailReason) -> RefDecision {
    RefDecision {
        outcome: Outcome::Deny,
        view: View::None,
        deny_kind: Some(DenyKind::NotPermitted),
        rule: None,
        fail: Some(reason),
        ends_soon: false,
        lifetime: Vec::new(),
    }
}

fn allow(rule: String) -> RefDecision {
    RefDecision {
        outcome: Outcome::Allow,
        view: View::Full,
        deny_kind: None,
        rule: Some(rule),
        fail: None,
        ends_soon: false,
        lifetime: Vec::new(),
    }
}

fn deny(kind: DenyKind, view: View, rule: String) -> RefDecision {
    RefDecision {
        outcome: Outcome::Deny,
        view,
        deny_kind: Some(kind),
        rule: Some(rule),
        fail: None,
        ends_soon: false,
        lifetime: Vec::new(),
    }
}

/// One person as the policy sees them: their id and the indices of their declared roles,
/// teams and organisation.
#[derive(Clone)]
struct Person<'a> {
    id: &'a str,
    roles: Vec<u32>,
    teams: Vec<u32>,
    org: u32,
}

/// The subject and record as the policy sees them.
#[derive(Clone)]
struct Facts<'a> {
    policy: &'a Policy,
    req: &'a Request,
    restriction: Option<&'a Restriction>,
    /// Whose roles, teams, organisation, person, own record, relatives, entries and exclusion
    /// these are.
    own: Person<'a>,
    /// Whose ties to the record count: allocation, the record's teams, ownership, the access
    /// list (the colleague's while acting, else the subject's own).
    ties: Person<'a>,
    /// The request acts validly for a colleague.
    acting: bool,
    temporary_grant: bool,
    /// Whether the valid grant that ends last ends within its kind's notice.
    ends_soon: bool,
}

impl Facts<'_> {
    fn in_role(&self, r: u32) -> bool {
        Self::holds_role(self.policy, &self.own, r)
    }

    fn in_team(&self, t: u32) -> bool {
        Self::holds_team(self.policy, &self.own, t)
    }

    fn holds_role(policy: &Policy, p: &Person, r: u32) -> bool {
        p.roles
            .iter()
            .any(|&x| Self::at_or_below(&policy.roles, x, r))
    }

    fn holds_team(policy: &Policy, p: &Person, t: u32) -> bool {
        p.teams
            .iter()
            .any(|&x| Self::at_or_below(&policy.teams, x, t))
    }

    /// Whether member `x` is `target` or sits below it: walks up the parents, which the
    /// checker guarantees do not loop.
    fn at_or_below(members: &[caselock::policy::Member], x: u32, target: u32) -> bool {
        let mut cur = Some(x);
        while let Some(c) = cur {
            if c == target {
                return true;
            }
            cur = members[c as usize].parent;
        }
        false
    }

    /// A list entry names a person: their id (ignoring case), a declared team they are in or
    /// below, or a declared role they hold or one below it. Unknown names were refused earlier.
    fn names(&self, p: &Person, entry: &ListEntry) -> bool {
        match entry {
            ListEntry::Person(id) => same(id, p.id),
            ListEntry::Team(t) => self.names_team(p, t),
            ListEntry::Role(r) => self
                .policy
                .roles
                .iter()
                .position(|x| x.named.name == *r)
                .is_some_and(|x| Self::holds_role(self.policy, p, x as u32)),
        }
    }

    fn names_team(&self, p: &Person, entry: &str) -> bool {
        self.policy
            .teams
            .iter()
            .position(|t| t.named.name == entry)
            .is_some_and(|t| Self::holds_team(self.policy, p, t as u32))
    }

    fn relation(&self, r: Relation) -> bool {
        let (id, tie) = (self.own.id, self.ties.id);
        let rec = &self.req.record;
        match r {
            Relation::AllocatedWorker => rec.allocated_workers.iter().any(|x| same(x, tie)),
            Relation::AllocatedManager => rec.allocated_managers.iter().any(|x| same(x, tie)),
            Relation::Owner => self
                .restriction
                .is_some_and(|x| x.owner.as_ref().is_some_and(|o| same(o, tie))),
            Relation::NamedAllow => self
                .restriction
                .is_some_and(|x| x.named_allow.iter().any(|e| self.names(&self.ties, e))),
            Relation::NamedDeny => self
                .restriction
                .is_some_and(|x| x.named_deny.iter().any(|e| self.names(&self.own, e))),
            Relation::TemporaryGrant => self.temporary_grant,
            Relation::RecordTeam => rec.teams.iter().any(|t| self.names_team(&self.ties, t)),
            Relation::LineManager => false,
            Relation::RecordSubject => rec.subject.as_ref().is_some_and(|x| same(x, id)),
            Relation::Relative => rec.relatives.iter().any(|x| same(x, id)),
            Relation::Author => rec.authors.iter().any(|x| same(x, id)),
            Relation::ActingFor => self.acting,
        }
    }

    fn atom(&self, a: Atom) -> bool {
        match a {
            Atom::Role(r) => self.in_role(r),
            Atom::Team(t) => self.in_team(t),
            Atom::Person(p) => same(&self.policy.persons[p as usize].subject_id, self.own.id),
            Atom::Organisation(o) => o == self.own.org,
            Atom::OrgKind(k) => self.policy.organisations[self.own.org as usize].kind == k,
            Atom::Relation(r) => self.relation(r),
            // The request states this value for its context; a context left out holds none.
            Atom::Context(v) => {
                let value = &self.policy.context_values[v as usize];
                let context = &self.policy.contexts[value.context as usize].name;
                self.req
                    .context
                    .0
                    .iter()
                    .any(|(c, x)| c == context && *x == value.named.name)
            }
        }
    }

    fn literal(&self, l: &Literal) -> bool {
        self.atom(l.atom) != l.negated
    }

    fn holds(&self, c: &Condition) -> bool {
        c.terms.iter().any(|t| t.iter().all(|l| self.literal(l)))
    }
}

/// Decides `req` at `at` by the combining rule, reading the checked policy directly.
pub fn decide(policy: &Policy, req: &Request, at: DateTime<Utc>) -> RefDecision {
    // Step 0: fail-closed input checks, in the order the contract lists them.
    let Some(action) = policy.actions.iter().position(|a| a.name == req.action) else {
        return refuse(FailReason::UnknownAction);
    };
    let action = action as u32;
    // The record's restrictions: `restriction` or `restrictions`, never both, each category
    // at most once, every one declared.
    if req.record.restriction.is_some() && !req.record.restrictions.is_empty() {
        return refuse(FailReason::BothRestrictionFields);
    }
    // The record's own restrictions, then each linked record's, each with the link it comes by.
    let placed: Vec<(Option<usize>, &Restriction)> = req
        .record
        .restriction
        .iter()
        .chain(&req.record.restrictions)
        .map(|r| (None, r))
        .chain(
            req.record
                .links
                .iter()
                .enumerate()
                .flat_map(|(i, l)| l.restrictions.iter().map(move |r| (Some(i), r))),
        )
        .collect();
    let section = match &req.record.section {
        Some(name) => match policy.sections.iter().position(|s| s.name == *name) {
            Some(s) => Some(s as u32),
            None => return refuse(FailReason::UnknownSection),
        },
        None => None,
    };
    // Every link's kind is declared, whether or not any restriction reaches across it.
    let mut kinds: Vec<u32> = Vec::new();
    for (i, l) in req.record.links.iter().enumerate() {
        match policy.links.iter().position(|k| k.name == l.link) {
            Some(k) => kinds.push(k as u32),
            None => return refuse(FailReason::UnknownLink(i as u16)),
        }
    }
    // Each record (the record itself, each linked record) carries a category at most once.
    let mut categories: Vec<&Category> = Vec::new();
    for (i, (via, r)) in placed.iter().enumerate() {
        match policy.category(&r.category) {
            Some(c)
                if categories
                    .iter()
                    .zip(&placed)
                    .any(|(x, (v, _))| x.name == c.name && v == via) =>
            {
                return refuse(FailReason::RepeatedCategory(i as u16));
            }
            Some(c) => categories.push(c),
            None => return refuse(FailReason::UnknownCategory(i as u16)),
        }
    }
    if placed.is_empty() && policy.unrestricted.is_none() {
        return refuse(FailReason::NoUnrestrictedBlock);
    }
    let own = match person(
        policy,
        &req.subject,
        FailReason::UnknownOrganisation,
        FailReason::UnknownRole,
        FailReason::UnknownTeam,
    ) {
        Ok(p) => p,
        Err(r) => return refuse(r),
    };
    for (i, (name, value)) in req.context.0.iter().enumerate() {
        let Some(c) = policy.contexts.iter().position(|c| c.name == *name) else {
            return refuse(FailReason::UnknownContext(i as u16));
        };
        let listed = policy
            .context_values
            .iter()
            .any(|v| v.context as usize == c && v.named.name == *value);
        if !listed {
            return refuse(FailReason::UnknownContextValue(i as u16));
        }
    }
    for (i, t) in req.record.teams.iter().enumerate() {
        if !policy.teams.iter().any(|x| x.named.name == *t) {
            return refuse(FailReason::UnknownRecordTeam(i as u16));
        }
    }
    for (k, (_, r)) in placed.iter().enumerate() {
        for (list, entries) in [
            (NamedList::Allow, &r.named_allow),
            (NamedList::Deny, &r.named_deny),
        ] {
            for (i, e) in entries.iter().enumerate() {
                let declared = match e {
                    ListEntry::Person(_) => true,
                    ListEntry::Team(t) => policy.teams.iter().any(|x| x.named.name == *t),
                    ListEntry::Role(n) => policy.roles.iter().any(|x| x.named.name == *n),
                };
                if !declared {
                    return refuse(FailReason::UnknownListEntry(k as u16, list, i as u16));
                }
            }
        }
    }
    // A category that protects sections covers only requests for one of them; a linked
    // record's restriction bears on the record only when its category reaches the link's kind.
    let covers =
        |c: &Category| c.protects.is_empty() || section.is_some_and(|s| c.protects.contains(&s));
    let reaches = |via: Option<usize>, c: &Category| {
        via.is_none_or(|i| kinds.get(i).is_some_and(|k| c.reaches.contains(k)))
    };
    let (placed, categories): (Vec<&Restriction>, Vec<&Category>) = placed
        .into_iter()
        .zip(categories)
        .filter(|((via, _), c)| covers(c) && reaches(*via, c))
        .map(|((_, r), c)| (r, c))
        .unzip();
    if placed.is_empty() && policy.unrestricted.is_none() {
        return refuse(FailReason::NoUnrestrictedBlock);
    }
    // A grant's kind, and the roles and teams stated for its approver, must be declared.
    for (i, g) in req.temporary_grants.iter().enumerate() {
        let i = i as u16;
        if let Some(k) = &g.kind {
            let declared = policy.categories.iter().any(|c| {
                c.temporary
                    .iter()
                    .any(|t| t.kind_name() == Some(k.as_str()))
            });
            if !declared {
                return refuse(FailReason::UnknownGrantKind(i));
            }
        }
        if let Some(st) = g.approved_by.stated() {
            for (j, r) in st.roles.iter().enumerate() {
                if !policy.roles.iter().any(|x| x.named.name == *r) {
                    return refuse(FailReason::UnknownApproverRole(i, j as u16));
                }
            }
            for (j, t) in st.teams.iter().enumerate() {
                if !policy.teams.iter().any(|x| x.named.name == *t) {
                    return refuse(FailReason::UnknownApproverTeam(i, j as u16));
                }
            }
        }
    }
    // Acting for a colleague: only where the policy lets anyone, with every name declared.
    let mut colleague = None;
    if let Some(a) = &req.acting_for {
        if policy.acting.is_empty() {
            return refuse(FailReason::ActingNotAllowed);
        }
        let p = match person(
            policy,
            &a.subject,
            FailReason::UnknownActingOrganisation,
            FailReason::UnknownActingRole,
            FailReason::UnknownActingTeam,
        ) {
            Ok(p) => p,
            Err(r) => return refuse(r),
        };
        if let Some(st) = a.approved_by.stated() {
            for (j, r) in st.roles.iter().enumerate() {
                if !policy.roles.iter().any(|x| x.named.name == *r) {
                    return refuse(FailReason::UnknownActingApproverRole(j as u16));
                }
            }
            for (j, t) in st.teams.iter().enumerate() {
                if !policy.teams.iter().any(|x| x.named.name == *t) {
                    return refuse(FailReason::UnknownActingApproverTeam(j as u16));
                }
            }
        }
        if acting_counts(policy, req, a, at) {
            colleague = Some(p);
        }
    }
    // While acting, every rule reads the colleague's facts, and a deny reads the subject's own
    // too, with the colleague's ties to the record.
    let mut facts = Facts {
        policy,
        req,
        restriction: None,
        ties: colleague.clone().unwrap_or_else(|| own.clone()),
        own: colleague.clone().unwrap_or_else(|| own.clone()),
        acting: colleague.is_some(),
        temporary_grant: false,
        ends_soon: false,
    };
    let deputy = facts.acting.then_some(own);
    let deputy = deputy.as_ref();
    // The gate: a restriction never gives more than the unrestricted record, so on a restricted
    // record the unrestricted block is read first, without the restriction's facts or any
    // temporary grant, and its refusal decides.
    let Some(u) = &policy.unrestricted else {
        return several(policy, &mut facts, deputy, &placed, &categories, action, at);
    };
    if placed.is_empty() {
        let grant = valid_temporary_grant(&facts, u, action, at);
        facts.temporary_grant = grant.is_some();
        facts.ends_soon = grant == Some(true);
        return steps(u, &facts, deputy, action);
    }
    let d = steps(u, &facts, deputy, action);
    if d.outcome == Outcome::Deny {
        return d;
    }
    several(policy, &mut facts, deputy, &placed, &categories, action, at)
}

/// Every restriction decided on its own facts; every one must allow, and the most restrictive
/// decides: a deny over an allow, then the smaller view, then forbidden over not permitted,
/// then a category that discloses its title, then the earlier.
fn several<'a>(
    policy: &Policy,
    facts: &mut Facts<'a>,
    deputy: Option<&Person<'a>>,
    placed: &[&'a Restriction],
    categories: &[&Category],
    action: u32,
    at: DateTime<Utc>,
) -> RefDecision {
    let mut best: Option<((bool, View, bool, bool), RefDecision)> = None;
    let mut ends_soon = false;
    let mut said = Vec::new();
    for (r, c) in placed.iter().zip(categories) {
        // Two restrictions of one category ending alike (the record's own and a linked one it
        // reaches) say it once, as the evaluator does.
        for l in lifetime(r, c, at) {
            if !said.contains(&l) {
                said.push(l);
            }
        }
        facts.restriction = Some(*r);
        let grant = valid_temporary_grant(facts, c, action, at);
        facts.temporary_grant = grant.is_some();
        facts.ends_soon = grant == Some(true);
        let d = steps(c, facts, deputy, action);
        ends_soon |= d.ends_soon;
        let titled = policy.disclosure(c).title;
        let rank = (
            d.outcome == Outcome::Allow,
            d.view,
            d.deny_kind != Some(DenyKind::Forbidden),
            !titled,
        );
        if best.as_ref().is_none_or(|(b, _)| rank < *b) {
            best = Some((rank, d));
        }
    }
    match best {
        // Every restriction allows when the most restrictive does: any of their temporary
        // access ending soon is told.
        Some((_, d)) if d.outcome == Outcome::Allow => RefDecision {
            ends_soon,
            lifetime: said,
            ..d
        },
        Some((_, d)) => RefDecision {
            lifetime: said,
            ..d
        },
        None => refuse(FailReason::NoRowMatched),
    }
}

/// docs/semantics.md, "Time", written out: a restriction ends on the earlier of the day set on
/// the record and its category's maximum from placement (one more maximum for each renewal the
/// category allows); from that UK day on it has ended (and still applies); before it, within
/// the category's notice, it ends soon. Renewed more often than allowed, it says so.
fn lifetime(r: &Restriction, c: &Category, at: DateTime<Utc>) -> Vec<Lifetime> {
    let today = at.with_timezone(&chrono_tz::Europe::London).date_naive();
    let mut out = Vec::new();
    let longest = c.lasts.and_then(|l| {
        let renewals = r.renewals.min(l.renewable);
        let mut p = l.max;
        p.amount = l.max.amount.checked_mul(renewals.checked_add(1)?)?;
        p.after(r.placed_on?)
    });
    let end = match (r.ends, longest) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(end) = end {
        let notice = c.lasts.and_then(|l| l.notify);
        if today >= end {
            out.push((c.name.clone(), "ended", Some(end)));
        } else if notice.is_some_and(|n| n.after(today).is_none_or(|d| d >= end)) {
            out.push((c.name.clone(), "ends_soon", Some(end)));
        }
    }
    if c.lasts.is_some_and(|l| r.renewals > l.renewable) {
        out.push((c.name.clone(), "renewed_too_often", None));
    }
    out
}

/// Steps 1 to 6 of the combining rule for one category (or the unrestricted block). While
/// acting, `deputy` is the subject themselves: a deny that holds for them (with the colleague's
/// ties to the record) refuses as one that holds for the colleague does, and no temporary grant
/// overrides it.
fn steps(category: &Category, facts: &Facts, deputy: Option<&Person>, action: u32) -> RefDecision {
    let dep = deputy.map(|own| Facts {
        own: own.clone(),
        ..facts.clone()
    });
    let either = |c: &Condition| facts.holds(c) || dep.as_ref().is_some_and(|d| d.holds(c));
    let restriction = facts.restriction;
    let covers = |effect: Effect| {
        category
            .rules
            .iter()
            .filter(move |r| r.effect == effect && r.actions.contains(action))
    };
    let shown = |r: &caselock::policy::Rule| r.shows.unwrap_or(category.denied_view);

    // Step 1: an absolute deny decides, and nothing overrides it.
    if let Some(r) = covers(Effect::AbsoluteDeny).find(|r| either(&r.condition)) {
        return deny(DenyKind::Forbidden, shown(r), r.id.clone());
    }
    // Step 2: the record's exclusion list names the subject.
    let excluded = |f: &Facts| f.relation(Relation::NamedDeny);
    if restriction.is_some() && (excluded(facts) || dep.as_ref().is_some_and(excluded)) {
        return deny(
            DenyKind::Forbidden,
            category.denied_view,
            format!("{}.named_exclusion", category.name),
        );
    }
    // Step 3: an overridable deny decides unless a valid temporary grant overrides it; one
    // that holds for the deputy is overridden by nothing, and the earlier of the two decides.
    let denies: Vec<&caselock::policy::Rule> = covers(Effect::Deny).collect();
    let mine = denies.iter().position(|r| facts.holds(&r.condition));
    let theirs = dep
        .as_ref()
        .and_then(|d| denies.iter().position(|r| d.holds(&r.condition)));
    let by = match (mine, theirs) {
        (Some(_), None) if facts.temporary_grant => {
            return RefDecision {
                ends_soon: facts.ends_soon,
                ..allow(format!("{}.temporary", category.name))
            };
        }
        (Some(i), Some(j)) if !facts.temporary_grant => Some(i.min(j)),
        (_, Some(j)) => Some(j),
        (i, None) => i,
    };
    if let Some(r) = by.and_then(|i| denies.get(i)) {
        return deny(DenyKind::Forbidden, shown(r), r.id.clone());
    }
    // Step 4: the first matching grant decides.
    if let Some(r) = covers(Effect::Grant).find(|r| facts.holds(&r.condition)) {
        return allow(r.id.clone());
    }
    // Step 5: a valid temporary grant.
    if facts.temporary_grant {
        return RefDecision {
            ends_soon: facts.ends_soon,
            ..allow(format!("{}.temporary", category.name))
        };
    }
    // Step 6: the restriction type.
    let default = format!("{}.default", category.name);
    match category.restriction {
        RestrictionType::Universal => deny(DenyKind::NotPermitted, category.denied_view, default),
        RestrictionType::Exclude => allow(default),
    }
}

/// Whether the subject holds a temporary grant for this record and action that counts now: of
/// a kind the category offers for the action (the grant's `kind`, or the default kind when it
/// names none), listing the action if it lists any, held by someone the kind lets hold one,
/// approved by someone one of its approvers describes, renewed no more often than it allows,
/// started, and not ended (its own duration or the kind's maximum, whichever ends first).
fn valid_temporary_grant(f: &Facts, c: &Category, action: u32, at: DateTime<Utc>) -> Option<bool> {
    let req = f.req;
    // Each valid grant's end (none: it never ends) and its kind's notice, in request order.
    let valid: Vec<(Option<DateTime<Utc>>, Option<caselock::policy::Period>)> = req
        .temporary_grants
        .iter()
        .filter_map(|g| {
            let t = c
                .temporary
                .iter()
                .find(|t| t.kind_name() == g.kind.as_deref() && t.actions.contains(action))?;
            let for_this = same(&g.subject, f.ties.id)
                && g.record.as_ref().is_none_or(|r| same(r, &req.record.id));
            let action_listed = g.actions.as_ref().is_none_or(|l| l.contains(&req.action));
            let eligible = t.to.as_ref().is_none_or(|c| f.holds(c));
            // Nobody approves their own access (maker-checker).
            let approved = !same(g.approved_by.id(), &g.subject)
                && t.approved_by.iter().any(|a| {
                    a.condition.terms.iter().any(|term| {
                        term.iter()
                            .all(|l| approver_atom(f, g, l.atom) != l.negated)
                    })
                });
            let end = [
                g.duration.0.after_instant(g.granted_at),
                t.max.after_instant(g.granted_at),
            ]
            .into_iter()
            .flatten()
            .min();
            let counts = for_this
                && action_listed
                && eligible
                && approved
                && g.renewals <= t.renewable
                && g.granted_at <= at
                && end.is_none_or(|e| at < e);
            counts.then_some((end, t.notify))
        })
        .collect();
    // The grant that ends last decides when access ends (the first of equals); within its
    // kind's notice of that end, access ends soon.
    let mut last: Option<(Option<DateTime<Utc>>, Option<caselock::policy::Period>)> = None;
    for v in valid {
        let later = match (last, v.0) {
            (None, _) => true,
            (Some((None, _)), _) => false,
            (Some((Some(_), _)), None) => true,
            (Some((Some(a), _)), Some(b)) => b > a,
        };
        if later {
            last = Some(v);
        }
    }
    let (end, notify) = last?;
    Some(match (end, notify) {
        (Some(e), Some(n)) => n.after_instant(at).is_none_or(|soon| soon >= e),
        _ => false,
    })
}

/// Whether a grant's approver is what an atom of an approver describes: a person by id, a
/// relation to the record by id, a role or team only when the request states the approver's
/// roles and teams.
fn approver_atom(f: &Facts, g: &caselock::eval::TemporaryGrant, a: Atom) -> bool {
    let id = g.approved_by.id();
    let rec = &f.req.record;
    let stated = g.approved_by.stated();
    let holds = |members: &[caselock::policy::Member], names: Option<&Vec<String>>, target| {
        names.into_iter().flatten().any(|n| {
            members
                .iter()
                .position(|m| m.named.name == *n)
                .is_some_and(|x| Facts::at_or_below(members, x as u32, target))
        })
    };
    match a {
        Atom::Person(p) => same(&f.policy.persons[p as usize].subject_id, id),
        Atom::Role(r) => holds(&f.policy.roles, stated.map(|s| &s.roles), r),
        Atom::Team(t) => holds(&f.policy.teams, stated.map(|s| &s.teams), t),
        Atom::Relation(Relation::Owner) => f
            .restriction
            .and_then(|r| r.owner.as_ref())
            .is_some_and(|o| same(o, id)),
        Atom::Relation(Relation::AllocatedManager) => {
            rec.allocated_managers.iter().any(|x| same(x, id))
        }
        Atom::Relation(Relation::AllocatedWorker) => {
            rec.allocated_workers.iter().any(|x| same(x, id))
        }
        _ => false,
    }
}

/// What a record's flags add to a decision, written out from docs/semantics.md ("Flags").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefFlags {
    /// The duties an allow gives: the names of the flags the record carries, each once, in the
    /// policy's order; none for a deny.
    pub duties: Vec<String>,
    /// Each flag entry whose review is overdue, in the request's order: the flag and the day
    /// its review fell due.
    pub overdue: Vec<(String, NaiveDate)>,
}

/// [`decide`], then the record's flags: a flag the policy does not declare fails closed (after
/// every other check); a declared one never changes the decision.
pub fn decide_flagged(
    policy: &Policy,
    req: &Request,
    at: DateTime<Utc>,
) -> (RefDecision, RefFlags) {
    let d = decide(policy, req, at);
    if d.fail.is_some() {
        return (d, RefFlags::default());
    }
    let mut flags = RefFlags::default();
    for (i, placed) in req.record.flags.iter().enumerate() {
        let Some(flag) = policy.flags.iter().find(|f| f.named.name == placed.flag) else {
            return (
                refuse(FailReason::UnknownFlag(i as u16)),
                RefFlags::default(),
            );
        };
        // The schedule runs from the last review, else from placement; an explicit date
        // earlier than the schedule's wins.
        let interval = flag.review.as_ref().and_then(|r| match r.schedule {
            Schedule::Every(p) => Some(p),
            _ => None,
        });
        let scheduled = interval
            .zip(placed.last_reviewed.or(placed.placed_on))
            .and_then(|(p, from)| p.after(from));
        let due = match (scheduled, placed.review_by) {
            (Some(s), Some(e)) => Some(s.min(e)),
            (s, e) => s.or(e),
        };
        if let Some(due) = due.filter(|due| at.date_naive() > *due) {
            flags.overdue.push((flag.named.name.clone(), due));
        }
    }
    if d.outcome == Outcome::Allow {
        flags.duties = policy
            .flags
            .iter()
            .filter(|f| req.record.flags.iter().any(|p| p.flag == f.named.name))
            .map(|f| f.named.name.clone())
            .collect();
    }
    (d, flags)
}

/// A person's declared organisation, roles and teams, or the first the policy does not declare.
fn person<'a>(
    policy: &Policy,
    s: &'a caselock::eval::Subject,
    organisation: FailReason,
    role: fn(u16) -> FailReason,
    team: fn(u16) -> FailReason,
) -> Result<Person<'a>, FailReason> {
    let org = policy
        .organisations
        .iter()
        .position(|o| o.named.name == s.organisation)
        .ok_or(organisation)?;
    let mut roles = Vec::new();
    for (i, name) in s.roles.iter().enumerate() {
        let r = policy.roles.iter().position(|r| r.named.name == *name);
        roles.push(r.ok_or(role(i as u16))? as u32);
    }
    let mut teams = Vec::new();
    for (i, name) in s.teams.iter().enumerate() {
        let t = policy.teams.iter().position(|t| t.named.name == *name);
        teams.push(t.ok_or(team(i as u16))? as u32);
    }
    Ok(Person {
        id: s.id.as_str(),
        roles,
        teams,
        org: org as u32,
    })
}

/// Whether an acting window counts (docs/semantics.md, "Acting for a colleague"): for someone
/// else, approved by neither party, not empty, approved by someone an `acting` statement names
/// whose maximum the window keeps within, and open at `at`.
fn acting_counts(
    policy: &Policy,
    req: &Request,
    a: &caselock::eval::ActingFor,
    at: DateTime<Utc>,
) -> bool {
    let by = a.approved_by.id().as_str();
    let (deputy, colleague) = (req.subject.id.as_str(), a.subject.id.as_str());
    if same(deputy, colleague) || same(by, deputy) || same(by, colleague) || a.until <= a.from {
        return false;
    }
    let stated = a.approved_by.stated();
    let holds = |members: &[caselock::policy::Member], names: Option<&Vec<String>>, target| {
        names.into_iter().flatten().any(|n| {
            members
                .iter()
                .position(|m| m.named.name == *n)
                .is_some_and(|x| Facts::at_or_below(members, x as u32, target))
        })
    };
    let meets = |atom: Atom| match atom {
        Atom::Person(p) => same(&policy.persons[p as usize].subject_id, by),
        Atom::Role(r) => holds(&policy.roles, stated.map(|s| &s.roles), r),
        Atom::Team(t) => holds(&policy.teams, stated.map(|s| &s.teams), t),
        _ => false,
    };
    let admits = policy.acting.iter().any(|statement| {
        let approved = statement.approved_by.iter().any(|x| {
            x.condition
                .terms
                .iter()
                .any(|t| t.iter().all(|l| meets(l.atom) != l.negated))
        });
        approved
            && statement
                .max
                .after_instant(a.from)
                .is_none_or(|end| a.until <= end)
    });
    admits && a.from <= at && at < a.until
}
/// What the rules about restrictions add to a decision, written out from docs/semantics.md
/// ("Triggers and rules about restrictions"): the categories the record's facts require and it
/// does not carry, in the policy's order of categories.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefRequired {
    /// The categories required and missing.
    pub missing: Vec<String>,
}

/// Whether a condition over facts holds for the facts a request states, by name.
fn facts_hold(policy: &Policy, c: &caselock::policy::FactCondition, facts: &[String]) -> bool {
    let stated = |f: &u32| {
        policy
            .facts
            .get(*f as usize)
            .is_some_and(|d| facts.contains(&d.name))
    };
    c.terms
        .iter()
        .any(|t| t.all.iter().all(stated) && !t.not.iter().any(stated))
}

/// [`decide_flagged`], then the rules about restrictions: an undeclared fact fails closed; then
/// a restriction a `never restrict` covers for the record's facts (the first, in the request's
/// order); then the later of the first two restrictions an `exclusive` names; otherwise every
/// category a trigger requires and the record does not carry is reported.
pub fn decide_all(
    policy: &Policy,
    req: &Request,
    at: DateTime<Utc>,
) -> (RefDecision, RefFlags, RefRequired) {
    let (d, flags) = decide_flagged(policy, req, at);
    if d.fail.is_some() {
        return (d, flags, RefRequired::default());
    }
    let facts = &req.record.facts;
    if let Some(i) = facts
        .iter()
        .position(|f| !policy.facts.iter().any(|d| d.name == *f))
    {
        return (
            refuse(FailReason::UnknownFact(i as u16)),
            RefFlags::default(),
            RefRequired::default(),
        );
    }
    let rules = &policy.restriction_rules;
    let carried: Vec<&str> = req.record.placed().map(|r| r.category.as_str()).collect();
    for (i, c) in carried.iter().enumerate() {
        let forbidden = rules
            .never
            .iter()
            .any(|n| n.covers(c) && facts_hold(policy, &n.when, facts));
        if forbidden {
            return (
                refuse(FailReason::RestrictionNotAllowed(i as u16)),
                RefFlags::default(),
                RefRequired::default(),
            );
        }
    }
    for (j, b) in carried.iter().enumerate() {
        let clash = carried[..j].iter().any(|a| {
            rules
                .exclusive
                .iter()
                .any(|e| e.categories.iter().any(|x| x == a) && e.categories.iter().any(|x| x == b))
        });
        if clash {
            return (
                refuse(FailReason::ExclusiveRestrictions(j as u16)),
                RefFlags::default(),
                RefRequired::default(),
            );
        }
    }
    let missing = policy
        .categories
        .iter()
        .map(|c| c.name.as_str())
        .filter(|c| !carried.contains(c))
        .filter(|c| {
            rules
                .triggers
                .iter()
                .any(|t| t.category == *c && facts_hold(policy, &t.when, facts))
        })
        .map(str::to_string)
        .collect();
    (d, flags, RefRequired { missing })
}

//! The decider: a decision table with every name interned and every condition a bitset mask.
//!
//! A decision is: look the action, category, organisation, roles and teams up; set the facts'
//! bits; walk the category × action decision list and stop at the first row whose condition
//! holds. The combining rule itself lives in the row order the compiler wrote
//! (docs/semantics.md); this module only evaluates it.

use chrono::{DateTime, Utc};

use super::acting::{ActingRule, Deputy, Who};
use super::change::Lifecycle;
use super::decision::{
    ActingProblem, Basis, CategoryRef, Decision, DenyKind, FailReason, Outcome, Warning, Warnings,
};
use super::grants::Temporary;
use super::id;
use super::intern::{self, CondRef, CubePool, Layout, NameMap, Sizes, Tree};
use super::request::{Request, Restriction};
use super::time;
use super::write::Prepared;
use crate::compile::table::{
    CategoryTable, DecisionTable, LastsEntry, Layer, RowEffect, ScheduleEntry,
};
use crate::policy::{ActionId, Atom, Change, OrgKind, Period, Relation, View};

/// Fact sets up to this many words live on the stack.
const INLINE_WORDS: usize = 8;

/// A loaded, interned decision table that decides requests.
#[derive(Debug, Clone)]
pub struct Decider {
    pub(super) table: DecisionTable,
    /// What each action word names: one of the policy's actions or a lifecycle action, found
    /// by one look-up.
    verbs: NameMap<Verb>,
    pub(super) categories: NameMap,
    sections: NameMap,
    /// The kinds of link between records, by name.
    links: NameMap,
    pub(super) roles: NameMap,
    pub(super) teams: NameMap,
    pub(super) orgs: NameMap,
    pub(super) persons: NameMap,
    pub(super) person_bits: Vec<Vec<u32>>,
    /// The flags by name, and each flag's review interval (eval/flags.rs reads them).
    pub(super) flags: NameMap,
    pub(super) flag_reviews: Vec<Option<Period>>,
    /// The facts a record may state, by name (eval/restriction_rules.rs reads them).
    pub(super) facts: NameMap,
    pub(super) contexts: NameMap,
    /// Each context's values, by name, to their index among all contexts' values.
    pub(super) context_values: Vec<NameMap>,
    pub(super) role_tree: Tree,
    pub(super) team_tree: Tree,
    pub(super) org_kinds: Vec<OrgKind>,
    pub(super) layout: Layout,
    pub(super) pool: CubePool,
    /// Slot 0 is the unrestricted block (if any), slot `1 + i` category `i`.
    slots: Vec<Option<Slot>>,
    /// Every slot's decision lists, one per action: list `slot × actions + action` (empty for
    /// the unrestricted block a policy does not have). A list is then found with one look-up,
    /// not three.
    lists: Vec<Box<[CRow]>>,
    /// For each action, how many of the unrestricted block's rows [`Decider::gate`] reads: up
    /// to its last deny. A first row that holds past it allows, and the gate only refuses, so
    /// a list that denies no one (most policies' unrestricted block) costs the gate nothing.
    gates: Vec<usize>,
    actions: usize,
    /// Whether any category protects only some sections: if none does, and the record has no
    /// links, every restriction the request gives bears on it.
    sectioned: bool,
    /// The name of every kind of temporary access any category gives.
    pub(super) kinds: NameMap,
    /// The policy's `acting` statements (none: nobody may act for anyone).
    pub(super) acting: Vec<ActingRule>,
    /// Every row's and category's response text.
    pub(super) prepared: Prepared,
    /// The approval chains of lifecycle actions.
    pub(super) lifecycle: Lifecycle,
}

/// What a request's action word names.
#[derive(Debug, Clone, Copy)]
enum Verb {
    /// One of the policy's actions, decided by its rules.
    Rule(ActionId),
    /// A lifecycle action, decided by its approval chain.
    Change(Change),
}

/// One category, interned.
#[derive(Debug, Clone)]
struct Slot {
    /// The kinds of temporary access, in the table's order.
    temporary: Vec<Temporary>,
    review: Option<Period>,
    /// How long a restriction lasts: the maximum, the renewals allowed and the notice.
    lasts: Option<LastsEntry>,
    /// The sections it protects; empty: the whole record.
    protects: Vec<u32>,
    /// The kinds of link it reaches across.
    reaches: Vec<u32>,
}

/// A row, interned.
#[derive(Debug, Clone, Copy)]
pub(super) struct CRow {
    pub(super) cond: CondRef,
    effect: RowEffect,
    pub(super) layer: Layer,
    view: View,
}

/// The facts of one request, before the rows are walked.
pub(super) struct Context<'r, S = String> {
    /// The category being decided: the unrestricted block, or the restriction last applied by
    /// [`Decider::restrict`].
    pub(super) category: CategoryRef,
    pub(super) action: ActionId,
    /// The restriction being decided, when the category is one.
    pub(super) restriction: Option<&'r Restriction<S>>,
    /// Every restriction on the record, in the order the request gives them.
    pub(super) placed: Placements<'r, S>,
    /// The current restriction's relation bits (owner, access and exclusion lists).
    pub(super) restricted: u64,
    pub(super) expires_at: Option<DateTime<Utc>>,
    /// The grant that decides when access ends, and that end, when it falls within its kind's
    /// notice: an allow by temporary access then warns that it ends soon.
    pub(super) ends_soon: Option<(u16, DateTime<Utc>)>,
    /// That grant's index in the request and its kind's index among the category's kinds.
    pub(super) grant: Option<(u16, u16)>,
    /// When the request acts validly for a colleague: the colleague, and the subject's own
    /// facts, whose denies still apply.
    pub(super) acting: Option<Deputy<'r, S>>,
    /// Why the request's acting window does not count, when it does not.
    pub(super) acting_problem: Option<ActingProblem>,
    /// The current restriction's relation bits for the deputy (their exclusion), while acting.
    pub(super) deputy_bits: u64,
    /// The link by which the restriction being decided reaches the record (`None`: its own).
    pub(super) via: Option<u16>,
}

impl<S> Context<'_, S> {
    /// The context of a request for `action` before any fact is read: the unrestricted block,
    /// no restriction, no grant, not acting.
    pub(super) fn new(action: ActionId) -> Self {
        Context {
            category: CategoryRef::Unrestricted,
            action,
            restriction: None,
            placed: Placements::new(),
            restricted: 0,
            expires_at: None,
            ends_soon: None,
            grant: None,
            via: None,
            acting: None,
            acting_problem: None,
            deputy_bits: 0,
        }
    }
}

/// One restriction on the record, resolved: its category and its relation bits for this
/// subject (owner, access and exclusion lists), found before any rule is read so that an
/// unknown name on any list fails closed first.
pub(super) struct Placed<'r, S> {
    pub(super) category: CategoryRef,
    pub(super) restriction: &'r Restriction<S>,
    pub(super) bits: u64,
    /// While acting: the subject's own exclusion by this restriction.
    pub(super) deputy_bits: u64,
    /// The link (its index in `record.links`) by which the restriction reaches the record;
    /// `None` for the record's own.
    pub(super) via: Option<u16>,
}

/// A record's restrictions: the usual one or two are kept inline, so deciding allocates nothing.
pub(super) type Placements<'r, S> = smallvec::SmallVec<[Placed<'r, S>; 2]>;

impl Decider {
    /// Interns a table.
    pub fn new(table: &DecisionTable) -> Decider {
        let v = &table.vocabulary;
        let layout = Layout::new(Sizes {
            orgs: v.organisations.len(),
            persons: v.persons.len(),
            roles: v.roles.len(),
            teams: v.teams.len(),
            context_values: v.context_values.len(),
        });
        let mut context_values = vec![NameMap::default(); v.contexts.len()];
        for (i, value) in v.context_values.iter().enumerate() {
            if let Some(m) = context_values.get_mut(value.context as usize) {
                m.get_or_insert_with(&value.name, || u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        let mut persons = NameMap::default();
        let mut person_bits: Vec<Vec<u32>> = Vec::new();
        for (i, p) in v.persons.iter().enumerate() {
            let bit = layout.bit(Atom::Person(i as u32));
            let slot = persons.get_or_insert_with(&id::key(&p.subject_id), || {
                person_bits.push(Vec::new());
                (person_bits.len() - 1) as u32
            });
            if let Some(bits) = person_bits.get_mut(slot as usize) {
                bits.push(bit);
            }
        }
        let mut pool = CubePool::default();
        let kinds = intern::name_map(
            table
                .categories
                .iter()
                .flat_map(|c| c.temporary.iter().filter_map(|t| t.kind_name())),
        );
        let actions = v.actions.len();
        let mut lists: Vec<Box<[CRow]>> = Vec::new();
        for c in
            std::iter::once(table.unrestricted.as_ref()).chain(table.categories.iter().map(Some))
        {
            for a in 0..actions {
                let rows = c
                    .and_then(|c| c.decisions.get(a))
                    .map_or(&[][..], |l| &l.rows);
                lists.push(
                    rows.iter()
                        .map(|r| CRow {
                            cond: pool.add(&r.condition, &layout),
                            effect: r.effect,
                            layer: r.layer,
                            view: r.view,
                        })
                        .collect(),
                );
            }
        }
        let gates = lists
            .iter()
            .take(actions)
            .map(|rows| {
                rows.iter()
                    .rposition(|r| r.effect == RowEffect::Deny)
                    .map_or(0, |i| i + 1)
            })
            .collect();
        let mut slot = |c: &CategoryTable| -> Slot {
            let temporary = c
                .temporary
                .iter()
                .map(|t| Temporary::new(t, &kinds, &mut pool, &layout))
                .collect();
            let review = c.review.as_ref().and_then(interval);
            Slot {
                temporary,
                review,
                lasts: c.lasts.clone(),
                protects: c.protects.clone(),
                reaches: c.reaches.clone(),
            }
        };
        let mut slots = vec![table.unrestricted.as_ref().map(&mut slot)];
        slots.extend(table.categories.iter().map(|c| Some(slot(c))));
        let sectioned = slots.iter().flatten().any(|s| !s.protects.is_empty());
        let acting = table
            .acting
            .iter()
            .map(|a| ActingRule::new(a, &mut pool, &layout))
            .collect();
        let lifecycle = Lifecycle::new(table, &mut pool, &layout);
        Decider {
            verbs: verbs(table),
            categories: intern::name_map(table.categories.iter().map(|c| c.name.as_str())),
            sections: intern::name_map(v.sections.iter().map(|s| s.name.as_str())),
            links: intern::name_map(v.links.iter().map(|l| l.name.as_str())),
            roles: intern::name_map(v.roles.iter().map(|r| r.name.as_str())),
            teams: intern::name_map(v.teams.iter().map(|r| r.name.as_str())),
            orgs: intern::name_map(v.organisations.iter().map(|r| r.name.as_str())),
            persons,
            person_bits,
            flags: intern::name_map(v.flags.iter().map(|f| f.name.as_str())),
            flag_reviews: v
                .flags
                .iter()
                .map(|f| f.review.as_ref().and_then(interval))
                .collect(),
            facts: intern::name_map(v.facts.iter().map(|f| f.name.as_str())),
            contexts: intern::name_map(v.contexts.iter().map(|c| c.name.as_str())),
            context_values,
            role_tree: Tree::new(&v.roles, |i| layout.bit(Atom::Role(i))),
            team_tree: Tree::new(&v.teams, |i| layout.bit(Atom::Team(i))),
            org_kinds: v.organisations.iter().map(|o| o.kind).collect(),
            layout,
            pool,
            slots,
            lists,
            gates,
            actions,
            sectioned,
            kinds,
            acting,
            prepared: Prepared::new(table),
            lifecycle,
            table: table.clone(),
        }
    }

    /// The table this decider evaluates.
    pub fn table(&self) -> &DecisionTable {
        &self.table
    }

    /// Whether the policy declares a role of this name.
    pub fn declares_role(&self, name: &str) -> bool {
        self.roles.contains_key(name)
    }

    /// Whether the policy declares a team of this name.
    pub fn declares_team(&self, name: &str) -> bool {
        self.teams.contains_key(name)
    }

    /// Whether the policy declares an organisation of this name.
    pub fn declares_organisation(&self, name: &str) -> bool {
        self.orgs.contains_key(name)
    }

    /// Decides a request at its `at` time, or now when it gives none.
    pub fn decide<S: AsRef<str>>(&self, req: &Request<S>) -> Decision {
        self.decide_at(req, req.at.unwrap_or_else(Utc::now))
    }

    /// Decides a request at a given time (the request's own `at` is ignored): the record's
    /// restriction decides, then its flags add their part (eval/flags.rs), then the rules about
    /// restrictions theirs (eval/restriction_rules.rs).
    pub fn decide_at<S: AsRef<str>>(&self, req: &Request<S>, at: DateTime<Utc>) -> Decision {
        start_reading(req);
        let verb = self.verbs.get(req.action.as_ref()).copied();
        if let Some(Verb::Change(change)) = verb {
            return self.decide_change(req, change, at);
        }
        if req.change.is_some() || !req.approvals.is_empty() {
            return fail_closed(FailReason::UnexpectedChange, at);
        }
        let Some(Verb::Rule(action)) = verb else {
            return fail_closed(FailReason::UnknownAction, at);
        };
        let (flags, rules) = (
            !req.record.flags.is_empty(),
            self.reads_restriction_rules(req),
        );
        if !flags && !rules {
            // Returned as it is made: a decision is 136 bytes, and keeping it in a local to
            // amend was a copy a decision.
            return self.decide_record(req, action, at);
        }
        let mut d = self.decide_record(req, action, at);
        if flags {
            self.flag(req, at, &mut d);
        }
        if rules {
            self.restriction_rules(req, at, &mut d);
        }
        d
    }

    /// The decision on the record without its flags.
    fn decide_record<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        action: ActionId,
        at: DateTime<Utc>,
    ) -> Decision {
        let mut warnings = Warnings::new();
        let mut inline = [0u64; INLINE_WORDS];
        let mut heap;
        let words = self.layout.words();
        let facts: &mut [u64] = if words <= INLINE_WORDS {
            &mut inline[..words]
        } else {
            heap = vec![0u64; words];
            &mut heap
        };
        // Filled where it lies: a context is some two hundred bytes, and returning it cost a
        // copy a decision.
        let mut ctx = Context::new(action);
        if let Err(reason) = self.facts_for(req, Some(at), facts, &mut ctx) {
            return fail_closed(reason, at);
        }
        if let Some(p) = ctx.acting_problem {
            warnings.push(Warning::ActingNotValid(p));
        }
        if ctx.placed.is_empty() {
            self.consult(req, &mut ctx, 0, at, facts, &mut warnings);
            return self.walk(&ctx, facts, at, warnings);
        }
        if let Some((i, row)) = self.gate(&ctx, facts) {
            return decision(row, i, CategoryRef::Unrestricted, &ctx, at, warnings);
        }
        // Every restriction is decided on the same subject facts plus its own relation bits
        // (which live in the first word), and every one must allow: the most restrictive
        // decision decides (docs/semantics.md, "Several restrictions").
        let base = facts.first().copied().unwrap_or(0);
        let one = |k: usize, ctx: &mut Context<'_, S>, facts: &mut [u64]| {
            if let Some(w) = facts.first_mut() {
                *w = base;
            }
            let mut own = Warnings::new();
            self.restrict(req, ctx, k, at, facts, &mut own);
            self.walk(ctx, facts, at, own)
        };
        // One restriction and nothing to add: its decision is the record's, returned as it is
        // made (as in `decide_at`).
        if ctx.placed.len() == 1 && warnings.is_empty() {
            return one(0, &mut ctx, facts);
        }
        // The first restriction's decision is kept where it is made and the others' weighed
        // against it (a decision is 136 bytes: moving it in and out of an `Option` on every
        // request was a twentieth of the decision).
        let mut d = one(0, &mut ctx, facts);
        let mut expires = d.expires_at;
        for k in 1..ctx.placed.len() {
            let other = one(k, &mut ctx, facts);
            if let Some(e) = other.expires_at {
                expires = Some(expires.map_or(e, |x| x.min(e)));
            }
            d = self.more_restrictive(d, other, &mut warnings);
        }
        // An allow lasts as long as every temporary grant it rests on.
        if d.outcome == Outcome::Allow {
            d.expires_at = expires;
        }
        for w in warnings {
            if !d.warnings.contains(&w) {
                d.warnings.push(w);
            }
        }
        d
    }

    /// Walks the current category's decision list for the action: the first row whose
    /// condition holds decides.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    fn walk<S>(
        &self,
        ctx: &Context<S>,
        facts: &[u64],
        at: DateTime<Utc>,
        warnings: Warnings,
    ) -> Decision {
        let rows = self.rows(ctx.category, ctx.action);
        let mut first = rows.iter().position(|row| self.pool.holds(row.cond, facts));
        // While acting, a deny that matches the subject themselves refuses too: the earlier of
        // it and the colleague's deciding deny decides.
        if let Some(j) = self.deputy_denies(ctx, ctx.category, facts) {
            if first
                .is_none_or(|i| j < i || rows.get(i).is_some_and(|r| r.effect == RowEffect::Allow))
            {
                first = Some(j);
            }
        }
        match first.and_then(|i| rows.get(i).map(|row| (i, row))) {
            Some((i, row)) => decision(row, i, ctx.category, ctx, at, warnings),
            None => fail_closed(FailReason::NoRowMatched, at),
        }
    }

    /// Of two restrictions' decisions, the one that decides the record: a refusal that failed
    /// closed over any other, a deny over an allow,
    /// then the smaller view, then forbidden over not permitted; on a tie, the category that
    /// tells a refused person its title, so a concealed restriction beside a disclosed one that
    /// refuses alike changes nothing they are told; then the earlier. The other decision's
    /// review warnings are kept (a review is due whoever decided); its grant warnings are not
    /// (they are about a category that did not decide).
    fn more_restrictive(&self, a: Decision, b: Decision, kept: &mut Warnings) -> Decision {
        let titled = |d: &Decision| self.deciding_row(d).is_some_and(|(c, _)| c.disclose.title);
        let rank = |d: &Decision| {
            (
                // A restriction whose table cannot decide (a table not written by the compiler)
                // refuses above all.
                matches!(d.basis, Basis::Row { .. }),
                d.outcome == Outcome::Allow,
                d.view,
                d.deny_kind != Some(DenyKind::Forbidden),
                !titled(d),
            )
        };
        let (win, lose) = if rank(&b) < rank(&a) { (b, a) } else { (a, b) };
        // Both allow when the more restrictive does: then the other's temporary access ending
        // soon is as much the holder's business.
        let allowed = win.outcome == Outcome::Allow;
        kept.extend(lose.warnings.into_iter().filter(|w| {
            w.about_restriction() || allowed && matches!(w, Warning::GrantEndsSoon(..))
        }));
        win
    }

    /// Each restriction on the record, and each on a linked record whose category reaches the
    /// link, decided as if it were the record's only one (for an auditor's trace), in the order
    /// the request gives them: its category, the link it comes by, and its decision. A reached
    /// restriction is decided on the same facts as the record's own would be (its own owner and
    /// lists, the record's allocation), so alone it decides as it would on the record itself.
    pub fn each_restriction<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        at: DateTime<Utc>,
    ) -> Vec<(String, Option<u16>, Decision)> {
        let mut one = req.to_owned_request();
        one.record.restrictions.clear();
        one.record.links.clear();
        self.applying(req)
            .map(|(via, r)| {
                one.record.restriction = Some(r.map_names(&super::request::owned));
                (
                    r.category.as_ref().to_string(),
                    via,
                    self.decide_at(&one, at),
                )
            })
            .collect()
    }

    /// The restrictions that bear on the record: its own, and each linked record's whose
    /// category reaches the link (sections aside), as [`Record::every_placed`] gives them.
    ///
    /// [`Record::every_placed`]: super::Record::every_placed
    pub fn applying<'r, S: AsRef<str>>(
        &'r self,
        req: &'r Request<S>,
    ) -> impl Iterator<Item = (Option<u16>, &'r Restriction<S>)> + 'r {
        req.record.every_placed().filter(move |(via, r)| {
            via.is_none_or(|i| {
                req.record
                    .links
                    .get(usize::from(i))
                    .is_some_and(|l| self.reaches_link(r.category.as_ref(), l.link.as_ref()))
            })
        })
    }

    /// The unrestricted block's deny, when it refuses a request on a restricted record: a
    /// restriction only ever narrows what the unrestricted record gives (docs/semantics.md), so
    /// the unrestricted block is read first, with no restriction facts and no temporary grant
    /// (temporary access to a restricted record is the category's to give), and its refusal
    /// decides.
    pub(super) fn gate<S>(&self, ctx: &Context<S>, facts: &[u64]) -> Option<(usize, &CRow)> {
        if ctx.placed.is_empty() {
            return None;
        }
        self.slots.first()?.as_ref()?;
        let rows = self.rows(CategoryRef::Unrestricted, ctx.action);
        let read = self.gates.get(ctx.action as usize).copied().unwrap_or(0);
        let first = rows
            .get(..read)
            .unwrap_or(rows)
            .iter()
            .position(|row| self.pool.holds(row.cond, facts))
            .filter(|i| rows.get(*i).is_some_and(|r| r.effect == RowEffect::Deny));
        // While acting, a deny of the unrestricted block that matches the subject refuses too.
        let deputy = self.deputy_denies(ctx, CategoryRef::Unrestricted, facts);
        let i = match (first, deputy) {
            (Some(i), Some(j)) => i.min(j),
            (i, j) => i.or(j)?,
        };
        rows.get(i).map(|row| (i, row))
    }

    /// The interned decision list for a category and action.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    pub(super) fn rows(&self, category: CategoryRef, action: ActionId) -> &[CRow] {
        let slot = match category {
            CategoryRef::Unrestricted => 0,
            CategoryRef::Category(i) => i as usize + 1,
        };
        // An action past the vocabulary's would read another slot's list: it has none.
        let action = action as usize;
        if action >= self.actions {
            return &[];
        }
        self.lists
            .get(slot * self.actions + action)
            .map_or(&[], |l| l)
    }

    /// The compiled category a decision refers to.
    pub fn category(&self, c: CategoryRef) -> Option<&CategoryTable> {
        match c {
            CategoryRef::Unrestricted => self.table.unrestricted.as_ref(),
            CategoryRef::Category(i) => self.table.categories.get(i as usize),
        }
    }

    /// Resolves the request's names and sets the bit of every fact about the subject and the
    /// record that holds without the restriction: organisation, person, roles, teams, allocation
    /// and the record's teams. The restriction's own facts (owner, access and exclusion lists) are
    /// resolved here too, so an unknown name on any list fails closed before any rule is read, and
    /// set by [`Decider::restrict`]. When the request acts validly for a colleague, the facts
    /// are the colleague's, and the subject's own are kept for their denies (eval/acting.rs).
    pub(super) fn facts<'r, S: AsRef<str>>(
        &self,
        req: &'r Request<S>,
        at: DateTime<Utc>,
        facts: &mut [u64],
    ) -> Result<Context<'r, S>, FailReason> {
        let Some(Verb::Rule(action)) = self.verbs.get(req.action.as_ref()) else {
            return Err(FailReason::UnknownAction);
        };
        let mut ctx = Context::new(*action);
        self.facts_for(req, Some(at), facts, &mut ctx)?;
        Ok(ctx)
    }

    /// Whether every name the request gives is one the policy declares (as [`Decider::facts`]
    /// checks them), for a request that reads no rule: a lifecycle action.
    pub(super) fn request_known<S: AsRef<str>>(&self, req: &Request<S>) -> Result<(), FailReason> {
        let mut facts: smallvec::SmallVec<[u64; INLINE_WORDS]> =
            smallvec::smallvec![0u64; self.layout.words()];
        self.facts_for(req, None, &mut facts, &mut Context::new(0))
    }

    /// The index of the category of this name.
    pub(super) fn category_index(&self, name: &str) -> Option<u32> {
        self.categories.get(name).copied()
    }

    /// [`Decider::facts`] into a [`Context::new`] for the action, decided at `at`; with no
    /// time (a request that reads no rule) an unrestricted record needs no `unrestricted` block
    /// and an acting window is not read, only its names checked.
    fn facts_for<'r, S: AsRef<str>>(
        &self,
        req: &'r Request<S>,
        at: Option<DateTime<Utc>>,
        facts: &mut [u64],
        ctx: &mut Context<'r, S>,
    ) -> Result<(), FailReason> {
        if req.record.restriction.is_some() && !req.record.restrictions.is_empty() {
            return Err(FailReason::BothRestrictionFields);
        }
        let section = match &req.record.section {
            Some(name) => Some(
                *self
                    .sections
                    .get(name.as_ref())
                    .ok_or(FailReason::UnknownSection)?,
            ),
            None => None,
        };
        // Each link's kind, so that a restriction it carries is kept only where its category
        // reaches that kind; an undeclared kind fails closed, reached or not.
        let mut kinds: smallvec::SmallVec<[u32; 2]> = smallvec::SmallVec::new();
        for (i, l) in req.record.links.iter().enumerate() {
            let k = *self
                .links
                .get(l.link.as_ref())
                .ok_or(FailReason::UnknownLink(index(i)))?;
            kinds.push(k);
        }
        let placed = &mut ctx.placed;
        // A record without links, as most are, has only its own restrictions: walking the
        // linked records' too was about 18 instructions of some 1,490.
        if req.record.links.is_empty() {
            for (i, r) in req.record.placed().enumerate() {
                self.place(placed, i, None, r)?;
            }
        } else {
            for (i, (via, r)) in req.record.every_placed().enumerate() {
                self.place(placed, i, via, r)?;
            }
        }
        let gate = at.is_some();
        if gate && placed.is_empty() {
            self.slots
                .first()
                .and_then(Option::as_ref)
                .ok_or(FailReason::NoUnrestrictedBlock)?;
        }
        self.subject_facts(&req.subject, facts, Who::Subject)?;
        // Most requests give no context: no call for them.
        if !req.context.0.is_empty() {
            self.context_facts(req, facts)?;
        }
        self.record_facts(&req.subject, &req.record, facts)?;
        for (k, p) in placed.iter_mut().enumerate() {
            p.bits = self.restriction_bits(p.restriction, &req.subject.id, facts, k)?;
        }
        // A restriction that protects sections covers only a request for one of them; the rest
        // of the record is decided as if it did not carry it (docs/semantics.md, "Sections").
        // Its lists were checked above all the same: a bad name fails closed wherever it is.
        // A linked record's restriction protects this record only when its category reaches
        // the kind of link (docs/semantics.md, "Linked records"); its lists were checked too.
        if self.sectioned || !kinds.is_empty() {
            placed.retain(|p| {
                self.protects(p.category, section)
                    && p.via.is_none_or(|l| {
                        kinds
                            .get(usize::from(l))
                            .is_some_and(|k| self.reaches(p.category, *k))
                    })
            });
        }
        if gate && placed.is_empty() {
            self.slots
                .first()
                .and_then(Option::as_ref)
                .ok_or(FailReason::NoUnrestrictedBlock)?;
        }
        if !req.temporary_grants.is_empty() {
            self.grants_known(req)?;
        }
        match (&req.acting_for, at) {
            (Some(a), Some(at)) => self.act(req, a, at, facts, ctx)?,
            (Some(a), None) => self.acting_known(req, a).map(|_| ())?,
            (None, _) => {}
        }
        Ok(())
    }

    /// Adds restriction `i` of the record (reached by link `via`, or its own) to those placed,
    /// resolving its category.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    fn place<'r, S: AsRef<str>>(
        &self,
        placed: &mut Placements<'r, S>,
        i: usize,
        via: Option<u16>,
        r: &'r Restriction<S>,
    ) -> Result<(), FailReason> {
        let c = *self
            .categories
            .get(r.category.as_ref())
            .ok_or(FailReason::UnknownCategory(index(i)))?;
        let category = CategoryRef::Category(c);
        // Each record carries a category at most once; the record and a linked record may
        // both carry it (two restrictions, each with its own owner and lists).
        if placed
            .iter()
            .any(|p: &Placed<S>| p.category == category && p.via == via)
        {
            return Err(FailReason::RepeatedCategory(index(i)));
        }
        placed.push(Placed {
            category,
            restriction: r,
            bits: 0,
            deputy_bits: 0,
            via,
        });
        Ok(())
    }

    /// Whether a restriction of this category on a linked record protects the record asked
    /// about, across a link of this kind.
    fn reaches(&self, category: CategoryRef, kind: u32) -> bool {
        let CategoryRef::Category(c) = category else {
            return false;
        };
        self.slots
            .get(c as usize + 1)
            .and_then(Option::as_ref)
            .is_some_and(|s| s.reaches.contains(&kind))
    }

    /// Whether the kind of link of this name is one the category reaches across (false for an
    /// undeclared kind or category).
    pub fn reaches_link(&self, category: &str, link: &str) -> bool {
        match (self.categories.get(category), self.links.get(link)) {
            (Some(c), Some(k)) => self.reaches(CategoryRef::Category(*c), *k),
            _ => false,
        }
    }

    /// Whether a restriction of this category covers the part of the record asked for.
    fn protects(&self, category: CategoryRef, section: Option<u32>) -> bool {
        let CategoryRef::Category(c) = category else {
            return true;
        };
        let protects = self
            .slots
            .get(c as usize + 1)
            .and_then(Option::as_ref)
            .map_or(&[][..], |s| s.protects.as_slice());
        protects.is_empty() || section.is_some_and(|s| protects.contains(&s))
    }

    /// Makes restriction `k` of the record the one decided: sets its facts (owner, access and
    /// exclusion lists) and the temporary grant's, and gathers its review and grant warnings:
    /// everything that reads the restriction's own category.
    pub(super) fn restrict<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        ctx: &mut Context<S>,
        k: usize,
        at: DateTime<Utc>,
        facts: &mut [u64],
        warnings: &mut Warnings,
    ) {
        let Some(p) = ctx.placed.get(k) else {
            return;
        };
        let (category, restriction, bits) = (p.category, p.restriction, p.bits);
        ctx.deputy_bits = p.deputy_bits;
        ctx.category = category;
        ctx.via = p.via;
        ctx.restriction = Some(restriction);
        ctx.restricted = bits;
        ctx.expires_at = None;
        ctx.grant = None;
        ctx.ends_soon = None;
        if let Some(w) = facts.first_mut() {
            *w |= bits;
        }
        if let CategoryRef::Category(c) = category {
            self.consult(req, ctx, c as usize + 1, at, facts, warnings);
        }
    }

    /// Reads what the category in `slot` says about the record beyond its rows: whether the
    /// current restriction's review is overdue, and whether a temporary grant counts.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    pub(super) fn consult<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        ctx: &mut Context<S>,
        slot: usize,
        at: DateTime<Utc>,
        facts: &mut [u64],
        warnings: &mut Warnings,
    ) {
        let Some(slot) = self.slots.get(slot).and_then(Option::as_ref) else {
            return;
        };
        if let Some(r) = ctx.restriction {
            if let Some(due) =
                time::review_due(slot.review, r.placed_on, r.last_reviewed, r.review_by)
            {
                if time::overdue(due, at) {
                    warnings.push(Warning::ReviewOverdue(due));
                }
            }
            if let CategoryRef::Category(c) = ctx.category {
                lifetime(c, slot.lasts.as_ref(), r, at, warnings);
            }
        }
        if !req.temporary_grants.is_empty() {
            if let Some(end) = self.temporary(req, ctx, &slot.temporary, at, facts, warnings) {
                intern::set(facts, intern::relation_bit(Relation::TemporaryGrant));
                ctx.expires_at = end.at;
                ctx.grant = Some((end.grant, end.kind));
                ctx.ends_soon = end
                    .notify
                    .and_then(|n| Some((end.grant, end.at?, n)))
                    .filter(|(_, e, n)| n.after_instant(at).is_none_or(|soon| soon >= *e))
                    .map(|(i, e, _)| (i, e));
            }
        }
    }
}

impl CRow {
    /// Whether the row allows or denies.
    pub(super) fn effect(&self) -> RowEffect {
        self.effect
    }
}

/// Starts reading, all at once, the texts at the end of a request's longest chains of
/// pointers: its subject's first role and first team (the request, then the list, then the
/// text) and its restriction's category.
///
/// A decision on a request that is not in the cache (one of many held in memory and decided
/// in turn, as the peer benchmark's engine-only case decides them) waits on memory longer than
/// it computes. Read where the decision first needs them, each of these texts was fetched only
/// once the instructions before it had run, and the decision stalled on each in turn; read
/// here, their fetches overlap. `black_box` keeps reads whose value nothing uses. On a request
/// just read from JSON, already in the cache, they cost a few instructions (BENCHMARKS.md,
/// "Reading the request's texts at once").
// Inlined: a call would be most of its cost.
#[inline(always)]
fn start_reading<S: AsRef<str>>(req: &Request<S>) {
    let first = |s: &S| s.as_ref().as_bytes().first().copied().unwrap_or(0);
    let subject = &req.subject;
    let category = req.record.restriction.as_ref().map(|r| &r.category);
    std::hint::black_box(
        subject.roles.first().map_or(0, first)
            ^ subject.teams.first().map_or(0, first)
            ^ category.map_or(0, first),
    );
}

/// A list position as a fail-closed reason carries it (lists longer than `u16` are cut off at
/// the last index, which still names an unknown entry's position approximately).
pub(super) fn index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

// Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
#[inline(always)]
fn decision<S>(
    row: &CRow,
    index: usize,
    category: CategoryRef,
    ctx: &Context<S>,
    at: DateTime<Utc>,
    mut warnings: Warnings,
) -> Decision {
    let (outcome, deny_kind) = row_outcome(row.effect, row.layer);
    let temporary = matches!(row.layer, Layer::Temporary | Layer::TemporaryOverride);
    if let (true, Some((grant, end))) = (temporary, ctx.ends_soon) {
        warnings.push(Warning::GrantEndsSoon(grant, end));
    }
    Decision {
        outcome,
        view: row.view,
        deny_kind,
        basis: Basis::Row {
            category,
            action: ctx.action,
            row: index as u32,
        },
        at,
        expires_at: if temporary { ctx.expires_at } else { None },
        grant: if temporary { ctx.grant } else { None },
        via: ctx.via.filter(|_| category != CategoryRef::Unrestricted),
        warnings,
        flags: 0,
        acting: ctx.acting.is_some(),
    }
}

/// The outcome a row gives, and for a deny its kind.
pub(super) fn row_outcome(effect: RowEffect, layer: Layer) -> (Outcome, Option<DenyKind>) {
    match (effect, layer) {
        (RowEffect::Allow, _) => (Outcome::Allow, None),
        (RowEffect::Deny, Layer::Default) => (Outcome::Deny, Some(DenyKind::NotPermitted)),
        (RowEffect::Deny, _) => (Outcome::Deny, Some(DenyKind::Forbidden)),
    }
}

pub(super) fn fail_closed(reason: FailReason, at: DateTime<Utc>) -> Decision {
    Decision {
        outcome: Outcome::Deny,
        view: View::None,
        deny_kind: Some(DenyKind::NotPermitted),
        basis: Basis::FailClosed(reason),
        at,
        expires_at: None,
        grant: None,
        via: None,
        warnings: Warnings::new(),
        flags: 0,
        acting: false,
    }
}

/// A restriction's end and renewals (docs/semantics.md, "Time"): past its end it still applies,
/// with a warning, since the calendar never lifts a restriction (a lapse in keeping a date would
/// otherwise widen access); within its category's notice, an allow warns that it ends soon; renewed
/// more often than its category allows, it still applies, with a warning.
// Inlined, with its work out of line: most restrictions have no end to warn of, and their call
// cost more than the test.
#[inline(always)]
fn lifetime<S>(
    category: u32,
    lasts: Option<&LastsEntry>,
    r: &Restriction<S>,
    at: DateTime<Utc>,
    warnings: &mut Warnings,
) {
    // With no end of its own and no maximum from its category, a restriction has no end to
    // reach and no renewals to count (`time::restriction_end` finds none).
    if lasts.is_some() || r.ends.is_some() {
        lifetime_warnings(category, lasts, r, at, warnings);
    }
}

/// [`lifetime`] for a restriction that has an end or a maximum.
fn lifetime_warnings<S>(
    category: u32,
    lasts: Option<&LastsEntry>,
    r: &Restriction<S>,
    at: DateTime<Utc>,
    warnings: &mut Warnings,
) {
    let limit = lasts.map(|l| (l.max, l.renewable));
    if let Some(end) = time::restriction_end(limit, r.placed_on, r.ends, r.renewals) {
        match time::ending(end, lasts.and_then(|l| l.notify), time::uk_date(at)) {
            time::Ending::Ended => warnings.push(Warning::RestrictionEnded(category, end)),
            time::Ending::EndsSoon => warnings.push(Warning::RestrictionEndsSoon(category, end)),
            time::Ending::Running => {}
        }
    }
    if limit.is_some_and(|(_, allowed)| r.renewals > allowed) {
        warnings.push(Warning::RestrictionRenewedTooOften(category, r.renewals));
    }
}

/// Every action word: the lifecycle actions are every policy's, and no policy may declare one
/// (CL0164); in a table that does all the same, the lifecycle action wins.
fn verbs(table: &DecisionTable) -> NameMap<Verb> {
    let mut verbs = NameMap::default();
    for c in Change::ALL {
        verbs.get_or_insert_with(c.word(), || Verb::Change(c));
    }
    for (i, a) in table.vocabulary.actions.iter().enumerate() {
        let id = ActionId::try_from(i).unwrap_or(ActionId::MAX);
        verbs.get_or_insert_with(&a.name, || Verb::Rule(id));
    }
    verbs
}

/// A review schedule's interval, when it has one.
fn interval(r: &crate::compile::table::ReviewEntry) -> Option<Period> {
    match r.schedule {
        ScheduleEntry::Every { period } => Some(period),
        _ => None,
    }
}

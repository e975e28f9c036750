//! The condition space: every class of subject a request can describe, as boolean variables, and
//! regions of it as binary decision diagrams, so overlap, cover, emptiness and witnesses are
//! decided exactly rather than by matching names.
//!
//! The variables are what a request says, not what a policy derives from it: which roles and
//! teams the subject *holds* (by name), which organisation they belong to (exactly one), which
//! placeholder person's subject id they carry (at most one), and which relations they stand in to
//! the record (allocated worker, allocated manager, owner, named on the access or exclusion list,
//! in a responsible team, holding an approved temporary grant). A policy's atoms are functions of
//! these: `role service_manager` holds when the subject holds that role or any role below it.
//! Because the variables are names, one space can hold two policies (the two sides of a semantic
//! diff) with different hierarchies: each side reads the same subject through its own hierarchy.
//!
//! The request's context is one variable per context value (`network ncc`), at most one of a
//! context's values true: none true is a request that leaves the context out, for which none
//! of its atoms holds (so `not network ncc` does).
//!
//! What a side cannot read is decided as the evaluator decides it: an organisation, role or team
//! a side does not declare fails closed; `record_team` needs a team the side declares; `owner`, `named_allow` and `named_deny` never hold on an unrestricted
//! record; `temporary_grant` holds only where the category offers temporary access for the
//! action, the subject is eligible (`to`), and the policy accepts some approver the request can
//! name.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use biodivine_lib_bdd::{Bdd, BddPartialValuation, BddValuation, BddVariable, BddVariableSet};

use crate::compile::table::{CategoryTable, DecisionTable, Member, Vocabulary, children};
use crate::policy::{ActionId, Atom, Condition, Literal, OrgKind, Relation};

/// The relations a request can make true; `line_manager` is only known while routing approvals.
pub const REQUEST_RELATIONS: [Relation; 11] = [
    Relation::AllocatedWorker,
    Relation::AllocatedManager,
    Relation::Owner,
    Relation::NamedAllow,
    Relation::NamedDeny,
    Relation::TemporaryGrant,
    Relation::RecordTeam,
    Relation::RecordSubject,
    Relation::Relative,
    Relation::Author,
    Relation::ActingFor,
];

/// A vocabulary's context values as (context, value) names, in the order atoms index them.
fn context_pairs(v: &Vocabulary) -> impl Iterator<Item = (String, String)> + '_ {
    v.context_values.iter().map(|c| {
        let context = v
            .contexts
            .get(c.context as usize)
            .map_or_else(String::new, |x| x.name.clone());
        (context, c.name.clone())
    })
}

/// The BDD library addresses variables with 16 bits.
const MAX_VARIABLES: usize = u16::MAX as usize;

/// Which policy of a [`Space`] a question is about: 0 for the first table given, 1 for the second.
pub type Side = usize;

/// Why a space could not be built.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the policy names {0} roles, teams, people and organisations; the analyser handles at most {MAX_VARIABLES}"
)]
pub struct SpaceTooLarge(pub usize);

/// A set of subjects (with their relations to a record): a region of the condition space.
///
/// Regions of one [`Space`] combine with each other; every region lies inside the space's domain
/// (exactly one organisation, at most one person).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region(Bdd);

impl Region {
    /// Subjects in both.
    pub fn and(&self, other: &Region) -> Region {
        Region(self.0.and(&other.0))
    }

    /// Subjects in either.
    pub fn or(&self, other: &Region) -> Region {
        Region(self.0.or(&other.0))
    }

    /// Subjects in this region and not in `other`.
    pub fn minus(&self, other: &Region) -> Region {
        Region(self.0.and_not(&other.0))
    }

    /// Whether no subject is in the region.
    pub fn is_empty(&self) -> bool {
        self.0.is_false()
    }

    /// Whether every subject of `other` is in this region.
    pub fn covers(&self, other: &Region) -> bool {
        other.0.and_not(&self.0).is_false()
    }

    /// Whether some subject is in both regions.
    pub fn overlaps(&self, other: &Region) -> bool {
        !self.0.and(&other.0).is_false()
    }
}

/// One concrete class of subject: what a request says about them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Witness {
    /// The roles they hold, by name.
    pub roles: Vec<String>,
    /// The teams they are in, by name.
    pub teams: Vec<String>,
    /// Their organisation.
    pub organisation: String,
    /// The subject id of the placeholder person they are, if any.
    pub person: Option<String>,
    /// Their relations to the record.
    pub relations: Vec<Relation>,
    /// The request's context: each context stated, with its value.
    pub context: Vec<(String, String)>,
}

/// Combines diagrams pairwise, halving the list each round: folding one at a time grows a
/// diagram of every literal so far and costs the square of a long `and` (or a long list of
/// alternatives); pairing costs its length times its logarithm.
fn balanced(mut items: Vec<Bdd>, op: fn(&Bdd, &Bdd) -> Bdd, empty: Bdd) -> Bdd {
    while items.len() > 1 {
        let mut next = Vec::with_capacity(items.len().div_ceil(2));
        let mut it = items.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => op(&a, &b),
                None => a,
            });
        }
        items = next;
    }
    items.pop().unwrap_or(empty)
}

/// One side's roles or teams: `role i` holds when the subject holds role i or one below it.
///
/// Each member's diagram is built the first time an atom asks for it. A member's diagram has a
/// node for it and for every member below it, so building them all would cost the square of a
/// long chain's length; a policy names few of its roles, and only those are built.
#[derive(Debug, Clone)]
struct Tree {
    /// Each member's variable in the space.
    vars: Vec<Option<BddVariable>>,
    /// Each member's children.
    children: Vec<Vec<u32>>,
    /// Each member's diagram, once built.
    held: Vec<OnceLock<Bdd>>,
}

impl Tree {
    fn new(members: &[Member], vars: &BTreeMap<String, BddVariable>) -> Tree {
        Tree {
            vars: members.iter().map(|m| vars.get(&m.name).copied()).collect(),
            children: children(members),
            held: members.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The subjects holding member `i` or a member below it.
    fn held(&self, set: &BddVariableSet, i: u32) -> Bdd {
        let Some(cell) = self.held.get(i as usize) else {
            return set.mk_false();
        };
        cell.get_or_init(|| {
            let mut clause = BddPartialValuation::empty();
            let mut stack = vec![i];
            // A loaded table's parents form a forest (checked on load); the bound keeps even a
            // looping one finite.
            for _ in 0..self.vars.len() {
                let Some(m) = stack.pop() else { break };
                if let Some(v) = self.vars.get(m as usize).copied().flatten() {
                    clause.set_value(v, true);
                }
                stack.extend(self.children.get(m as usize).into_iter().flatten());
            }
            set.mk_disjunctive_clause(&clause)
        })
        .clone()
    }
}

/// How one side's names map onto the space's variables.
#[derive(Debug, Clone)]
struct SideAtoms {
    /// `role i`: the subject holds role i or a role below it.
    roles: Tree,
    /// `team i`: likewise for teams.
    teams: Tree,
    /// `person i`: the subject carries person i's subject id.
    persons: Vec<Bdd>,
    /// `organisation i`.
    orgs: Vec<Bdd>,
    /// `KIND organisations`, in [`OrgKind::ALL`] order.
    kinds: [Bdd; 3],
    /// `CONTEXT VALUE`, by the side's index of the value.
    context_values: Vec<Bdd>,
    /// The subject's organisation, roles and teams are all ones this side declares (anything
    /// else fails closed there).
    known: Bdd,
    /// The subject is in some team this side declares (a record's team can only match one).
    some_team: Bdd,
    /// Whether the side's policy lets anyone act for a colleague (`acting`): without it, a
    /// request that acts for someone fails closed, so `acting_for` never holds.
    acting: bool,
}

/// The condition space of one or more compiled policies.
#[derive(Debug, Clone)]
pub struct Space {
    vars: BddVariableSet,
    roles: BTreeMap<String, BddVariable>,
    teams: BTreeMap<String, BddVariable>,
    persons: BTreeMap<String, BddVariable>,
    orgs: BTreeMap<String, BddVariable>,
    /// Each (context, value) any side declares.
    contexts: BTreeMap<(String, String), BddVariable>,
    relations: [BddVariable; REQUEST_RELATIONS.len()],
    domain: Bdd,
    sides: Vec<SideAtoms>,
}

impl Space {
    /// The space of one policy (its side is 0).
    pub fn new(table: &DecisionTable) -> Result<Space, SpaceTooLarge> {
        Space::joint(&[table])
    }

    /// One space for several policies, sides numbered in order, with names shared: a role of
    /// the same name is the same variable on every side.
    pub fn joint(tables: &[&DecisionTable]) -> Result<Space, SpaceTooLarge> {
        let vocabularies: Vec<&Vocabulary> = tables.iter().map(|t| &t.vocabulary).collect();
        let mut space = Space::of_vocabularies(&vocabularies)?;
        // A request acting for someone fails closed where the policy lets nobody act.
        let acting = space.var_or_false(space.relation_var(Relation::ActingFor).as_ref());
        for (side, table) in space.sides.iter_mut().zip(tables) {
            side.acting = !table.acting.is_empty();
            if !side.acting {
                side.known = side.known.and_not(&acting);
            }
        }
        Ok(space)
    }

    /// The space of several vocabularies.
    pub fn of_vocabularies(vocabularies: &[&Vocabulary]) -> Result<Space, SpaceTooLarge> {
        // Variable order: roles, teams, people, organisations, relations. Conditions seldom mix
        // many of these, so the diagrams stay small.
        let mut names: [BTreeMap<String, ()>; 4] = Default::default();
        let mut context_names: BTreeMap<(String, String), ()> = BTreeMap::new();
        for v in vocabularies {
            names[0].extend(v.roles.iter().map(|m| (m.name.clone(), ())));
            names[1].extend(v.teams.iter().map(|m| (m.name.clone(), ())));
            names[2].extend(v.persons.iter().map(|p| (p.subject_id.clone(), ())));
            names[3].extend(v.organisations.iter().map(|o| (o.name.clone(), ())));
            context_names.extend(context_pairs(v).map(|k| (k, ())));
        }
        let total = names.iter().map(BTreeMap::len).sum::<usize>()
            + context_names.len()
            + REQUEST_RELATIONS.len();
        if total > MAX_VARIABLES {
            return Err(SpaceTooLarge(total));
        }
        let vars = BddVariableSet::new_anonymous(total as u16);
        let mut next = 0usize;
        let mut assign = |m: &BTreeMap<String, ()>| -> BTreeMap<String, BddVariable> {
            m.keys()
                .map(|k| {
                    let v = BddVariable::from_index(next);
                    next += 1;
                    (k.clone(), v)
                })
                .collect()
        };
        let roles = assign(&names[0]);
        let teams = assign(&names[1]);
        let persons = assign(&names[2]);
        let orgs = assign(&names[3]);
        let contexts: BTreeMap<(String, String), BddVariable> = context_names
            .keys()
            .map(|k| {
                let v = BddVariable::from_index(next);
                next += 1;
                (k.clone(), v)
            })
            .collect();
        let relations = std::array::from_fn(|i| BddVariable::from_index(next + i));
        let org_vars: Vec<BddVariable> = orgs.values().copied().collect();
        let person_vars: Vec<BddVariable> = persons.values().copied().collect();
        let mut domain = vars
            .mk_sat_exactly_k(1, &org_vars)
            .and(&vars.mk_sat_up_to_k(1, &person_vars));
        // A request states at most one value for each context (its values are adjacent in the
        // map's order).
        let mut by_context: BTreeMap<&str, Vec<BddVariable>> = BTreeMap::new();
        for ((context, _), var) in &contexts {
            by_context.entry(context).or_default().push(*var);
        }
        for values in by_context.values() {
            domain = domain.and(&vars.mk_sat_up_to_k(1, values));
        }
        let mut space = Space {
            vars,
            roles,
            teams,
            persons,
            orgs,
            contexts,
            relations,
            domain,
            sides: Vec::new(),
        };
        space.sides = vocabularies.iter().map(|v| space.side_atoms(v)).collect();
        Ok(space)
    }

    fn side_atoms(&self, v: &Vocabulary) -> SideAtoms {
        let orgs: Vec<Bdd> = v
            .organisations
            .iter()
            .map(|o| self.var_or_false(self.orgs.get(&o.name)))
            .collect();
        let kinds = OrgKind::ALL.map(|k| {
            v.organisations
                .iter()
                .zip(&orgs)
                .filter(|(o, _)| o.kind == k)
                .fold(self.vars.mk_false(), |acc, (_, b)| acc.or(b))
        });
        // Disjunctions of many variables are built in one pass: folding `or` over them costs
        // the square of their number.
        let any = |m: &BTreeMap<String, BddVariable>, declared: &dyn Fn(&str) -> bool| {
            let mut clause = BddPartialValuation::empty();
            for (_, var) in m.iter().filter(|(k, _)| declared(k)) {
                clause.set_value(*var, true);
            }
            self.vars.mk_disjunctive_clause(&clause)
        };
        let side_roles: HashSet<&str> = v.roles.iter().map(|m| m.name.as_str()).collect();
        let side_teams: HashSet<&str> = v.teams.iter().map(|m| m.name.as_str()).collect();
        let foreign_roles = any(&self.roles, &|k| !side_roles.contains(k));
        let foreign_teams = any(&self.teams, &|k| !side_teams.contains(k));
        let known = orgs
            .iter()
            .fold(self.vars.mk_false(), |acc, b| acc.or(b))
            .and_not(&foreign_roles)
            .and_not(&foreign_teams);
        let some_team = any(&self.teams, &|k| side_teams.contains(k));
        // A context or value the side does not declare fails closed there.
        let side_contexts: HashSet<(String, String)> = context_pairs(v).collect();
        let mut foreign = BddPartialValuation::empty();
        for (_, var) in self
            .contexts
            .iter()
            .filter(|(k, _)| !side_contexts.contains(*k))
        {
            foreign.set_value(*var, true);
        }
        let known = known.and_not(&self.vars.mk_disjunctive_clause(&foreign));
        let context_values = context_pairs(v)
            .map(|k| self.var_or_false(self.contexts.get(&k)))
            .collect();
        SideAtoms {
            roles: Tree::new(&v.roles, &self.roles),
            teams: Tree::new(&v.teams, &self.teams),
            persons: v
                .persons
                .iter()
                .map(|p| self.var_or_false(self.persons.get(&p.subject_id)))
                .collect(),
            orgs,
            kinds,
            context_values,
            known,
            some_team,
            acting: false,
        }
    }

    fn var_or_false(&self, v: Option<&BddVariable>) -> Bdd {
        v.map_or_else(|| self.vars.mk_false(), |v| self.vars.mk_var(*v))
    }

    fn relation_var(&self, r: Relation) -> Option<BddVariable> {
        REQUEST_RELATIONS
            .iter()
            .position(|x| *x == r)
            .and_then(|i| self.relations.get(i).copied())
    }

    /// Every subject a request can describe.
    pub fn everyone(&self) -> Region {
        Region(self.domain.clone())
    }

    /// No subject.
    pub fn nobody(&self) -> Region {
        Region(self.vars.mk_false())
    }

    /// Subjects whose organisation, roles and teams `side` declares (the rest fail closed there).
    pub fn known(&self, side: Side) -> Region {
        match self.sides.get(side) {
            Some(s) => Region(self.domain.and(&s.known)),
            None => self.nobody(),
        }
    }

    /// The subjects who are in `region` when they state some context (or none): the region
    /// with the request's context left open. An approver approves at another moment than the
    /// request they approve, from wherever they are, so what they may open is asked this way.
    pub fn in_some_context(&self, region: &Region) -> Region {
        let vars: Vec<BddVariable> = self.contexts.values().copied().collect();
        Region(self.domain.and(&region.0.exists(&vars)))
    }

    /// The subjects holding the request-level relation `r` (for `temporary_grant`: carrying an
    /// approved, current grant, whether or not the category honours it).
    pub fn relation(&self, r: Relation) -> Region {
        match self.relation_var(r) {
            Some(v) => Region(self.domain.and(&self.vars.mk_var(v))),
            None => self.nobody(),
        }
    }

    /// The subjects for whom `atom` holds on a record of `category`, for `action`, on `side`.
    pub fn atom(
        &self,
        side: Side,
        category: &CategoryTable,
        action: ActionId,
        atom: Atom,
    ) -> Region {
        Region(
            self.domain
                .and(&self.atom_bdd(side, category, action, atom)),
        )
    }

    fn atom_bdd(&self, side: Side, category: &CategoryTable, action: ActionId, atom: Atom) -> Bdd {
        let Some(s) = self.sides.get(side) else {
            return self.vars.mk_false();
        };
        let pick = |list: &[Bdd], i: u32| {
            list.get(i as usize)
                .cloned()
                .unwrap_or_else(|| self.vars.mk_false())
        };
        match atom {
            Atom::Role(i) => s.roles.held(&self.vars, i),
            Atom::Team(i) => s.teams.held(&self.vars, i),
            Atom::Person(i) => pick(&s.persons, i),
            Atom::Organisation(i) => pick(&s.orgs, i),
            Atom::OrgKind(k) => {
                let i = OrgKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
                s.kinds[i].clone()
            }
            Atom::Relation(r) => self.relation_bdd(side, category, action, r),
            Atom::Context(i) => pick(&s.context_values, i),
        }
    }

    fn relation_bdd(&self, side: Side, c: &CategoryTable, action: ActionId, r: Relation) -> Bdd {
        let restricted = c.is_restriction();
        let var = || self.var_or_false(self.relation_var(r).as_ref());
        match r {
            Relation::AllocatedWorker
            | Relation::AllocatedManager
            | Relation::RecordSubject
            | Relation::Relative
            | Relation::Author => var(),
            Relation::RecordTeam => match self.sides.get(side) {
                Some(s) => var().and(&s.some_team),
                None => self.vars.mk_false(),
            },
            // Decided with the colleague's facts, which the space's subject stands for: the
            // deputy's own denies only narrow further (eval/acting.rs).
            Relation::ActingFor => match self.sides.get(side) {
                Some(s) if s.acting => var(),
                _ => self.vars.mk_false(),
            },
            Relation::Owner | Relation::NamedAllow | Relation::NamedDeny if restricted => var(),
            Relation::TemporaryGrant => {
                // A grant of any kind covering the action may hold; a kind whose approvers
                // no request can meet (an owner, on a record with no restriction) gives none.
                let mut eligible = self.vars.mk_false();
                for t in c.temporary_for(action) {
                    let approvable = t.approved_by.iter().any(|a| {
                        restricted
                            || !a
                                .condition
                                .terms
                                .iter()
                                .flatten()
                                .any(|l| l.atom == Atom::Relation(Relation::Owner))
                    });
                    if !approvable {
                        continue;
                    }
                    // The evaluator tests eligibility before it sets the grant's fact, so `to`
                    // reads `temporary_grant` as false.
                    let kind = match &t.to {
                        Some(to) => self.condition_bdd(side, c, action, to, false),
                        None => self.vars.mk_true(),
                    };
                    // Nobody approves their own grant: some way of approving it must be open to
                    // someone other than the subject, who is not the owner or the named person
                    // that way requires.
                    let others = Condition {
                        terms: t
                            .approved_by
                            .iter()
                            .flat_map(|a| &a.condition.terms)
                            .map(|term| {
                                term.iter()
                                    .filter(|l| {
                                        !l.negated
                                            && matches!(
                                                l.atom,
                                                Atom::Person(_) | Atom::Relation(Relation::Owner)
                                            )
                                    })
                                    .map(|l| Literal {
                                        atom: l.atom,
                                        negated: true,
                                    })
                                    .collect()
                            })
                            .collect(),
                    };
                    let others = self.condition_bdd(side, c, action, &others, false);
                    eligible = eligible.or(&kind.and(&others));
                }
                var().and(&eligible)
            }
            _ => self.vars.mk_false(),
        }
    }

    /// The subjects a condition holds for on a record of `category`, for `action`, on `side`.
    pub fn condition(
        &self,
        side: Side,
        category: &CategoryTable,
        action: ActionId,
        condition: &Condition,
    ) -> Region {
        Region(
            self.domain
                .and(&self.condition_bdd(side, category, action, condition, true)),
        )
    }

    /// [`Space::condition`] with `temporary_grant` read as false: how the unrestricted block
    /// gates a restricted record, where temporary access is the category's to give.
    pub fn condition_without_grant(
        &self,
        side: Side,
        category: &CategoryTable,
        action: ActionId,
        condition: &Condition,
    ) -> Region {
        Region(
            self.domain
                .and(&self.condition_bdd(side, category, action, condition, false)),
        )
    }

    fn condition_bdd(
        &self,
        side: Side,
        c: &CategoryTable,
        action: ActionId,
        condition: &Condition,
        temporary: bool,
    ) -> Bdd {
        let terms = condition.terms.iter().map(|term| {
            let literals = term.iter().map(|l| {
                let a = if !temporary && l.atom == Atom::Relation(Relation::TemporaryGrant) {
                    self.vars.mk_false()
                } else {
                    self.atom_bdd(side, c, action, l.atom)
                };
                if l.negated { a.not() } else { a }
            });
            balanced(literals.collect(), Bdd::and, self.vars.mk_true())
        });
        balanced(terms.collect(), Bdd::or, self.vars.mk_false())
    }

    /// One subject of the region, with as few roles, teams and relations as possible.
    pub fn witness(&self, region: &Region) -> Option<Witness> {
        let v = region.0.most_negative_valuation()?;
        Some(self.read(&v))
    }

    fn read(&self, v: &BddValuation) -> Witness {
        let on = |m: &BTreeMap<String, BddVariable>| -> Vec<String> {
            m.iter()
                .filter(|(_, var)| v.value(**var))
                .map(|(k, _)| k.clone())
                .collect()
        };
        Witness {
            roles: on(&self.roles),
            teams: on(&self.teams),
            organisation: on(&self.orgs).into_iter().next().unwrap_or_default(),
            person: on(&self.persons).into_iter().next(),
            relations: REQUEST_RELATIONS
                .iter()
                .zip(&self.relations)
                .filter(|(_, var)| v.value(**var))
                .map(|(r, _)| *r)
                .collect(),
            context: self
                .contexts
                .iter()
                .filter(|(_, var)| v.value(**var))
                .map(|(k, _)| k.clone())
                .collect(),
        }
    }

    /// The subject class as a full assignment: `None` when it names something the space does
    /// not know, or breaks the domain (no organisation, two of them, two people).
    fn valuation(&self, w: &Witness) -> Option<BddValuation> {
        let mut values = vec![false; usize::from(self.vars.num_vars())];
        let mut set = |v: Option<&BddVariable>| -> Option<()> {
            *values.get_mut(v?.to_index())? = true;
            Some(())
        };
        for r in &w.roles {
            set(self.roles.get(r))?;
        }
        for t in &w.teams {
            set(self.teams.get(t))?;
        }
        set(self.orgs.get(&w.organisation))?;
        if let Some(p) = &w.person {
            set(self.persons.get(p))?;
        }
        for r in &w.relations {
            set(self.relation_var(*r).as_ref())?;
        }
        for k in &w.context {
            set(self.contexts.get(k))?;
        }
        let v = BddValuation::new(values);
        self.domain.eval_in(&v).then_some(v)
    }

    /// Whether the subject class is in the region.
    pub fn contains(&self, region: &Region, w: &Witness) -> bool {
        self.valuation(w).is_some_and(|v| region.0.eval_in(&v))
    }

    /// The placeholder people's subject ids.
    pub fn person_ids(&self) -> impl Iterator<Item = &str> + Clone {
        self.persons.keys().map(String::as_str)
    }
}

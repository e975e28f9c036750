//! Names to integers, and conditions to bitset masks, so a decision is lookups and word
//! operations rather than string comparison or tree walking.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::compile::table::Member;
use crate::policy::{Atom, Condition, OrgKind, Relation};

/// A multiply-and-rotate hash taking eight bytes at a time (the FxHash scheme): two rounds for
/// the short names a request carries, where byte-at-a-time hashes spend most of a decision.
/// The keys come from the policy, so request text only ever looks names up and cannot degrade
/// the map.
#[derive(Default, Clone, Copy)]
pub(super) struct WordHash(u64);

const SEED: u64 = 0xf135_7aea_2e62_a9c5;

impl WordHash {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for WordHash {
    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves its entropy in the high bits; the table indexes by the low ones.
        self.0.rotate_left(26)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(w) ^ ((bytes.len() as u64) << 56));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

/// A map from a name to its index.
pub(super) type NameMap = HashMap<Box<str>, u32, BuildHasherDefault<WordHash>>;

/// Builds a name map; the first of two equal names wins.
pub(super) fn name_map<'a>(names: impl Iterator<Item = &'a str>) -> NameMap {
    let mut m = NameMap::default();
    for (i, n) in names.enumerate() {
        m.entry(n.into())
            .or_insert(u32::try_from(i).unwrap_or(u32::MAX));
    }
    m
}

/// Where each atom lives in the fact bitset: relations, organisation kinds, organisations,
/// people, roles, teams, context values, then one bit that is never set (for atoms a table
/// names out of range).
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    orgs: u32,
    persons: u32,
    roles: u32,
    teams: u32,
    contexts: u32,
    never: u32,
}

const KINDS: u32 = Relation::ALL.len() as u32;

impl Layout {
    /// The layout for a vocabulary of these sizes.
    pub(super) fn new(sizes: Sizes) -> Layout {
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX / 8);
        let orgs_at = KINDS + OrgKind::ALL.len() as u32;
        let persons_at = orgs_at + n(sizes.orgs);
        let roles_at = persons_at + n(sizes.persons);
        let teams_at = roles_at + n(sizes.roles);
        let contexts_at = teams_at + n(sizes.teams);
        Layout {
            orgs: orgs_at,
            persons: persons_at,
            roles: roles_at,
            teams: teams_at,
            contexts: contexts_at,
            never: contexts_at + n(sizes.context_values),
        }
    }

    /// How many 64-bit words a fact set takes.
    pub(super) fn words(&self) -> usize {
        self.never as usize / 64 + 1
    }

    /// The bit of an atom.
    pub(super) fn bit(&self, atom: Atom) -> u32 {
        let within = |base: u32, next: u32, i: u32| {
            if i < next - base {
                base + i
            } else {
                self.never
            }
        };
        match atom {
            Atom::Relation(r) => relation_bit(r),
            Atom::OrgKind(k) => KINDS + kind_index(k),
            Atom::Organisation(o) => within(self.orgs, self.persons, o),
            Atom::Person(p) => within(self.persons, self.roles, p),
            Atom::Role(r) => within(self.roles, self.teams, r),
            Atom::Team(t) => within(self.teams, self.contexts, t),
            Atom::Context(v) => within(self.contexts, self.never, v),
        }
    }
}

/// How many of each declaration a vocabulary has, for [`Layout::new`].
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sizes {
    pub(super) orgs: usize,
    pub(super) persons: usize,
    pub(super) roles: usize,
    pub(super) teams: usize,
    pub(super) context_values: usize,
}

/// The bit of a relation.
pub(super) fn relation_bit(r: Relation) -> u32 {
    Relation::ALL.iter().position(|x| *x == r).unwrap_or(0) as u32
}

fn kind_index(k: OrgKind) -> u32 {
    OrgKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u32
}

/// The part of a cube that falls in one word: these bits set, those clear.
#[derive(Debug, Clone, Copy)]
pub(super) struct WordMask {
    word: u32,
    pos: u64,
    neg: u64,
}

/// Conditions as cubes of word masks, stored flat.
#[derive(Debug, Clone, Default)]
pub(super) struct CubePool {
    cubes: Vec<(u32, u32)>,
    masks: Vec<WordMask>,
}

/// A condition in the pool: a range of cubes.
#[derive(Debug, Clone, Copy)]
pub(super) struct CondRef(u32, u32);

impl CubePool {
    /// Adds a condition and returns where it is.
    pub(super) fn add(&mut self, c: &Condition, layout: &Layout) -> CondRef {
        let start = self.cubes.len() as u32;
        for term in &c.terms {
            let first = self.masks.len() as u32;
            let mut words: Vec<WordMask> = Vec::new();
            for lit in term {
                let bit = layout.bit(lit.atom);
                let word = bit / 64;
                let m = 1u64 << (bit % 64);
                let slot = match words.iter_mut().find(|w| w.word == word) {
                    Some(s) => s,
                    None => {
                        words.push(WordMask {
                            word,
                            pos: 0,
                            neg: 0,
                        });
                        let last = words.len() - 1;
                        &mut words[last]
                    }
                };
                if lit.negated {
                    slot.neg |= m;
                } else {
                    slot.pos |= m;
                }
            }
            words.sort_by_key(|w| w.word);
            self.masks.extend(words);
            self.cubes.push((first, self.masks.len() as u32));
        }
        CondRef(start, self.cubes.len() as u32)
    }

    /// Whether a condition holds for these facts.
    #[inline]
    pub(super) fn holds(&self, c: CondRef, facts: &[u64]) -> bool {
        let cubes = self.cubes.get(c.0 as usize..c.1 as usize).unwrap_or(&[]);
        cubes.iter().any(|&(a, b)| {
            self.masks
                .get(a as usize..b as usize)
                .unwrap_or(&[])
                .iter()
                .all(|m| {
                    let f = facts.get(m.word as usize).copied().unwrap_or(0);
                    f & m.pos == m.pos && f & m.neg == 0
                })
        })
    }
}

/// Sets a bit in a fact set.
#[inline]
pub(super) fn set(facts: &mut [u64], bit: u32) {
    if let Some(w) = facts.get_mut(bit as usize / 64) {
        *w |= 1u64 << (bit % 64);
    }
}

/// Whether a bit is set in a fact set.
#[inline]
pub(super) fn get(facts: &[u64], bit: u32) -> bool {
    facts
        .get(bit as usize / 64)
        .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
}

/// A role or team tree as fact bits: holding a member counts as holding each of its ancestors.
#[derive(Debug, Clone, Default)]
pub(super) struct Tree {
    bits: Vec<u32>,
    parents: Vec<Option<u32>>,
}

impl Tree {
    /// The tree of `members`, with `bit` giving each member's fact bit.
    pub(super) fn new(members: &[Member], bit: impl Fn(u32) -> u32) -> Tree {
        Tree {
            bits: (0..members.len() as u32).map(bit).collect(),
            parents: members.iter().map(|m| m.parent).collect(),
        }
    }

    /// Sets member `i`'s bit and its ancestors'. The walk stops at the first bit already set:
    /// whoever set it set that member's ancestors too, so a request pays for each bit once
    /// however long the chain (and the walk is bounded even if parents looped).
    pub(super) fn hold(&self, facts: &mut [u64], i: u32) {
        let mut cur = Some(i);
        for _ in 0..self.bits.len() {
            let Some(c) = cur else { return };
            let Some(&b) = self.bits.get(c as usize) else {
                return;
            };
            if get(facts, b) {
                return;
            }
            set(facts, b);
            cur = self.parents.get(c as usize).copied().flatten();
        }
    }
}

//! Names to integers, and conditions to bitset masks, so a decision is lookups and word
//! operations rather than string comparison or tree walking.

use crate::compile::table::Member;
use crate::policy::{Atom, Condition, OrgKind, Relation};
use crate::word::{last_word, tail, word};

/// A map from a name to its index (or to what else the name stands for). A decision is mostly
/// these look-ups, on tables of a few dozen names, so the map is the simplest that is fast at
/// that size: open addressing with linear probing over slots (at most half of them full) that
/// hold each name's length, its first and last eight bytes and what it stands for. That slot
/// is all a look-up reads of a name up to sixteen bytes long, to hash it, to compare it and to
/// answer: one multiply and three compares, no loop. A longer name also mixes in a word from
/// its middle and is compared in full. Hashing every word of the name and comparing it through
/// the entries took about 100 instructions a look-up; hashbrown's grouped probing 66. A name
/// of seventeen to thirty-two bytes (roles such as `safeguarding_head_of_service`) is described
/// in full by two more words from its inside, which its slot holds too; only a longer one is
/// compared with its entry. The keys come from the policy, so request text only ever looks
/// names up and cannot lengthen a probe.
#[derive(Clone)]
pub(super) struct NameMap<V = u32> {
    /// A power of two long, or empty.
    slots: Vec<Option<Slot<V>>>,
    entries: Vec<(Box<str>, V)>,
}

/// One full slot of a [`NameMap`]: a name's length, [`Ends`] and [`Ends::inner`], its entry's
/// position, and what the name stands for, kept here too so that a look-up reads one slot and
/// not the entries as well.
#[derive(Clone, Copy)]
struct Slot<V> {
    ends: Ends,
    inner: Ends,
    len: u32,
    entry: u32,
    value: V,
}

/// A name's first and last eight bytes as words (overlapping when it is shorter than sixteen),
/// or for a name shorter than eight its [`tail`] and zero: with the length, the whole of a name
/// up to sixteen bytes long.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Ends(u64, u64);

/// The longest name that [`Ends`] and its length fully describe.
const WHOLE: usize = 16;

/// The longest name that [`Ends`], [`Ends::inner`] and its length fully describe.
const INNER_WHOLE: usize = 32;

impl Ends {
    #[inline]
    fn of(b: &[u8]) -> Ends {
        match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
            (Some(f), Some(l)) => Ends(u64::from_le_bytes(*f), u64::from_le_bytes(*l)),
            _ => Ends(tail(b), 0),
        }
    }

    /// For a name longer than [`WHOLE`], the eight bytes after its first eight and the eight
    /// before its last eight (overlapping up to [`INNER_WHOLE`], which they cover between
    /// them); zero for a shorter name.
    #[inline]
    fn inner(b: &[u8]) -> Ends {
        match (
            b.get(8..),
            b.len().checked_sub(8).and_then(|end| b.get(..end)),
        ) {
            (Some(after), Some(before)) if b.len() > WHOLE => Ends(word(after), last_word(before)),
            _ => Ends(0, 0),
        }
    }

    /// The hash of a name with these ends: a longer name mixes in the word at its middle too,
    /// so long names that share their ends and length still spread.
    #[inline]
    fn hash(self, b: &[u8]) -> u64 {
        let len = b.len();
        let middle = if len > WHOLE {
            b.get(len / 2 - 4..).map_or(0, word)
        } else {
            0
        };
        let h = (self.0 ^ self.1.rotate_left(23) ^ middle.rotate_left(41) ^ len as u64)
            .wrapping_mul(SEED);
        // The multiply leaves its entropy in the high bits.
        h ^ h >> 29
    }
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            slots: Vec::new(),
            entries: Vec::new(),
        }
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for NameMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<V> NameMap<V> {
    /// What the name stands for, if the map has it.
    #[inline]
    pub(super) fn get(&self, name: &str) -> Option<&V> {
        self.find(name.as_bytes()).map(|slot| &slot.value)
    }

    /// The slot of `name`, or `None`.
    #[inline]
    fn find(&self, name: &[u8]) -> Option<&Slot<V>> {
        if name.len() > WHOLE {
            return self.find_long(name);
        }
        self.probe(name, |_| true)
    }

    /// [`NameMap::find`] for a name longer than [`WHOLE`], which its ends do not describe: its
    /// inside is compared too, and beyond [`INNER_WHOLE`] the whole name, out of line, so the
    /// short names' loop keeps to a few registers.
    #[inline(never)]
    fn find_long(&self, name: &[u8]) -> Option<&Slot<V>> {
        let inner = Ends::inner(name);
        self.probe(name, |slot| {
            slot.inner == inner
                && (name.len() <= INNER_WHOLE
                    || self
                        .entries
                        .get(slot.entry as usize)
                        .is_some_and(|(k, _)| same_name(k.as_bytes(), name)))
        })
    }

    /// The first slot from `name`'s on whose length and ends are `name`'s, and of which `rest`
    /// says the rest of the name is too. Probing ends at an empty slot, which there always is:
    /// the slots are at most half full.
    #[inline(always)]
    fn probe(&self, name: &[u8], rest: impl Fn(&Slot<V>) -> bool) -> Option<&Slot<V>> {
        let ends = Ends::of(name);
        // A name longer than any slot's length matches none.
        let len = u32::try_from(name.len()).ok()?;
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = ends.hash(name) as usize & mask;
        loop {
            let slot = self.slots.get(i)?.as_ref()?;
            if slot.ends == ends && slot.len == len && rest(slot) {
                return Some(slot);
            }
            i = (i + 1) & mask;
        }
    }

    /// Whether the map has the name.
    pub(super) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether the map has no name at all.
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What the name stands for, giving it `make()` when the map has not got it: the first of
    /// two equal names wins.
    pub(super) fn get_or_insert_with(&mut self, name: &str, make: impl FnOnce() -> V) -> V
    where
        V: Copy,
    {
        if let Some(slot) = self.find(name.as_bytes()) {
            return slot.value;
        }
        let v = make();
        self.entries.push((name.into(), v));
        if self.entries.len() * 2 > self.slots.len() {
            self.rehash();
        } else {
            place(&mut self.slots, name.as_bytes(), self.entries.len() - 1, v);
        }
        v
    }

    /// Lays every entry out again in twice the slots it needs, or more.
    fn rehash(&mut self)
    where
        V: Copy,
    {
        let len = (self.entries.len() * 2).next_power_of_two().max(8);
        self.slots = vec![None; len];
        for (i, (name, v)) in self.entries.iter().enumerate() {
            place(&mut self.slots, name.as_bytes(), i, *v);
        }
    }
}

/// Puts entry `entry` of a name map, standing for `value`, in the first of `slots` that is empty
/// from its hash's.
fn place<V>(slots: &mut [Option<Slot<V>>], name: &[u8], entry: usize, value: V) {
    let ends = Ends::of(name);
    let mask = slots.len().wrapping_sub(1);
    let mut i = ends.hash(name) as usize & mask;
    for _ in 0..slots.len() {
        if let Some(slot @ None) = slots.get_mut(i) {
            *slot = Some(Slot {
                ends,
                inner: Ends::inner(name),
                len: u32::try_from(name.len()).unwrap_or(u32::MAX),
                entry: u32::try_from(entry).unwrap_or(u32::MAX),
                value,
            });
            return;
        }
        i = (i + 1) & mask;
    }
}

const SEED: u64 = 0xf135_7aea_2e62_a9c5;

/// Whether two names are equal, compared a word at a time in place.
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    // Equal lengths: the tails are as long as each other, and `tail` reads all of each.
    (&mut ca).zip(&mut cb).all(|(x, y)| word(x) == word(y))
        && tail(ca.remainder()) == tail(cb.remainder())
}

/// Builds a name map; the first of two equal names wins.
pub(super) fn name_map<'a>(names: impl Iterator<Item = &'a str>) -> NameMap {
    let mut m = NameMap::default();
    for (i, n) in names.enumerate() {
        m.get_or_insert_with(n, || u32::try_from(i).unwrap_or(u32::MAX));
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
    #[inline]
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

/// The bit of a relation: its place in [`Relation::ALL`], which lists the relations in the
/// order they are declared (a test holds it), so the place is the discriminant rather than a
/// search of the list every time a bit is set.
#[inline]
pub(super) fn relation_bit(r: Relation) -> u32 {
    r as u32
}

/// An organisation kind's place in [`OrgKind::ALL`], as [`relation_bit`] finds a relation's.
#[inline]
fn kind_index(k: OrgKind) -> u32 {
    k as u32
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
    /// Words in which any set bit of a mask makes a condition hold: its cubes of one atom that
    /// must hold, gathered by word. A rule's `to` list is mostly such cubes (a team, a role, a
    /// relation each), and one test a word took the place of a cube each.
    any: Vec<(u32, u64)>,
}

/// A condition in the pool: a range of [`CubePool::any`] words and a range of cubes.
#[derive(Debug, Clone, Copy)]
pub(super) struct CondRef {
    any: (u32, u32),
    cubes: (u32, u32),
}

impl CubePool {
    /// Adds a condition and returns where it is.
    pub(super) fn add(&mut self, c: &Condition, layout: &Layout) -> CondRef {
        let (start, any_start) = (self.cubes.len() as u32, self.any.len() as u32);
        let mut any: Vec<(u32, u64)> = Vec::new();
        for term in &c.terms {
            if let [lit] = term.as_slice() {
                if !lit.negated {
                    let bit = layout.bit(lit.atom);
                    match any.iter_mut().find(|(w, _)| *w == bit / 64) {
                        Some((_, m)) => *m |= 1u64 << (bit % 64),
                        None => any.push((bit / 64, 1u64 << (bit % 64))),
                    }
                    continue;
                }
            }
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
        any.sort_by_key(|(w, _)| *w);
        self.any.extend(any);
        CondRef {
            any: (any_start, self.any.len() as u32),
            cubes: (start, self.cubes.len() as u32),
        }
    }

    /// Whether a condition holds for these facts.
    #[inline]
    pub(super) fn holds(&self, c: CondRef, facts: &[u64]) -> bool {
        let word = |w: u32| facts.get(w as usize).copied().unwrap_or(0);
        let any = self.any.get(c.any.0 as usize..c.any.1 as usize);
        if any.unwrap_or(&[]).iter().any(|&(w, m)| word(w) & m != 0) {
            return true;
        }
        let cubes = self.cubes.get(c.cubes.0 as usize..c.cubes.1 as usize);
        cubes.unwrap_or(&[]).iter().any(|&(a, b)| {
            self.masks
                .get(a as usize..b as usize)
                .unwrap_or(&[])
                .iter()
                .all(|m| {
                    let f = word(m.word);
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
    /// For each member whose bit and every ancestor's fall in one word of the fact set (as in
    /// a policy of a few dozen names they all do): that word and those bits, set at once.
    closed: Vec<Option<(u32, u64)>>,
}

impl Tree {
    /// The tree of `members`, with `bit` giving each member's fact bit.
    pub(super) fn new(members: &[Member], bit: impl Fn(u32) -> u32) -> Tree {
        let mut tree = Tree {
            bits: (0..members.len() as u32).map(bit).collect(),
            parents: members.iter().map(|m| m.parent).collect(),
            closed: Vec::new(),
        };
        tree.closed = (0..members.len() as u32)
            .map(|i| {
                let word = tree.line(i).next()? / 64;
                let mut mask = 0u64;
                for b in tree.line(i) {
                    if b / 64 != word {
                        return None;
                    }
                    mask |= 1u64 << (b % 64);
                }
                Some((word, mask))
            })
            .collect();
        tree
    }

    /// The bits of member `i` and of each of its ancestors in turn, nearest first; bounded by
    /// the number of members, should the parents loop.
    fn line(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(i), |c| {
            self.parents.get(*c as usize).copied().flatten()
        })
        .take(self.bits.len())
        .map_while(|c| self.bits.get(c as usize).copied())
    }

    /// Sets member `i`'s bit and its ancestors': at once when they share a word, or else by a
    /// walk up the hierarchy that stops at the first bit already set (whoever set it set that
    /// member's ancestors too, so a request pays for each bit once however long the chain).
    // Inlined, with the walk out of line: the walk is for hierarchies spread across words,
    // which a policy of a few dozen names does not have.
    #[inline(always)]
    pub(super) fn hold(&self, facts: &mut [u64], i: u32) {
        match self.closed.get(i as usize) {
            Some(&Some((w, mask))) => {
                if let Some(x) = facts.get_mut(w as usize) {
                    *x |= mask;
                }
            }
            _ => self.walk(facts, i),
        }
    }

    /// [`Tree::hold`] for a member whose line spans words of the fact set.
    #[inline(never)]
    fn walk(&self, facts: &mut [u64], i: u32) {
        for b in self.line(i) {
            if get(facts, b) {
                return;
            }
            set(facts, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    proptest::proptest! {
        /// The name map answers as a standard map built the same way (the first of two equal
        /// names wins), for names present and absent, of every length around a word's.
        #[test]
        fn the_name_map_answers_as_a_standard_map(
            names in proptest::collection::vec("[a-c_]{0,40}", 0..60),
            asked in proptest::collection::vec("[a-c_]{0,40}", 0..30),
        ) {
            let map = name_map(names.iter().map(String::as_str));
            let mut std_map = HashMap::new();
            for (i, n) in names.iter().enumerate() {
                std_map.entry(n.as_str()).or_insert(i as u32);
            }
            for n in names.iter().chain(&asked) {
                proptest::prop_assert_eq!(map.get(n), std_map.get(n.as_str()));
            }
            proptest::prop_assert_eq!(map.is_empty(), names.is_empty());
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// A condition in the pool holds exactly when one of its terms has every literal true,
        /// whichever way its cubes are stored (one atom that must hold, or word masks), for
        /// atoms spread over several words, empty terms and contradictions included.
        #[test]
        fn a_pooled_condition_holds_as_its_terms_say(
            terms in proptest::collection::vec(
                proptest::prop_oneof![
                    (0u32..148).prop_map(|i| vec![(i, false)]),
                    proptest::collection::vec((0u32..148, proptest::bool::ANY), 0..4),
                ],
                0..6,
            ),
            held in proptest::collection::vec(0u32..148, 0..40),
        ) {
            use crate::policy::{Condition, Literal};
            let layout = Layout::new(Sizes {
                orgs: 2,
                persons: 0,
                roles: 120,
                teams: 28,
                context_values: 0,
            });
            // Every atom declared: an undeclared one takes the bit that is never set.
            let atom = |i: u32| if i < 120 { Atom::Role(i) } else { Atom::Team(i - 120) };
            let condition = Condition {
                terms: terms
                    .iter()
                    .map(|t| t.iter().map(|&(i, negated)| Literal { atom: atom(i), negated }).collect())
                    .collect(),
            };
            let mut facts = vec![0u64; layout.words()];
            for &i in &held {
                set(&mut facts, layout.bit(atom(i)));
            }
            let mut pool = CubePool::default();
            // Another condition before it, so its ranges do not start at zero.
            pool.add(&Condition::atom(atom(3)), &layout);
            let c = pool.add(&condition, &layout);
            let expected = terms
                .iter()
                .any(|t| t.iter().all(|&(i, negated)| held.contains(&i) != negated));
            proptest::prop_assert_eq!(pool.holds(c, &facts), expected);
        }
    }

    /// A name up to [`INNER_WHOLE`] bytes long is described in full by its length, ends and
    /// inside words, which its look-up compares without the entry: two names that differ in
    /// any one byte differ there, whatever their hashes.
    #[test]
    fn a_slot_describes_every_byte_of_a_name_it_holds_whole() {
        for len in 1..=INNER_WHOLE {
            let a = "a".repeat(len);
            for i in 0..len {
                let mut b = a.clone().into_bytes();
                if let Some(byte) = b.get_mut(i) {
                    *byte = b'b';
                }
                let described = |n: &[u8]| (Ends::of(n), Ends::inner(n));
                assert_ne!(
                    described(a.as_bytes()),
                    described(&b),
                    "{len} bytes, byte {i}"
                );
            }
        }
    }

    #[test]
    fn relations_and_organisation_kinds_are_numbered_by_their_place_in_all() {
        for (i, r) in Relation::ALL.into_iter().enumerate() {
            assert_eq!(relation_bit(r) as usize, i, "{r:?}");
        }
        for (i, k) in OrgKind::ALL.into_iter().enumerate() {
            assert_eq!(kind_index(k) as usize, i, "{k:?}");
        }
    }

    #[test]
    fn names_equal_but_for_one_byte_differ_at_every_length() {
        for len in 1..=40 {
            let a = "a".repeat(len);
            let map = name_map(std::iter::once(a.as_str()));
            for i in 0..len {
                let mut b = a.clone().into_bytes();
                if let Some(byte) = b.get_mut(i) {
                    *byte = b'b';
                }
                let b = String::from_utf8(b).unwrap_or_default();
                assert_eq!(map.get(&b), None, "{b}");
            }
            assert_eq!(map.get(&a), Some(&0));
            assert_eq!(map.get(&"a".repeat(len + 1)), None);
        }
    }

    proptest::proptest! {
        /// Holding a member sets its bit and every ancestor's, and nothing else, whether they
        /// share a word of the fact set (set at once) or not (walked), from any facts already
        /// held by holding members.
        #[test]
        fn holding_a_member_sets_it_and_its_ancestors(
            parents in proptest::collection::vec(proptest::option::of(0u32..12), 1..12),
            spread in 1u32..40,
            held in proptest::collection::vec(0u32..12, 0..4),
            asked in 0u32..12,
        ) {
            let n = parents.len() as u32;
            // Parents only point up the list, as a checked hierarchy's cannot loop.
            let members: Vec<Member> = parents
                .iter()
                .enumerate()
                .map(|(i, p)| Member {
                    name: format!("m{i}"),
                    title: String::new(),
                    parent: p.filter(|p| *p < i as u32),
                })
                .collect();
            let bit = |i: u32| i * spread;
            let tree = Tree::new(&members, bit);
            let words = (n * spread) as usize / 64 + 1;
            let ancestors = |i: u32| {
                let mut all = vec![i];
                let parent = |c: u32| members.get(c as usize).and_then(|m| m.parent);
                while let Some(p) = all.last().and_then(|c| parent(*c)) {
                    all.push(p);
                }
                all
            };
            let mut facts = vec![0u64; words];
            let mut expected = vec![0u64; words];
            for i in held.iter().copied().filter(|i| *i < n).chain(std::iter::once(asked % n)) {
                tree.hold(&mut facts, i);
                for a in ancestors(i) {
                    set(&mut expected, bit(a));
                }
            }
            proptest::prop_assert_eq!(facts, expected);
        }
    }
}

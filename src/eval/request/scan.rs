//! A hand-written reader for the requests the hot paths see (`eval --jsonl`, the peer
//! benchmarks), where serde_json's derived reader took about three quarters of the time.
//!
//! It reads a subset of the contract and *declines* everything else: it returns `None`, and the
//! serde reader in [`super`] reads the text instead, accepting or refusing it with its usual
//! message naming the field. The subset is every field of the request except a lifecycle
//! action's `change` and `approvals` (read only as `null` and `[]`); strings without escapes,
//! borrowed where they lie; dates written `YYYY-MM-DD` and times `YYYY-MM-DDTHH:MM:SSZ`, with a
//! year in range; counts as plain digits. A key it does not know (a field added to the contract
//! after this reader was written included), a key given twice, a value of another type, an
//! invalid id or name, a trailing comma, anything after the object: declined, never guessed at.
//!
//! INVARIANT: every text this accepts, serde's reader accepts too, and reads as the same
//! `Request` (tests/request_scan.rs checks it on every example and fixture request and on random
//! and mutated ones). Declining is always safe; accepting differently is a bug.

use chrono::{DateTime, NaiveDate, Utc};

use super::spare::Spare;
use super::{
    GrantApprover, GrantDuration, PlacedFlag, Record, Request, RequestContext, Restriction,
    StatedApprover, Subject, TemporaryGrant,
};
use crate::eval::id::{Id, ListEntry};
use crate::eval::time;
use crate::word::{json_special, json_special_byte, past_printable, word};

/// What a reader holds a name or id as: borrowed from the text as it is (`&str`, for a
/// [`super::RequestReader`], whose requests have no name of their own to drop), or as a
/// [`super::Text`] (for [`super::Request::borrowed_from_json`], whose requests serde's reader
/// gives when this one declines).
pub(super) trait Name<'a>: From<&'a str> + AsRef<str> + Default {}

impl<'a, N: From<&'a str> + AsRef<str> + Default> Name<'a> for N {}

/// The request in `text`, or `None` when the reader declines it.
pub(super) fn request<'a, N: Name<'a>>(text: &'a str, spare: &mut Spare<N>) -> Option<Request<N>> {
    let mut req = blank();
    read_into(text, &mut req, spare).then_some(req)
}

/// A request with nothing read into it yet (what a [`super::RequestReader`] empties the
/// request it keeps back to).
pub(super) fn blank<N: Default + AsRef<str>>() -> Request<N> {
    Request {
        subject: Subject {
            id: Id::unread(),
            roles: Vec::new(),
            teams: Vec::new(),
            organisation: N::default(),
        },
        action: N::default(),
        record: Record::new(Id::unread()),
        temporary_grants: Vec::new(),
        at: None,
        context: RequestContext::default(),
        change: None,
        approvals: Vec::new(),
        acting_for: None,
    }
}

/// Reads the request in `text` into `req`, a [`blank`] one, in place: a request is several
/// hundred bytes, and moving it from field to field, and from function to function, cost a
/// tenth of the reading. False when the reader declines the text, and `req` is then only
/// partly read.
pub(super) fn read_into<'a, N: Name<'a>>(
    text: &'a str,
    req: &mut Request<N>,
    spare: &mut Spare<N>,
) -> bool {
    let mut s = Scan { text, at: 0 };
    if s.request(req, spare).is_none() {
        return false;
    }
    s.space();
    s.at == text.len()
}

/// Whether the fields of `bits` (bit `i` for field `i`) were all read.
fn read_all(seen: u32, bits: u32) -> Option<()> {
    (seen & bits == bits).then_some(())
}

/// A key of an object the reader knows as it is written, `"key":`, held as three words under a
/// mask, to compare with the next 24 bytes of the text: a comparison of slices is a call to
/// `memcmp`, and matching keys took a fifth of the reading.
#[derive(Clone, Copy)]
struct Key {
    text: &'static str,
    words: [u64; 3],
    /// The quoted key, without the colon (whitespace may come before it).
    quoted: [u64; 3],
    /// The quoted key and the colon straight after it, as serde writes it.
    colon: [u64; 3],
    /// The comma before the key, the quoted key and the colon, as serde writes a key after
    /// the first (`,"key":`), and their mask: taking the comma and the key in one comparison
    /// spared a call and a test of whitespace a field.
    after: [u64; 3],
    after_mask: [u64; 3],
}

impl Key {
    /// How many bytes of the text a key is compared with.
    const WINDOW: usize = 24;

    const fn new(text: &'static str) -> Key {
        let b = text.as_bytes();
        // A longer key would be compared only in part: a table with one does not build.
        assert!(b.len() + 4 <= Key::WINDOW);
        let (mut words, mut quoted, mut colon) = ([0u64; 3], [0u64; 3], [0u64; 3]);
        let (mut after, mut after_mask) = ([0u64; 3], [0u64; 3]);
        after[0] = b',' as u64;
        after_mask[0] = 0xff;
        let mut i = 0;
        while i < b.len() + 3 {
            let byte = if i == 0 || i == b.len() + 1 {
                b'"'
            } else if i == b.len() + 2 {
                b':'
            } else {
                b[i - 1]
            };
            let shift = 8 * (i % 8);
            words[i / 8] |= (byte as u64) << shift;
            colon[i / 8] |= 0xff << shift;
            if i < b.len() + 2 {
                quoted[i / 8] |= 0xff << shift;
            }
            // One byte further on, after the comma.
            let shift = 8 * ((i + 1) % 8);
            after[(i + 1) / 8] |= (byte as u64) << shift;
            after_mask[(i + 1) / 8] |= 0xff << shift;
            i += 1;
        }
        Key {
            text,
            words,
            quoted,
            colon,
            after,
            after_mask,
        }
    }

    /// Whether `rest` starts with a comma and this key quoted, with the colon straight after
    /// it (`,"key":`).
    #[inline]
    fn starts_after_comma(&self, rest: &[u8]) -> bool {
        let Some(window) = rest.first_chunk::<{ Key::WINDOW }>() else {
            // Within 24 bytes of the end of the text.
            return rest.first() == Some(&b',')
                && rest.get(1..).is_some_and(|r| self.starts(r, true));
        };
        window_is(window, &self.after, &self.after_mask)
    }

    /// Whether `rest` starts with this key quoted (`with_colon`: and a colon straight after).
    #[inline]
    fn starts(&self, rest: &[u8], with_colon: bool) -> bool {
        let masks = if with_colon {
            &self.colon
        } else {
            &self.quoted
        };
        let Some(window) = rest.first_chunk::<{ Key::WINDOW }>() else {
            // Within 24 bytes of the end of the text.
            let k = self.text.as_bytes();
            let end = k.len() + 1;
            return rest.first() == Some(&b'"')
                && rest.get(1..end) == Some(k)
                && rest.get(end) == Some(&b'"')
                && (!with_colon || rest.get(end + 1) == Some(&b':'));
        };
        window_is(window, &self.words, masks)
    }
}

/// Whether the three words of `window` are `words` in the bytes `masks` keeps.
#[inline]
fn window_is(window: &[u8; Key::WINDOW], words: &[u64; 3], masks: &[u64; 3]) -> bool {
    let (a, rest) = window.split_at(8);
    let (b, c) = rest.split_at(8);
    let differs = |w: &[u8], j: usize| match (words.get(j), masks.get(j)) {
        (Some(k), Some(m)) => (word(w) ^ k) & m,
        _ => u64::MAX,
    };
    differs(a, 0) | differs(b, 1) | differs(c, 2) == 0
}

/// A table of keys, built when the crate is compiled.
const fn keys<const N: usize>(texts: [&'static str; N]) -> [Key; N] {
    let mut out = [Key::new(""); N];
    let mut i = 0;
    while i < N {
        out[i] = Key::new(texts[i]);
        i += 1;
    }
    out
}

/// A position in the text being read.
struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON whitespace (only these four: not a form feed, not Unicode spaces).
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Whether `c` comes next, after whitespace; taken if so. The byte is compared first, and
    /// whitespace skipped only when there is some, out of line: requests seldom have any.
    #[inline(always)]
    fn take(&mut self, c: u8) -> bool {
        match self.peek() {
            Some(next) if next == c => {
                self.at += 1;
                true
            }
            Some(b' ' | b'\t' | b'\n' | b'\r') => self.take_spaced(c),
            _ => false,
        }
    }

    /// [`Scan::take`] after whitespace.
    #[inline(never)]
    fn take_spaced(&mut self, c: u8) -> bool {
        self.space();
        let next = self.peek() == Some(c);
        if next {
            self.at += 1;
        }
        next
    }

    /// `c`, after whitespace.
    fn eat(&mut self, c: u8) -> Option<()> {
        self.take(c).then_some(())
    }

    /// Whether `null` comes next; taken if so. (Whatever follows it is the container's to
    /// judge, as serde_json does: `nullx` then declines there.)
    fn null(&mut self) -> bool {
        self.space();
        let next = self.text.as_bytes().get(self.at..self.at + 4) == Some(b"null");
        if next {
            self.at += 4;
        }
        next
    }

    /// A string with no escape and no control character in it (serde_json refuses a raw
    /// control character; an escape would need a copy), borrowed.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    fn str(&mut self) -> Option<&'a str> {
        self.scan_str::<false>().map(|(s, _)| s)
    }

    /// A name: [`Scan::str`] held as the reader holds names.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    fn name<N: Name<'a>>(&mut self) -> Option<N> {
        self.str().map(N::from)
    }

    /// [`Scan::str`], and with `PRINTABLE`, whether every byte of it is printable ASCII (no
    /// byte of 0x7f or more: one below a space is not read at all), found in the same words.
    #[inline(always)]
    fn scan_str<const PRINTABLE: bool>(&mut self) -> Option<(&'a str, bool)> {
        self.eat(b'"')?;
        let start = self.at;
        let b = self.text.as_bytes();
        let mut end = start;
        let mut past = 0u64;
        // Eight bytes at a time, then one at a time for the last few.
        while let Some(chunk) = b.get(end..end + 8) {
            let w = word(chunk);
            let hits = json_special(w);
            if hits != 0 {
                let k = hits.trailing_zeros() / 8;
                end += k as usize;
                if PRINTABLE {
                    // Only the bytes before the closing quote are the string's.
                    past |= past_printable(w) & (1u64 << (8 * k)).wrapping_sub(1);
                }
                return self.close(start, end).map(|s| (s, PRINTABLE && past == 0));
            }
            if PRINTABLE {
                past |= past_printable(w);
            }
            end += 8;
        }
        while let Some(&c) = b.get(end) {
            if json_special_byte(c) {
                break;
            }
            past |= u64::from(c >= 0x7f);
            end += 1;
        }
        self.close(start, end).map(|s| (s, PRINTABLE && past == 0))
    }

    /// The string from `start` to `end`, when a closing quote (not an escape or a control
    /// character) stands at `end`.
    fn close(&mut self, start: usize, end: usize) -> Option<&'a str> {
        if self.text.as_bytes().get(end) != Some(&b'"') {
            return None;
        }
        self.at = end + 1;
        // The quotes are ASCII, so the slice between them lies on character boundaries.
        self.text.get(start..end)
    }

    /// An id: one of printable ASCII is checked here, where its bytes were read, the rest by
    /// the id rules in full (checking each id again took a twentieth of reading a request).
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    fn id<N: Name<'a>>(&mut self) -> Option<Id<N>> {
        let (s, printable) = self.scan_str::<true>()?;
        if printable {
            Id::printable(N::from(s))
        } else {
            Id::checked(N::from(s))
        }
    }

    fn texts<N: Name<'a>>(&mut self, out: &mut Vec<N>) -> Option<()> {
        self.array_into(out, Vec::new, Self::name)
    }

    fn ids<N: Name<'a>>(&mut self, out: &mut Vec<Id<N>>) -> Option<()> {
        self.array_into(out, Vec::new, Self::id)
    }

    fn date(&mut self) -> Option<NaiveDate> {
        // `"YYYY-MM-DD"`: a quote, ten bytes and a quote.
        self.quoted::<12, _>(time::quick_date)
    }

    fn time(&mut self) -> Option<DateTime<Utc>> {
        // `"YYYY-MM-DDTHH:MM:SSZ"`: a quote, twenty bytes and a quote.
        self.quoted::<22, _>(time::quick_time)
    }

    /// What `read` makes of a string `N` bytes long with its quotes. Written so (a date or a
    /// time as serde writes it), it is read where it lies, without looking for the string's end
    /// (a fiftieth of reading a line): `read` accepts only digits and separators, so no escape,
    /// quote or control character lies between the two quotes, and the string is exactly those
    /// bytes. Anything else is found by [`Scan::str`] first.
    #[inline(always)]
    fn quoted<const N: usize, T>(&mut self, read: impl Fn(&[u8]) -> Option<T>) -> Option<T> {
        let window = self
            .text
            .as_bytes()
            .get(self.at..)
            .and_then(|r| r.first_chunk::<N>());
        if let Some([b'"', inner @ .., b'"']) = window.map(|w| w.as_slice()) {
            if let Some(value) = read(inner) {
                self.at += N;
                return Some(value);
            }
        }
        read(self.str()?.as_bytes())
    }

    /// A whole number that fits a `u32`, written as serde_json reads an integer: digits, no
    /// leading zero. A sign, fraction or exponent after it is left for the container to
    /// decline.
    fn count(&mut self) -> Option<u32> {
        self.space();
        let start = self.at;
        let mut n: u32 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
            self.at += 1;
        }
        match self.at - start {
            0 => None,
            1 => Some(n),
            _ => (self.text.as_bytes().get(start) != Some(&b'0')).then_some(n),
        }
    }

    /// `null` as `None`, or what `read` reads.
    fn maybe<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    /// An object: `member` reads each `"key": value` in turn.
    fn object(&mut self, mut member: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.take(b'}') {
            return Some(());
        }
        loop {
            member(self)?;
            if !self.take(b',') {
                return self.eat(b'}');
            }
        }
    }

    /// The number in `keys` of the key that comes next, after whitespace, trying them from
    /// `from` on (the fields usually come in the order serde writes them); `None` for any other
    /// key, one this reader does not know or one written with an escape.
    fn known(&mut self, keys: &[Key], from: usize) -> Option<usize> {
        self.space();
        let rest = self.text.as_bytes().get(self.at..)?;
        let is = |k: &Key| k.starts(rest, false);
        let i = if keys.get(from).is_some_and(is) {
            from
        } else {
            (from + 1..keys.len())
                .chain(0..from)
                .find(|&i| keys.get(i).is_some_and(is))?
        };
        self.at += keys.get(i)?.text.len() + 2;
        Some(i)
    }

    /// The number in `keys` of the key that comes next, and its colon, trying them from `from`
    /// on. The key expected, written as serde writes it (no whitespace), is one comparison; any
    /// other key, or whitespace, takes the longer way.
    #[inline(always)]
    fn key(&mut self, keys: &[Key], from: usize) -> Option<usize> {
        let rest = self.text.as_bytes().get(self.at..)?;
        match keys.get(from).filter(|k| k.starts(rest, true)) {
            Some(k) => {
                self.at += k.text.len() + 3;
                Some(from)
            }
            None => self.spaced_key(keys, from),
        }
    }

    /// [`Scan::key`] the longer way, out of line: any key but the one expected, or a key with
    /// whitespace around it or its colon.
    #[inline(never)]
    fn spaced_key(&mut self, keys: &[Key], from: usize) -> Option<usize> {
        let i = self.known(keys, from)?;
        self.eat(b':')?;
        Some(i)
    }

    /// An object of the fields named in `keys` (at most 32), read into place: `field` reads
    /// the value of field `i`, or declines it. Returns the fields read, bit `i` for field `i`;
    /// a key given twice is declined (serde refuses a duplicate field).
    ///
    /// `rare` (bit `i` for field `i`) are the fields serde leaves out when they are empty and
    /// requests seldom give: after field `i`, the key expected first is the next one after it
    /// that is not rare, so a request written as serde writes it finds every key the quick way
    /// (looking for a key the longer way, after a missing one, was a twentieth of reading).
    ///
    /// After the first field, the comma and the key expected, written as serde writes them,
    /// are one comparison; anything else (whitespace, another key, the end of the object)
    /// takes the way of [`Scan::object`].
    fn fields(
        &mut self,
        keys: &[Key],
        rare: u32,
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<u32> {
        let (mut seen, mut next) = (0u32, 0);
        self.eat(b'{')?;
        if self.take(b'}') {
            return Some(seen);
        }
        let mut i = self.key(keys, next)?;
        loop {
            let bit = 1u32.checked_shl(u32::try_from(i).ok()?)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            // Past the last field usually given, 32: no key is expected, each is looked for.
            next = (!rare & !(bit | (bit - 1))).trailing_zeros() as usize;
            field(self, i)?;
            i = match self.key_after_comma(keys, next) {
                Some(i) => i,
                None if self.take(b',') => self.key(keys, next)?,
                None => return self.eat(b'}').map(|()| seen),
            };
        }
    }

    /// The key `from` of `keys` with the comma before it and its colon, when they come next as
    /// serde writes them (`,"key":`); taken if so.
    #[inline(always)]
    fn key_after_comma(&mut self, keys: &[Key], from: usize) -> Option<usize> {
        let rest = self.text.as_bytes().get(self.at..)?;
        let k = keys.get(from).filter(|k| k.starts_after_comma(rest))?;
        self.at += k.text.len() + 4;
        Some(from)
    }

    /// An array, each item read by `item`.
    fn array<T>(&mut self, item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut out = Vec::new();
        self.array_into(&mut out, Vec::new, item).map(|()| out)
    }

    /// An array read into `out` (emptied first), keeping the room it has; when it has none,
    /// the first item takes the room of the list `room` gives (a spare one, for a restriction's
    /// lists), and an empty array takes none.
    fn array_into<T>(
        &mut self,
        out: &mut Vec<T>,
        room: impl FnOnce() -> Vec<T>,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<()> {
        out.clear();
        self.eat(b'[')?;
        if self.take(b']') {
            return Some(());
        }
        if out.capacity() == 0 {
            *out = room();
        }
        loop {
            out.push(item(self)?);
            if !self.take(b',') {
                return self.eat(b']');
            }
        }
    }

    fn request<N: Name<'a>>(&mut self, r: &mut Request<N>, spare: &mut Spare<N>) -> Option<()> {
        const KEYS: [Key; 8] = keys([
            "subject",
            "action",
            "record",
            "temporary_grants",
            "at",
            "context",
            "change",
            "approvals",
        ]);
        // Temporary grants, context, change and approvals.
        const RARE: u32 = 1 << 3 | 1 << 5 | 1 << 6 | 1 << 7;
        let seen = self.fields(&KEYS, RARE, |s, field| {
            match field {
                0 => s.subject(&mut r.subject)?,
                1 => r.action = s.name()?,
                2 => s.record(&mut r.record, spare)?,
                3 => r.temporary_grants = s.array(Self::grant)?,
                4 => r.at = s.maybe(Self::time)?,
                5 => r.context = s.maybe(Self::context)?.unwrap_or_default(),
                // A lifecycle action is rare on the hot paths: serde reads one.
                6 => s.null().then_some(())?,
                7 => s.array(|_| None::<()>).map(drop)?,
                _ => return None,
            }
            Some(())
        })?;
        read_all(seen, 0b111)
    }

    fn subject<N: Name<'a>>(&mut self, r: &mut Subject<N>) -> Option<()> {
        const KEYS: [Key; 4] = keys(["id", "roles", "teams", "organisation"]);
        let seen = self.fields(&KEYS, 0, |s, field| {
            match field {
                0 => r.id = s.id()?,
                1 => s.texts(&mut r.roles)?,
                2 => s.texts(&mut r.teams)?,
                3 => r.organisation = s.name()?,
                _ => return None,
            }
            Some(())
        })?;
        read_all(seen, 0b1001)
    }

    fn record<N: Name<'a>>(&mut self, r: &mut Record<N>, spare: &mut Spare<N>) -> Option<()> {
        // Any field of `Record` this reader does not know keeps `Record::new`'s default: a key
        // that would set it is declined.
        const KEYS: [Key; 11] = keys([
            "id",
            "section",
            "teams",
            "restriction",
            "restrictions",
            "allocated_workers",
            "allocated_managers",
            "subject",
            "relatives",
            "authors",
            "flags",
        ]);
        // Everything but the id, the restriction and the allocations.
        const RARE: u32 = 1 << 1 | 1 << 2 | 1 << 4 | 1 << 7 | 1 << 8 | 1 << 9 | 1 << 10;
        let seen = self.fields(&KEYS, RARE, |s, field| {
            match field {
                0 => r.id = s.id()?,
                1 => r.section = s.maybe(Self::name)?,
                2 => s.texts(&mut r.teams)?,
                3 => {
                    if s.null() {
                        spare.lay_aside(&mut r.restriction);
                    } else {
                        let slot = r
                            .restriction
                            .get_or_insert_with(|| Restriction::new(N::default()));
                        s.restriction_into(slot, spare)?;
                    }
                }
                4 => {
                    r.restrictions = s.array(|s| {
                        let mut one = Restriction::new(N::default());
                        s.restriction_into(&mut one, spare).map(|()| one)
                    })?
                }
                5 => s.ids(&mut r.allocated_workers)?,
                6 => s.ids(&mut r.allocated_managers)?,
                7 => r.subject = s.maybe(Self::id)?,
                8 => s.ids(&mut r.relatives)?,
                9 => s.ids(&mut r.authors)?,
                10 => r.flags = s.array(Self::flag)?,
                _ => return None,
            }
            Some(())
        })?;
        // The restriction of the request read before is read into where it lies (emptying it
        // and dropping it was a fiftieth of reading a line): when this one has none, it goes.
        if seen & 1 << 3 == 0 {
            spare.lay_aside(&mut r.restriction);
        }
        read_all(seen, 0b1)
    }

    /// A restriction, read into place (it is the largest part of a request: moving it cost
    /// more than reading some of its fields), which may be the restriction of the request read
    /// before: a field the text leaves out is set to its default.
    fn restriction_into<N: Name<'a>>(
        &mut self,
        r: &mut Restriction<N>,
        spare: &mut Spare<N>,
    ) -> Option<()> {
        const KEYS: [Key; 7] = keys([
            "category",
            "placed_on",
            "last_reviewed",
            "review_by",
            "owner",
            "named_allow",
            "named_deny",
        ]);
        let seen = self.fields(&KEYS, 0, |s, field| {
            match field {
                0 => r.category = s.name()?,
                1 => r.placed_on = s.maybe(Self::date)?,
                2 => r.last_reviewed = s.maybe(Self::date)?,
                3 => r.review_by = s.maybe(Self::date)?,
                4 => r.owner = s.maybe(Self::id)?,
                5 => s.array_into(&mut r.named_allow, || spare.entries(), Self::entry)?,
                6 => s.array_into(&mut r.named_deny, || spare.entries(), Self::entry)?,
                _ => return None,
            }
            Some(())
        })?;
        let missing = |i: u32| seen & 1 << i == 0;
        if missing(1) {
            r.placed_on = None;
        }
        if missing(2) {
            r.last_reviewed = None;
        }
        if missing(3) {
            r.review_by = None;
        }
        if missing(4) {
            r.owner = None;
        }
        if missing(5) {
            r.named_allow.clear();
        }
        if missing(6) {
            r.named_deny.clear();
        }
        read_all(seen, 0b1)
    }

    /// `{"person": "ID"}`, `{"team": "NAME"}` or `{"role": "NAME"}`, one key.
    fn entry<N: Name<'a>>(&mut self) -> Option<ListEntry<N>> {
        const KINDS: [Key; 3] = keys(["person", "team", "role"]);
        self.eat(b'{')?;
        let entry = match self.key(&KINDS, 0)? {
            0 => ListEntry::Person(self.id()?),
            1 => ListEntry::Team(self.name()?),
            2 => ListEntry::Role(self.name()?),
            _ => return None,
        };
        self.eat(b'}')?;
        Some(entry)
    }

    fn flag<N: Name<'a>>(&mut self) -> Option<PlacedFlag<N>> {
        const KEYS: [Key; 4] = keys(["flag", "placed_on", "last_reviewed", "review_by"]);
        let mut f = PlacedFlag {
            flag: N::default(),
            placed_on: None,
            last_reviewed: None,
            review_by: None,
        };
        let seen = self.fields(&KEYS, 0, |s, field| {
            match field {
                0 => f.flag = s.name()?,
                1 => f.placed_on = s.maybe(Self::date)?,
                2 => f.last_reviewed = s.maybe(Self::date)?,
                3 => f.review_by = s.maybe(Self::date)?,
                _ => return None,
            }
            Some(())
        })?;
        read_all(seen, 0b1)?;
        Some(f)
    }

    fn grant<N: Name<'a>>(&mut self) -> Option<TemporaryGrant<N>> {
        const KEYS: [Key; 8] = keys([
            "subject",
            "record",
            "actions",
            "granted_at",
            "duration",
            "approved_by",
            "kind",
            "renewals",
        ]);
        let (mut subject, mut granted_at, mut duration, mut approved_by) = (None, None, None, None);
        let (mut record, mut actions, mut kind, mut renewals) = (None, None, None, 0);
        self.fields(&KEYS, 0, |s, field| {
            match field {
                0 => subject = Some(s.id()?),
                1 => record = s.maybe(Self::id)?,
                2 => actions = s.maybe(|s| s.array(Self::name))?,
                3 => granted_at = Some(s.time()?),
                4 => duration = Some(time::parse_period(s.str()?)?),
                5 => approved_by = Some(s.approver()?),
                6 => kind = s.maybe(Self::name)?,
                7 => renewals = s.count()?,
                _ => return None,
            }
            Some(())
        })?;
        Some(TemporaryGrant {
            subject: subject?,
            record,
            actions,
            granted_at: granted_at?,
            duration: GrantDuration(duration?),
            approved_by: approved_by?,
            kind,
            renewals,
        })
    }

    /// A subject id, or an object of the approver's id, roles and teams.
    fn approver<N: Name<'a>>(&mut self) -> Option<GrantApprover<N>> {
        const KEYS: [Key; 3] = keys(["id", "roles", "teams"]);
        self.space();
        if self.peek() == Some(b'"') {
            return self.id().map(GrantApprover::Id);
        }
        let mut a = StatedApprover {
            id: Id::unread(),
            roles: Vec::new(),
            teams: Vec::new(),
        };
        let seen = self.fields(&KEYS, 0, |s, field| {
            match field {
                0 => a.id = s.id()?,
                1 => s.texts(&mut a.roles)?,
                2 => s.texts(&mut a.teams)?,
                _ => return None,
            }
            Some(())
        })?;
        read_all(seen, 0b1)?;
        Some(GrantApprover::Stated(a))
    }

    /// Context names and values in the order given; a name given twice is declined (serde
    /// refuses it).
    fn context<N: Name<'a>>(&mut self) -> Option<RequestContext<N>> {
        let mut out: Vec<(N, N)> = Vec::new();
        self.object(|s| {
            let key = s.str()?;
            s.eat(b':')?;
            if out.iter().any(|(seen, _)| seen.as_ref() == key) {
                return None;
            }
            out.push((N::from(key), s.name()?));
            Some(())
        })?;
        Some(RequestContext(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// An id is read as the id rules read it, whichever way it goes: printable ASCII
        /// checked where it was read, anything else by the rules in full; and a string is found
        /// printable exactly when every byte of it is, at any length around a word, whatever
        /// follows it.
        #[test]
        fn an_id_read_where_it_lies_passes_the_id_rules_alike(
            id in "[ a-z0-9\\-~\u{7f}\u{80}\u{a0}é\u{2028}]{0,20}",
        ) {
            // What follows the closing quote, in the same word, is not the string's.
            let text = format!("\"{id}\"é\u{7f}");
            let mut s = Scan { text: &text, at: 0 };
            let read = s.id::<&str>().map(|i| i.as_str().to_string());
            let rules = crate::policy::check_id(&id).ok().map(|()| id.clone());
            proptest::prop_assert_eq!(read, rules);
            let mut s = Scan { text: &text, at: 0 };
            let printable = s.scan_str::<true>().map(|(_, p)| p);
            proptest::prop_assert_eq!(printable, Some(id.bytes().all(|c| (b' '..0x7f).contains(&c))));
        }
    }

    /// A key matches only whole, quoted, and with the colon straight after it when that is
    /// asked for, whether it lies more or less than a window from the end of the text (the
    /// masked words, or the byte comparison near the end).
    #[test]
    fn a_key_matches_only_whole_at_any_distance_from_the_end() {
        const TABLE: [Key; 4] = keys(["id", "placed_on", "allocated_managers", "at"]);
        for (i, key) in ["id", "placed_on", "allocated_managers", "at"]
            .iter()
            .enumerate()
        {
            for pad in 0..30 {
                let after = format!(":{}", " ".repeat(pad));
                let read = |text: String| {
                    let mut s = Scan { text: &text, at: 0 };
                    s.known(&TABLE, 0).map(|k| (k, s.at))
                };
                let whole = format!("\"{key}\"{after}");
                let spaced = format!("\"{key}\" {after}");
                let k = TABLE.get(i).copied().map(|k| k.text);
                assert_eq!(k, Some(*key));
                let starts = |text: &str, colon: bool| {
                    TABLE
                        .get(i)
                        .is_some_and(|k| k.starts(text.as_bytes(), colon))
                };
                assert!(
                    starts(&whole, true) && starts(&spaced, false),
                    "{key} {pad}"
                );
                assert!(
                    !starts(&spaced, true),
                    "{key} {pad}: a space before the colon"
                );
                let after_comma = |text: &str| {
                    TABLE
                        .get(i)
                        .is_some_and(|k| k.starts_after_comma(text.as_bytes()))
                };
                assert!(
                    after_comma(&format!(",{whole}")),
                    "{key} {pad}: after a comma"
                );
                for wrong in [
                    whole.clone(),
                    format!(", {whole}"),
                    format!(";{whole}"),
                    format!(",{spaced}"),
                    format!(",\"{key}x\"{after}"),
                    format!(",\"{}\"{after}", &key[..key.len() - 1]),
                ] {
                    assert!(!after_comma(&wrong), "{wrong:?}");
                }
                assert_eq!(read(whole), Some((i, key.len() + 2)), "{key} {pad}");
                for wrong in [
                    format!("\"{key}x\"{after}"),
                    format!("\"{}\"{after}", &key[..key.len() - 1]),
                    format!("\"{key}{after}"),
                    format!("\"x{}\"{after}", &key[1..]),
                    format!("\"{}\"{after}", key.to_uppercase()),
                ] {
                    assert_eq!(read(wrong.clone()), None, "{wrong:?}");
                }
            }
        }
    }
}

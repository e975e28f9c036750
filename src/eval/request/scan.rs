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

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    GrantApprover, GrantDuration, PlacedFlag, Record, Request, RequestContext, Restriction,
    StatedApprover, Subject, TemporaryGrant, Text,
};
use crate::eval::id::{Id, ListEntry};
use crate::eval::time;

/// The request in `text`, or `None` when the reader declines it.
pub(super) fn request(text: &str) -> Option<Request<Text<'_>>> {
    let mut s = Scan { text, at: 0 };
    // Read in place: a request is several hundred bytes, and moving it from field to field
    // cost a tenth of the reading.
    let mut req = Request {
        subject: Subject {
            id: Id::unread(),
            roles: Vec::new(),
            teams: Vec::new(),
            organisation: Text::default(),
        },
        action: Text::default(),
        record: Record::new(Id::unread()),
        temporary_grants: Vec::new(),
        at: None,
        context: RequestContext::default(),
        change: None,
        approvals: Vec::new(),
    };
    s.request(&mut req)?;
    s.space();
    (s.at == text.len()).then_some(req)
}

/// The high bit of each byte of `word` (little-endian) that is a quote, a backslash or a control
/// character: exact for the lowest such byte, which is all the caller uses (above it, a borrow
/// may flag bytes that are not).
fn special(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\'))) | below_space
}

/// Whether the fields of `bits` (bit `i` for field `i`) were all read.
fn read_all(seen: u32, bits: u32) -> Option<()> {
    (seen & bits == bits).then_some(())
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

    /// Whether `c` comes next, after whitespace; taken if so.
    fn take(&mut self, c: u8) -> bool {
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
    fn str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let b = self.text.as_bytes();
        let mut end = start;
        // Eight bytes at a time, then one at a time for the last few.
        while let Some(word) = b.get(end..end + 8) {
            let hits = special(u64::from_le_bytes(word.try_into().ok()?));
            if hits != 0 {
                end += (hits.trailing_zeros() / 8) as usize;
                return self.close(start, end);
            }
            end += 8;
        }
        while let Some(&c) = b.get(end) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            end += 1;
        }
        self.close(start, end)
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

    fn text(&mut self) -> Option<Text<'a>> {
        self.str().map(|s| Text(Cow::Borrowed(s)))
    }

    fn id(&mut self) -> Option<Id<Text<'a>>> {
        Id::checked(self.text()?)
    }

    fn texts(&mut self) -> Option<Vec<Text<'a>>> {
        self.array(Self::text)
    }

    fn ids(&mut self) -> Option<Vec<Id<Text<'a>>>> {
        self.array(Self::id)
    }

    fn date(&mut self) -> Option<NaiveDate> {
        time::quick_date(self.str()?)
    }

    fn time(&mut self) -> Option<DateTime<Utc>> {
        time::quick_time(self.str()?)
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

    /// An object, each key and its value handed to `field`, which reads the value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.take(b'}') {
            return Some(());
        }
        loop {
            let key = self.str()?;
            self.eat(b':')?;
            field(self, key)?;
            if !self.take(b',') {
                return self.eat(b'}');
            }
        }
    }

    /// An array, each item read by `item`.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        if self.take(b']') {
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            if !self.take(b',') {
                self.eat(b']')?;
                return Some(out);
            }
        }
    }

    /// An object read into place: `field` reads the value of a key it knows where it belongs
    /// and gives that field's number (below 32), or `None` for a key it does not know or a
    /// value it declines. Returns the fields read, one bit each; a key given twice is declined
    /// (serde refuses a duplicate field).
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<u32>) -> Option<u32> {
        let mut seen = 0u32;
        self.object(|s, key| {
            let bit = 1u32 << field(s, key)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            Some(())
        })?;
        Some(seen)
    }

    fn request(&mut self, r: &mut Request<Text<'a>>) -> Option<()> {
        let seen = self.fields(|s, key| {
            Some(match key {
                "subject" => {
                    s.subject(&mut r.subject)?;
                    0
                }
                "action" => {
                    r.action = s.text()?;
                    1
                }
                "record" => {
                    s.record(&mut r.record)?;
                    2
                }
                "temporary_grants" => {
                    r.temporary_grants = s.array(Self::grant)?;
                    3
                }
                "at" => {
                    r.at = s.maybe(Self::time)?;
                    4
                }
                "context" => {
                    r.context = s.maybe(Self::context)?.unwrap_or_default();
                    5
                }
                // A lifecycle action is rare on the hot paths: serde reads one.
                "change" => {
                    s.null().then_some(())?;
                    6
                }
                "approvals" => {
                    s.array(|_| None::<()>)?;
                    7
                }
                _ => return None,
            })
        })?;
        read_all(seen, 0b111)
    }

    fn subject(&mut self, r: &mut Subject<Text<'a>>) -> Option<()> {
        let seen = self.fields(|s, key| {
            Some(match key {
                "id" => {
                    r.id = s.id()?;
                    0
                }
                "roles" => {
                    r.roles = s.texts()?;
                    1
                }
                "teams" => {
                    r.teams = s.texts()?;
                    2
                }
                "organisation" => {
                    r.organisation = s.text()?;
                    3
                }
                _ => return None,
            })
        })?;
        read_all(seen, 0b1001)
    }

    fn record(&mut self, r: &mut Record<Text<'a>>) -> Option<()> {
        // Any field of `Record` this reader does not know keeps `Record::new`'s default: a key
        // that would set it is declined.
        let seen = self.fields(|s, key| {
            Some(match key {
                "id" => {
                    r.id = s.id()?;
                    0
                }
                "section" => {
                    r.section = s.maybe(Self::text)?;
                    1
                }
                "teams" => {
                    r.teams = s.texts()?;
                    2
                }
                "restriction" => {
                    r.restriction = s.maybe(Self::restriction)?;
                    3
                }
                "restrictions" => {
                    r.restrictions = s.array(Self::restriction)?;
                    4
                }
                "allocated_workers" => {
                    r.allocated_workers = s.ids()?;
                    5
                }
                "allocated_managers" => {
                    r.allocated_managers = s.ids()?;
                    6
                }
                "subject" => {
                    r.subject = s.maybe(Self::id)?;
                    7
                }
                "relatives" => {
                    r.relatives = s.ids()?;
                    8
                }
                "authors" => {
                    r.authors = s.ids()?;
                    9
                }
                "flags" => {
                    r.flags = s.array(Self::flag)?;
                    10
                }
                _ => return None,
            })
        })?;
        read_all(seen, 0b1)
    }

    fn restriction(&mut self) -> Option<Restriction<Text<'a>>> {
        let mut r = Restriction {
            category: Text::default(),
            placed_on: None,
            last_reviewed: None,
            review_by: None,
            owner: None,
            named_allow: Vec::new(),
            named_deny: Vec::new(),
        };
        let seen = self.fields(|s, key| {
            Some(match key {
                "category" => {
                    r.category = s.text()?;
                    0
                }
                "placed_on" => {
                    r.placed_on = s.maybe(Self::date)?;
                    1
                }
                "last_reviewed" => {
                    r.last_reviewed = s.maybe(Self::date)?;
                    2
                }
                "review_by" => {
                    r.review_by = s.maybe(Self::date)?;
                    3
                }
                "owner" => {
                    r.owner = s.maybe(Self::id)?;
                    4
                }
                "named_allow" => {
                    r.named_allow = s.array(Self::entry)?;
                    5
                }
                "named_deny" => {
                    r.named_deny = s.array(Self::entry)?;
                    6
                }
                _ => return None,
            })
        })?;
        read_all(seen, 0b1)?;
        Some(r)
    }

    /// `{"person": "ID"}`, `{"team": "NAME"}` or `{"role": "NAME"}`, one key.
    fn entry(&mut self) -> Option<ListEntry<Text<'a>>> {
        self.eat(b'{')?;
        let kind = self.str()?;
        self.eat(b':')?;
        let value = self.text()?;
        self.eat(b'}')?;
        match kind {
            "person" => Id::checked(value).map(ListEntry::Person),
            "team" => Some(ListEntry::Team(value)),
            "role" => Some(ListEntry::Role(value)),
            _ => None,
        }
    }

    fn flag(&mut self) -> Option<PlacedFlag<Text<'a>>> {
        let mut f = PlacedFlag {
            flag: Text::default(),
            placed_on: None,
            last_reviewed: None,
            review_by: None,
        };
        let seen = self.fields(|s, key| {
            Some(match key {
                "flag" => {
                    f.flag = s.text()?;
                    0
                }
                "placed_on" => {
                    f.placed_on = s.maybe(Self::date)?;
                    1
                }
                "last_reviewed" => {
                    f.last_reviewed = s.maybe(Self::date)?;
                    2
                }
                "review_by" => {
                    f.review_by = s.maybe(Self::date)?;
                    3
                }
                _ => return None,
            })
        })?;
        read_all(seen, 0b1)?;
        Some(f)
    }

    fn grant(&mut self) -> Option<TemporaryGrant<Text<'a>>> {
        let (mut subject, mut granted_at, mut duration, mut approved_by) = (None, None, None, None);
        let (mut record, mut actions, mut kind, mut renewals) = (None, None, None, 0);
        self.fields(|s, key| {
            Some(match key {
                "subject" => {
                    subject = Some(s.id()?);
                    0
                }
                "record" => {
                    record = s.maybe(Self::id)?;
                    1
                }
                "actions" => {
                    actions = s.maybe(Self::texts)?;
                    2
                }
                "granted_at" => {
                    granted_at = Some(s.time()?);
                    3
                }
                "duration" => {
                    duration = Some(time::parse_period(s.str()?)?);
                    4
                }
                "approved_by" => {
                    approved_by = Some(s.approver()?);
                    5
                }
                "kind" => {
                    kind = s.maybe(Self::text)?;
                    6
                }
                "renewals" => {
                    renewals = s.count()?;
                    7
                }
                _ => return None,
            })
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
    fn approver(&mut self) -> Option<GrantApprover<Text<'a>>> {
        self.space();
        if self.peek() == Some(b'"') {
            return self.id().map(GrantApprover::Id);
        }
        let mut a = StatedApprover {
            id: Id::unread(),
            roles: Vec::new(),
            teams: Vec::new(),
        };
        let seen = self.fields(|s, key| {
            Some(match key {
                "id" => {
                    a.id = s.id()?;
                    0
                }
                "roles" => {
                    a.roles = s.texts()?;
                    1
                }
                "teams" => {
                    a.teams = s.texts()?;
                    2
                }
                _ => return None,
            })
        })?;
        read_all(seen, 0b1)?;
        Some(GrantApprover::Stated(a))
    }

    /// Context names and values in the order given; a name given twice is declined (serde
    /// refuses it).
    fn context(&mut self) -> Option<RequestContext<Text<'a>>> {
        let mut out: Vec<(Text<'a>, Text<'a>)> = Vec::new();
        self.object(|s, key| {
            if out.iter().any(|(seen, _)| seen.as_ref() == key) {
                return None;
            }
            out.push((Text(Cow::Borrowed(key)), s.text()?));
            Some(())
        })?;
        Some(RequestContext(out))
    }
}

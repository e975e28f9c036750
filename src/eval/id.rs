//! Ids in requests: what a valid id is, and the one rule by which two ids are the same person.
//!
//! An id that is empty, or carries leading or trailing whitespace or any control character, is
//! an input error naming the field: such an id is a fault in the calling system, and matching it
//! (an empty owner matching an empty subject id) or not matching it (`"u-5 "` slipping past an
//! exclusion of `u-5`) would both decide on a fault.
//!
//! Two ids name the same person when they are equal ignoring letter case (Unicode lower case).
//! The rule is the same for grants and denies, so a deny never under-matches (`U-5` is stopped by
//! an exclusion of `u-5`); the price is that a case-management system must never give two
//! different people ids that differ only in case (docs/api.md).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::policy::IdProblem;
use crate::policy::check_id as check;
use crate::word::{HIGH, ONES, last_word, tail, word};

/// A validated subject or record id, held as `S`: a `String`, or text borrowed from a request's
/// JSON ([`super::request::Text`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id<S = String> {
    text: S,
    /// The text's [`short_form`], worked out once when the id is made: a decision compares the
    /// subject's id with every id on the record and its lists, and comparing two short ids is
    /// then one comparison of words rather than two texts lower-cased.
    short: u64,
}

/// As the text alone: the short form is the text's, and says nothing more.
impl<S: std::fmt::Debug> std::fmt::Debug for Id<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Id").field(&self.text).finish()
    }
}

impl Id {
    /// Checks a text against the id rules.
    pub fn new(text: impl Into<String>) -> Result<Id, IdProblem> {
        let text = text.into();
        check(&text).map(|()| Id::made(text))
    }

    /// An id the library made itself (a witness request's placeholder, or a person's id the
    /// checker has validated), taken without the checks.
    pub(crate) fn trusted(text: impl Into<String>) -> Id {
        Id::made(text.into())
    }
}

impl<S: AsRef<str>> Id<S> {
    /// An id of a text that has passed the id rules.
    #[inline]
    fn made(text: S) -> Id<S> {
        let short = short_form(text.as_ref().as_bytes());
        Id { text, short }
    }

    /// The id as the caller wrote it.
    pub fn as_str(&self) -> &str {
        self.text.as_ref()
    }

    /// Whether this id and `other` name the same person: equal ignoring letter case.
    pub fn same(&self, other: &str) -> bool {
        same_id(self.as_str(), other)
    }

    /// [`Id::same`] for two ids: two short ASCII ids by their short forms.
    #[inline]
    pub fn same_as<T: AsRef<str>>(&self, other: &Id<T>) -> bool {
        if self.short != 0 && other.short != 0 {
            return self.short == other.short && self.as_str().len() == other.as_str().len();
        }
        same_id(self.as_str(), other.as_str())
    }

    /// The same id holding its own text.
    pub fn to_owned_id(&self) -> Id {
        self.map_text(&super::request::owned)
    }

    /// The same id with its text made by `f` (its own, or borrowed from this one).
    pub fn map_text<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> Id<T> {
        Id {
            text: f(&self.text),
            short: self.short,
        }
    }

    /// An id not read yet, which a reader fills in before anyone sees it.
    pub(crate) fn unread() -> Id<S>
    where
        S: Default,
    {
        Id::made(S::default())
    }

    /// `text` as an id when it passes the id rules, for a reader that declines anything else.
    pub(crate) fn checked(text: S) -> Option<Id<S>> {
        check(text.as_ref()).ok().map(|()| Id::made(text))
    }

    /// [`Id::checked`] for a text its reader has found to be all printable ASCII (a space to a
    /// tilde): of the id rules, only that it is not empty and has no space at either end are
    /// left to check.
    // Inlined: the call cost about as much as the body (BENCHMARKS.md, "Calls inlined").
    #[inline(always)]
    pub(crate) fn printable(text: S) -> Option<Id<S>> {
        let b = text.as_ref().as_bytes();
        let edges = |c: Option<&u8>| c.is_some_and(|c| *c != b' ');
        (edges(b.first()) && edges(b.last())).then(|| Id::made(text))
    }
}

/// An ASCII id of at most eight bytes lower-cased as one word (its [`tail`] below eight bytes):
/// among ids of one length, two have the same short form exactly when they are the same id
/// ignoring case. Zero for any other id (no ASCII id has a zero short form), which is compared
/// in full.
fn short_form(b: &[u8]) -> u64 {
    let w = match b.first_chunk::<8>() {
        Some(w) if b.len() == 8 => u64::from_le_bytes(*w),
        None => tail(b),
        Some(_) => return 0,
    };
    if w & HIGH == 0 { lower(w) } else { 0 }
}

/// Whether two id texts name the same person (the one comparison rule).
#[inline]
pub fn same_id(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() == y.len() {
        return same_length_id(x, y).unwrap_or_else(|| same_unicode_id(a, b));
    }
    // One pass while both are ASCII, where a character is a byte and lower-casing keeps it one:
    // the first ASCII bytes that differ ignoring case decide a miss, and a shorter text that
    // runs out first does too (the other's remaining characters lower-case to at least one
    // more). Only a non-ASCII byte sends the rest to the full comparison.
    for (x, y) in x.iter().zip(y) {
        if (x | y) >= 0x80 {
            return same_unicode_id(a, b);
        }
        if !x.eq_ignore_ascii_case(y) {
            return false;
        }
    }
    false
}

/// Eight ASCII bytes lower-cased (what a byte of 0x80 or more becomes is not meaningful).
#[inline]
fn lower(w: u64) -> u64 {
    // Within ASCII bytes, adding these sets a byte's high bit from `A` on, and from past `Z` on.
    let upper = w.wrapping_add(ONES * u64::from(0x80 - b'A'))
        & !w.wrapping_add(ONES * u64::from(0x80 - b'Z' - 1))
        & HIGH;
    w | upper >> 2
}

/// Two ids of one length compared ignoring ASCII case eight bytes at a time (the usual case: a
/// request's ids are compared with each other several times a decision); `None` when either
/// has a non-ASCII byte, for the full comparison.
#[inline]
fn same_length_id(x: &[u8], y: &[u8]) -> Option<bool> {
    let mut same = true;
    let mut pair = |p: u64, q: u64| -> Option<()> {
        if (p | q) & HIGH != 0 {
            return None;
        }
        same &= p == q || lower(p) == lower(q);
        Some(())
    };
    if x.len() >= 8 {
        for (p, q) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
            pair(word(p), word(q))?;
        }
        // The last eight bytes, overlapping the words before when the length is not a multiple
        // of eight.
        pair(last_word(x), last_word(y))?;
    } else {
        // Zero to seven bytes, the rest of the word zero alike in both.
        pair(tail(x), tail(y))?;
    }
    Some(same)
}

#[cold]
fn same_unicode_id(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// An id text in the form every comparison uses, for keyed look-ups.
pub fn key(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Calls `f` with an id text's comparison form ([`key`]): made on the stack for a short ASCII
/// id, so looking an id up allocates nothing in the usual case.
pub fn with_key<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    if text.is_ascii() {
        if let Some(out) = buf.get_mut(..text.len()) {
            out.copy_from_slice(text.as_bytes());
            out.make_ascii_lowercase();
            if let Ok(k) = std::str::from_utf8(out) {
                return f(k);
            }
        }
    }
    f(&key(text))
}

impl<S: AsRef<str>> std::fmt::Display for Id<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<S: AsRef<str>> AsRef<str> for Id<S> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<S: AsRef<str>> std::ops::Deref for Id<S> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<T: AsRef<str>> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, S: Deserialize<'de> + AsRef<str>> Deserialize<'de> for Id<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = S::deserialize(d)?;
        check(text.as_ref()).map_err(|p| {
            serde::de::Error::custom(format!("invalid id {:?}: {}", text.as_ref(), p.describe()))
        })?;
        Ok(Id::made(text))
    }
}

/// One entry of a restriction's access or exclusion list: it says what it names, so a person
/// whose id happens to equal a team's name is never taken for the team.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListEntry<S = String> {
    /// A person, by subject id.
    Person(Id<S>),
    /// A team the policy declares (its members and the members of teams below it).
    Team(S),
    /// A role the policy declares (its holders and the holders of roles below it).
    Role(S),
}

impl<S: AsRef<str>> ListEntry<S> {
    /// The kind's word in the request contract.
    pub fn kind(&self) -> &'static str {
        match self {
            ListEntry::Person(_) => "person",
            ListEntry::Team(_) => "team",
            ListEntry::Role(_) => "role",
        }
    }

    /// The id or name.
    pub fn value(&self) -> &str {
        match self {
            ListEntry::Person(id) => id.as_str(),
            ListEntry::Team(n) | ListEntry::Role(n) => n.as_ref(),
        }
    }

    /// The same entry with its text made by `f`.
    pub fn map_text<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> ListEntry<T> {
        match self {
            ListEntry::Person(id) => ListEntry::Person(id.map_text(f)),
            ListEntry::Team(n) => ListEntry::Team(f(n)),
            ListEntry::Role(n) => ListEntry::Role(f(n)),
        }
    }
}

impl<S: AsRef<str>> std::fmt::Display for ListEntry<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind(), self.value())
    }
}

impl<T: AsRef<str>> Serialize for ListEntry<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.kind(), self.value())?;
        m.end()
    }
}

const EXPECTED: &str = "an entry names one person, team or role: {\"person\": \"ID\"}, {\"team\": \"NAME\"} or {\"role\": \"NAME\"}";

/// What an entry is, judged from its JSON value: the one rule for every entry that is not the
/// plain `{"person": "ID"}`, `{"team": "NAME"}` or `{"role": "NAME"}`, and for the messages.
fn entry_from_value<E: serde::de::Error>(value: serde_json::Value) -> Result<ListEntry, E> {
    let serde_json::Value::Object(map) = value else {
        return Err(E::custom(match value {
            serde_json::Value::String(s) => format!("ambiguous entry {s:?}: {EXPECTED}"),
            _ => format!("invalid entry: {EXPECTED}"),
        }));
    };
    // Exactly one key: `{"person": null, "team": "x"}` is not quietly a team.
    let mut entries = map.into_iter();
    let (Some((kind, value)), None) = (entries.next(), entries.next()) else {
        return Err(E::custom(format!("invalid entry: {EXPECTED}")));
    };
    let serde_json::Value::String(text) = value else {
        return Err(E::custom(format!(
            "invalid entry: `{kind}` takes a string; {EXPECTED}"
        )));
    };
    match kind.as_str() {
        "person" => Id::new(text.as_str())
            .map(ListEntry::Person)
            .map_err(|p| E::custom(format!("invalid id {text:?}: {}", p.describe()))),
        "team" => Ok(ListEntry::Team(text)),
        "role" => Ok(ListEntry::Role(text)),
        other => Err(E::custom(format!(
            "unknown entry kind `{other}`: {EXPECTED}"
        ))),
    }
}

impl<'de, S> Deserialize<'de> for ListEntry<S>
where
    S: Deserialize<'de> + AsRef<str> + From<String>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor(std::marker::PhantomData))
    }
}

/// Reads the plain one-key entry as it lies, with no copy; any other value is gathered into a
/// JSON value and judged by [`entry_from_value`], so both ways accept and refuse alike.
struct EntryVisitor<S>(std::marker::PhantomData<S>);

impl<S: AsRef<str> + From<String>> EntryVisitor<S> {
    /// The entry `{kind: value}` with nothing else in it.
    fn plain<E: serde::de::Error>(kind: S, value: S) -> Result<ListEntry<S>, E> {
        match kind.as_ref() {
            "team" => Ok(ListEntry::Team(value)),
            "role" => Ok(ListEntry::Role(value)),
            _ => match check(value.as_ref()) {
                Ok(()) => Ok(ListEntry::Person(Id::made(value))),
                Err(_) => {
                    let mut m = serde_json::Map::new();
                    m.insert(kind.as_ref().to_string(), value.as_ref().into());
                    Self::judged(serde_json::Value::Object(m))
                }
            },
        }
    }

    fn judged<E: serde::de::Error>(value: serde_json::Value) -> Result<ListEntry<S>, E> {
        Ok(match entry_from_value(value)? {
            ListEntry::Person(id) => ListEntry::Person(Id::made(S::from(id.text))),
            ListEntry::Team(n) => ListEntry::Team(S::from(n)),
            ListEntry::Role(n) => ListEntry::Role(S::from(n)),
        })
    }
}

/// A map value: a string kept as the reader gives it, or any other JSON value.
enum Field<S> {
    Text(S),
    Other(serde_json::Value),
}

impl<'de, S: Deserialize<'de>> Deserialize<'de> for Field<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A string (the usual case) is read as `S`; anything else as a JSON value. JSON tells
        // which by its first character, so only a self-describing reader is asked.
        struct V<S>(std::marker::PhantomData<S>);
        impl<'de, S: Deserialize<'de>> serde::de::Visitor<'de> for V<S> {
            type Value = Field<S>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Field<S>, E> {
                S::deserialize(serde::de::value::BorrowedStrDeserializer::new(v)).map(Field::Text)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Field<S>, E> {
                S::deserialize(serde::de::value::StringDeserializer::new(v.to_string()))
                    .map(Field::Text)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Field<S>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Field<S>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Field<S>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Field<S>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Field<S>, E> {
                Ok(Field::Other(serde_json::Value::Null))
            }
            fn visit_none<E>(self) -> Result<Field<S>, E> {
                Ok(Field::Other(serde_json::Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Field<S>, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = a.next_element::<serde_json::Value>()? {
                    items.push(x);
                }
                Ok(Field::Other(serde_json::Value::Array(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Field<S>, A::Error> {
                let mut m = serde_json::Map::new();
                while let Some((k, v)) = a.next_entry::<String, serde_json::Value>()? {
                    m.insert(k, v);
                }
                Ok(Field::Other(serde_json::Value::Object(m)))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<S: AsRef<str>> Field<S> {
    fn into_value(self) -> serde_json::Value {
        match self {
            Field::Text(s) => serde_json::Value::String(s.as_ref().to_string()),
            Field::Other(v) => v,
        }
    }
}

impl<'de, S> serde::de::Visitor<'de> for EntryVisitor<S>
where
    S: Deserialize<'de> + AsRef<str> + From<String>,
{
    type Value = ListEntry<S>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut gathered = serde_json::Map::new();
        if let Some(key) = a.next_key::<Field<S>>()? {
            let value = a.next_value::<Field<S>>()?;
            match (key, value) {
                (Field::Text(k), Field::Text(v))
                    if matches!(k.as_ref(), "person" | "team" | "role") =>
                {
                    match a.next_key::<String>()? {
                        None => return Self::plain(k, v),
                        Some(next) => {
                            let more = a.next_value::<serde_json::Value>()?;
                            gathered.insert(k.as_ref().to_string(), v.as_ref().into());
                            gathered.insert(next, more);
                        }
                    }
                }
                (k, v) => {
                    let k = match k.into_value() {
                        serde_json::Value::String(k) => k,
                        other => other.to_string(),
                    };
                    gathered.insert(k, v.into_value());
                }
            }
            while let Some((k, v)) = a.next_entry::<String, serde_json::Value>()? {
                gathered.insert(k, v);
            }
        }
        Self::judged(serde_json::Value::Object(gathered))
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Self::judged(serde_json::Value::String(v.to_string()))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::judged(serde_json::Value::String(v.to_string()))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::judged(v.into())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::judged(v.into())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::judged(v.into())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::judged(v.into())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Self::judged(serde_json::Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Self::judged(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(x) = a.next_element::<serde_json::Value>()? {
            items.push(x);
        }
        Self::judged(serde_json::Value::Array(items))
    }
}

/// The whitespace characters (Unicode `White_Space`) that are not control characters, which
/// [`Id::new`] refuses at either end. Written out rather than as `\s`, whose meaning differs
/// between regular-expression dialects.
const SPACES: &str = " \u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";
/// The control characters (`Cc`), which [`Id::new`] refuses anywhere.
const CONTROLS: &str = r"\x00-\x1f\x7f-\x9f";

/// The regular expression (ECMA 262, for JSON Schema) of the texts [`Id::new`] accepts.
pub fn id_pattern() -> String {
    format!("^[^{SPACES}{CONTROLS}](?:[^{CONTROLS}]*[^{SPACES}{CONTROLS}])?$")
}

// The same schema whatever holds the text.
impl<S> schemars::JsonSchema for Id<S> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": id_pattern(),
            "description": "A subject or record id: not empty, no leading or trailing whitespace, no control characters. Ids compare ignoring letter case (docs/api.md).",
        })
    }
}

impl<S> schemars::JsonSchema for ListEntry<S> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ListEntry".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let id = generator.subschema_for::<Id>();
        let entry = |key: &str, value: serde_json::Value| {
            serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "required": [key],
                "properties": { key: value },
            })
        };
        schemars::json_schema!({
            "description": "One entry of an access or exclusion list, saying what it names; a bare string is refused as ambiguous.",
            "oneOf": [
                entry("person", id.to_value()),
                entry("team", serde_json::json!({
                    "type": "string",
                    "description": "A team the policy declares; any other fails closed.",
                })),
                entry("role", serde_json::json!({
                    "type": "string",
                    "description": "A role the policy declares; any other fails closed.",
                })),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Two ids compare by [`Id::same_as`] exactly as by the one rule, short or long, ASCII
        /// or not (a Kelvin sign lower-cases to `k`), in any case, around eight bytes, and
        /// ids of one letter repeated, whose short forms below four bytes are alike.
        #[test]
        fn ids_compare_by_their_short_forms_as_by_the_one_rule(
            a in "[uUkK1é\u{212a}-]{1,10}|[uU]{1,9}",
            b in "[uUkK1é\u{212a}-]{1,10}|[uU]{1,9}",
            flip in proptest::bool::ANY,
        ) {
            let b = if flip { a.to_uppercase() } else { b };
            let (x, y) = (Id::trusted(a.as_str()), Id::trusted(b.as_str()));
            proptest::prop_assert_eq!(x.same_as(&y), same_id(&a, &b));
            proptest::prop_assert_eq!(y.same_as(&x), same_id(&b, &a));
        }
    }

    #[test]
    fn ids_with_faults_are_refused() {
        assert_eq!(Id::new(""), Err(IdProblem::Empty));
        assert_eq!(Id::new(" u-5"), Err(IdProblem::Whitespace));
        assert_eq!(Id::new("u-5\t"), Err(IdProblem::Whitespace));
        assert_eq!(Id::new("u\u{0}5"), Err(IdProblem::Control));
        assert!(Id::new("u-5").is_ok());
    }

    #[test]
    fn list_entries_name_exactly_one_thing() {
        let entry = |j: &str| serde_json::from_str::<ListEntry>(j);
        assert_eq!(
            entry(r#"{"team": "edt"}"#).ok(),
            Some(ListEntry::Team("edt".into()))
        );
        assert!(entry(r#""edt""#).is_err(), "a bare string is ambiguous");
        assert!(entry(r#"{"person": null, "team": "x"}"#).is_err());
        assert!(entry(r#"{"person": "u-1", "team": "x"}"#).is_err());
        assert!(entry(r#"{"person": ""}"#).is_err());
        assert!(entry(r#"{"group": "x"}"#).is_err());
        assert!(entry("{}").is_err());
    }

    #[test]
    fn the_printable_ascii_shortcut_agrees_with_the_rules() {
        for text in [
            "u-5", "a", " a", "a ", "a\u{7f}", "a b", "~", "\u{b}a", "é", "a\u{a0}",
        ] {
            let slow = if text.is_empty() {
                Err(IdProblem::Empty)
            } else if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
                Err(IdProblem::Whitespace)
            } else if text.chars().any(char::is_control) {
                Err(IdProblem::Control)
            } else {
                Ok(())
            };
            assert_eq!(check(text), slow, "{text:?}");
        }
    }

    proptest::proptest! {
        /// For printable ASCII, what is left of the id rules (not empty, no space at either
        /// end) passes exactly the ids the rules in full pass.
        #[test]
        fn a_printable_id_passes_exactly_as_the_id_rules_say(text in "[ -~]{0,12}") {
            proptest::prop_assert_eq!(Id::printable(text.as_str()).is_some(), check(&text).is_ok());
        }
    }

    proptest::proptest! {
        /// The one-pass comparison agrees with lower-casing both texts in full, on texts mixing
        /// ASCII with letters whose lower case is longer, shorter or ASCII (the Kelvin sign).
        #[test]
        fn the_ascii_pass_of_same_id_agrees_with_full_lower_casing(
            a in "[a-cA-C\\-1K\u{212a}\u{130}ßẞé]{0,6}",
            b in "[a-cA-C\\-1K\u{212a}\u{130}ßẞé]{0,6}",
        ) {
            let full = |t: &str| t.chars().flat_map(char::to_lowercase).collect::<String>();
            proptest::prop_assert_eq!(same_id(&a, &b), full(&a) == full(&b));
            proptest::prop_assert!(same_id(&a, &a));
        }
    }

    proptest::proptest! {
        /// Ids of one length, compared eight bytes at a time, agree with lower-casing both in
        /// full: at every length around a word, with the bytes either side of `A` to `Z` and of
        /// `a` to `z`, and with letters outside ASCII.
        #[test]
        fn the_word_at_a_time_comparison_agrees_with_full_lower_casing(
            a in "[a-cyzA-CYZ@\\[`{0-9K\u{212a}é\\-]{0,20}",
            flips in proptest::collection::vec(proptest::bool::ANY, 20),
            other in "[a-cyzA-CYZ@\\[`{0-9K\u{212a}é\\-]{0,20}",
        ) {
            let full = |t: &str| t.chars().flat_map(char::to_lowercase).collect::<String>();
            // The same id with some letters' case flipped, and with one byte changed.
            let flipped: String = a
                .chars()
                .zip(flips.iter().chain(std::iter::repeat(&false)))
                .map(|(c, f)| if *f { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            let mut changed = flipped.clone().into_bytes();
            if let Some(b) = changed.last_mut().filter(|b| b.is_ascii_alphanumeric()) {
                *b = b'@';
            }
            let changed = String::from_utf8(changed).unwrap_or_default();
            for b in [&flipped, &changed, &other] {
                proptest::prop_assert_eq!(same_id(&a, b), full(&a) == full(b), "{} {}", a, b);
            }
        }
    }

    #[test]
    fn ids_compare_ignoring_case() {
        assert!(
            same_id("u-\u{212a}", "U-k"),
            "the Kelvin sign lower-cases to an ASCII k"
        );
        assert!(!same_id("u-5", "u-5x"));
        assert!(same_id("U-5", "u-5"));
        assert!(same_id("ÉLODIE-1", "élodie-1"));
        assert!(!same_id("u-5", "u-50"));
        assert_eq!(key("U-Ä"), "u-ä");
        for text in ["U-5", "u-ä", "Ü-Ä", &"X".repeat(100)] {
            assert_eq!(with_key(text, str::to_string), key(text));
        }
    }
}

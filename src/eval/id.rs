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

/// A validated subject or record id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

/// Why a text is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// It is empty.
    Empty,
    /// It starts or ends with whitespace.
    Whitespace,
    /// It holds a control character.
    Control,
}

impl IdProblem {
    /// The problem in words, for an input error.
    pub fn describe(self) -> &'static str {
        match self {
            IdProblem::Empty => "an id may not be empty",
            IdProblem::Whitespace => "an id may not start or end with whitespace",
            IdProblem::Control => "an id may not contain control characters",
        }
    }
}

impl Id {
    /// Checks a text against the id rules.
    pub fn new(text: impl Into<String>) -> Result<Id, IdProblem> {
        let text = text.into();
        if text.is_empty() {
            Err(IdProblem::Empty)
        } else if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
            Err(IdProblem::Whitespace)
        } else if text.chars().any(char::is_control) {
            Err(IdProblem::Control)
        } else {
            Ok(Id(text))
        }
    }

    /// An id the library made itself (a witness request's placeholder, or a person's id the
    /// checker has validated), taken without the checks.
    pub(crate) fn trusted(text: impl Into<String>) -> Id {
        Id(text.into())
    }

    /// The id as the caller wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this id and `other` name the same person: equal ignoring letter case.
    pub fn same(&self, other: &str) -> bool {
        same_id(&self.0, other)
    }

    /// The id in the form every comparison uses: Unicode lower case.
    pub fn key(&self) -> String {
        key(&self.0)
    }
}

/// Whether two id texts name the same person (the one comparison rule).
pub fn same_id(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// An id text in the form every comparison uses, for keyed look-ups.
pub fn key(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Id::new(text.as_str()).map_err(|p| {
            serde::de::Error::custom(format!("invalid id {:?}: {}", text, p.describe()))
        })
    }
}

/// One entry of a restriction's access or exclusion list: it says what it names, so a person
/// whose id happens to equal a team's name is never taken for the team.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListEntry {
    /// A person, by subject id.
    Person(Id),
    /// A team the policy declares (its members and the members of teams below it).
    Team(String),
    /// A role the policy declares (its holders and the holders of roles below it).
    Role(String),
}

impl ListEntry {
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
            ListEntry::Team(n) | ListEntry::Role(n) => n,
        }
    }
}

impl std::fmt::Display for ListEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind(), self.value())
    }
}

impl Serialize for ListEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.kind(), self.value())?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for ListEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        const EXPECTED: &str = "an entry names one person, team or role: {\"person\": \"ID\"}, {\"team\": \"NAME\"} or {\"role\": \"NAME\"}";
        let value = serde_json::Value::deserialize(d)?;
        let serde_json::Value::Object(map) = value else {
            return Err(D::Error::custom(match value {
                serde_json::Value::String(s) => format!("ambiguous entry {s:?}: {EXPECTED}"),
                _ => format!("invalid entry: {EXPECTED}"),
            }));
        };
        // Exactly one key: `{"person": null, "team": "x"}` is not quietly a team.
        let mut entries = map.into_iter();
        let (Some((kind, value)), None) = (entries.next(), entries.next()) else {
            return Err(D::Error::custom(format!("invalid entry: {EXPECTED}")));
        };
        let serde_json::Value::String(text) = value else {
            return Err(D::Error::custom(format!(
                "invalid entry: `{kind}` takes a string; {EXPECTED}"
            )));
        };
        match kind.as_str() {
            "person" => Id::new(text.as_str())
                .map(ListEntry::Person)
                .map_err(|p| D::Error::custom(format!("invalid id {text:?}: {}", p.describe()))),
            "team" => Ok(ListEntry::Team(text)),
            "role" => Ok(ListEntry::Role(text)),
            other => Err(D::Error::custom(format!(
                "unknown entry kind `{other}`: {EXPECTED}"
            ))),
        }
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

impl schemars::JsonSchema for Id {
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

impl schemars::JsonSchema for ListEntry {
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
    fn ids_compare_ignoring_case() {
        assert!(same_id("U-5", "u-5"));
        assert!(same_id("ÉLODIE-1", "élodie-1"));
        assert!(!same_id("u-5", "u-50"));
        assert_eq!(key("U-Ä"), "u-ä");
    }
}

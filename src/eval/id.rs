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
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Typed {
            person: Option<Id>,
            team: Option<String>,
            role: Option<String>,
        }
        const EXPECTED: &str = "an entry names one person, team or role: {\"person\": \"ID\"}, {\"team\": \"NAME\"} or {\"role\": \"NAME\"}";
        let value = serde_json::Value::deserialize(d)?;
        if let serde_json::Value::String(s) = &value {
            return Err(D::Error::custom(format!(
                "ambiguous entry {s:?}: {EXPECTED}"
            )));
        }
        let t: Typed = serde_json::from_value(value)
            .map_err(|e| D::Error::custom(format!("invalid entry ({e}): {EXPECTED}")))?;
        match (t.person, t.team, t.role) {
            (Some(p), None, None) => Ok(ListEntry::Person(p)),
            (None, Some(n), None) => Ok(ListEntry::Team(n)),
            (None, None, Some(n)) => Ok(ListEntry::Role(n)),
            _ => Err(D::Error::custom(format!("invalid entry: {EXPECTED}"))),
        }
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
    fn ids_compare_ignoring_case() {
        assert!(same_id("U-5", "u-5"));
        assert!(same_id("ÉLODIE-1", "élodie-1"));
        assert!(!same_id("u-5", "u-50"));
        assert_eq!(key("U-Ä"), "u-ä");
    }
}

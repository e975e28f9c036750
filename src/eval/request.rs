//! The request: who asks to do what to which record, when — the public JSON contract
//! (docs/api.md, docs/schema/request.schema.json).
//!
//! Unknown fields are refused, so a misspelt field (`allocated_worker`) is an input error rather
//! than a silently missing fact.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::id::{Id, ListEntry};
use super::time;
use crate::check::model::Period;

/// May this subject take this action on this record at this time? (docs/api.md)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Who asks.
    pub subject: Subject,
    /// What they want to do (an action the policy declares).
    pub action: String,
    /// The record.
    pub record: Record,
    /// Temporary grants the case-management system holds for this subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub temporary_grants: Vec<TemporaryGrant>,
    /// When (RFC 3339); absent or null means now.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "time::de::opt_instant"
    )]
    pub at: Option<DateTime<Utc>>,
}

/// The person asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Their subject id in the case-management system.
    pub id: Id,
    /// Their roles (names the policy declares; any other name fails closed).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Their teams (names the policy declares; any other name fails closed).
    #[serde(default)]
    pub teams: Vec<String>,
    /// Their organisation (a name the policy declares).
    pub organisation: String,
}

/// The record asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The record's id.
    pub id: Id,
    /// The teams responsible for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// The restriction on it; absent or null: the record is unrestricted.
    #[serde(default)]
    pub restriction: Option<Restriction>,
    /// The subject ids of its allocated workers.
    #[serde(default)]
    pub allocated_workers: Vec<Id>,
    /// The subject ids of its allocated workers' managers.
    #[serde(default)]
    pub allocated_managers: Vec<Id>,
}

/// A restriction placed on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    /// The category it was placed under.
    pub category: String,
    /// When it was placed.
    #[serde(default, deserialize_with = "time::de::opt_date")]
    pub placed_on: Option<NaiveDate>,
    /// When it was last reviewed.
    #[serde(default, deserialize_with = "time::de::opt_date")]
    pub last_reviewed: Option<NaiveDate>,
    /// An explicit review date, which wins when earlier than the schedule's.
    #[serde(default, deserialize_with = "time::de::opt_date")]
    pub review_by: Option<NaiveDate>,
    /// The subject id of its named owner (accountable manager).
    #[serde(default)]
    pub owner: Option<Id>,
    /// The people, teams and roles on its access list.
    #[serde(default)]
    pub named_allow: Vec<ListEntry>,
    /// The people, teams and roles on its exclusion list.
    #[serde(default)]
    pub named_deny: Vec<ListEntry>,
}

/// A temporary grant as the case-management system recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemporaryGrant {
    /// Who holds it.
    pub subject: Id,
    /// The record it is for; absent means the request's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Id>,
    /// The actions it covers; absent means every action the category's temporary access covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
    /// When it starts.
    #[serde(deserialize_with = "time::de::instant")]
    pub granted_at: DateTime<Utc>,
    /// How long it lasts (capped at the policy's maximum).
    pub duration: GrantDuration,
    /// Who approved it (a subject id).
    pub approved_by: Id,
}

/// A grant's duration, written as the language writes durations: `24h`, `2 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantDuration(pub Period);

impl Serialize for GrantDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time::period_text(self.0))
    }
}

impl<'de> Deserialize<'de> for GrantDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        time::parse_period(&text).map(GrantDuration).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid duration `{text}`: expected a whole number and a unit, such as `24h`, `2 days`, `5 working_days`"
            ))
        })
    }
}

/// Why a request could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid request: {0}")]
pub struct RequestError(pub String);

impl Request {
    /// Parses a request from JSON text.
    pub fn from_json(text: &str) -> Result<Request, RequestError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let req = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." {
                RequestError(inner.to_string())
            } else {
                RequestError(format!("`{path}`: {inner}"))
            }
        })?;
        de.end().map_err(|e| RequestError(e.to_string()))?;
        Ok(req)
    }
}

impl JsonSchema for GrantDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GrantDuration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut s = schemars::Schema::default();
        s.insert("type".into(), "string".into());
        s.insert("pattern".into(), time::period_pattern().into());
        s.insert(
            "description".into(),
            "A whole number and a unit, such as `24h`, `2 days`, `5 working_days`; capped at the policy's maximum."
                .into(),
        );
        s
    }
}

//! The request: who asks to do what to which record, when — the public JSON contract
//! (docs/api.md, docs/schema/request.schema.json).
//!
//! Unknown fields are refused, so a misspelt field (`allocated_worker`) is an input error rather
//! than a silently missing fact.
//!
//! Every name and id is of a type `S`: `String` for a request the program holds (the default),
//! or [`Text`] for one read from JSON text it borrows from, so that reading a request allocates
//! nothing per name ([`Request::borrowed_from_json`]). Both read and write the same JSON.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::id::{Id, ListEntry};
use super::object::{self, Object};
use super::time;
use crate::policy::Period;

mod scan;
mod spare;

pub use spare::RequestReader;
use spare::Spare;

/// May this subject take this action on this record at this time? (docs/api.md)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(rename = "Request", bound = "S: JsonSchema + Serialize + AsRef<str>")]
pub struct Request<S = String> {
    /// Who asks.
    #[serde(deserialize_with = "object::one")]
    pub subject: Subject<S>,
    /// What they want to do (an action the policy declares).
    pub action: S,
    /// The record.
    #[serde(deserialize_with = "object::one")]
    pub record: Record<S>,
    /// Temporary grants the case-management system holds for this subject.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::each"
    )]
    pub temporary_grants: Vec<TemporaryGrant<S>>,
    /// When (RFC 3339); absent or null means now.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "time::de::opt_instant"
    )]
    #[schemars(extend("pattern" = time::TIME_PATTERN))]
    pub at: Option<DateTime<Utc>>,
    /// Where and why the request is made, as the policy's contexts name it:
    /// `{"network": "ncc", "purpose": "casework"}`. A context left out holds none of its values;
    /// one the policy does not declare, or a value it does not list, fails closed.
    #[serde(
        default,
        skip_serializing_if = "RequestContext::is_empty",
        deserialize_with = "RequestContext::maybe"
    )]
    pub context: RequestContext<S>,
    /// For a lifecycle action (`place`, `lift`, `grant_temporary`, ...): what it changes.
    /// Required for one, refused for any other action.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object::maybe"
    )]
    pub change: Option<ChangeRequest<S>>,
    /// For a lifecycle action: the approvals given so far, one per step, in step order.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::each"
    )]
    pub approvals: Vec<GivenApproval<S>>,
    /// The colleague the subject acts for, when the request is made on their behalf: decided
    /// with the colleague's rights when the window is valid (docs/semantics.md, "Acting for a
    /// colleague").
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object::maybe"
    )]
    pub acting_for: Option<ActingFor<S>>,
}

/// What a lifecycle action changes (docs/api.md, "Lifecycle actions").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(
    rename = "ChangeRequest",
    bound = "S: JsonSchema + Serialize + AsRef<str>"
)]
pub struct ChangeRequest<S = String> {
    /// The category placed, amended, lifted or renewed, or whose temporary access is granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<S>,
    /// The kind of temporary access granted or renewed; absent: the category's default kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<S>,
    /// The flag added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<S>,
    /// For `renew_temporary`: how many times the grant has been renewed so far.
    #[serde(default, skip_serializing_if = "is_zero", deserialize_with = "count")]
    pub renewals: u32,
    /// The subject id of the requester's line manager, for a chain that names `line_manager`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_manager: Option<Id<S>>,
}

/// One approval of a lifecycle action: who gave it, for which step of the chain, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(
    rename = "ChangeApproval",
    bound = "S: JsonSchema + Serialize + AsRef<str>"
)]
pub struct GivenApproval<S = String> {
    /// The chain's step it approves, from 1.
    #[serde(deserialize_with = "count")]
    pub step: u32,
    /// Who approved: their subject id, or their id with the roles and teams they held when they
    /// approved.
    pub by: GrantApprover<S>,
    /// When they approved (RFC 3339).
    #[serde(deserialize_with = "time::de::instant")]
    #[schemars(extend("pattern" = time::TIME_PATTERN))]
    pub at: DateTime<Utc>,
}

/// A deputy acting for a colleague: who, approved by whom, for which window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(rename = "ActingFor", bound = "S: JsonSchema + Serialize + AsRef<str>")]
pub struct ActingFor<S = String> {
    /// The colleague acted for: their subject id, roles, teams and organisation, as `subject`
    /// gives the deputy's (names the policy declares; any other name fails closed).
    #[serde(deserialize_with = "object::one")]
    pub subject: Subject<S>,
    /// Who approved the window: their subject id, or their id with the roles and teams they
    /// held, for approvers that are roles, teams or boards.
    pub approved_by: GrantApprover<S>,
    /// When the window starts.
    #[serde(deserialize_with = "time::de::instant")]
    #[schemars(extend("pattern" = time::TIME_PATTERN))]
    pub from: DateTime<Utc>,
    /// When it ends (the window holds before this instant).
    #[serde(deserialize_with = "time::de::instant")]
    #[schemars(extend("pattern" = time::TIME_PATTERN))]
    pub until: DateTime<Utc>,
}

impl<S: AsRef<str>> Subject<S> {
    /// The same subject with each of its names and ids made by `f`.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> Subject<T> {
        Subject {
            id: self.id.map_text(f),
            roles: all(&self.roles, f),
            teams: all(&self.teams, f),
            organisation: f(&self.organisation),
        }
    }
}

impl<S: AsRef<str>> ActingFor<S> {
    /// The same window with each of its names and ids made by `f`.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> ActingFor<T> {
        ActingFor {
            subject: self.subject.map_names(f),
            approved_by: self.approved_by.map_names(f),
            from: self.from,
            until: self.until,
        }
    }
}

/// The request's context: each context's name and the value stated for it, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext<S = String>(pub Vec<(S, S)>);

impl<S> Default for RequestContext<S> {
    fn default() -> Self {
        RequestContext(Vec::new())
    }
}

impl<S> RequestContext<S> {
    /// Whether no context is stated.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An object, or `null` for none.
    fn maybe<'de, D>(d: D) -> Result<Self, D::Error>
    where
        D: Deserializer<'de>,
        S: Deserialize<'de> + AsRef<str>,
    {
        Ok(Option::<RequestContext<S>>::deserialize(d)?.unwrap_or(RequestContext(Vec::new())))
    }
}

impl<S: AsRef<str>> RequestContext<S> {
    /// The same context with each of its names made by `f`.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> RequestContext<T> {
        RequestContext(self.0.iter().map(|(k, v)| (f(k), f(v))).collect())
    }
}

impl<S: AsRef<str>> Serialize for RequestContext<S> {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.as_ref(), v.as_ref())?;
        }
        m.end()
    }
}

impl<'de, S: Deserialize<'de> + AsRef<str>> Deserialize<'de> for RequestContext<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<S>(std::marker::PhantomData<S>);
        impl<'de, S: Deserialize<'de> + AsRef<str>> serde::de::Visitor<'de> for Entries<S> {
            type Value = RequestContext<S>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object of context names and values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(S, S)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<S, S>()? {
                    // A context stated twice would leave which value counts to the reader.
                    if out.iter().any(|(seen, _)| seen.as_ref() == k.as_ref()) {
                        return Err(serde::de::Error::custom(format!(
                            "context `{}` is given twice",
                            k.as_ref()
                        )));
                    }
                    out.push((k, v));
                }
                Ok(RequestContext(out))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

impl<S> JsonSchema for RequestContext<S> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RequestContext".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["object", "null"],
            "description": "Where and why the request is made: each context the policy declares, with one of its values (`{\"network\": \"ncc\"}`). A context left out holds none of its values; an undeclared context or value fails closed. Null, like `{}`, states none.",
            "additionalProperties": {"type": "string"}
        })
    }
}

/// The person asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(rename = "Subject", bound = "S: JsonSchema + Serialize + AsRef<str>")]
pub struct Subject<S = String> {
    /// Their subject id in the case-management system.
    pub id: Id<S>,
    /// Their roles (names the policy declares; any other name fails closed).
    #[serde(default)]
    pub roles: Vec<S>,
    /// Their teams (names the policy declares; any other name fails closed).
    #[serde(default)]
    pub teams: Vec<S>,
    /// Their organisation (a name the policy declares).
    pub organisation: S,
}

/// The record asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(rename = "Record", bound = "S: JsonSchema + Serialize + AsRef<str>")]
pub struct Record<S = String> {
    /// The record's id.
    pub id: Id<S>,
    /// The section of the record asked for (a name the policy declares); absent: the record
    /// itself, outside every section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<S>,
    /// The teams responsible for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<S>,
    /// The restriction on it; absent or null, with no `restrictions`: the record is
    /// unrestricted.
    #[serde(default, deserialize_with = "object::maybe")]
    pub restriction: Option<Restriction<S>>,
    /// The restrictions on it, when it carries several (each category at most once); every one
    /// must allow. Give this or `restriction`, not both.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::each"
    )]
    pub restrictions: Vec<Restriction<S>>,
    /// The subject ids of its allocated workers.
    #[serde(default)]
    pub allocated_workers: Vec<Id<S>>,
    /// The subject ids of its allocated workers' managers.
    #[serde(default)]
    pub allocated_managers: Vec<Id<S>>,
    /// The subject id of the person the record is about, when they are also someone who may
    /// ask (a member of staff who is a service user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Id<S>>,
    /// The subject ids of people named as relatives of the person the record is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relatives: Vec<Id<S>>,
    /// The subject ids of the people who wrote or originated the entry asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Id<S>>,
    /// The flags it carries (names the policy declares; any other name fails closed). A flag
    /// never changes the decision: it adds its duty to an allow, and a warning when its review
    /// is overdue.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::each"
    )]
    pub flags: Vec<PlacedFlag<S>>,
    /// What the record's data says of it (names of facts the policy declares; any other name
    /// fails closed): the facts triggers and rules about restrictions test. A decision warns
    /// an auditor when they require a restriction the record does not carry, and fails closed
    /// when the record carries a restriction they forbid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<S>,
    /// The records linked to it (the Secure Adoption Record of a child's Care Record), each
    /// with the kind of link and the restrictions it carries. A restriction whose category
    /// reaches the kind of link protects this record too; a link is never named to anyone but an
    /// auditor.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::each"
    )]
    pub links: Vec<Link<S>>,
}

/// A record linked to the record asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(rename = "Link", bound = "S: JsonSchema + Serialize + AsRef<str>")]
pub struct Link<S = String> {
    /// The linked record's id.
    pub record: Id<S>,
    /// The kind of link (a name the policy declares with `link`; any other name fails closed).
    pub link: S,
    /// The restrictions the linked record carries (each category at most once), as a record's
    /// own `restrictions`.
    #[serde(default, deserialize_with = "object::each")]
    pub restrictions: Vec<Restriction<S>>,
}

impl<S: AsRef<str>> Link<S> {
    /// The same link with each of its names and ids made by `f`.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> Link<T> {
        Link {
            record: self.record.map_text(f),
            link: f(&self.link),
            restrictions: self.restrictions.iter().map(|r| r.map_names(f)).collect(),
        }
    }
}

/// A flag on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(rename = "Flag", bound = "S: JsonSchema + Serialize + AsRef<str>")]
pub struct PlacedFlag<S = String> {
    /// The flag (a name the policy declares).
    pub flag: S,
    /// When it was placed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "time::de::opt_date"
    )]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub placed_on: Option<NaiveDate>,
    /// When it was last reviewed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "time::de::opt_date"
    )]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub last_reviewed: Option<NaiveDate>,
    /// An explicit review date, which wins when earlier than the flag's schedule.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "time::de::opt_date"
    )]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub review_by: Option<NaiveDate>,
}

/// A restriction placed on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(
    rename = "Restriction",
    bound = "S: JsonSchema + Serialize + AsRef<str>"
)]
pub struct Restriction<S = String> {
    /// The category it was placed under.
    pub category: S,
    /// When it was placed.
    #[serde(default, deserialize_with = "time::de::opt_date")]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub placed_on: Option<NaiveDate>,
    /// When it was last reviewed.
    #[serde(default, deserialize_with = "time::de::opt_date")]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub last_reviewed: Option<NaiveDate>,
    /// An explicit review date, which wins when earlier than the schedule's.
    #[serde(default, deserialize_with = "time::de::opt_date")]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub review_by: Option<NaiveDate>,
    /// The day the restriction ends, as set on the record: it runs until the start of this day
    /// (UK time). The end is the earlier of this and the category's maximum (`lasts`) from
    /// `placed_on`. A restriction past its end still applies, with a `restriction_ended`
    /// warning, until someone renews or lifts it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "time::de::opt_date"
    )]
    #[schemars(extend("pattern" = time::DATE_PATTERN))]
    pub ends: Option<NaiveDate>,
    /// How many times the restriction has been renewed (checked against the category's
    /// `renewable`; each renewal adds at most the category's maximum to its end).
    #[serde(default, skip_serializing_if = "is_zero", deserialize_with = "count")]
    pub renewals: u32,
    /// The subject id of its named owner (accountable manager).
    #[serde(default)]
    pub owner: Option<Id<S>>,
    /// The people, teams and roles on its access list.
    #[serde(default)]
    pub named_allow: Vec<ListEntry<S>>,
    /// The people, teams and roles on its exclusion list.
    #[serde(default)]
    pub named_deny: Vec<ListEntry<S>>,
}

/// A temporary grant as the case-management system recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(
    rename = "TemporaryGrant",
    bound = "S: JsonSchema + Serialize + AsRef<str>"
)]
pub struct TemporaryGrant<S = String> {
    /// Who holds it.
    pub subject: Id<S>,
    /// The record it is for; absent means the request's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Id<S>>,
    /// The actions it covers; absent means every action the category's temporary access covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<S>>,
    /// When it starts.
    #[serde(deserialize_with = "time::de::instant")]
    #[schemars(extend("pattern" = time::TIME_PATTERN))]
    pub granted_at: DateTime<Utc>,
    /// How long it lasts (capped at the policy's maximum).
    pub duration: GrantDuration,
    /// Who approved it: their subject id, or their id with the roles and teams they held, for a
    /// kind whose approvers are roles, teams or boards.
    pub approved_by: GrantApprover<S>,
    /// The kind of temporary access (a name the policy gives a `temporary` statement); absent
    /// means the category's default kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<S>,
    /// How many times the grant has been renewed (checked against the kind's `renewable`).
    #[serde(default, skip_serializing_if = "is_zero", deserialize_with = "count")]
    pub renewals: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A count: a whole number, which JSON Schema lets a client write `3` or `3.0` (both are an
/// `integer` there), so the contract and the reader agree; a fraction, a negative number or one
/// past `u32::MAX` is refused.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    struct Count;
    impl serde::de::Visitor<'_> for Count {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number from 0 to 4294967295")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<u32, E> {
            if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
                // Whole and in range, so the conversion is exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(v as u32)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    d.deserialize_any(Count)
}

/// Who approved a temporary grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
#[serde(bound(serialize = "S: AsRef<str> + Serialize"))]
#[schemars(
    rename = "GrantApprover",
    bound = "S: JsonSchema + Serialize + AsRef<str>"
)]
pub enum GrantApprover<S = String> {
    /// Their subject id alone: enough for a person or a relation to the record.
    Id(Id<S>),
    /// Their subject id with the roles and teams they held when they approved.
    Stated(StatedApprover<S>),
}

/// An approver with the roles and teams they held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(
    serialize = "S: AsRef<str> + Serialize",
    deserialize = "S: Deserialize<'de> + AsRef<str> + From<String> + Default"
))]
#[schemars(
    rename = "StatedApprover",
    bound = "S: JsonSchema + Serialize + AsRef<str>"
)]
pub struct StatedApprover<S = String> {
    /// Their subject id.
    pub id: Id<S>,
    /// Their roles (names the policy declares; any other name fails closed).
    #[serde(default)]
    pub roles: Vec<S>,
    /// Their teams (names the policy declares; any other name fails closed).
    #[serde(default)]
    pub teams: Vec<S>,
}

impl<S: AsRef<str>> GrantApprover<S> {
    /// Their subject id.
    pub fn id(&self) -> &Id<S> {
        match self {
            GrantApprover::Id(id) => id,
            GrantApprover::Stated(s) => &s.id,
        }
    }

    /// The roles and teams the request states, `None` when it gives only the id.
    pub fn stated(&self) -> Option<&StatedApprover<S>> {
        match self {
            GrantApprover::Id(_) => None,
            GrantApprover::Stated(s) => Some(s),
        }
    }

    /// The same approver with each of its names and ids made by `f`.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> GrantApprover<T> {
        match self {
            GrantApprover::Id(id) => GrantApprover::Id(id.map_text(f)),
            GrantApprover::Stated(s) => GrantApprover::Stated(StatedApprover {
                id: s.id.map_text(f),
                roles: all(&s.roles, f),
                teams: all(&s.teams, f),
            }),
        }
    }
}

impl<'de, S> Deserialize<'de> for GrantApprover<S>
where
    S: Deserialize<'de> + AsRef<str> + From<String> + Default,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{
            BorrowedStrDeserializer, MapAccessDeserializer, StringDeserializer,
        };
        struct V<S>(std::marker::PhantomData<S>);
        impl<'de, S> serde::de::Visitor<'de> for V<S>
        where
            S: Deserialize<'de> + AsRef<str> + From<String> + Default,
        {
            type Value = GrantApprover<S>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a subject id, or an object with the approver's `id`, `roles` and `teams`",
                )
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Id::deserialize(BorrowedStrDeserializer::new(v)).map(GrantApprover::Id)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                // An escaped string cannot be borrowed: the id holds a copy.
                Id::deserialize(StringDeserializer::new(v.to_string())).map(GrantApprover::Id)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                StatedApprover::deserialize(MapAccessDeserializer::new(map))
                    .map(GrantApprover::Stated)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
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
    /// Parses a request from JSON text: one object (an array is not a request).
    pub fn from_json(text: &str) -> Result<Request, RequestError> {
        Request::from_json_slice(text.as_bytes())
    }

    /// The hand-written reader on bytes, copied into owned strings: the request when the reader
    /// is sure of it, `None` when it declines (see [`Request::scanned_from_json`]).
    pub fn scanned_owned(bytes: &[u8]) -> Option<Request> {
        scan::request::<&str>(utf8(bytes)?, &mut Spare::default()).map(|r| r.to_owned_request())
    }

    /// Parses a request from JSON bytes; an error names the field at fault (`record.owner`).
    pub fn from_json_slice(bytes: &[u8]) -> Result<Request, RequestError> {
        // The hand-written reader reads the usual request five times faster than serde with
        // field paths; it declines whatever it is not sure of, which serde then reads (and
        // refuses, naming the field).
        if let Some(req) = Request::scanned_owned(bytes) {
            return Ok(req);
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let read =
            serde_path_to_error::deserialize::<_, Object<Request>>(&mut de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                RequestError(if path == "." {
                    inner.to_string()
                } else {
                    format!("`{path}`: {inner}")
                })
            })?;
        de.end().map_err(|e| RequestError(e.to_string()))?;
        Ok(read.0)
    }
}

/// The bytes of a request as text, when they are UTF-8. Checking the whole line once is quicker
/// than serde_json checking each string, and simdutf8 checks it a vector at a time (std's check
/// was a thirtieth of reading a line).
pub(super) fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

impl<'a> Request<Text<'a>> {
    /// Parses a request from JSON text, borrowing every name and id from it (a string with an
    /// escape in it is the only one copied). Accepts and refuses exactly what
    /// [`Request::from_json`] does, with the same messages.
    pub fn borrowed_from_json(text: &'a str) -> Result<Self, RequestError> {
        Request::read_json(text, &mut Spare::default())
    }

    /// [`Request::borrowed_from_json`], its lists taken from `spare`.
    fn read_json(text: &'a str, spare: &mut Spare<Text<'a>>) -> Result<Self, RequestError> {
        let mut req = scan::blank();
        if scan::read_into(text, &mut req, spare) {
            return Ok(req);
        }
        Request::declined(text)
    }

    /// A request the hand-written reader declined, read by serde's derived reader. It knows no
    /// field path: a request it refuses is read again by `from_json`, for the message that
    /// names the field.
    pub(super) fn declined(text: &'a str) -> Result<Self, RequestError> {
        serde_json::from_str::<Object<Self>>(text)
            .map(|o| o.0)
            .map_err(|first| match Request::from_json(text) {
                Err(e) => e,
                Ok(_) => RequestError(first.to_string()),
            })
    }

    /// The hand-written reader behind [`Request::borrowed_from_json`] alone: the request when
    /// it is sure of it (the same request serde's reader gives), `None` when it declines and
    /// leaves the text to serde (an escape, an unusual date, a lifecycle change, a key it does
    /// not know or one given twice, anything serde would refuse).
    pub fn scanned_from_json(text: &'a str) -> Option<Self> {
        scan::request(text, &mut Spare::default())
    }

    /// [`Request::borrowed_from_json`] on bytes (a line read from a stream).
    pub fn borrowed_from_slice(bytes: &'a [u8]) -> Result<Self, RequestError> {
        Request::read_slice(bytes, &mut Spare::default())
    }

    /// [`Request::borrowed_from_slice`], its lists taken from `spare`.
    fn read_slice(bytes: &'a [u8], spare: &mut Spare<Text<'a>>) -> Result<Self, RequestError> {
        // Bytes that are not UTF-8 go to serde_json as they are, for its message.
        match utf8(bytes) {
            Some(text) => Request::read_json(text, spare),
            None => Request::not_utf8(bytes),
        }
    }

    /// Bytes that are not UTF-8, refused with serde_json's message.
    pub(super) fn not_utf8(bytes: &'a [u8]) -> Result<Self, RequestError> {
        serde_json::from_slice::<Object<Self>>(bytes)
            .map(|o| o.0)
            .map_err(|e| RequestError(e.to_string()))
    }
}

impl<S: AsRef<str>> Request<S> {
    /// The same request holding its own strings.
    pub fn to_owned_request(&self) -> Request {
        self.map_names(&owned)
    }

    /// The same request with each of its names and ids made by `f`: its own strings, or
    /// strings borrowed from it.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> Request<T> {
        let ids = |l: &'s [Id<S>]| l.iter().map(|i| i.map_text(f)).collect();
        Request {
            subject: self.subject.map_names(f),
            action: f(&self.action),
            record: Record {
                id: self.record.id.map_text(f),
                section: self.record.section.as_ref().map(f),
                teams: all(&self.record.teams, f),
                restriction: self.record.restriction.as_ref().map(|r| r.map_names(f)),
                restrictions: self
                    .record
                    .restrictions
                    .iter()
                    .map(|r| r.map_names(f))
                    .collect(),
                allocated_workers: ids(&self.record.allocated_workers),
                subject: self.record.subject.as_ref().map(|i| i.map_text(f)),
                relatives: ids(&self.record.relatives),
                flags: self
                    .record
                    .flags
                    .iter()
                    .map(|p| PlacedFlag {
                        flag: f(&p.flag),
                        placed_on: p.placed_on,
                        last_reviewed: p.last_reviewed,
                        review_by: p.review_by,
                    })
                    .collect(),
                authors: ids(&self.record.authors),
                facts: all(&self.record.facts, f),
                allocated_managers: ids(&self.record.allocated_managers),
                links: self.record.links.iter().map(|l| l.map_names(f)).collect(),
            },
            temporary_grants: self
                .temporary_grants
                .iter()
                .map(|g| TemporaryGrant {
                    subject: g.subject.map_text(f),
                    record: g.record.as_ref().map(|i| i.map_text(f)),
                    actions: g.actions.as_deref().map(|a| all(a, f)),
                    granted_at: g.granted_at,
                    duration: g.duration,
                    approved_by: g.approved_by.map_names(f),
                    kind: g.kind.as_ref().map(f),
                    renewals: g.renewals,
                })
                .collect(),
            at: self.at,
            context: self.context.map_names(f),
            change: self.change.as_ref().map(|c| ChangeRequest {
                category: c.category.as_ref().map(f),
                kind: c.kind.as_ref().map(f),
                flag: c.flag.as_ref().map(f),
                renewals: c.renewals,
                line_manager: c.line_manager.as_ref().map(|i| i.map_text(f)),
            }),
            approvals: self
                .approvals
                .iter()
                .map(|a| GivenApproval {
                    step: a.step,
                    by: a.by.map_names(f),
                    at: a.at,
                })
                .collect(),
            acting_for: self.acting_for.as_ref().map(|a| a.map_names(f)),
        }
    }
}

/// Each of `names` made by `f`.
fn all<'s, S, T>(names: &'s [S], f: &impl Fn(&'s S) -> T) -> Vec<T> {
    names.iter().map(f).collect()
}

/// A name as a string of its own: what [`Request::map_names`] and its kin make to copy one.
pub(crate) fn owned<S: AsRef<str>>(name: &S) -> String {
    name.as_ref().to_string()
}

impl<S> Record<S> {
    /// An unrestricted record with this id and nothing else said about it: no teams, sections,
    /// allocations, people or flags. Fill in what a request knows with struct update syntax
    /// (`Record { teams, ..Record::new(id) }`), so a new optional field needs no change here.
    pub fn new(id: Id<S>) -> Self {
        Record {
            id,
            section: None,
            teams: Vec::new(),
            restriction: None,
            restrictions: Vec::new(),
            allocated_workers: Vec::new(),
            allocated_managers: Vec::new(),
            subject: None,
            relatives: Vec::new(),
            authors: Vec::new(),
            flags: Vec::new(),
            facts: Vec::new(),
            links: Vec::new(),
        }
    }
}

impl<S: AsRef<str>> Record<S> {
    /// The restrictions the record carries, in the order given, whichever field gives them.
    /// (A record that gives both fields is refused before any is read: see
    /// [`super::FailReason::BothRestrictionFields`].)
    pub fn placed(&self) -> impl Iterator<Item = &Restriction<S>> {
        self.restriction.iter().chain(&self.restrictions)
    }

    /// [`Record::placed`], to change.
    pub fn placed_mut(&mut self) -> impl Iterator<Item = &mut Restriction<S>> {
        self.restriction.iter_mut().chain(&mut self.restrictions)
    }

    /// Whether the record carries any restriction.
    pub fn is_restricted(&self) -> bool {
        self.restriction.is_some() || !self.restrictions.is_empty()
    }

    /// Every restriction the request gives: the record's own ([`Record::placed`]) and then each
    /// linked record's, in order, each with the index of the link it comes by (`None`: the
    /// record's own). A restriction's position in this list is the index a fail-closed reason
    /// gives it.
    pub fn every_placed(&self) -> impl Iterator<Item = (Option<u16>, &Restriction<S>)> {
        self.placed()
            .map(|r| (None, r))
            .chain(self.links.iter().enumerate().flat_map(|(i, l)| {
                let i = u16::try_from(i).unwrap_or(u16::MAX);
                l.restrictions.iter().map(move |r| (Some(i), r))
            }))
    }

    /// [`Record::every_placed`], to change.
    pub fn every_placed_mut(&mut self) -> impl Iterator<Item = &mut Restriction<S>> {
        self.restriction
            .iter_mut()
            .chain(&mut self.restrictions)
            .chain(self.links.iter_mut().flat_map(|l| &mut l.restrictions))
    }

    /// The request field that holds restriction `k` of [`Record::every_placed`]:
    /// `record.restriction`, `record.restrictions[k]` or `record.links[i].restrictions[j]`.
    pub fn every_field(&self, k: usize) -> String {
        let own = self.placed().count();
        if k < own {
            return self.restriction_field(k);
        }
        let mut rest = k - own;
        for (i, l) in self.links.iter().enumerate() {
            if rest < l.restrictions.len() {
                return format!("record.links[{i}].restrictions[{rest}]");
            }
            rest -= l.restrictions.len();
        }
        "record".to_string()
    }

    /// The request field that holds restriction `i` of [`Record::placed`]: `record.restriction`
    /// or `record.restrictions[i]`.
    pub fn restriction_field(&self, i: usize) -> String {
        if self.restriction.is_some() {
            "record.restriction".to_string()
        } else {
            format!("record.restrictions[{i}]")
        }
    }
}

impl<S> Restriction<S> {
    /// A restriction under this category with nothing else said about it: no dates, owner,
    /// renewals or lists. Fill in what is known with struct update syntax
    /// (`Restriction { owner, ..Restriction::new(category) }`), as with [`Record::new`].
    pub fn new(category: S) -> Self {
        Restriction {
            category,
            placed_on: None,
            last_reviewed: None,
            review_by: None,
            ends: None,
            renewals: 0,
            owner: None,
            named_allow: Vec::new(),
            named_deny: Vec::new(),
        }
    }
}

impl<S: AsRef<str>> Restriction<S> {
    /// The same restriction with each of its names and ids made by `f`.
    pub fn map_names<'s, T>(&'s self, f: &impl Fn(&'s S) -> T) -> Restriction<T> {
        Restriction {
            category: f(&self.category),
            placed_on: self.placed_on,
            last_reviewed: self.last_reviewed,
            review_by: self.review_by,
            ends: self.ends,
            renewals: self.renewals,
            owner: self.owner.as_ref().map(|o| o.map_text(f)),
            named_allow: self.named_allow.iter().map(|e| e.map_text(f)).collect(),
            named_deny: self.named_deny.iter().map(|e| e.map_text(f)).collect(),
        }
    }
}

/// A name or id read from JSON text: borrowed from the text, or copied when the JSON string
/// has an escape in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl From<String> for Text<'_> {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Text<'_> {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    // The words `String` uses, so that both kinds of request give the same messages.
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v)))
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

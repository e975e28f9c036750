//! The JSON Schema of the compiled decision table (docs/schema/table.schema.json), generated from
//! [`DecisionTable`] itself. The table embeds the policy vocabulary's types (conditions, atoms,
//! periods, views); their schemas come from the mirrors below, each derived with serde's `remote`
//! so the compiler refuses a mirror that misses a variant or field of the type it mirrors, and
//! a test serialises every value through both and compares.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::table::DecisionTable;
use crate::json_schema::{Direction, SCHEMA_BASE, settings};
use crate::policy::{
    Atom, CategoryKind, Condition, Disclosure, Literal, OrgKind, Period, PeriodUnit, Purpose,
    Relation, RestrictionType, View,
};

/// docs/schema/table.schema.json.
pub fn table_schema() -> Value {
    let mut v = settings(Direction::Read, "/$defs/")
        .into_generator()
        .into_root_schema_for::<DecisionTable>()
        .to_value();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "$id".into(),
            format!("{SCHEMA_BASE}table.schema.json").into(),
        );
        o.insert("title".into(), "caselock compiled decision table".into());
        o.insert(
            "description".into(),
            "What `caselock compile` writes and `caselock eval --table` reads. See docs/reports.md and docs/semantics.md."
                .into(),
        );
    }
    v
}

/// How much of a record a person sees.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "View", rename_all = "snake_case")]
#[schemars(rename = "View")]
pub(super) enum ViewDef {
    /// Nothing: not even that the record is locked.
    None,
    /// A lock notice without who to contact.
    Notice,
    /// A lock notice naming who to contact.
    NoticeWithContact,
    /// Minimal identifying details only.
    Minimal,
    /// The whole record.
    Full,
}

/// The kind of an organisation.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "OrgKind", rename_all = "lowercase")]
#[schemars(rename = "OrgKind")]
pub(super) enum OrgKindDef {
    /// The council itself.
    Internal,
    /// A partner agency (police, health, schools).
    Partner,
    /// Anyone else outside the council.
    External,
}

/// A built-in relation between a subject and a record.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "Relation", rename_all = "snake_case")]
#[schemars(rename = "Relation")]
pub(super) enum RelationDef {
    /// The subject is an allocated worker of the record.
    AllocatedWorker,
    /// The subject manages an allocated worker of the record.
    AllocatedManager,
    /// The subject is the restriction's named owner / accountable manager.
    Owner,
    /// The subject, or one of their teams, is on the record's allow list.
    NamedAllow,
    /// The subject, or one of their teams, is on the record's exclusion list.
    NamedDeny,
    /// The subject holds a valid temporary grant for the record and action.
    TemporaryGrant,
    /// The subject is in one of the record's responsible teams.
    RecordTeam,
    /// The requester's line manager (approval chains only).
    LineManager,
    /// The record is about the subject: their own record.
    RecordSubject,
    /// The subject is named as a relative of the record's subject.
    Relative,
    /// The subject wrote or originated the entry asked for.
    Author,
    /// The request is made on a colleague's behalf, in a window the policy admits.
    ActingFor,
}

/// A fact about a subject and a record; ids index the vocabulary's lists.
#[derive(Serialize, JsonSchema)]
#[serde(
    remote = "Atom",
    tag = "kind",
    content = "id",
    rename_all = "snake_case"
)]
#[schemars(rename = "Atom")]
pub(super) enum AtomDef {
    /// The subject holds this role (an index of `vocabulary.roles`) or one below it.
    Role(u32),
    /// The subject is in this team (an index of `vocabulary.teams`) or one below it.
    Team(u32),
    /// The subject is this placeholder person (an index of `vocabulary.persons`).
    Person(u32),
    /// The subject belongs to this organisation (an index of `vocabulary.organisations`).
    Organisation(u32),
    /// The subject's organisation is of this kind.
    OrgKind(#[serde(with = "OrgKindDef")] OrgKind),
    /// The subject stands in this relation to the record.
    Relation(#[serde(with = "RelationDef")] Relation),
    /// The request's context has this value (an index of `vocabulary.context_values`); a
    /// request that states no value for the context holds none of its atoms.
    Context(u32),
}

/// An atom or its negation.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "Literal")]
#[schemars(rename = "Literal")]
pub(super) struct LiteralDef {
    /// The atom.
    #[serde(with = "AtomDef")]
    pub atom: Atom,
    /// Whether `not` applies.
    pub negated: bool,
}

/// A condition in disjunctive normal form, any term, all literals of a term. No terms is
/// nobody; an empty term is everyone.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "Condition")]
#[schemars(rename = "Condition")]
pub(super) struct ConditionDef {
    /// The alternatives.
    #[schemars(with = "Vec<Vec<LiteralDef>>")]
    pub terms: Vec<Vec<Literal>>,
}

/// The unit of a period.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "PeriodUnit", rename_all = "snake_case")]
#[schemars(rename = "PeriodUnit")]
pub(super) enum PeriodUnitDef {
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Working days (Monday to Friday).
    WorkingDays,
    /// Weeks.
    Weeks,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

/// A calendar period.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "Period")]
#[schemars(rename = "Period")]
pub(super) struct PeriodDef {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    #[serde(with = "PeriodUnitDef")]
    pub unit: PeriodUnit,
}

/// What an approval is for.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "Purpose", rename_all = "snake_case")]
#[schemars(rename = "Purpose")]
pub(super) enum PurposeDef {
    /// Placing a restriction.
    Place,
    /// Amending one.
    Amend,
    /// Lifting one.
    Lift,
    /// Granting someone access to a restricted record (temporary access), or renewing it.
    Access,
    /// Renewing a restriction.
    Renew,
    /// Adding a flag to a record.
    Flag,
}

/// A restriction type: universal or exclude.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "RestrictionType", rename_all = "snake_case")]
#[schemars(rename = "RestrictionType")]
pub(super) enum RestrictionTypeDef {
    /// Everyone is refused except those granted.
    Universal,
    /// Normal access, except the people excluded.
    Exclude,
}

/// What a refused person may be told about a category.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "Disclosure")]
#[schemars(rename = "Disclosure")]
pub(super) struct DisclosureDef {
    /// The category's title, and the deciding rule's id and source.
    pub title: bool,
    /// Who to contact and who approves access.
    pub contact: bool,
    /// That temporary access exists, for how long, and whether the person may hold it.
    pub temporary: bool,
    /// Why: the kind of refusal and the deciding rule in the policy's words.
    pub reason: bool,
    /// That the person is on the record's exclusion list.
    pub exclusion: bool,
    /// A fixed notice for every refused person.
    pub notice: Option<String>,
}

/// Whether a compiled block is a restriction category or the unrestricted block.
#[derive(Serialize, JsonSchema)]
#[serde(remote = "CategoryKind", rename_all = "snake_case")]
#[schemars(rename = "CategoryKind")]
pub(super) enum CategoryKindDef {
    /// A restriction category.
    Restriction,
    /// The `unrestricted` block: what applies to a record with no restriction.
    Unrestricted,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde::Serialize;

    use super::*;

    /// Serialises `value` through a mirror.
    macro_rules! through {
        ($mirror:literal, $ty:ty, $value:expr) => {{
            #[derive(Serialize)]
            struct Through(#[serde(with = $mirror)] $ty);
            serde_json::to_value(Through($value)).unwrap()
        }};
    }

    /// Each mirror writes every value exactly as the model type does, so the schemas describe
    /// the table's real JSON.
    #[test]
    fn the_mirrors_serialise_like_the_model() {
        use Relation as R;
        for v in [
            View::None,
            View::Notice,
            View::NoticeWithContact,
            View::Minimal,
            View::Full,
        ] {
            assert_eq!(
                through!("ViewDef", View, v),
                serde_json::to_value(v).unwrap()
            );
        }
        for v in OrgKind::ALL {
            assert_eq!(
                through!("OrgKindDef", OrgKind, v),
                serde_json::to_value(v).unwrap()
            );
        }
        for v in Purpose::ALL {
            assert_eq!(
                through!("PurposeDef", Purpose, v),
                serde_json::to_value(v).unwrap()
            );
        }
        for v in [RestrictionType::Universal, RestrictionType::Exclude] {
            let ours = through!("RestrictionTypeDef", RestrictionType, v);
            assert_eq!(ours, serde_json::to_value(v).unwrap());
        }
        for v in [CategoryKind::Restriction, CategoryKind::Unrestricted] {
            let ours = through!("CategoryKindDef", CategoryKind, v);
            assert_eq!(ours, serde_json::to_value(v).unwrap());
        }
        let atoms = [
            Atom::Role(3),
            Atom::Team(1),
            Atom::Person(0),
            Atom::Organisation(2),
            Atom::OrgKind(OrgKind::Partner),
        ]
        .into_iter()
        .chain(R::ALL.into_iter().map(Atom::Relation));
        for a in atoms {
            assert_eq!(
                through!("AtomDef", Atom, a),
                serde_json::to_value(a).unwrap()
            );
            let c = Condition {
                terms: vec![vec![Literal {
                    atom: a,
                    negated: true,
                }]],
            };
            let ours = through!("ConditionDef", Condition, c.clone());
            assert_eq!(ours, serde_json::to_value(c).unwrap());
        }
        for unit in [
            PeriodUnit::Hours,
            PeriodUnit::Days,
            PeriodUnit::WorkingDays,
            PeriodUnit::Weeks,
            PeriodUnit::Months,
            PeriodUnit::Years,
        ] {
            let p = Period { amount: 7, unit };
            assert_eq!(
                through!("PeriodDef", Period, p),
                serde_json::to_value(p).unwrap()
            );
        }
    }
}

//! The compiled decision table: the serialised artefact that the evaluator, the analyser and the
//! semantic diff read.
//!
//! Every list is a `Vec` in a fixed order (source order, or index order of the vocabulary), so a
//! table serialises to the same bytes every time.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::schema::{
    AtomDef, CategoryKindDef, ConditionDef, DisclosureDef, OrgKindDef, PeriodDef, PurposeDef,
    RestrictionTypeDef, ViewDef,
};

pub use super::restriction_rules::{
    ExclusiveEntry, NeverEntry, NoTriggersEntry, RestrictionRulesEntry, TriggerEntry,
};
use crate::policy::words::{ContextWords, NameKind, Titles};
use crate::policy::{
    ActionId, Atom, CategoryKind, Condition, Disclosure, ObligationId, OrgKind, Period, Purpose,
    RestrictionType, View,
};

/// The version of the table format this build writes and reads.
///
/// Version 2 gives each role and team its `parent` rather than the list of all its ancestors:
/// a chain of 10,000 roles was 50 million ancestor entries; it is now 10,000 parents.
/// Version 3 marks each category's `kind` (the unrestricted block is a kind, not a name) and
/// gives each row the index of the rule it implements (`rule`).
/// Version 4 adds the `unstated` review schedule (the source gives no interval), which a reader
/// of version 3 could not read.
/// Version 5 adds the record's sections (`vocabulary.sections`, each category's `protects`), the
/// request's contexts (`vocabulary.contexts`, `vocabulary.context_values`) and the `context`
/// atom, gives each category a list of kinds of temporary access (each with its kind, renewals
/// and notice) and each approver as a condition on the person approving (roles, teams, boards and
/// conjunctions), not one atom; a reader of version 4 could read none of them.
/// Version 5 also adds the vocabulary's `flags`, which a reader of version 4 would skip (deciding
/// a flagged record without the flags' duties and warnings).
/// The vocabulary's `links` and each category's `reaches` are new too: a reader that skipped them
/// would let a restriction on a linked record protect nothing (the lead bumps the version when
/// merging).
/// Version 6 adds a restriction's life and its neighbours: each category's `lasts` (maximum,
/// renewals, notice) and `reaches` (the kinds of link it protects across), the vocabulary's
/// `facts` and `links`, the policy's `restriction_rules` (triggers, `never restrict`, `exclusive`)
/// and `acting` (who may approve a deputy's window, for how long); a reader of version 5 would
/// decide as if no restriction ended, no linked record were protected and nobody could act.
pub const FORMAT_VERSION: u32 = 6;

/// A compiled policy: for every category and action, the ordered first-match decision list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionTable {
    /// The table format's version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The compiler that wrote the table: `caselock 0.1.0`.
    pub compiler: String,
    /// What the policy says about itself.
    pub policy: PolicyMeta,
    /// SHA-256 of the policy's files (name, NUL, text, for each file in order), hex.
    pub source_hash: String,
    /// Every declared name, indexed as the conditions' atoms index them.
    pub vocabulary: Vocabulary,
    /// The rows for a record with no restriction, if the policy says what applies.
    pub unrestricted: Option<CategoryTable>,
    /// The restriction categories in source order.
    pub categories: Vec<CategoryTable>,
    /// When a deputy may act for a colleague (the policy's `acting` statements, in source
    /// order). Left out when empty: then no request may act for anyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acting: Vec<ActingEntry>,
    /// Who approves adding a flag to a record (a flag belongs to no category), if the policy
    /// says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_approval: Option<ApprovalEntry>,
    /// Why no one is named to approve adding a flag, when the source names no one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_unstated: Option<UnstatedApprovalEntry>,
    /// What the policy says about restrictions themselves: triggers, records that may not be
    /// restricted, categories that may not be combined. Left out when it says nothing.
    #[serde(default, skip_serializing_if = "RestrictionRulesEntry::is_empty")]
    pub restriction_rules: RestrictionRulesEntry,
    /// SHA-256 of the table serialised with this field empty, hex: detects edits and corruption.
    pub table_hash: String,
}

/// The policy's header and provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyMeta {
    /// The policy's identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its version, if given.
    pub version: Option<u32>,
    /// The source documents it encodes.
    pub sources: Vec<String>,
    /// The case-record systems it governs.
    pub systems: Vec<String>,
    /// When the source was last updated (`YYYY-MM-DD`).
    pub updated: Option<String>,
    /// The file names whose text [`DecisionTable::source_hash`] covers, in order.
    pub files: Vec<String>,
}

/// The policy's names; atoms in conditions are indices into these lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Vocabulary {
    /// Actions (an [`ActionId`] indexes this list).
    pub actions: Vec<Entry>,
    /// Sections of a record a category may protect on their own (a category's `protects`
    /// indexes this list). Left out when the policy declares none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Entry>,
    /// Kinds of link between records a category may reach across (a category's `reaches`
    /// indexes this list). Left out when the policy declares none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Entry>,
    /// Roles, each with its parent.
    pub roles: Vec<Member>,
    /// Teams, each with its parent.
    pub teams: Vec<Member>,
    /// Placeholder people with the subject id a request uses for them.
    pub persons: Vec<PersonEntry>,
    /// Organisations with their kind.
    pub organisations: Vec<OrganisationEntry>,
    /// Obligations with their text.
    pub obligations: Vec<ObligationEntry>,
    /// The flags a record may carry (a request's `record.flags` names them), in source order.
    /// Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<FlagEntry>,
    /// The facts a record's data may state (a request's `record.facts` names them; triggers
    /// index this list). Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Entry>,
    /// The contexts a request may state (`context network "Network" = ...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<Entry>,
    /// Every context's values, context by context: a `context` atom indexes this list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_values: Vec<ContextValueEntry>,
}

/// One value of a context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ContextValueEntry {
    /// The value's name, as a request states it.
    pub name: String,
    /// Its title, which completes "asking ...": "from a council network machine".
    pub title: String,
    /// The context it is a value of (an index of `vocabulary.contexts`).
    pub context: u32,
}

/// A declared name and its title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
}

/// A role or team and its place in its tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Member {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
    /// The index of the member it sits under (`in PARENT`), if any.
    pub parent: Option<u32>,
}

impl Titles for Vocabulary {
    fn name(&self, kind: NameKind, id: u32) -> Option<&str> {
        self.entry(kind, id).map(|(name, _)| name)
    }

    fn title(&self, kind: NameKind, id: u32) -> Option<&str> {
        self.entry(kind, id).map(|(_, title)| title)
    }

    fn context_value(&self, id: u32) -> Option<ContextWords<'_>> {
        let v = self.context_values.get(id as usize)?;
        Some(ContextWords {
            context: &self.contexts.get(v.context as usize)?.name,
            value: &v.name,
            title: &v.title,
        })
    }
}

impl Vocabulary {
    /// The name and title of the `id`th declaration of a kind.
    fn entry(&self, kind: NameKind, id: u32) -> Option<(&str, &str)> {
        let i = id as usize;
        let (name, title) = match kind {
            NameKind::Role => self.roles.get(i).map(|e| (&e.name, &e.title)),
            NameKind::Team => self.teams.get(i).map(|e| (&e.name, &e.title)),
            NameKind::Person => self.persons.get(i).map(|e| (&e.name, &e.title)),
            NameKind::Organisation => self.organisations.get(i).map(|e| (&e.name, &e.title)),
        }?;
        Some((name.as_str(), title.as_str()))
    }
}

/// A member's ancestors, nearest first (not the member itself).
///
/// Walks at most `members.len()` steps, so even a table whose parents loop (which
/// [`hierarchy_error`] refuses on load) cannot make it run forever.
pub fn ancestors(members: &[Member], i: u32) -> impl Iterator<Item = u32> + '_ {
    let mut cur = members.get(i as usize).and_then(|m| m.parent);
    let mut left = members.len();
    std::iter::from_fn(move || {
        let c = cur.filter(|_| left > 0)?;
        left -= 1;
        cur = members.get(c as usize).and_then(|m| m.parent);
        Some(c)
    })
}

/// Each member's children, in index order: the tree read downwards.
pub(crate) fn children(members: &[Member]) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); members.len()];
    for (i, m) in members.iter().enumerate() {
        if let Some(kids) = m.parent.and_then(|p| out.get_mut(p as usize)) {
            kids.push(i as u32);
        }
    }
    out
}

/// Why a list of members is not a forest: a parent out of range, or parents that loop. Linear
/// in the number of members, without recursion.
pub(crate) fn hierarchy_error(members: &[Member]) -> Option<String> {
    // 0: not yet seen, 1: on the current walk up, 2: known to reach a root.
    let mut state = vec![0u8; members.len()];
    for start in 0..members.len() {
        let mut walk = Vec::new();
        let mut cur = start;
        loop {
            match state[cur] {
                2 => break,
                1 => return Some(format!("`{}` is its own ancestor", members[cur].name)),
                _ => {}
            }
            state[cur] = 1;
            walk.push(cur);
            match members[cur].parent {
                None => break,
                Some(p) if (p as usize) < members.len() => cur = p as usize,
                Some(p) => return Some(format!("`{}` has no parent {p}", members[cur].name)),
            }
        }
        for i in walk {
            state[i] = 2;
        }
    }
    None
}

/// A placeholder person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PersonEntry {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
    /// The subject id a request carries for this person.
    pub subject_id: String,
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationEntry {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
    /// Internal, partner or external.
    #[schemars(with = "OrgKindDef")]
    pub kind: OrgKind,
}

/// An obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ObligationEntry {
    /// The name.
    pub name: String,
    /// What must be done, in the policy's words.
    pub text: String,
}

/// A flag: it decides nothing; it gives an allowed person its duty, and warns when its review
/// is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FlagEntry {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
    /// The duty of whoever may open a record that carries it, in the policy's words.
    pub warns: String,
    /// Its review schedule, if the policy gives one.
    pub review: Option<ReviewEntry>,
    /// Where the flag is written: `file:line`.
    pub source: String,
}

impl DecisionTable {
    /// The flag with this name, and its index.
    pub fn flag(&self, name: &str) -> Option<(u32, &FlagEntry)> {
        self.vocabulary
            .flags
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .map(|(i, f)| (i as u32, f))
    }
}

/// One category (or the unrestricted block), compiled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CategoryTable {
    /// The category's name (`unrestricted` for the unrestricted block).
    pub name: String,
    /// A restriction category or the unrestricted block.
    #[schemars(with = "CategoryKindDef")]
    pub kind: CategoryKind,
    /// Its title.
    pub title: String,
    /// The qualifying criteria in the document's words.
    pub criteria: Vec<String>,
    /// Universal or exclude.
    #[schemars(with = "RestrictionTypeDef")]
    pub restriction: RestrictionType,
    /// What a refused person sees unless the deciding deny says otherwise.
    #[schemars(with = "ViewDef")]
    pub denied_view: View,
    /// What a refused person may be told: the category's own `disclose`, else the policy's.
    #[schemars(with = "DisclosureDef")]
    pub disclose: Disclosure,
    /// The sections it protects (indices into the vocabulary's `sections`); left out, or
    /// empty: the whole record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protects: Vec<u32>,
    /// The kinds of link it reaches across (indices into the vocabulary's `links`): a
    /// restriction of the category also protects the records linked to the restricted one by
    /// them. Left out, or empty: the restricted record only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reaches: Vec<u32>,
    /// Where the category is written: `file:line`.
    pub source: String,
    /// The review schedule.
    pub review: Option<ReviewEntry>,
    /// How long a restriction of the category lasts, how often it may be renewed, and how long
    /// before its end people are told; left out when the category sets no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lasts: Option<LastsEntry>,
    /// The kinds of temporary access the category offers, in source order (empty: none).
    pub temporary: Vec<TemporaryEntry>,
    /// Who a refused person should contact.
    pub contact: Option<ContactEntry>,
    /// Who approves placing, amending, lifting and access, with the category's own settings
    /// first and the policy-wide defaults filling the rest, in [`Purpose::ALL`] order.
    pub approvals: Vec<ApprovalEntry>,
    /// The purposes with no approver because the source names none (`approve ... unstated`),
    /// in [`Purpose::ALL`] order: known gaps, not missing settings. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unstated_approvals: Vec<UnstatedApprovalEntry>,
    /// One first-match decision list per action, indexed by [`ActionId`].
    pub decisions: Vec<DecisionList>,
}

/// The ordered rows deciding one action on records of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DecisionList {
    /// The action's name.
    pub action: String,
    /// The rows; the first whose condition holds decides.
    pub rows: Vec<Row>,
}

/// Which step of the combining rule a row implements.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// A `deny ... absolute` rule: nothing overrides it.
    AbsoluteDeny,
    /// The built-in row: the subject or one of their teams is on the record's exclusion list.
    NamedExclusion,
    /// A deny rule overridden by a valid temporary grant.
    TemporaryOverride,
    /// A deny rule.
    Deny,
    /// A grant rule.
    Grant,
    /// Temporary access by a valid temporary grant.
    Temporary,
    /// No rule matched: the restriction type decides.
    Default,
}

impl Layer {
    /// The word used in tables and traces.
    pub fn word(self) -> &'static str {
        match self {
            Layer::AbsoluteDeny => "absolute_deny",
            Layer::NamedExclusion => "named_exclusion",
            Layer::TemporaryOverride => "temporary_override",
            Layer::Deny => "deny",
            Layer::Grant => "grant",
            Layer::Temporary => "temporary",
            Layer::Default => "default",
        }
    }
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowEffect {
    /// The row allows.
    Allow,
    /// The row denies.
    Deny,
}

/// One row of a decision list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Row {
    /// The rule id: `adoption.grant.1`, `adoption.deny.2`, `adoption.named_exclusion`,
    /// `adoption.temporary`, `adoption.default`.
    pub id: String,
    /// Which step of the combining rule this row implements.
    pub layer: Layer,
    /// Allow or deny.
    pub effect: RowEffect,
    /// When the row applies, over the model's atoms.
    #[schemars(with = "ConditionDef")]
    pub condition: Condition,
    /// What the subject sees when this row decides.
    #[schemars(with = "ViewDef")]
    pub view: View,
    /// What the holder must do when this row allows.
    pub obligations: Vec<ObligationId>,
    /// Where the rule is written: `file:line`.
    pub source: String,
    /// Who the row applies to, in the policy's own words.
    pub subjects_text: String,
    /// The deny rule a temporary-override row overrides.
    pub overrides: Option<String>,
    /// The rule this row implements, as its index in the category's rules in source order (the
    /// checked policy's `Category::rules`): for a temporary-override row, the deny it
    /// overrides; none for the built-in rows (named exclusion, temporary access, default).
    pub rule: Option<u32>,
}

/// A category's or a flag's review schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewEntry {
    /// How often, or never, or until an event.
    pub schedule: ScheduleEntry,
    /// For a schedule of `every` period: the event that ends the restriction, if it is kept
    /// until one. Left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Who reviews, resolved to names.
    pub reviewer: Option<ChainEntry>,
    /// Where the review is written.
    pub source: String,
}

/// When a restriction is reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ScheduleEntry {
    /// Every period from placement or the last review.
    Every {
        /// The interval.
        #[schemars(with = "PeriodDef")]
        period: Period,
    },
    /// Never, deliberately.
    Never {
        /// Why, if the policy says.
        reason: Option<String>,
    },
    /// Not before an event.
    Until {
        /// The event.
        event: String,
    },
    /// The source document gives no interval: a known gap, with the policy's reason.
    Unstated {
        /// Why, in the policy's words.
        reason: String,
    },
}

/// How long a restriction of a category lasts (`lasts 6 months renewable 2 notify 14 days`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LastsEntry {
    /// The longest a restriction runs from its placement; each renewal adds at most this again.
    #[schemars(with = "PeriodDef")]
    pub max: Period,
    /// How many times a restriction may be renewed.
    pub renewable: u32,
    /// How long before a restriction ends people are told, if the policy says.
    #[schemars(with = "Option<PeriodDef>")]
    pub notify: Option<Period>,
    /// Where the statement is written.
    pub source: String,
}

/// One kind of temporary access to a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TemporaryEntry {
    /// The kind's name and title; null for the category's default kind (the one a grant that
    /// names no kind is of).
    pub kind: Option<Entry>,
    /// The actions a temporary grant may cover.
    pub actions: Vec<ActionId>,
    /// The longest a grant lasts; longer grants are capped.
    #[schemars(with = "PeriodDef")]
    pub max: Period,
    /// Who may hold one (everyone when absent). The `temporary_grant` atom implies it.
    #[schemars(with = "Option<ConditionDef>")]
    pub to: Option<Condition>,
    /// Who may approve one: any of these.
    pub approved_by: Vec<ApproverEntry>,
    /// How many times a grant of the kind may be renewed.
    pub renewable: u32,
    /// How long before a grant ends its holder is told, if the policy says.
    #[schemars(with = "Option<PeriodDef>")]
    pub notify: Option<Period>,
    /// What the holder must do.
    pub obligations: Vec<ObligationId>,
    /// Where the statement is written.
    pub source: String,
}

impl TemporaryEntry {
    /// The kind's name, `None` for the default kind.
    pub fn kind_name(&self) -> Option<&str> {
        self.kind.as_ref().map(|k| k.name.as_str())
    }
}

/// One `acting` statement: how long a deputy may act for a colleague, and who approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActingEntry {
    /// The longest window; a longer one does not count.
    #[schemars(with = "PeriodDef")]
    pub max: Period,
    /// Who may approve a window: any of these (roles, teams, people and boards; never a
    /// relation to a record).
    pub approved_by: Vec<ApproverEntry>,
    /// Where the statement is written.
    pub source: String,
}

/// Who to contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ContactEntry {
    /// The contact.
    pub who: AtomEntry,
    /// The policy's description, if it gives one.
    pub text: Option<String>,
    /// Where the statement is written.
    pub source: String,
}

/// A contact: one atom with its name resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AtomEntry {
    /// The atom (role, team, person or relation).
    #[schemars(with = "AtomDef")]
    pub atom: Atom,
    /// How explanations describe it: "Service Manager", "the record's named manager".
    pub description: String,
}

/// An approver: who may approve, as a condition on the person approving (roles, teams, people,
/// relations to the record; a board's members in the board's place), with its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApproverEntry {
    /// Who qualifies.
    #[schemars(with = "ConditionDef")]
    pub condition: Condition,
    /// How explanations describe it: "Service Manager and the restriction's named owner", "the
    /// Joint Framework Board".
    pub description: String,
}

/// Approvers in order, resolved to names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChainEntry {
    /// The steps; each step's alternatives are interchangeable.
    pub steps: Vec<Vec<ApproverEntry>>,
    /// The named escalation path it came from, if any: its name and title.
    pub via: Option<Entry>,
    /// Where the chain (or the `via` name) is written.
    pub source: String,
}

/// Who approves one purpose for a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApprovalEntry {
    /// What is approved.
    #[schemars(with = "PurposeDef")]
    pub purpose: Purpose,
    /// Who approves, in order.
    pub chain: ChainEntry,
    /// Whether this is the policy-wide default rather than the category's own setting.
    pub inherited: bool,
    /// How long an approval counts after it is given; left out: until the action is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<PeriodDef>")]
    pub valid_for: Option<Period>,
}

/// A purpose whose approver the source does not name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnstatedApprovalEntry {
    /// What would be approved.
    #[schemars(with = "PurposeDef")]
    pub purpose: Purpose,
    /// Why no approver is given, in the policy's words.
    pub reason: String,
    /// Whether this is the policy-wide statement rather than the category's own.
    pub inherited: bool,
    /// Where it is written.
    pub source: String,
}

impl DecisionTable {
    /// The title of the action with this name, if the policy declares it.
    pub fn action_title(&self, name: &str) -> Option<&str> {
        self.vocabulary
            .actions
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.title.as_str())
    }

    /// The category with this name (not the unrestricted block).
    pub fn category(&self, name: &str) -> Option<&CategoryTable> {
        self.categories.iter().find(|c| c.name == name)
    }
}

impl CategoryTable {
    /// Whether this is a restriction category rather than the unrestricted block.
    pub fn is_restriction(&self) -> bool {
        self.kind == CategoryKind::Restriction
    }

    /// The approval for a purpose, if the category or the policy gives one.
    pub fn approval(&self, purpose: Purpose) -> Option<&ApprovalEntry> {
        self.approvals.iter().find(|a| a.purpose == purpose)
    }

    /// The kinds of temporary access that cover an action, in source order.
    pub fn temporary_for(&self, action: ActionId) -> impl Iterator<Item = &TemporaryEntry> {
        self.temporary
            .iter()
            .filter(move |t| t.actions.contains(&action))
    }

    /// The kind of temporary access of this name (`None`: the default kind).
    pub fn temporary_kind(&self, kind: Option<&str>) -> Option<&TemporaryEntry> {
        self.temporary.iter().find(|t| t.kind_name() == kind)
    }
}

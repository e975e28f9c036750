//! The checked policy: every name resolved to an index, every setting validated, every group
//! inlined. This is what the compiler, the analyser and the reference interpreter read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::span::Span;

/// Index into [`Policy::actions`].
pub type ActionId = u32;
/// Index into [`Policy::roles`].
pub type RoleId = u32;
/// Index into [`Policy::teams`].
pub type TeamId = u32;
/// Index into [`Policy::persons`].
pub type PersonId = u32;
/// Index into [`Policy::organisations`].
pub type OrgId = u32;
/// Index into [`Policy::obligations`].
pub type ObligationId = u32;
/// Index into [`Policy::escalations`].
pub type EscalationId = u32;

/// The most actions a policy may declare: an [`ActionSet`] is one machine word.
pub const MAX_ACTIONS: usize = 64;

/// A resolved, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy's identifier, from its header.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its version, if given.
    pub version: Option<u32>,
    /// The source documents it encodes (`source`).
    pub sources: Vec<String>,
    /// The case-record systems it governs (`systems`).
    pub systems: Vec<String>,
    /// When the source was last updated (`updated`).
    pub updated: Option<NaiveDate>,
    /// The header's span.
    pub span: Span,
    /// Declared actions.
    pub actions: Vec<Named>,
    /// Declared roles, with their hierarchy.
    pub roles: Vec<Member>,
    /// Declared teams, with their hierarchy.
    pub teams: Vec<Member>,
    /// Declared placeholder people.
    pub persons: Vec<Person>,
    /// Declared organisations.
    pub organisations: Vec<Organisation>,
    /// Declared groups, for display (rules carry their conditions inlined).
    pub groups: Vec<Group>,
    /// Declared obligations.
    pub obligations: Vec<Obligation>,
    /// Declared escalation paths.
    pub escalations: Vec<Escalation>,
    /// Policy-wide default approvals, used by categories that do not give their own.
    pub approvals: Vec<Approval>,
    /// What applies to a record with no restriction, if the policy says.
    pub unrestricted: Option<Category>,
    /// The restriction categories, in source order.
    pub categories: Vec<Category>,
    /// The retention schedule.
    pub retention: Vec<Retention>,
    /// Test blocks, validated by the test runner.
    pub tests: Vec<crate::syntax::ast::TestBlock>,
}

/// A declared name with its title.
#[derive(Debug, Clone)]
pub struct Named {
    /// The name.
    pub name: String,
    /// The title, or the name when none was given.
    pub title: String,
    /// Where it was declared.
    pub span: Span,
}

/// A role or team: a name in a tree.
#[derive(Debug, Clone)]
pub struct Member {
    /// Name, title and span.
    pub named: Named,
    /// The direct parent; the checker refuses parents that loop (CL0107).
    pub parent: Option<u32>,
}

/// A placeholder person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Name, title and span.
    pub named: Named,
    /// The subject id a request uses for this person (`id "..."`, else the name).
    pub subject_id: String,
}

/// The kind of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    /// The council itself.
    Internal,
    /// A partner agency (police, health, schools).
    Partner,
    /// Anyone else outside the council.
    External,
}

impl OrgKind {
    /// Every kind.
    pub const ALL: [OrgKind; 3] = [OrgKind::Internal, OrgKind::Partner, OrgKind::External];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            OrgKind::Internal => "internal",
            OrgKind::Partner => "partner",
            OrgKind::External => "external",
        }
    }
}

/// A declared organisation.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// Name, title and span.
    pub named: Named,
    /// Its kind.
    pub kind: OrgKind,
}

/// A declared group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name, title and span.
    pub named: Named,
    /// Its members, inlined.
    pub condition: Condition,
}

/// A declared obligation.
#[derive(Debug, Clone)]
pub struct Obligation {
    /// The obligation's name.
    pub name: String,
    /// What must be done.
    pub text: String,
    /// Where it was declared.
    pub span: Span,
}

/// A declared escalation path.
#[derive(Debug, Clone)]
pub struct Escalation {
    /// Name, title and span.
    pub named: Named,
    /// The approvers in order.
    pub chain: Chain,
}

/// A built-in relation between a subject and a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
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
}

impl Relation {
    /// Every relation.
    pub const ALL: [Relation; 8] = [
        Relation::AllocatedWorker,
        Relation::AllocatedManager,
        Relation::Owner,
        Relation::NamedAllow,
        Relation::NamedDeny,
        Relation::TemporaryGrant,
        Relation::RecordTeam,
        Relation::LineManager,
    ];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Relation::AllocatedWorker => "allocated_worker",
            Relation::AllocatedManager => "allocated_manager",
            Relation::Owner => "owner",
            Relation::NamedAllow => "named_allow",
            Relation::NamedDeny => "named_deny",
            Relation::TemporaryGrant => "temporary_grant",
            Relation::RecordTeam => "record_team",
            Relation::LineManager => "line_manager",
        }
    }

    /// Plain English for explanations: "an allocated worker of the record".
    pub fn describe(self) -> &'static str {
        match self {
            Relation::AllocatedWorker => "an allocated worker of the record",
            Relation::AllocatedManager => "the manager of an allocated worker",
            Relation::Owner => "the record's named manager",
            Relation::NamedAllow => "named on the record's access list",
            Relation::NamedDeny => "named on the record's exclusion list",
            Relation::TemporaryGrant => "the holder of a valid temporary grant",
            Relation::RecordTeam => "in a team responsible for the record",
            Relation::LineManager => "your line manager",
        }
    }

    /// The relation a word names, if any.
    pub fn from_word(w: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.word() == w)
    }
}

/// One fact about a subject and a record that a rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Atom {
    /// The subject holds this role or one below it.
    Role(RoleId),
    /// The subject is in this team or one below it.
    Team(TeamId),
    /// The subject is this placeholder person.
    Person(PersonId),
    /// The subject belongs to this organisation.
    Organisation(OrgId),
    /// The subject's organisation is of this kind.
    OrgKind(OrgKind),
    /// The subject stands in this relation to the record.
    Relation(Relation),
}

/// An atom or its negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Literal {
    /// The atom.
    pub atom: Atom,
    /// Whether `not` applies.
    pub negated: bool,
}

/// The years a request's times and dates may fall in (an input error outside them), and so the
/// years every period of a policy must be countable from.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The largest condition a subject list may expand to, as [`Condition::size`]: far beyond any
/// real policy (the bundled ones stay under a hundred), and small enough that every later stage
/// (the compiled table, the analyser's diagrams, the evaluator's cubes) stays quick. Groups
/// joined by `and` multiply their members, so a few lines could otherwise ask for more terms
/// than memory holds.
pub const MAX_CONDITION_SIZE: usize = 65_536;

/// A condition on subjects in disjunctive normal form: any term, all literals of a term.
///
/// No terms is "nobody"; a term with no literals is "everyone".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Condition {
    /// The alternatives.
    pub terms: Vec<Vec<Literal>>,
}

impl Condition {
    /// The condition every subject meets.
    pub fn everyone() -> Self {
        Condition {
            terms: vec![Vec::new()],
        }
    }

    /// A condition of one atom.
    pub fn atom(atom: Atom) -> Self {
        Condition {
            terms: vec![vec![Literal {
                atom,
                negated: false,
            }]],
        }
    }

    /// Both conditions (distributes the terms).
    pub fn and(&self, other: &Condition) -> Condition {
        let mut terms = Vec::with_capacity(self.terms.len() * other.terms.len());
        for a in &self.terms {
            for b in &other.terms {
                let mut t = a.clone();
                t.extend(b.iter().copied());
                t.sort();
                t.dedup();
                terms.push(t);
            }
        }
        Condition { terms }
    }

    /// How much the condition holds: its literals plus its terms, the measure
    /// [`MAX_CONDITION_SIZE`] bounds.
    pub fn size(&self) -> usize {
        self.terms.iter().map(|t| t.len() + 1).sum()
    }

    /// Both conditions, or `None` when the result would be larger than `limit` (measured as
    /// [`Condition::size`]). The product is computed only once its size is known to fit, so a
    /// subject list that multiplies groups out (`g and g and g`) is refused before it fills
    /// memory. Each term of `other` is appended as written: call [`Condition::normalise`] once
    /// the whole conjunction is built, rather than sorting after every literal.
    pub fn and_within(mut self, other: &Condition, limit: usize) -> Option<Condition> {
        let literals = |c: &Condition| c.terms.iter().map(Vec::len).sum::<usize>();
        let terms = self.terms.len().checked_mul(other.terms.len())?;
        let size = terms
            .checked_add(other.terms.len().checked_mul(literals(&self))?)?
            .checked_add(self.terms.len().checked_mul(literals(other))?)?;
        if size > limit {
            return None;
        }
        if let [only] = other.terms.as_slice() {
            // One term on the right: extend in place, no copies.
            for t in &mut self.terms {
                t.extend_from_slice(only);
            }
            return Some(self);
        }
        let mut out = Vec::with_capacity(terms);
        for a in &self.terms {
            for b in &other.terms {
                let mut t = Vec::with_capacity(a.len() + b.len());
                t.extend_from_slice(a);
                t.extend_from_slice(b);
                out.push(t);
            }
        }
        Some(Condition { terms: out })
    }

    /// Each term sorted, without repeated literals.
    pub fn normalise(&mut self) {
        for t in &mut self.terms {
            t.sort();
            t.dedup();
        }
    }

    /// Either condition.
    pub fn or(&self, other: &Condition) -> Condition {
        let mut terms = self.terms.clone();
        terms.extend(other.terms.iter().cloned());
        Condition { terms }
    }
}

/// A set of actions as a bitmask over [`Policy::actions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ActionSet(pub u64);

impl ActionSet {
    /// Whether the set holds an action.
    pub fn contains(self, a: ActionId) -> bool {
        a < 64 && self.0 & (1 << a) != 0
    }

    /// Adds an action.
    pub fn insert(&mut self, a: ActionId) {
        if a < 64 {
            self.0 |= 1 << a;
        }
    }

    /// The actions in order.
    pub fn iter(self) -> impl Iterator<Item = ActionId> {
        (0..64u32).filter(move |a| self.contains(*a))
    }
}

/// Whether a rule grants or denies, and how strongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Allows the actions.
    Grant,
    /// Refuses the actions; a valid temporary grant overrides it.
    Deny,
    /// Refuses the actions under any circumstances, even temporarily.
    AbsoluteDeny,
}

/// A grant or deny statement of a category.
#[derive(Debug, Clone)]
pub struct Rule {
    /// A stable id: `CATEGORY.grant.N` or `CATEGORY.deny.N`, numbered in source order.
    pub id: String,
    /// Grant, deny or absolute deny.
    pub effect: Effect,
    /// The actions it covers.
    pub actions: ActionSet,
    /// Who it applies to.
    pub condition: Condition,
    /// The subjects in the policy's own words, for explanations ("Adoption access list").
    pub subjects_text: String,
    /// What the holder must do (grants).
    pub obligations: Vec<ObligationId>,
    /// What a person it denies sees, overriding the category's `denied_view` (denies).
    pub shows: Option<View>,
    /// The statement's span.
    pub span: Span,
}

/// Restriction type (Devon's two kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionType {
    /// Everyone is refused except those granted.
    Universal,
    /// Normal access, except the people excluded.
    Exclude,
}

/// How much of a record a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
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

impl View {
    /// The word used in the language and in decisions (`notice_with_contact` is `notice` there).
    pub fn word(self) -> &'static str {
        match self {
            View::None => "none",
            View::Notice => "notice",
            View::NoticeWithContact => "notice_with_contact",
            View::Minimal => "minimal",
            View::Full => "full",
        }
    }
}

/// A calendar period: `24 hours`, `90 days`, `6 months`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: PeriodUnit,
}

/// The unit of a [`Period`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Working days (Monday to Friday).
    WorkingDays,
    /// Weeks.
    Weeks,
    /// Calendar months (6 months after 31 August is the end of February).
    Months,
    /// Calendar years.
    Years,
}

/// When a restriction must be reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every period, from placement or the last review.
    Every(Period),
    /// Never, deliberately (the reason, if given).
    Never(Option<String>),
    /// Not before an event, such as a serious case review's outcome.
    Until(String),
}

/// A category's review.
#[derive(Debug, Clone)]
pub struct Review {
    /// When.
    pub schedule: Schedule,
    /// Who reviews.
    pub reviewer: Option<Chain>,
    /// The statement's span.
    pub span: Span,
}

/// An approver: one alternative in an approval step.
pub type Approver = Atom;

/// Approvers in order; each step's alternatives are interchangeable.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The steps.
    pub steps: Vec<Vec<Approver>>,
    /// The named path this came from (`via`), if any.
    pub via: Option<EscalationId>,
    /// Where the chain was written.
    pub span: Span,
}

/// What an approval is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Placing a restriction.
    Place,
    /// Amending one.
    Amend,
    /// Lifting one.
    Lift,
    /// Granting someone access to a restricted record.
    Access,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 4] = [
        Purpose::Place,
        Purpose::Amend,
        Purpose::Lift,
        Purpose::Access,
    ];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Purpose::Place => "place",
            Purpose::Amend => "amend",
            Purpose::Lift => "lift",
            Purpose::Access => "access",
        }
    }
}

/// Who approves one purpose.
#[derive(Debug, Clone)]
pub struct Approval {
    /// What is approved.
    pub purpose: Purpose,
    /// Who approves, in order.
    pub chain: Chain,
    /// The statement's span.
    pub span: Span,
}

/// Temporary (short-term) access to a category.
#[derive(Debug, Clone)]
pub struct TemporaryAccess {
    /// What a temporary grant allows.
    pub actions: ActionSet,
    /// The longest a grant may last; longer grants are capped.
    pub max: Period,
    /// Who may hold one (everyone when absent).
    pub to: Option<Condition>,
    /// Who may approve one: relations or people the evaluator can check.
    pub approved_by: Vec<Approver>,
    /// What the holder must do.
    pub obligations: Vec<ObligationId>,
    /// The statement's span.
    pub span: Span,
}

/// Who a refused person should contact.
#[derive(Debug, Clone)]
pub struct Contact {
    /// The contact.
    pub who: Atom,
    /// How to describe them, if the policy says.
    pub text: Option<String>,
    /// The statement's span.
    pub span: Span,
}

/// A restriction category (or the `unrestricted` block).
#[derive(Debug, Clone)]
pub struct Category {
    /// The category's name (`unrestricted` for the unrestricted block).
    pub name: String,
    /// Its title.
    pub title: String,
    /// The qualifying criteria in the document's words.
    pub criteria: Vec<String>,
    /// Universal or exclude.
    pub restriction: RestrictionType,
    /// Grants and denies, in source order.
    pub rules: Vec<Rule>,
    /// What a refused person sees.
    pub denied_view: View,
    /// Whether explanations to a refused person must not name the category.
    pub conceal_category: bool,
    /// Whether explanations to a refused person must not name the contact.
    pub conceal_contact: bool,
    /// The review schedule.
    pub review: Option<Review>,
    /// Temporary access, if allowed.
    pub temporary: Option<TemporaryAccess>,
    /// Who a refused person should contact.
    pub contact: Option<Contact>,
    /// Approvals given in the category (policy-wide defaults apply for the rest).
    pub approvals: Vec<Approval>,
    /// The category's span.
    pub span: Span,
}

/// When a retained file's clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The subject's date of birth.
    DateOfBirth,
    /// The subject's date of death.
    DateOfDeath,
    /// The date the file was closed.
    Closure,
    /// The end of the financial year (31 March) after the file's date.
    EndOfFinancialYear,
    /// The date of notification.
    Notification,
    /// The date an approval (such as fostering approval) ended.
    ApprovalEnd,
    /// The date of the adoption order.
    AdoptionOrder,
}

impl Anchor {
    /// Every anchor.
    pub const ALL: [Anchor; 7] = [
        Anchor::DateOfBirth,
        Anchor::DateOfDeath,
        Anchor::Closure,
        Anchor::EndOfFinancialYear,
        Anchor::Notification,
        Anchor::ApprovalEnd,
        Anchor::AdoptionOrder,
    ];

    /// The word used in the language and in registers.
    pub fn word(self) -> &'static str {
        match self {
            Anchor::DateOfBirth => "date_of_birth",
            Anchor::DateOfDeath => "date_of_death",
            Anchor::Closure => "closure",
            Anchor::EndOfFinancialYear => "end_of_financial_year",
            Anchor::Notification => "notification",
            Anchor::ApprovalEnd => "approval_end",
            Anchor::AdoptionOrder => "adoption_order",
        }
    }
}

/// What happens to a file when its retention ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// Destroy the file.
    Destroy,
    /// Review the file.
    Review,
    /// Transfer or merge it into another file.
    Transfer,
}

impl Disposal {
    /// Every disposal action.
    pub const ALL: [Disposal; 3] = [Disposal::Destroy, Disposal::Review, Disposal::Transfer];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Disposal::Destroy => "destroy",
            Disposal::Review => "review",
            Disposal::Transfer => "transfer",
        }
    }
}

/// How long a file is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// For a period after an anchor date.
    For(Period, Anchor),
    /// Forever.
    Permanently,
}

/// One file type of the retention schedule.
#[derive(Debug, Clone)]
pub struct Retention {
    /// The file type's name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Notes in the document's words.
    pub criteria: Vec<String>,
    /// How long to keep it.
    pub keep: Keep,
    /// What happens then, with the document's words.
    pub then: Option<(Disposal, Option<String>)>,
    /// Exceptions: a condition flag, what happens instead, the document's words.
    pub unless: Vec<(String, Disposal, Option<String>)>,
    /// The block's span.
    pub span: Span,
}

impl Policy {
    /// The category with this name (not the unrestricted block).
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The approval for a purpose in a category, falling back to the policy-wide default.
    pub fn approval<'a>(
        &'a self,
        category: &'a Category,
        purpose: Purpose,
    ) -> Option<&'a Approval> {
        category
            .approvals
            .iter()
            .find(|a| a.purpose == purpose)
            .or_else(|| self.approvals.iter().find(|a| a.purpose == purpose))
    }

    /// An atom in the policy's own words: "team Emergency Duty Team".
    pub fn describe_atom(&self, atom: Atom) -> String {
        match atom {
            Atom::Role(r) => self
                .roles
                .get(r as usize)
                .map_or("?".into(), |m| m.named.title.clone()),
            Atom::Team(t) => self
                .teams
                .get(t as usize)
                .map_or("?".into(), |m| m.named.title.clone()),
            Atom::Person(p) => self
                .persons
                .get(p as usize)
                .map_or("?".into(), |m| m.named.title.clone()),
            Atom::Organisation(o) => self
                .organisations
                .get(o as usize)
                .map_or("?".into(), |m| m.named.title.clone()),
            Atom::OrgKind(k) => format!("{} organisations", k.word()),
            Atom::Relation(r) => r.describe().to_string(),
        }
    }
}

impl Period {
    /// The date this period after `date`, in calendar terms: months and years keep the day of
    /// the month where it exists and clamp to the month's last day where it does not (six
    /// months after 31 August is 28 or 29 February); working days skip Saturdays and Sundays;
    /// hours count as the days they reach into. `None` only when the result is beyond the
    /// calendar chrono supports.
    pub fn after(&self, date: NaiveDate) -> Option<NaiveDate> {
        use chrono::{Days, Months};
        let n = self.amount;
        match self.unit {
            PeriodUnit::Hours => date.checked_add_days(Days::new(u64::from(n.div_ceil(24)))),
            PeriodUnit::Days => date.checked_add_days(Days::new(u64::from(n))),
            PeriodUnit::Weeks => date.checked_add_days(Days::new(u64::from(n) * 7)),
            PeriodUnit::Months => date.checked_add_months(Months::new(n)),
            PeriodUnit::Years => date.checked_add_months(Months::new(n.checked_mul(12)?)),
            PeriodUnit::WorkingDays => working_days_after(date, n),
        }
    }

    /// The instant this period after `t`: hours exactly, every other unit as [`Period::after`]
    /// on the date with the time of day kept (a grant made at 09:00 for 2 working days ends at
    /// 09:00).
    pub fn after_instant(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.unit {
            PeriodUnit::Hours => {
                t.checked_add_signed(chrono::TimeDelta::try_hours(i64::from(self.amount))?)
            }
            _ => Some(self.after(t.date_naive())?.and_time(t.time()).and_utc()),
        }
    }

    /// The period as plain English: "90 days", "1 month", "24 hours".
    pub fn describe(&self) -> String {
        let unit = match self.unit {
            PeriodUnit::Hours => "hour",
            PeriodUnit::Days => "day",
            PeriodUnit::WorkingDays => "working day",
            PeriodUnit::Weeks => "week",
            PeriodUnit::Months => "month",
            PeriodUnit::Years => "year",
        };
        let s = if self.amount == 1 { "" } else { "s" };
        format!("{} {unit}{s}", self.amount)
    }
}

/// `n` working days after `date`: day by day to the first Friday, whole weeks at once from
/// there (a Friday plus seven days is a Friday, five working days on), then day by day again.
/// Starting from a weekend counts the following Monday as the first working day.
fn working_days_after(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    use chrono::{Datelike, Days, Weekday};
    let step = |mut d: NaiveDate, left: &mut u32| -> Option<NaiveDate> {
        d = d.succ_opt()?;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            *left -= 1;
        }
        Some(d)
    };
    let mut d = date;
    let mut left = n;
    while left > 0 && d.weekday() != Weekday::Fri {
        d = step(d, &mut left)?;
    }
    d = d.checked_add_days(Days::new(u64::from(left / 5) * 7))?;
    left %= 5;
    while left > 0 {
        d = step(d, &mut left)?;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn calendar_months_clamp_to_the_end_of_february() {
        let six = Period {
            amount: 6,
            unit: PeriodUnit::Months,
        };
        assert_eq!(six.after(d("2027-08-31")), Some(d("2028-02-29")));
        assert_eq!(six.after(d("2026-08-31")), Some(d("2027-02-28")));
        let year = Period {
            amount: 1,
            unit: PeriodUnit::Years,
        };
        assert_eq!(year.after(d("2028-02-29")), Some(d("2029-02-28")));
    }

    #[test]
    fn working_days_skip_weekends() {
        let five = Period {
            amount: 5,
            unit: PeriodUnit::WorkingDays,
        };
        // Friday 2026-11-20 + 5 working days = Friday 2026-11-27.
        assert_eq!(five.after(d("2026-11-20")), Some(d("2026-11-27")));
        // Saturday + 5 working days = the next Friday; + 1 working day = Monday.
        assert_eq!(five.after(d("2026-11-21")), Some(d("2026-11-27")));
        let one = Period {
            amount: 1,
            unit: PeriodUnit::WorkingDays,
        };
        assert_eq!(one.after(d("2026-11-21")), Some(d("2026-11-23")));
        assert_eq!(one.after(d("2026-11-20")), Some(d("2026-11-23")));
    }

    #[test]
    fn working_days_agree_with_counting_day_by_day() {
        use chrono::{Datelike, Weekday};
        let start = d("2026-11-16");
        for offset in 0..14u64 {
            let from = start + chrono::Days::new(offset);
            for amount in 0..40 {
                let mut day = from;
                let mut left = amount;
                while left > 0 {
                    day = day.succ_opt().unwrap_or(day);
                    if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                        left -= 1;
                    }
                }
                let p = Period {
                    amount,
                    unit: PeriodUnit::WorkingDays,
                };
                assert_eq!(p.after(from), Some(day), "{from} + {amount} working days");
            }
        }
    }

    #[test]
    fn huge_working_day_counts_end_quickly() {
        let p = Period {
            amount: u32::MAX,
            unit: PeriodUnit::WorkingDays,
        };
        assert_eq!(p.after(d("2026-11-20")), None);
    }

    #[test]
    fn instants_keep_the_time_of_day() {
        let t = DateTime::parse_from_rfc3339("2026-08-31T09:30:00Z")
            .map(|t| t.to_utc())
            .unwrap_or_default();
        let p = |amount, unit| Period { amount, unit };
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.to_utc())
                .unwrap_or_default()
        };
        assert_eq!(
            p(30, PeriodUnit::Hours).after_instant(t),
            Some(at("2026-09-01T15:30:00Z"))
        );
        assert_eq!(
            p(6, PeriodUnit::Months).after_instant(t),
            Some(at("2027-02-28T09:30:00Z"))
        );
        assert_eq!(
            p(1, PeriodUnit::WorkingDays).after_instant(t),
            Some(at("2026-09-01T09:30:00Z"))
        );
    }
}

//! A checked `test` block: every field validated by the checker (CL0114, CL0301, CL0002) and
//! every name it gives known to the policy (CL0304, unless the test expects the request to fail
//! closed), so the test runner only turns it into a request and compares the decision.
//!
//! Names stay names here, not indices: a request carries names, and a test that expects a
//! fail-closed refusal names what the policy does not declare on purpose.

use chrono::{DateTime, NaiveDate, Utc};

use super::{ChangeRefusal, DenyKind, FailClosed, Outcome, Period, Shown, WarningCode};
use crate::span::Span;

/// A name or word a test gives, with where it gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestName {
    /// The name as written.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// One test, checked.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test's name.
    pub name: String,
    /// Where its name is written.
    pub name_span: Span,
    /// The whole `test` block.
    pub span: Span,
    /// Who asks.
    pub subject: TestSubject,
    /// The record asked about.
    pub record: TestRecord,
    /// The action asked for.
    pub action: TestName,
    /// When.
    pub at: DateTime<Utc>,
    /// The temporary grants the subject holds, in the order written.
    pub temporary_grants: Vec<TestGrant>,
    /// The request's context (`context network ncc`), in the order written.
    pub context: Vec<TestContext>,
    /// The colleague the subject acts for (`acting_for`), if any.
    pub acting_for: Option<TestActing>,
    /// For a lifecycle action: what it changes (`change category adoption`).
    pub change: Option<TestChange>,
    /// The approvals given so far (`approval step 1 by "u-3" approved_at TIME`), in the order
    /// written.
    pub approvals: Vec<TestApproval>,
    /// What the decision must be.
    pub expect: Expectation,
}

/// One value of a test's `context`.
#[derive(Debug, Clone)]
pub struct TestContext {
    /// The context's name.
    pub context: TestName,
    /// Its value.
    pub value: TestName,
}

/// The `subject` of a test.
#[derive(Debug, Clone)]
pub struct TestSubject {
    /// The subject id (a valid id).
    pub id: String,
    /// `roles`.
    pub roles: Vec<TestName>,
    /// `teams`.
    pub teams: Vec<TestName>,
    /// `organisation`.
    pub organisation: TestName,
}

/// The `record` of a test.
#[derive(Debug, Clone)]
pub struct TestRecord {
    /// The record id (a valid id).
    pub id: String,
    /// The section of the record asked for (`section`).
    pub section: Option<TestName>,
    /// The teams that hold the record.
    pub teams: Vec<TestName>,
    /// The restrictions on it, in the order written (the record's `category` first); none
    /// tests an unrestricted record.
    pub restrictions: Vec<TestRestriction>,
    /// The allocated workers' ids.
    pub allocated_workers: Vec<String>,
    /// The allocated managers' ids.
    pub allocated_managers: Vec<String>,
    /// The id of the person the record is about (`record_subject`).
    pub subject: Option<String>,
    /// The ids of their relatives (`relatives`).
    pub relatives: Vec<String>,
    /// The flags it carries (`flags`).
    pub flags: Vec<TestName>,
    /// When every one of its flags was last reviewed (`flags_last_reviewed`).
    pub flags_last_reviewed: Option<NaiveDate>,
    /// The ids of the entry's authors (`authors`).
    pub authors: Vec<String>,
    /// The facts the record's data states (`facts`).
    pub facts: Vec<TestName>,
    /// The records linked to it (`linked_record` statements), in the order first written.
    pub links: Vec<TestLink>,
}

/// A record linked to a test's record: its id, the kind of link, and the restrictions it
/// carries (one for each `linked_record` statement naming this record and link).
#[derive(Debug, Clone)]
pub struct TestLink {
    /// The linked record's id (a valid id).
    pub record: String,
    /// The kind of link (`link`).
    pub link: TestName,
    /// Its restrictions.
    pub restrictions: Vec<TestRestriction>,
}

/// A test record's restriction: its category and the facts it carries.
#[derive(Debug, Clone)]
pub struct TestRestriction {
    /// The category.
    pub category: TestName,
    /// When it was placed.
    pub placed_on: Option<NaiveDate>,
    /// When it was last reviewed.
    pub last_reviewed: Option<NaiveDate>,
    /// When it must be reviewed by.
    pub review_by: Option<NaiveDate>,
    /// The day it ends, as set on the record (`ends`).
    pub ends: Option<NaiveDate>,
    /// How many times it has been renewed (`renewals`).
    pub renewals: u32,
    /// The owner's id.
    pub owner: Option<String>,
    /// The access list.
    pub named_allow: Vec<TestListEntry>,
    /// The exclusion list.
    pub named_deny: Vec<TestListEntry>,
}

/// An entry of a test record's access or exclusion list: a string is a person's id, a name a
/// team.
#[derive(Debug, Clone)]
pub enum TestListEntry {
    /// A person, by id.
    Person(String),
    /// A team, by name.
    Team(TestName),
}

/// A `temporary_grant` the subject of a test holds.
#[derive(Debug, Clone)]
pub struct TestGrant {
    /// Who holds it: `holder`, else the test's subject.
    pub holder: String,
    /// The actions it covers; `None` covers every action the category offers.
    pub actions: Option<Vec<TestName>>,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
    /// For how long.
    pub duration: Period,
    /// Who approved it.
    pub approved_by: String,
    /// The kind of temporary access; `None` for the default kind.
    pub kind: Option<TestName>,
    /// How many times it has been renewed.
    pub renewals: u32,
    /// The roles the approver held (`approver_roles`); with `approver_teams`, the request
    /// states the approver as an object rather than an id.
    pub approver_roles: Vec<TestName>,
    /// The teams the approver was in (`approver_teams`).
    pub approver_teams: Vec<TestName>,
    /// The statement.
    pub span: Span,
}

/// The colleague a test's subject acts for (`acting_for "ID" ...`).
#[derive(Debug, Clone)]
pub struct TestActing {
    /// The colleague, as a test's `subject` gives a subject.
    pub subject: TestSubject,
    /// Who approved the window.
    pub approved_by: String,
    /// The roles the approver held (`approver_roles`); with `approver_teams`, the request
    /// states the approver as an object rather than an id.
    pub approver_roles: Vec<TestName>,
    /// The teams the approver was in (`approver_teams`).
    pub approver_teams: Vec<TestName>,
    /// When the window starts.
    pub from: DateTime<Utc>,
    /// When it ends.
    pub until: DateTime<Utc>,
}

/// A test's `change`: what its lifecycle action changes.
#[derive(Debug, Clone)]
pub struct TestChange {
    /// `category`.
    pub category: Option<TestName>,
    /// `kind` (of temporary access).
    pub kind: Option<TestName>,
    /// `flag`.
    pub flag: Option<TestName>,
    /// `renewals` so far.
    pub renewals: u32,
    /// The requester's line manager's id (`line_manager`).
    pub line_manager: Option<String>,
}

/// One `approval` a test's lifecycle action carries.
#[derive(Debug, Clone)]
pub struct TestApproval {
    /// The chain's step, from 1.
    pub step: u32,
    /// The approver's id.
    pub by: String,
    /// The roles they held (`roles`); with `teams`, the approver is stated as an object.
    pub roles: Vec<TestName>,
    /// The teams they were in (`teams`).
    pub teams: Vec<TestName>,
    /// When they approved.
    pub at: DateTime<Utc>,
}

/// What a test expects; a field left out is not compared.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// Allow or deny.
    pub outcome: Outcome,
    /// `full`, `minimal`, `notice` or `none`.
    pub view: Option<Shown>,
    /// The deciding rule's id, with where the test names it (checked against the compiled
    /// table by the runner, which alone knows every row's id).
    pub rule: Option<TestName>,
    /// For a deny: forbidden or not permitted.
    pub kind: Option<DenyKind>,
    /// Exactly these obligations (by name, `access_expires` included), in any order;
    /// `obligations none` expects none.
    pub obligations: Option<Vec<TestName>>,
    /// Exactly these warning codes, in any order; `warnings none` expects none.
    pub warnings: Option<Vec<WarningCode>>,
    /// The fail-closed refusal the test expects (`fails_closed unknown_role`); without it, a
    /// request refused unchecked fails the test, so a misspelt name cannot make `expect deny`
    /// pass.
    pub fails_closed: Option<FailClosed>,
    /// For a lifecycle action refused: why (`refused self_approval`).
    pub refused: Option<ChangeRefusal>,
    /// For a lifecycle action: how many steps of its chain the approvals satisfy
    /// (`approved_steps 1`).
    pub approved_steps: Option<u32>,
    /// Fragments the caseworker explanation must contain.
    pub explains: Vec<String>,
    /// Fragments the caseworker response (explanation, reasons, next steps) must not contain.
    pub conceals: Vec<String>,
    /// The `expect` statement.
    pub span: Span,
}

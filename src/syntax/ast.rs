//! The syntax tree: what a policy file says, with a span on every node and nothing resolved.
//!
//! Enumerated words (restriction types, view levels, units, purposes) stay as identifiers here;
//! the checker validates them, so a misspelling gets a "did you mean" rather than a parse error.

use crate::span::Span;

/// A name as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal with its escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    /// The text between the quotes, unescaped.
    pub value: String,
    /// Where it was written, quotes included.
    pub span: Span,
}

/// A whole number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Int {
    /// The value.
    pub value: u32,
    /// Where it was written.
    pub span: Span,
}

/// A calendar date literal, kept as written (`2026-05-01`) and validated by the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateLit {
    /// The text as written.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// A duration such as `24h` or `6 months`; the unit is validated by the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    /// The number.
    pub amount: u32,
    /// The unit as written, if any.
    pub unit: Option<Ident>,
    /// Where it was written.
    pub span: Span,
}

/// A `#` comment, kept so the formatter can put it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The text, `#` included, trailing spaces removed.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// `policy ID "Title" version N`, present in exactly one file of a policy.
    pub header: Option<Header>,
    /// The items in order.
    pub items: Vec<Item>,
    /// The closing `end`, when the file has one (the checker requires it).
    pub end: Option<Span>,
    /// Every comment, in order.
    pub comments: Vec<Comment>,
    /// The whole file.
    pub span: Span,
}

/// The policy header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The policy's identifier.
    pub name: Ident,
    /// Its title.
    pub title: Str,
    /// Its version number.
    pub version: Option<Int>,
    /// The whole header.
    pub span: Span,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `source "doc.txt", ...`
    Source(Vec<Str>, Span),
    /// `systems a, b`
    Systems(Vec<Ident>, Span),
    /// `updated 2023-06-09`
    Updated(DateLit, Span),
    /// `action`, `role`, `team`, `person` or `organisation` declarations.
    Decl(Decl),
    /// `context NAME "Title" = VALUE "title", ...`
    Context(ContextDecl),
    /// `group NAME "Title" = SUBJECTS`
    Group(GroupDecl),
    /// `board NAME "Title" = APPROVER, ...`
    Board(BoardDecl),
    /// `obligation NAME "text"`
    Obligation(ObligationDecl),
    /// `escalation NAME "Title" = CHAIN`
    Escalation(EscalationDecl),
    /// A policy-wide default approval: `approve place by CHAIN`.
    Approve(Approve),
    /// `disclose ...` at the top level: the policy-wide default.
    Disclose(Vec<DiscloseItem>, Span),
    /// `acting for up to DURATION approved_by STEP`: a deputy may act for a colleague.
    Acting(Acting),
    /// `rules NAME "Title" { ... }`: grants and denies several categories share.
    Rules(RulesBlock),
    /// `use NAME, ...` at the top level: the shared rules at the start of every category.
    Use(Vec<Ident>, Span),
    /// `unrestricted { ... }`
    Unrestricted(Block),
    /// `category NAME "Title" { ... }`
    Category(CategoryBlock),
    /// `flag NAME "Title" { ... }`
    Flag(FlagBlock),
    /// `trigger CATEGORY when FACTS ["reason"]`: a record whose facts meet the condition must
    /// carry the category.
    Trigger(Trigger),
    /// `trigger never "reason"`: nothing requires a record to be restricted automatically.
    NoTrigger(Str, Span),
    /// `never restrict [CATEGORY, ...] when FACTS ["reason"]`
    NeverRestrict(NeverRestrict),
    /// `exclusive CATEGORY, CATEGORY, ... ["reason"]`
    Exclusive(Exclusive),
    /// `retention NAME "Title" { ... }`
    Retention(RetentionBlock),
    /// `test "name" { ... }`
    Test(TestBlock),
}

impl Item {
    /// The whole item's span.
    pub fn span(&self) -> Span {
        match self {
            Item::Source(_, s) | Item::Systems(_, s) | Item::Updated(_, s) => *s,
            Item::Decl(d) => d.span,
            Item::Context(c) => c.span,
            Item::Group(g) => g.span,
            Item::Board(b) => b.span,
            Item::Obligation(o) => o.span,
            Item::Escalation(e) => e.span,
            Item::Approve(a) => a.span,
            Item::Acting(a) => a.span,
            Item::Disclose(_, s) | Item::Use(_, s) => *s,
            Item::Rules(r) => r.span,
            Item::Unrestricted(b) => b.span,
            Item::Category(c) => c.span,
            Item::Flag(f) => f.span,
            Item::Trigger(t) => t.span,
            Item::NoTrigger(_, s) => *s,
            Item::NeverRestrict(n) => n.span,
            Item::Exclusive(e) => e.span,
            Item::Retention(r) => r.span,
            Item::Test(t) => t.span,
        }
    }
}

/// Which kind of name a declaration introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclKind {
    /// `action`
    Action,
    /// `section`
    Section,
    /// `fact`
    Fact,
    /// `link`: a kind of link between records.
    Link,
    /// `role`
    Role,
    /// `team`
    Team,
    /// `person`
    Person,
    /// `organisation`
    Organisation,
}

impl DeclKind {
    /// The keyword that introduces the declaration.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Action => "action",
            DeclKind::Section => "section",
            DeclKind::Fact => "fact",
            DeclKind::Link => "link",
            DeclKind::Role => "role",
            DeclKind::Team => "team",
            DeclKind::Person => "person",
            DeclKind::Organisation => "organisation",
        }
    }
}

/// A declaration of one or more names of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// What is declared.
    pub kind: DeclKind,
    /// The names, in order.
    pub entries: Vec<DeclEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// One declared name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclEntry {
    /// The name.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// `in PARENT` (roles and teams).
    pub parent: Option<Ident>,
    /// `id "u-9001"` (people): the subject id that this placeholder stands for.
    pub external_id: Option<Str>,
    /// The organisation kind (`internal`, `partner`, `external`), for organisations.
    pub org_kind: Option<Ident>,
    /// The whole entry.
    pub span: Span,
}

/// `context NAME "Title" = VALUE "title", ...`: a fact about the request that it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextDecl {
    /// The context's name (`network`), as requests and atoms write it.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its values, in order.
    pub values: Vec<ContextValueDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// One value of a context: `ncc "a council network machine"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextValueDecl {
    /// The value's name.
    pub name: Ident,
    /// Its title: how a caseworker reads it after "asking".
    pub title: Option<Str>,
    /// The whole entry.
    pub span: Span,
}

/// `group NAME "Title" = SUBJECTS`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDecl {
    /// The group's name.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its members.
    pub subjects: Subjects,
    /// The whole declaration.
    pub span: Span,
}

/// `board NAME "Title" = APPROVER, ...`: a body that approves as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardDecl {
    /// The board's name.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its members: any of them acts for the board.
    pub members: Vec<Approver>,
    /// The whole declaration.
    pub span: Span,
}

/// `obligation NAME "text"`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationDecl {
    /// The obligation's name.
    pub name: Ident,
    /// What the person must do, in plain English.
    pub text: Str,
    /// The whole declaration.
    pub span: Span,
}

/// `escalation NAME "Title" = CHAIN`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationDecl {
    /// The path's name.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// The approvers in order.
    pub chain: Chain,
    /// The whole declaration.
    pub span: Span,
}

/// Subjects: any term may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    /// The alternatives.
    pub terms: Vec<Term>,
    /// The whole list.
    pub span: Span,
}

/// Literals joined by `and`: all must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The conjuncts.
    pub literals: Vec<Literal>,
    /// The whole term.
    pub span: Span,
}

/// An atom, maybe negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// `not` was written.
    pub negated: bool,
    /// The atom.
    pub atom: Atom,
    /// The whole literal.
    pub span: Span,
}

/// A kind word that may prefix a name in a subject list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// `role`
    Role,
    /// `team`
    Team,
    /// `person`
    Person,
    /// `organisation`
    Organisation,
    /// `group`
    Group,
    /// `board`
    Board,
}

impl NameKind {
    /// The kind word.
    pub fn keyword(self) -> &'static str {
        match self {
            NameKind::Role => "role",
            NameKind::Team => "team",
            NameKind::Person => "person",
            NameKind::Organisation => "organisation",
            NameKind::Group => "group",
            NameKind::Board => "board",
        }
    }
}

/// One thing a subject may be or stand in relation to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A name, maybe with its kind written out; relations and `everyone` are bare names.
    Name {
        /// The kind word, if written.
        kind: Option<NameKind>,
        /// The name.
        name: Ident,
    },
    /// `partner organisations`: every organisation of a kind.
    OrgKind(Ident),
    /// `network ncc`: the request's context has this value.
    Context {
        /// The context's name.
        dimension: Ident,
        /// The value.
        value: Ident,
    },
}

impl Atom {
    /// The identifier inside the atom.
    pub fn ident(&self) -> &Ident {
        match self {
            Atom::Name { name, .. } => name,
            Atom::OrgKind(k) => k,
            Atom::Context { dimension, .. } => dimension,
        }
    }
}

/// Approvers in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The steps, first asked first.
    pub steps: Vec<Step>,
    /// The whole chain.
    pub span: Span,
}

/// One step of a chain: any of the alternatives may act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The alternatives, joined by `or`.
    pub alternatives: Vec<Approver>,
    /// The whole step.
    pub span: Span,
}

/// One approver: atoms joined by `and`, all of which the approver must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    /// The conjuncts.
    pub atoms: Vec<Atom>,
    /// The whole approver.
    pub span: Span,
}

/// `approve PURPOSES by CHAIN` or `approve PURPOSES via ESCALATION`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approve {
    /// What is approved: `place`, `amend`, `lift`, `access`.
    pub purposes: Vec<Ident>,
    /// Who approves.
    pub approvers: Approvers,
    /// How long an approval counts after it is given (`valid for 30 days`).
    pub valid_for: Option<Duration>,
    /// The whole statement.
    pub span: Span,
}

/// `acting for up to DURATION approved_by STEP`: a deputy may act for a colleague, inheriting
/// the colleague's rights, for a window no longer than `max` approved by one of the approvers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// The longest window.
    pub max: Duration,
    /// Who may approve a window.
    pub approved_by: Step,
    /// The whole statement.
    pub span: Span,
}

/// Who approves: a chain written in place, or a named escalation path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approvers {
    /// `by CHAIN`
    Chain(Chain),
    /// `via NAME`
    Via(Ident),
    /// `unstated "why"`: the source names no approver.
    Unstated(Str),
}

/// The body of a category or of `unrestricted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The statements in order.
    pub statements: Vec<Statement>,
    /// The whole block, keyword to closing brace.
    pub span: Span,
}

/// `rules NAME "Title" { ... }`: shared grants and denies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesBlock {
    /// The block's name, as `use` names it.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its grants and denies in order (the grammar allows no other statement).
    pub statements: Vec<Statement>,
    /// The whole block.
    pub span: Span,
}

/// `category NAME "Title" { ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryBlock {
    /// The category's name.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its statements.
    pub body: Block,
    /// The whole category.
    pub span: Span,
}

/// `flag NAME "Title" { ... }`: a flag a record may carry, which restricts nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagBlock {
    /// The flag's name, as a request's `record.flags` names it.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its statements in order.
    pub statements: Vec<FlagStatement>,
    /// The whole block.
    pub span: Span,
}

/// `trigger CATEGORY when FACTS ["reason"]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    /// The category a record must carry.
    pub category: Ident,
    /// When: facts of the record, joined as a rule's subjects are (`,` or, `and`, `not`).
    pub when: Subjects,
    /// Why, in the source's words.
    pub reason: Option<Str>,
    /// The whole statement.
    pub span: Span,
}

/// `never restrict [CATEGORY, ...] when FACTS ["reason"]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverRestrict {
    /// The categories a record may not carry; empty: every category.
    pub categories: Vec<Ident>,
    /// When: facts of the record.
    pub when: Subjects,
    /// Why, in the source's words.
    pub reason: Option<Str>,
    /// The whole statement.
    pub span: Span,
}

/// `exclusive CATEGORY, CATEGORY, ... ["reason"]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusive {
    /// Categories no two of which one record may carry.
    pub categories: Vec<Ident>,
    /// Why, in the source's words.
    pub reason: Option<Str>,
    /// The whole statement.
    pub span: Span,
}

/// A statement inside a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagStatement {
    /// `warns "text"`: the duty of whoever may open a flagged record.
    Warns(Str, Span),
    /// `review ...`: when the flag is reviewed.
    Review(Review),
}

impl FlagStatement {
    /// The whole statement's span.
    pub fn span(&self) -> Span {
        match self {
            FlagStatement::Warns(_, s) => *s,
            FlagStatement::Review(r) => r.span,
        }
    }
}

/// A statement inside a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `criteria "text"`
    Criteria(Str, Span),
    /// `restriction universal|exclude`
    Restriction(Ident, Span),
    /// `grant ACTIONS to SUBJECTS requires OBLIGATIONS`
    Grant(Rule),
    /// `deny ACTIONS to SUBJECTS [absolute] [shows VIEW]`
    Deny(Rule),
    /// `review ...`
    Review(Review),
    /// `denied_view VIEW`
    DeniedView(Ident, Span),
    /// `disclose title, contact, notice "text"`
    Disclose(Vec<DiscloseItem>, Span),
    /// `temporary ACTIONS for DURATION [to SUBJECTS] approved_by STEP [requires ...]`
    Temporary(Box<Temporary>),
    /// `contact ATOM "text"`
    Contact(Atom, Option<Str>, Span),
    /// `approve PURPOSES by CHAIN`
    Approve(Approve),
    /// `use NAME, ...`: shared rules, in this place.
    Use(Vec<Ident>, Span),
    /// `protects SECTION, ...`: the sections the category restricts.
    Protects(Vec<Ident>, Span),
    /// `lasts DURATION [renewable N] [notify DURATION]`: how long a restriction lasts.
    Lasts(Lasts),
    /// `reaches LINK, ...`: the kinds of link across which a restriction also protects.
    Reaches(Vec<Ident>, Span),
}

/// One thing a refused person may be told: `title`, `notice "text"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscloseItem {
    /// What may be told.
    pub word: Ident,
    /// Its text, for the items that carry one.
    pub text: Option<Str>,
    /// The item's span.
    pub span: Span,
}

impl Statement {
    /// The whole statement's span.
    pub fn span(&self) -> Span {
        match self {
            Statement::Criteria(_, s)
            | Statement::Restriction(_, s)
            | Statement::DeniedView(_, s)
            | Statement::Disclose(_, s)
            | Statement::Contact(_, _, s)
            | Statement::Use(_, s)
            | Statement::Protects(_, s)
            | Statement::Reaches(_, s) => *s,
            Statement::Grant(r) | Statement::Deny(r) => r.span,
            Statement::Review(r) => r.span,
            Statement::Temporary(t) => t.span,
            Statement::Approve(a) => a.span,
            Statement::Lasts(l) => l.span,
        }
    }
}

/// A grant or a deny.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The actions (`all` allowed).
    pub actions: Vec<Ident>,
    /// Who the rule applies to.
    pub subjects: Subjects,
    /// `absolute` (denies only).
    pub absolute: bool,
    /// `shows VIEW` (denies only).
    pub shows: Option<Ident>,
    /// `requires OBLIGATIONS` (grants only).
    pub requires: Vec<Ident>,
    /// The whole statement.
    pub span: Span,
}

/// When a restriction is reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The schedule.
    pub schedule: ReviewSchedule,
    /// `every ... until "event"`: the event that ends the restriction, while it is reviewed on
    /// the schedule.
    pub until: Option<Str>,
    /// Who reviews.
    pub reviewer: Option<Chain>,
    /// The whole statement.
    pub span: Span,
}

/// A review schedule as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewSchedule {
    /// `every DURATION`
    Every(Duration),
    /// `never "why"`
    Never(Option<Str>),
    /// `until "event"`
    Until(Str),
    /// `unstated "why"`: the source gives no interval.
    Unstated(Str),
}

/// `temporary [KIND ["Title"]] ACTIONS for DURATION [to SUBJECTS] approved_by STEP
/// [renewable N] [notify DURATION] [requires ...]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Temporary {
    /// The kind's name and title; absent for the category's default kind.
    pub kind: Option<(Ident, Option<Str>)>,
    /// What temporary access allows.
    pub actions: Vec<Ident>,
    /// The longest a grant may last.
    pub max: Duration,
    /// Who may receive one (everyone when absent).
    pub to: Option<Subjects>,
    /// Who may approve one.
    pub approved_by: Step,
    /// How many times a grant may be renewed (`renewable N`).
    pub renewable: Option<Int>,
    /// How long before the end the holder is told (`notify DURATION`).
    pub notify: Option<Duration>,
    /// What the holder must do.
    pub requires: Vec<Ident>,
    /// The whole statement.
    pub span: Span,
}

/// `lasts DURATION [renewable N] [notify DURATION]`: a restriction of the category is placed for
/// at most this long, may be renewed at most N times, and people are told before it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lasts {
    /// The longest a restriction (or each renewal of it) runs.
    pub max: Duration,
    /// How many times it may be renewed (`renewable N`).
    pub renewable: Option<Int>,
    /// How long before the end people are told (`notify DURATION`).
    pub notify: Option<Duration>,
    /// The whole statement.
    pub span: Span,
}

/// `retention NAME "Title" { ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionBlock {
    /// The file type's name.
    pub name: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its statements.
    pub statements: Vec<RetentionStatement>,
    /// The whole block.
    pub span: Span,
}

/// A statement inside a retention block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetentionStatement {
    /// `keep DURATION from ANCHOR or ANCHOR ...`
    Keep(Duration, Vec<Ident>, Span),
    /// `keep permanently`
    KeepPermanently(Span),
    /// `then ACTION "text"`
    Then(Ident, Option<Str>, Span),
    /// `unless CONDITION then ACTION "text"`
    Unless(Ident, Ident, Option<Str>, Span),
    /// `criteria "text"`
    Criteria(Str, Span),
}

impl RetentionStatement {
    /// The whole statement's span.
    pub fn span(&self) -> Span {
        match self {
            RetentionStatement::Keep(_, _, s)
            | RetentionStatement::KeepPermanently(s)
            | RetentionStatement::Then(_, _, s)
            | RetentionStatement::Unless(_, _, _, s)
            | RetentionStatement::Criteria(_, s) => *s,
        }
    }
}

/// `test "name" { ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBlock {
    /// The test's name.
    pub name: Str,
    /// Its statements in order.
    pub statements: Vec<TestStatement>,
    /// The whole block.
    pub span: Span,
}

/// A statement inside a test block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestStatement {
    /// `subject "id" FIELDS`
    Subject(Str, Vec<TestField>, Span),
    /// `record "id" FIELDS`
    Record(Str, Vec<TestField>, Span),
    /// `restriction CATEGORY FIELDS`: one of several restrictions on the record.
    Restriction(Ident, Vec<TestField>, Span),
    /// `linked_record "id" FIELDS`: a record linked to the test's record.
    Linked(Str, Vec<TestField>, Span),
    /// `context DIMENSION VALUE ...`
    Context(Vec<TestField>, Span),
    /// `action NAME`
    Action(Ident, Span),
    /// `at TIMESTAMP`
    At(DateLit, Span),
    /// `temporary_grant FIELDS`
    TemporaryGrant(Vec<TestField>, Span),
    /// `acting_for "id" FIELDS`: the subject acts for this colleague.
    ActingFor(Str, Vec<TestField>, Span),
    /// `change FIELDS`: what a lifecycle action changes.
    Change(Vec<TestField>, Span),
    /// `approval FIELDS`: one approval of a lifecycle action.
    Approval(Vec<TestField>, Span),
    /// `expect allow|deny FIELDS`
    Expect(Ident, Vec<TestField>, Span),
}

impl TestStatement {
    /// The whole statement's span.
    pub fn span(&self) -> Span {
        match self {
            TestStatement::Subject(_, _, s)
            | TestStatement::Record(_, _, s)
            | TestStatement::ActingFor(_, _, s)
            | TestStatement::Restriction(_, _, s)
            | TestStatement::Linked(_, _, s)
            | TestStatement::Action(_, s)
            | TestStatement::At(_, s)
            | TestStatement::TemporaryGrant(_, s)
            | TestStatement::Change(_, s)
            | TestStatement::Approval(_, s)
            | TestStatement::Context(_, s)
            | TestStatement::Expect(_, _, s) => *s,
        }
    }
}

/// `key value, value` inside a test statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestField {
    /// The field name.
    pub key: Ident,
    /// Its values.
    pub values: Vec<TestValue>,
    /// The whole field.
    pub span: Span,
}

/// A value in a test field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestValue {
    /// A string.
    Str(Str),
    /// A name or rule id.
    Name(Ident),
    /// A date.
    Date(DateLit),
    /// A time.
    Timestamp(DateLit),
    /// A duration.
    Duration(Duration),
}

impl TestValue {
    /// Where the value was written.
    pub fn span(&self) -> Span {
        match self {
            TestValue::Str(s) => s.span,
            TestValue::Name(i) => i.span,
            TestValue::Date(d) | TestValue::Timestamp(d) => d.span,
            TestValue::Duration(d) => d.span,
        }
    }
}

//! Restriction categories and what they carry: reviews, approval chains, temporary access and
//! the contact for a refused person.

use serde::{Deserialize, Serialize};

use super::{
    ActionSet, Atom, BoardId, Condition, EscalationId, ObligationId, Period, RestrictionType, Rule,
    View,
};
use crate::span::Span;

/// When a restriction must be reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every period, from placement or the last review.
    Every(Period),
    /// Never, deliberately (the reason, if given).
    Never(Option<String>),
    /// Not before an event, such as a serious case review's outcome.
    Until(String),
    /// The source document gives no interval (why, in the policy's words): a known gap, said
    /// rather than filled with an invented period.
    Unstated(String),
}

/// A category's review.
#[derive(Debug, Clone)]
pub struct Review {
    /// When.
    pub schedule: Schedule,
    /// The event that ends the restriction while it is reviewed every period (`review every 1
    /// month until "the outcome of the review"`).
    pub until: Option<String>,
    /// Who reviews.
    pub reviewer: Option<Chain>,
    /// The statement's span.
    pub span: Span,
}

/// What one part of an approver names: an atom (a role, team, person or relation to the record)
/// or a declared board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApproverPart {
    /// A role, team, person or relation.
    Atom(Atom),
    /// A board: any of its members acts for it.
    Board(BoardId),
}

/// An approver: one alternative in an approval step, the parts written joined by `and`, all of
/// which the person approving must be (`role service_manager and owner`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Approver {
    /// The parts as written.
    pub parts: Vec<ApproverPart>,
    /// Who qualifies: the parts' conjunction, each board replaced by its members.
    pub condition: Condition,
}

impl Approver {
    /// An approver of one atom.
    pub fn atom(atom: Atom) -> Approver {
        Approver {
            parts: vec![ApproverPart::Atom(atom)],
            condition: Condition::atom(atom),
        }
    }

    /// The atoms the approver names directly (not through a board).
    pub fn atoms(&self) -> impl Iterator<Item = Atom> + '_ {
        self.parts.iter().filter_map(|p| match p {
            ApproverPart::Atom(a) => Some(*a),
            ApproverPart::Board(_) => None,
        })
    }

    /// The single atom the approver is, when it is one atom.
    pub fn single_atom(&self) -> Option<Atom> {
        match self.parts.as_slice() {
            [ApproverPart::Atom(a)] => Some(*a),
            _ => None,
        }
    }

    /// The approver as a diagnostic names it to a policy author: "role Team Manager and
    /// `owner`", "board Joint Framework Board".
    pub fn label(&self, p: &super::Policy) -> String {
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|part| match part {
                ApproverPart::Atom(a) => super::words::atom_label(p, *a),
                ApproverPart::Board(b) => format!(
                    "board {}",
                    p.boards
                        .get(*b as usize)
                        .map_or("?", |b| b.named.title.as_str())
                ),
            })
            .collect();
        parts.join(" and ")
    }

    /// Whether the approver names a relation to the record (directly or through a board).
    pub fn names_relation(&self) -> bool {
        self.condition_atoms()
            .any(|a| matches!(a, Atom::Relation(_)))
    }

    /// Every atom the approver's condition reads, boards' members included.
    pub fn condition_atoms(&self) -> impl Iterator<Item = Atom> + '_ {
        self.condition.terms.iter().flatten().map(|l| l.atom)
    }
}

/// A declared board: a body that approves as one; any member acts for it.
#[derive(Debug, Clone)]
pub struct Board {
    /// Name, title and span.
    pub named: super::Named,
    /// Its members as written.
    pub members: Vec<Approver>,
    /// Who is a member: any member's condition.
    pub condition: Condition,
}

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
    /// Granting someone access to a restricted record (temporary access), or renewing it.
    Access,
    /// Renewing a restriction for another period (without it, the category's reviewer
    /// approves: a review that continues the restriction renews it).
    Renew,
    /// Adding a flag to a record (policy-wide only: a flag belongs to no category).
    Flag,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 6] = [
        Purpose::Place,
        Purpose::Amend,
        Purpose::Lift,
        Purpose::Access,
        Purpose::Renew,
        Purpose::Flag,
    ];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Purpose::Place => "place",
            Purpose::Amend => "amend",
            Purpose::Lift => "lift",
            Purpose::Access => "access",
            Purpose::Renew => "renew",
            Purpose::Flag => "flag",
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
    /// How long an approval counts after it is given; `None`: until the action is taken.
    pub valid_for: Option<Period>,
    /// The statement's span.
    pub span: Span,
}

/// A purpose whose approver the source document does not name, said rather than invented
/// (`approve place unstated "why"`).
#[derive(Debug, Clone)]
pub struct UnstatedApproval {
    /// What would be approved.
    pub purpose: Purpose,
    /// Why no approver is given, in the policy's words.
    pub reason: String,
    /// The statement's span.
    pub span: Span,
}

/// One kind of temporary (short-term) access to a category.
#[derive(Debug, Clone)]
pub struct TemporaryAccess {
    /// The kind's name and title; `None` for the category's default kind (a `temporary`
    /// statement that names no kind).
    pub kind: Option<(String, String)>,
    /// What a temporary grant allows.
    pub actions: ActionSet,
    /// The longest a grant may last; longer grants are capped.
    pub max: Period,
    /// Who may hold one (everyone when absent).
    pub to: Option<Condition>,
    /// Who may approve one: conditions on the approver the evaluator can check.
    pub approved_by: Vec<Approver>,
    /// How many times a grant of this kind may be renewed.
    pub renewable: u32,
    /// How long before a grant ends its holder is told (`notify`).
    pub notify: Option<Period>,
    /// What the holder must do.
    pub obligations: Vec<ObligationId>,
    /// The statement's span.
    pub span: Span,
}

impl TemporaryAccess {
    /// The kind's name, `None` for the default kind.
    pub fn kind_name(&self) -> Option<&str> {
        self.kind.as_ref().map(|(n, _)| n.as_str())
    }
}

/// How long a restriction of a category lasts (`lasts 6 months renewable 2 notify 14 days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lasts {
    /// The longest a restriction runs from its placement, and each renewal adds at most this
    /// again.
    pub max: Period,
    /// How many times a restriction may be renewed.
    pub renewable: u32,
    /// How long before a restriction ends people are told (`notify`).
    pub notify: Option<Period>,
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

/// What a refused person may be told about a category's restriction (docs/semantics.md,
/// "Disclosure"). Closed by default: a category that says nothing, under a policy that says
/// nothing, tells a refused person only the decision and the view the policy gives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Disclosure {
    /// The category's title, and the deciding rule's id and source (which carry its name).
    pub title: bool,
    /// Who to contact and who approves access.
    pub contact: bool,
    /// That temporary access exists, for how long, and whether the person may hold it.
    pub temporary: bool,
    /// Why: the kind of refusal and the deciding rule in the policy's words.
    pub reason: bool,
    /// That the person is on the record's exclusion list.
    pub exclusion: bool,
    /// A fixed notice for every refused person, such as who to phone.
    pub notice: Option<String>,
}

impl Disclosure {
    /// Everything: what an auditor, or a person who may open the record, is told.
    pub fn everything() -> Disclosure {
        Disclosure {
            title: true,
            contact: true,
            temporary: true,
            reason: true,
            exclusion: true,
            notice: None,
        }
    }
}

impl Disclosure {
    /// What is disclosed, in the language's words: `title, contact`, or `nothing`.
    pub fn words(&self) -> String {
        let flags = [
            (self.title, Disclosed::Title),
            (self.contact, Disclosed::Contact),
            (self.temporary, Disclosed::Temporary),
            (self.reason, Disclosed::Reason),
            (self.exclusion, Disclosed::Exclusion),
            (self.notice.is_some(), Disclosed::Notice),
        ];
        let on: Vec<&str> = flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, d)| d.word())
            .collect();
        if on.is_empty() {
            Disclosed::Nothing.word().to_string()
        } else {
            on.join(", ")
        }
    }
}

/// One thing a `disclose` statement may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disclosed {
    /// `title`
    Title,
    /// `contact`
    Contact,
    /// `temporary`
    Temporary,
    /// `reason`
    Reason,
    /// `exclusion`
    Exclusion,
    /// `notice "text"`
    Notice,
    /// `nothing`: overrides a policy-wide default.
    Nothing,
}

impl Disclosed {
    /// Every item.
    pub const ALL: [Disclosed; 7] = [
        Disclosed::Title,
        Disclosed::Contact,
        Disclosed::Temporary,
        Disclosed::Reason,
        Disclosed::Exclusion,
        Disclosed::Notice,
        Disclosed::Nothing,
    ];

    /// The word used in the language.
    pub fn word(self) -> &'static str {
        match self {
            Disclosed::Title => "title",
            Disclosed::Contact => "contact",
            Disclosed::Temporary => "temporary",
            Disclosed::Reason => "reason",
            Disclosed::Exclusion => "exclusion",
            Disclosed::Notice => "notice",
            Disclosed::Nothing => "nothing",
        }
    }
}

/// Whether a compiled block is a restriction category or the `unrestricted` block: the
/// unrestricted block has no exclusion list, no restriction to review or lift, and gates every
/// category (docs/semantics.md), so every stage asks this rather than comparing names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    /// A restriction category.
    Restriction,
    /// The `unrestricted` block: what applies to a record with no restriction.
    Unrestricted,
}

impl CategoryKind {
    /// The name the unrestricted block compiles under, and the word a caller uses for it.
    pub const UNRESTRICTED: &'static str = "unrestricted";
}

/// A restriction category (or the `unrestricted` block).
#[derive(Debug, Clone)]
pub struct Category {
    /// The category's name (`unrestricted` for the unrestricted block).
    pub name: String,
    /// Where the name is written (the `unrestricted` keyword for the unrestricted block).
    pub name_span: Span,
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
    /// The sections it protects (indices into [`crate::policy::Policy::sections`]); empty:
    /// the whole record.
    pub protects: Vec<u32>,
    /// The kinds of link it reaches across (indices into [`crate::policy::Policy::links`]): a
    /// restriction of the category on a record also protects the records linked to it by them.
    pub reaches: Vec<u32>,
    /// What a refused person may be told, if the category says (else the policy-wide default:
    /// [`crate::policy::Policy::disclosure`]).
    pub disclose: Option<Disclosure>,
    /// The review schedule.
    pub review: Option<Review>,
    /// How long a restriction lasts, if the category limits it.
    pub lasts: Option<Lasts>,
    /// The kinds of temporary access the category offers, in source order (none: no temporary
    /// access).
    pub temporary: Vec<TemporaryAccess>,
    /// Who a refused person should contact.
    pub contact: Option<Contact>,
    /// Approvals given in the category (policy-wide defaults apply for the rest).
    pub approvals: Vec<Approval>,
    /// Purposes the category says its source names no approver for.
    pub unstated_approvals: Vec<UnstatedApproval>,
    /// The category's span.
    pub span: Span,
}

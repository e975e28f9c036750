//! What a refused person is told, field by field, as a function of the deciding row and its
//! category alone: the one place both the response and the disclosure analysis
//! (`analyse::disclosure`) read it, so the analysis proves what the evaluator says.

use super::decider::row_outcome;
use super::decision::{DenyKind, Outcome, Shown};
use super::render::{Told, row_reasons};
use super::words;
use crate::compile::table::{CategoryTable, Layer, Row};
use crate::policy::{ActionId, Purpose, Relation};

/// A refusal's fields, apart from what the request itself carries (the contact's subject id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What the person sees.
    pub view: Shown,
    /// The kind of refusal, when the reason is disclosed.
    pub deny_kind: Option<DenyKind>,
    /// The deciding rule's id, when its title and reason are disclosed.
    pub rule: Option<String>,
    /// Where that rule is written.
    pub source: Option<String>,
    /// The reasons.
    pub reasons: Vec<String>,
    /// Who to contact: the category's contact, the record's named manager, or the line
    /// manager; none when the person may not learn that the record is restricted.
    pub contact: Option<String>,
    /// Who approves access, step by step.
    pub escalation: Vec<String>,
    /// The kinds of temporary access that cover the action, as far as they may be told.
    pub temporary: Vec<Offer>,
    /// The category's notice.
    pub notice: Option<String>,
}

/// One kind of temporary access a refused person may ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The kind's index among the category's kinds.
    pub index: usize,
    /// The kind's name and title, when the category's title may be told (a kind's title can
    /// say what the category is); `None` also for the default kind.
    pub kind: Option<(String, String)>,
    /// Its longest duration: "2 weeks".
    pub max_duration: String,
    /// Who approves it (empty when the contact is concealed).
    pub approvers: Vec<String>,
    /// How many times a grant may be renewed.
    pub renewable: u32,
    /// How long before the end the holder is told: "3 days".
    pub notice: Option<String>,
}

/// The names of [`Refusal`]'s fields, as a response writes them.
const FIELDS: [&str; 9] = [
    "view",
    "deny_kind",
    "rule",
    "source",
    "reasons",
    "next_steps.contact",
    "next_steps.escalation",
    "next_steps.temporary_access",
    "next_steps.notice",
];

impl Refusal {
    /// The first field in which two refusals differ, as a response names it.
    pub fn differs(&self, other: &Refusal) -> Option<&'static str> {
        let same = [
            self.view == other.view,
            self.deny_kind == other.deny_kind,
            self.rule == other.rule,
            self.source == other.source,
            self.reasons == other.reasons,
            self.contact == other.contact,
            self.escalation == other.escalation,
            self.temporary == other.temporary,
            self.notice == other.notice,
        ];
        same.iter()
            .position(|s| !s)
            .and_then(|i| FIELDS.get(i).copied())
    }

    /// The first field that says why in the category's own terms: the kind of refusal, the
    /// rule, or reasons beyond "Access is refused.". The view, contact, approvers, temporary
    /// access and notice may be the same for every concealed category, so
    /// [`Refusal::differs`] compares those between categories.
    pub fn identifies(&self) -> Option<&'static str> {
        if self.deny_kind.is_some() {
            Some("deny_kind")
        } else if self.rule.is_some() {
            Some("rule")
        } else if self.source.is_some() {
            Some("source")
        } else if self.reasons != [words::REFUSED] {
            Some("reasons")
        } else {
            None
        }
    }
}

/// What a person refused by `row` (a deny row) of `c` for `action` is told, when the request
/// names the record's owner (`owner_named`) or not.
pub fn refusal(c: &CategoryTable, row: &Row, action: ActionId, owner_named: bool) -> Refusal {
    let show = Told::of(Outcome::Deny, row.view, c, row);
    refusal_as(c, row, action, show, owner_named)
}

/// [`refusal`] for an audience told `show` (an auditor is told everything).
pub(super) fn refusal_as(
    c: &CategoryTable,
    row: &Row,
    action: ActionId,
    show: Told,
    owner_named: bool,
) -> Refusal {
    let (_, deny_kind) = row_outcome(row.effect, row.layer);
    // Nobody can grant what an absolute deny or an exclusion refuses, so nobody is named as
    // approving it.
    let overridable = row.layer != Layer::AbsoluteDeny && row.layer != Layer::NamedExclusion;
    let line_manager = Relation::LineManager.describe().to_string();
    let contact = if !show.restricted {
        None
    } else if show.contact {
        Some(match &c.contact {
            Some(k) => k
                .text
                .clone()
                .unwrap_or_else(|| words::contact_phrase(&k.who)),
            None if owner_named => Relation::Owner.describe().to_string(),
            None => line_manager,
        })
    } else {
        Some(line_manager)
    };
    let escalation = c
        .approval(Purpose::Access)
        // Who approves access is offered only with the reason, as temporary access is (Told).
        .filter(|_| show.contact && show.reason && overridable)
        .map(|a| words::chain_steps(&a.chain))
        .unwrap_or_default();
    let temporary = c
        .temporary
        .iter()
        .enumerate()
        .filter(|(_, t)| show.temporary && overridable && t.actions.contains(&action))
        .map(|(index, t)| Offer {
            index,
            kind: t
                .kind
                .as_ref()
                .filter(|_| show.title)
                .map(|k| (k.name.clone(), k.title.clone())),
            max_duration: t.max.describe(),
            // Who approves can reveal what the category is, as the contact can.
            approvers: if show.contact {
                t.approved_by.iter().map(words::approver_phrase).collect()
            } else {
                Vec::new()
            },
            renewable: t.renewable,
            notice: t.notify.map(|n| n.describe()),
        })
        .collect();
    Refusal {
        view: row.view.shown(),
        deny_kind: deny_kind.filter(|_| show.reason),
        rule: show.rule().then(|| row.id.clone()),
        source: show.rule().then(|| row.source.clone()),
        reasons: row_reasons(c, row, show),
        contact,
        escalation,
        temporary,
        notice: c.disclose.notice.clone().filter(|_| show.notice),
    }
}

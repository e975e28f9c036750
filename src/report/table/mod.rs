//! `caselock table`: the compiled decision table for humans.
//!
//! A [`Sheet`] is the table in plain words, built once from a [`DecisionTable`]; the markdown,
//! HTML and CSV renderers only lay it out. Rows that read the same for several actions (same rule,
//! same condition, same outcome) are shown once with every action they cover.

mod csv;
mod html;
mod markdown;
mod restriction_rules;

pub use restriction_rules::{RestrictionRuleSheet, RuleKind};

use serde::Serialize;

use crate::compile::table::{
    ApprovalEntry, CategoryTable, ChainEntry, DecisionTable, LastsEntry, Layer, ReviewEntry, Row,
    ScheduleEntry, TemporaryEntry, UnstatedApprovalEntry, Vocabulary,
};
use crate::eval::words;
use crate::policy::words::{
    condition_phrase, counted, join_or, spoken, subjects_alternatives, subjects_text,
};
use crate::policy::{ObligationId, Purpose, RestrictionType, View};

/// The formats `caselock table` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// A markdown document.
    Markdown,
    /// One self-contained, printable HTML page.
    Html,
    /// One CSV line per decision row.
    Csv,
}

/// Renders a compiled table in a format.
pub fn render(table: &DecisionTable, format: TableFormat) -> String {
    let sheet = Sheet::new(table);
    match format {
        TableFormat::Markdown => markdown::render(&sheet),
        TableFormat::Html => html::render(&sheet),
        TableFormat::Csv => csv::render(&sheet),
    }
}

/// What a flag is, as the table's flags section opens.
pub(super) const FLAGS_NOTE: &str =
    "A flag restricts nobody: whoever may open a record that carries it is given its duty.";

/// A decision table in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    /// The policy id.
    pub policy: String,
    /// The policy title.
    pub title: String,
    /// The policy version, if given.
    pub version: Option<u32>,
    /// The source documents.
    pub sources: Vec<String>,
    /// The first 12 hex digits of the source hash, to tie a printout to the policy text.
    pub source_hash: String,
    /// The unrestricted block, then the categories in source order.
    pub categories: Vec<CategorySheet>,
    /// The flags a record may carry, in source order.
    pub flags: Vec<FlagSheet>,
    /// The rules about restrictions themselves: triggers, `never restrict`, `exclusive`.
    pub restriction_rules: Vec<RestrictionRuleSheet>,
}

/// One flag in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct FlagSheet {
    /// The flag's name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The duty it gives whoever may open the record.
    pub warns: String,
    /// Its review schedule and reviewer.
    pub review: Setting,
    /// Where it is written.
    pub source: String,
}

/// One category in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct CategorySheet {
    /// The category name (`unrestricted` for the unrestricted block).
    pub name: String,
    /// Its title.
    pub title: String,
    /// Where it is written.
    pub source: String,
    /// `universal` or `exclude`.
    pub restriction: &'static str,
    /// The restriction type in a sentence.
    pub restriction_text: &'static str,
    /// What of a record it covers: the whole record, or only the sections it protects.
    pub covers: String,
    /// False for the unrestricted block, which has no review, temporary access or approvals.
    pub restricted: bool,
    /// The qualifying criteria.
    pub criteria: Vec<String>,
    /// What a refused person sees, with any concealment.
    pub denied: String,
    /// The review schedule and reviewer.
    pub review: Setting,
    /// How long a restriction lasts, how often it may be renewed and the notice before its end,
    /// when the category limits it.
    pub lasts: Option<Setting>,
    /// Temporary access.
    pub temporary: Setting,
    /// Who a refused person is told to contact.
    pub contact: Setting,
    /// Approvals, one per purpose.
    pub approvals: Vec<ApprovalLine>,
    /// Who may do what, in decision order.
    pub rules: Vec<RuleLine>,
}

/// A category setting in words and where it is written (`None` when inherited or absent).
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    /// The setting in words.
    pub text: String,
    /// Where it is written.
    pub source: Option<String>,
}

/// Who approves one purpose.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalLine {
    /// What is approved: "placing the restriction".
    pub purpose: String,
    /// The approvers in order, with the escalation path's title if named.
    pub chain: String,
    /// Whether the setting is the policy-wide default.
    pub inherited: bool,
    /// Where the chain is written.
    pub source: String,
}

/// One rule of a category, for every action it decides the same way.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLine {
    /// The rule id.
    pub rule: String,
    /// The actions, as verb phrases ("all actions" when it covers every one).
    pub actions: Vec<String>,
    /// Which step of the combining rule.
    pub layer: &'static str,
    /// `allowed`, `forbidden` or `not permitted`, with its strength.
    pub outcome: String,
    /// The subjects in the policy's own words.
    pub who: String,
    /// The condition spelled out in plain words.
    pub condition: String,
    /// What the subject sees when this rule decides.
    pub sees: String,
    /// What the holder must do.
    pub obligations: Vec<String>,
    /// Where the rule is written.
    pub source: String,
    /// The combining rule's step in the words of docs/semantics.md.
    pub why: &'static str,
}

impl Sheet {
    /// The sheet for a compiled table.
    pub fn new(t: &DecisionTable) -> Self {
        Sheet {
            policy: t.policy.id.clone(),
            title: t.policy.title.clone(),
            version: t.policy.version,
            sources: t.policy.sources.clone(),
            source_hash: t.source_hash.chars().take(12).collect(),
            categories: t
                .unrestricted
                .iter()
                .chain(&t.categories)
                .map(|c| category(&t.vocabulary, c))
                .collect(),
            flags: t
                .vocabulary
                .flags
                .iter()
                .map(|f| FlagSheet {
                    name: f.name.clone(),
                    title: f.title.clone(),
                    warns: f.warns.clone(),
                    review: review(f.review.as_ref()),
                    source: f.source.clone(),
                })
                .collect(),
            restriction_rules: restriction_rules::sheet(t),
        }
    }
}

/// A category's or a flag's review in words.
fn review(r: Option<&ReviewEntry>) -> Setting {
    match r {
        None => Setting {
            text: "no review is set".to_string(),
            source: None,
        },
        Some(r) => {
            let mut text = schedule_phrase(&r.schedule);
            if let Some(event) = &r.until {
                text.push_str(&format!("; kept until {event}"));
            }
            if let Some(ch) = &r.reviewer {
                text.push_str(&format!(", by {}", chain_phrase(ch)));
            }
            Setting {
                text,
                source: Some(r.source.clone()),
            }
        }
    }
}

/// How long a restriction lasts in words: "at most 6 months from placement, renewable once
/// (each renewal at most 6 months more); people who may open the record are told 2 weeks before
/// it ends; past its end it still applies until it is renewed or lifted".
fn lasts_phrase(l: &LastsEntry) -> String {
    let mut text = format!(
        "at most {} from placement, {}",
        l.max.describe(),
        words::renewable(l.renewable)
    );
    if l.renewable > 0 {
        text.push_str(&format!(
            " (each renewal at most {} more)",
            l.max.describe()
        ));
    }
    if let Some(n) = l.notify {
        text.push_str(&format!(
            "; people who may open the record are told {} before it ends",
            n.describe()
        ));
    }
    text.push_str("; past its end it still applies until it is renewed or lifted");
    text
}

/// "the whole record", or "only these sections: Third-party information"; then the kinds of
/// link it reaches across, if any ("also the records linked to it by: Secure Adoption Record").
pub fn covers(v: &Vocabulary, c: &CategoryTable) -> String {
    let mut text = sections(v, c);
    if !c.reaches.is_empty() {
        text.push_str(&format!(
            "; also the records linked to it by: {}",
            reaches(v, c)
        ));
    }
    text
}

/// "the whole record", or "only these sections: Third-party information".
pub fn sections(v: &Vocabulary, c: &CategoryTable) -> String {
    if c.protects.is_empty() {
        return "the whole record".to_string();
    }
    let titles: Vec<&str> = c
        .protects
        .iter()
        .filter_map(|s| v.sections.get(*s as usize))
        .map(|s| s.title.as_str())
        .collect();
    format!("only these sections of a record: {}", titles.join(", "))
}

/// The titles of the kinds of link a category reaches across, in the policy's order.
pub fn reaches(v: &Vocabulary, c: &CategoryTable) -> String {
    c.reaches
        .iter()
        .filter_map(|l| v.links.get(*l as usize))
        .map(|l| l.title.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn category(v: &Vocabulary, c: &CategoryTable) -> CategorySheet {
    let (restriction, restriction_text) = match c.restriction {
        RestrictionType::Universal => (
            "universal",
            "Universal: everyone is refused except those a rule lets in.",
        ),
        RestrictionType::Exclude => (
            "exclude",
            "Exclude: normal access applies except for those a rule shuts out.",
        ),
    };
    let mut denied = view_phrase(c.denied_view).to_string();
    if c.is_restriction() {
        denied.push_str(&format!("; they are told: {}", c.disclose.words()));
    }
    // The unrestricted block has no restriction to review, approve or lift.
    let restricted = c.is_restriction();
    CategorySheet {
        name: c.name.clone(),
        title: if restricted {
            c.title.clone()
        } else {
            "Records with no restriction".to_string()
        },
        restricted,
        source: c.source.clone(),
        restriction,
        restriction_text,
        covers: covers(v, c),
        criteria: c.criteria.clone(),
        denied,
        review: review(c.review.as_ref()),
        lasts: c.lasts.as_ref().map(|l| Setting {
            text: lasts_phrase(l),
            source: Some(l.source.clone()),
        }),
        temporary: match c.temporary.first() {
            None => Setting {
                text: "not offered".to_string(),
                source: None,
            },
            Some(t) => Setting {
                text: c
                    .temporary
                    .iter()
                    .map(|t| temporary_phrase(v, c, t))
                    .collect::<Vec<_>>()
                    .join("; or "),
                source: Some(t.source.clone()),
            },
        },
        contact: match &c.contact {
            None => Setting {
                text: "none named".to_string(),
                source: None,
            },
            Some(k) => Setting {
                text: match &k.text {
                    Some(text) if *text != words::contact_phrase(&k.who) => {
                        format!("{} ({text})", words::contact_phrase(&k.who))
                    }
                    _ => words::contact_phrase(&k.who),
                },
                source: Some(k.source.clone()),
            },
        },
        approvals: if restricted {
            c.approvals
                .iter()
                .map(approval)
                .chain(c.unstated_approvals.iter().map(unstated_approval))
                .collect()
        } else {
            Vec::new()
        },
        rules: rules(v, c),
    }
}

/// The rows of every action, merged where a rule reads the same for several actions.
fn rules(v: &Vocabulary, c: &CategoryTable) -> Vec<RuleLine> {
    let mut merged: Vec<(&Row, Vec<usize>)> = Vec::new();
    for (a, list) in c.decisions.iter().enumerate() {
        for row in &list.rows {
            match merged.iter_mut().find(|(r, _)| same_rule(r, row)) {
                Some((_, actions)) => actions.push(a),
                None => merged.push((row, vec![a])),
            }
        }
    }
    // Each action's list is in combining order and, within a layer, in source order, so a
    // stable sort by layer keeps both.
    merged.sort_by_key(|(r, _)| r.layer);
    merged
        .into_iter()
        .map(|(row, actions)| RuleLine {
            rule: row.id.clone(),
            actions: if actions.len() == c.decisions.len() && actions.len() > 1 {
                vec!["all actions".to_string()]
            } else {
                actions
                    .iter()
                    .filter_map(|&a| c.decisions.get(a))
                    .map(|d| spoken(&d.action))
                    .collect()
            },
            layer: row.layer.word(),
            outcome: outcome(row, c.restriction),
            who: subjects_text(&counted(
                subjects_alternatives(&row.subjects_text)
                    .map(str::to_string)
                    .collect(),
            )),
            condition: condition_phrase(v, &row.condition),
            sees: view_phrase(row.view).to_string(),
            obligations: obligation_texts(v, &row.obligations),
            source: row.source.clone(),
            why: words::combining_rule(row.layer, c.restriction),
        })
        .collect()
}

/// Whether two rows are the same rule deciding the same way (for different actions).
fn same_rule(a: &Row, b: &Row) -> bool {
    a.id == b.id
        && a.layer == b.layer
        && a.effect == b.effect
        && a.condition == b.condition
        && a.view == b.view
        && a.obligations == b.obligations
        && a.overrides == b.overrides
        && a.source == b.source
}

fn outcome(row: &Row, restriction: RestrictionType) -> String {
    match row.layer {
        Layer::AbsoluteDeny => "forbidden (absolute: nothing overrides it)".to_string(),
        Layer::NamedExclusion => "forbidden (named exclusion)".to_string(),
        Layer::TemporaryOverride => format!(
            "allowed with a valid temporary grant, overriding {}",
            row.overrides.as_deref().unwrap_or("a deny rule")
        ),
        Layer::Deny => "forbidden".to_string(),
        Layer::Grant => "allowed".to_string(),
        Layer::Temporary => "allowed with a valid temporary grant".to_string(),
        Layer::Default => match restriction {
            RestrictionType::Universal => "not permitted".to_string(),
            RestrictionType::Exclude => "allowed (normal access)".to_string(),
        },
    }
}

/// What a person sees at each view level.
pub fn view_phrase(view: View) -> &'static str {
    match view {
        View::Full => "the whole record",
        View::Minimal => "minimal identifying details only",
        View::NoticeWithContact => "a lock notice naming who to contact",
        View::Notice => "a lock notice without a contact",
        View::None => "nothing, not even that the record is locked",
    }
}

fn schedule_phrase(s: &ScheduleEntry) -> String {
    match s {
        ScheduleEntry::Every { period } => format!(
            "every {}, counted from placement or the last review (or an earlier date set on the record)",
            period.describe()
        ),
        ScheduleEntry::Never { reason: Some(r) } => format!("never reviewed ({r})"),
        ScheduleEntry::Never { reason: None } => "never reviewed".to_string(),
        ScheduleEntry::Until { event } => format!("kept until {event}"),
        ScheduleEntry::Unstated { reason } => {
            format!("not stated by the source document, a known gap ({reason})")
        }
    }
}

fn chain_phrase(c: &ChainEntry) -> String {
    let steps = words::chain_steps(c).join(", then ");
    match &c.via {
        Some(e) => format!("{steps} (escalation path `{}`: {})", e.name, e.title),
        None => steps,
    }
}

fn purpose_phrase(p: Purpose) -> String {
    match p {
        Purpose::Place => "placing the restriction",
        Purpose::Amend => "amending it",
        Purpose::Lift => "lifting it",
        Purpose::Access => "giving someone access",
        Purpose::Renew => "renewing it",
        Purpose::Flag => "adding a flag",
    }
    .to_string()
}

fn approval(a: &ApprovalEntry) -> ApprovalLine {
    ApprovalLine {
        purpose: purpose_phrase(a.purpose),
        chain: chain_phrase(&a.chain),
        inherited: a.inherited,
        source: a.chain.source.clone(),
    }
}

fn unstated_approval(u: &UnstatedApprovalEntry) -> ApprovalLine {
    ApprovalLine {
        purpose: purpose_phrase(u.purpose),
        chain: format!(
            "nobody: not stated by the source document, a known gap ({})",
            u.reason
        ),
        inherited: u.inherited,
        source: u.source.clone(),
    }
}

fn temporary_phrase(v: &Vocabulary, c: &CategoryTable, t: &TemporaryEntry) -> String {
    let actions: Vec<String> = t
        .actions
        .iter()
        .filter_map(|&a| c.decisions.get(a as usize))
        .map(|d| spoken(&d.action))
        .collect();
    let who =
        t.to.as_ref()
            .map_or("anyone".to_string(), |to| condition_phrase(v, to));
    let approvers: Vec<String> = t.approved_by.iter().map(words::approver_phrase).collect();
    let kind = t
        .kind
        .as_ref()
        .map_or_else(String::new, |k| format!("{} (`{}`): ", k.title, k.name));
    let mut text = format!(
        "{kind}{} for up to {}, for {who}, approved by {}",
        join_or(&actions, "and"),
        t.max.describe(),
        if approvers.is_empty() {
            "nobody named".to_string()
        } else {
            join_or(&approvers, "or")
        }
    );
    if t.renewable > 0 {
        text.push_str(&format!(", {}", words::renewable(t.renewable)));
    }
    if let Some(n) = t.notify {
        text.push_str(&format!(
            ", the holder told {} before it ends",
            n.describe()
        ));
    }
    let obligations = obligation_texts(v, &t.obligations);
    if !obligations.is_empty() {
        text.push_str(&format!("; the holder must: {}", obligations.join("; ")));
    }
    text
}

fn obligation_texts(v: &Vocabulary, ids: &[ObligationId]) -> Vec<String> {
    ids.iter()
        .map(|&o| {
            v.obligations
                .get(o as usize)
                .map_or_else(|| format!("obligation #{o}"), |e| e.text.clone())
        })
        .collect()
}

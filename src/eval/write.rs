//! A decision's response written as JSON straight to an output: the bytes `serde_json` writes
//! for [`Decider::response`] with no audience, without building the `Response` or a `String`
//! per decision.
//!
//! What a response says about its deciding row — the rule, its source, the reasons, the
//! obligations — and what it says about the row's category — the contact's description, the
//! escalation path, temporary access — depend only on the table, so they are rendered once when
//! the decider is built ([`Prepared`]); a decision adds only what comes from its request (the
//! contact's subject id, whether temporary access is available, review warnings, which of the
//! flags' prepared duties and warnings apply). The rare decision the prepared text does not cover
//! (an explanation, a temporary grant's obligation or warning) is written through [`Decider::response`], so both ways give the same bytes (tests in
//! tests/response_bytes.rs compare them).

use std::io::{self, Write};

use serde::Serialize;

use super::decider::{Decider, row_outcome};
use super::decision::{Audience, Basis, Decision, DenyKind, Outcome, Warning};
use super::render::{Told, names_a_person, owner, row_reasons};
use super::request::Request;
use super::words;
use crate::compile::table::{CategoryTable, DecisionTable, Layer};
use crate::policy::{Purpose, Relation, View};

/// The response text of every row and category of a table.
#[derive(Debug, Clone, Default)]
pub(super) struct Prepared {
    /// Slot 0 is the unrestricted block, slot `1 + i` category `i` (as the decider's slots);
    /// then one list per action, one text per row.
    rows: Vec<Vec<Vec<RowText>>>,
    /// One per slot (`None` for a missing unrestricted block).
    categories: Vec<Option<CategoryText>>,
    /// One per flag of the table's vocabulary.
    flags: Vec<FlagText>,
    /// How a response with warnings ends after them: `]` closing the warnings, then
    /// `,"policy_hash":"…"}`.
    end: Box<str>,
    /// How a response with no warning ends after its obligations: `],"warnings":[]` and the
    /// policy hash.
    quiet_end: Box<str>,
    /// A refusal after its view: no reason, no next steps, no obligations or warnings, and the
    /// policy hash.
    refusal_end: Box<str>,
}

/// What a response says about the row that decided it.
#[derive(Debug, Clone)]
struct RowText {
    /// The decision this row gives, and what its subject may be told of it: a decision that
    /// differs (only a decision not made by this decider can) is written the long way.
    outcome: Outcome,
    view: View,
    deny_kind: Option<DenyKind>,
    show: Told,
    /// From `{` to the end of the reasons: `{"decision":…,"view":…,"deny_kind":…,"rule":…,
    /// "source":…,"reasons":[…]`.
    head: Box<str>,
    /// The obligations, without the array's brackets (empty when none).
    obligations: Box<str>,
    /// The head, no next steps and the obligations, as one text: the whole response up to its
    /// flags' duties when the subject is told no next steps. (With the ends below, a response
    /// is three writes rather than eight, which took some 90 instructions of 5,950 a line.)
    plain: Box<str>,
}

/// What a response says about a flag the record carries.
#[derive(Debug, Clone)]
struct FlagText {
    /// Its duty, an obligation object.
    duty: Box<str>,
    /// Its overdue review warning up to the date: `{"code":"flag_review_overdue","message":"TITLE: `.
    overdue: Box<str>,
}

/// What a response says about a category.
#[derive(Debug, Clone)]
struct CategoryText {
    /// The contact's description (a string) when the category names a contact.
    contact: Option<Box<str>>,
    /// The escalation array when the contact may be told.
    escalation: Box<str>,
    /// Temporary access of the default kind alone: the actions it covers, and the text after
    /// `"available":…` with and without the approvers.
    temporary: Option<(Vec<u32>, Box<str>, Box<str>)>,
    /// Whether the category gives named kinds of temporary access, whose list a refusal writes
    /// the long way.
    kinds: bool,
    /// The notice, a JSON string, when the category has one.
    notice: Option<Box<str>>,
}

/// A JSON string, escaped as `serde_json` escapes it.
fn json_string(s: &str) -> String {
    crate::json::to_string(s)
}

/// A JSON array of strings.
fn json_strings(items: &[String]) -> String {
    crate::json::to_string(items)
}

impl Prepared {
    /// Renders the texts of a table.
    pub(super) fn new(table: &DecisionTable) -> Prepared {
        let mut slots: Vec<Option<&CategoryTable>> = vec![table.unrestricted.as_ref()];
        slots.extend(table.categories.iter().map(Some));
        let rows = slots
            .iter()
            .map(|c| c.map_or_else(Vec::new, |c| category_rows(table, c)))
            .collect();
        let categories = slots.iter().map(|c| c.map(category_text)).collect();
        let flags = table
            .vocabulary
            .flags
            .iter()
            .map(|f| {
                let duty = super::decision::ObligationOut {
                    id: f.name.clone(),
                    text: f.warns.clone(),
                };
                let mut message = json_string(&format!("{}: ", f.title));
                // The message goes on after the title: the string stays open.
                message.pop();
                FlagText {
                    duty: crate::json::to_string(&duty).into(),
                    overdue: format!("{{\"code\":\"flag_review_overdue\",\"message\":{message}")
                        .into(),
                }
            })
            .collect();
        let tail = format!(",\"policy_hash\":{}}}", json_string(&table.source_hash));
        let quiet_end = format!("],\"warnings\":[]{tail}");
        Prepared {
            rows,
            categories,
            flags,
            end: format!("]{tail}").into(),
            // Only an auditor is told the offending value (render.rs); nothing of why may be
            // told without the auditor's view, and with no row decided there are no obligations
            // and nothing of the record may be told.
            refusal_end: format!(
                ",\"deny_kind\":null,\"rule\":null,\"source\":null,\"reasons\":[{}]{NO_NEXT_STEPS}{OBLIGATIONS}{quiet_end}",
                json_string(words::FAIL_CLOSED)
            )
            .into(),
            quiet_end: quiet_end.into(),
        }
    }
}

fn category_rows(table: &DecisionTable, c: &CategoryTable) -> Vec<Vec<RowText>> {
    c.decisions
        .iter()
        .map(|list| {
            list.rows
                .iter()
                .map(|row| {
                    let (outcome, deny_kind) = row_outcome(row.effect, row.layer);
                    let show = Told::of(outcome, row.view, c, row);
                    let mut head = format!(
                        "{{\"decision\":\"{}\",\"view\":\"{}\",\"deny_kind\":{}",
                        outcome.word(),
                        row.view.decision_word(),
                        deny_kind
                            .filter(|_| show.reason)
                            .map_or_else(|| "null".to_string(), |k| json_string(k.word()))
                    );
                    let shown = |s: &str| {
                        if show.rule() {
                            json_string(s)
                        } else {
                            "null".to_string()
                        }
                    };
                    head.push_str(&format!(
                        ",\"rule\":{},\"source\":{},\"reasons\":{}",
                        shown(&row.id),
                        shown(&row.source),
                        json_strings(&row_reasons(c, row, show))
                    ));
                    let obligations: Vec<super::decision::ObligationOut> =
                        if outcome == Outcome::Allow {
                            row.obligations
                                .iter()
                                .filter_map(|o| table.vocabulary.obligations.get(*o as usize))
                                .map(|o| super::decision::ObligationOut {
                                    id: o.name.clone(),
                                    text: o.text.clone(),
                                })
                                .collect()
                        } else {
                            Vec::new()
                        };
                    let array = crate::json::to_string(&obligations);
                    let inner = array
                        .strip_prefix('[')
                        .and_then(|a| a.strip_suffix(']'))
                        .unwrap_or("");
                    RowText {
                        outcome,
                        view: row.view,
                        deny_kind,
                        show,
                        plain: format!("{head}{NO_NEXT_STEPS}{OBLIGATIONS}{inner}").into(),
                        head: head.into(),
                        obligations: inner.into(),
                    }
                })
                .collect()
        })
        .collect()
}

fn category_text(c: &CategoryTable) -> CategoryText {
    let escalation = c
        .approval(Purpose::Access)
        .map(|a| words::chain_steps(&a.chain))
        .unwrap_or_default();
    let kinds = c.temporary.len() > 1 || c.temporary.iter().any(|t| t.kind.is_some());
    let temporary = c.temporary.first().filter(|_| !kinds).map(|t| {
        let approvers: Vec<String> = t.approved_by.iter().map(words::approver_phrase).collect();
        let text = |approvers: &[String]| {
            format!(
                ",\"max_duration\":{},\"approvers\":{}}}",
                json_string(&t.max.describe()),
                json_strings(approvers)
            )
        };
        (t.actions.clone(), text(&approvers).into(), text(&[]).into())
    });
    CategoryText {
        contact: c.contact.as_ref().map(|k| {
            let description = match &k.text {
                Some(t) => t.clone(),
                None => words::contact_phrase(&k.who),
            };
            json_string(&description).into()
        }),
        escalation: json_strings(&escalation).into(),
        temporary,
        kinds,
        notice: c.disclose.notice.as_deref().map(|n| json_string(n).into()),
    }
}

fn write_json<W: Write, T: Serialize + ?Sized>(w: &mut W, value: &T) -> io::Result<()> {
    serde_json::to_writer(w, value).map_err(io::Error::from)
}

/// A string as serde_json writes it: between quotes as it stands when nothing in it needs
/// escaping (the usual id or phrase), else through serde_json (which took a twentieth of writing
/// a response for a string of a few bytes).
fn write_str<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    if !crate::word::json_plain(s.as_bytes()) {
        return write_json(w, s);
    }
    w.write_all(b"\"")?;
    w.write_all(s.as_bytes())?;
    w.write_all(b"\"")
}

/// An optional string as serde_json writes it: the string, or `null`.
fn write_opt_str<W: Write>(w: &mut W, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => write_str(w, s),
        None => w.write_all(b"null"),
    }
}

/// The obligations array opened, left open for the row's items and the flags' duties.
const OBLIGATIONS: &str = ",\"obligations\":[";

const NO_NEXT_STEPS: &str = ",\"next_steps\":{\"contact\":null,\"escalation\":[],\"temporary_access\":null,\"notice\":null}";

impl Decider {
    /// Writes a decision's response as one line of JSON (no newline): the bytes
    /// `serde_json::to_writer(w, &self.response(req, d, audience))` writes.
    pub fn write_response<S: AsRef<str>, W: Write>(
        &self,
        req: &Request<S>,
        d: &Decision,
        audience: Option<Audience>,
        w: &mut W,
    ) -> io::Result<()> {
        if audience.is_none() {
            if let Some(done) = self.write_prepared(req, d, w) {
                return done;
            }
        }
        write_json(w, &self.response(&req.to_owned_request(), d, audience))
    }

    /// The prepared way; `None` when it does not cover this decision (nothing is written then).
    fn write_prepared<S: AsRef<str>, W: Write>(
        &self,
        req: &Request<S>,
        d: &Decision,
        w: &mut W,
    ) -> Option<io::Result<()>> {
        let (category, action, row) = match d.basis {
            Basis::FailClosed(_) => return Some(self.write_refusal(d, w)),
            // A lifecycle action is rare and its chain reads the request: rendered, then written.
            Basis::Change(_) => return None,
            Basis::Row {
                category,
                action,
                row,
            } => (category, action, row),
        };
        let slot = match category {
            super::decision::CategoryRef::Unrestricted => 0,
            super::decision::CategoryRef::Category(i) => i as usize + 1,
        };
        let text = self
            .prepared
            .rows
            .get(slot)?
            .get(action as usize)?
            .get(row as usize)?;
        let c_text = self.prepared.categories.get(slot)?.as_ref()?;
        let (c, r) = self.deciding_row(d)?;
        let show = text.show;
        let covered = text.outcome == d.outcome
            && text.view == d.view
            && text.deny_kind == d.deny_kind
            && d.expires_at.is_none()
            && !(c_text.kinds && d.outcome == Outcome::Deny)
            && d.warnings.iter().all(|x| {
                matches!(
                    x,
                    Warning::ReviewOverdue(_) | Warning::FlagReviewOverdue(..)
                )
            });
        if !covered {
            return None;
        }
        Some((|| {
            if d.outcome == Outcome::Allow || !show.restricted {
                w.write_all(text.plain.as_bytes())?;
            } else {
                w.write_all(text.head.as_bytes())?;
                self.write_next_steps(req, d, c, r.layer, action, show, c_text, w)?;
                w.write_all(OBLIGATIONS.as_bytes())?;
                w.write_all(text.obligations.as_bytes())?;
            }
            let mut first = text.obligations.is_empty();
            // Only an allow gives a flag's duty, and only an allowed person is told of one
            // (render.rs).
            if d.outcome == Outcome::Allow {
                for (i, flag) in self.prepared.flags.iter().enumerate() {
                    if d.flags & 1u64.checked_shl(i as u32).unwrap_or(0) != 0 {
                        if !std::mem::take(&mut first) {
                            w.write_all(b",")?;
                        }
                        w.write_all(flag.duty.as_bytes())?;
                    }
                }
            }
            // A refused person is never told of an overdue review (render.rs).
            let warned = d.outcome == Outcome::Allow && !d.warnings.is_empty();
            if !warned {
                return w.write_all(self.prepared.quiet_end.as_bytes());
            }
            w.write_all(b"],\"warnings\":[")?;
            let mut first = true;
            for warning in &d.warnings {
                if !std::mem::take(&mut first) {
                    w.write_all(b",")?;
                }
                // The dated part of each message is digits and plain words: nothing in it
                // needs escaping (the byte-comparison tests hold this).
                match warning {
                    Warning::ReviewOverdue(due) => {
                        w.write_all(b"{\"code\":\"review_overdue\",\"message\":\"")?;
                        words::REVIEW_OVERDUE.write_to(*due, w)?;
                        w.write_all(b"\"}")?;
                    }
                    Warning::FlagReviewOverdue(flag, due) => {
                        let text = self.prepared.flags.get(*flag as usize);
                        w.write_all(text.map_or(&b""[..], |t| t.overdue.as_bytes()))?;
                        words::FLAG_REVIEW_OVERDUE.write_to(*due, w)?;
                        w.write_all(b"\"}")?;
                    }
                    // Not covered: written the long way (above).
                    Warning::GrantCapped(..)
                    | Warning::GrantNotValid(..)
                    | Warning::GrantEndsSoon(..)
                    | Warning::RestrictionEndsSoon(..)
                    | Warning::RestrictionEnded(..)
                    | Warning::RestrictionRenewedTooOften(..)
                    | Warning::RestrictionRequired(_)
                    | Warning::ActingNotValid(_) => {}
                }
            }
            w.write_all(self.prepared.end.as_bytes())
        })())
    }

    /// A request the evaluator refused as invalid.
    fn write_refusal<W: Write>(&self, d: &Decision, w: &mut W) -> io::Result<()> {
        w.write_all(b"{\"decision\":")?;
        write_str(w, d.outcome.word())?;
        w.write_all(b",\"view\":")?;
        write_str(w, d.view.decision_word())?;
        w.write_all(self.prepared.refusal_end.as_bytes())
    }

    /// Who to contact, the escalation path and temporary access, for a refused subject who may
    /// learn that the record is restricted.
    #[allow(clippy::too_many_arguments)]
    fn write_next_steps<S: AsRef<str>, W: Write>(
        &self,
        req: &Request<S>,
        d: &Decision,
        c: &CategoryTable,
        layer: Layer,
        action: u32,
        show: Told,
        text: &CategoryText,
        w: &mut W,
    ) -> io::Result<()> {
        let overridable = layer != Layer::AbsoluteDeny && layer != Layer::NamedExclusion;
        w.write_all(b",\"next_steps\":{\"contact\":{\"description\":")?;
        let line_manager = || (Relation::LineManager.describe(), None);
        if show.contact {
            let (description, id) = match (&text.contact, &c.contact) {
                (Some(description), Some(_)) => {
                    w.write_all(description.as_bytes())?;
                    // Only a person the policy names; a relation's id is the record's (render.rs).
                    (
                        None,
                        self.contact_id(req, c, d.via).filter(|_| names_a_person(c)),
                    )
                }
                _ => match owner(req, d.via, c) {
                    Some(_) => (Some(Relation::Owner.describe()), None),
                    None => {
                        let (d, id) = line_manager();
                        (Some(d), id)
                    }
                },
            };
            if let Some(description) = description {
                write_str(w, description)?;
            }
            w.write_all(b",\"subject_id\":")?;
            write_opt_str(w, id)?;
            w.write_all(b"},\"escalation\":")?;
            if overridable && show.reason {
                w.write_all(text.escalation.as_bytes())?;
            } else {
                w.write_all(b"[]")?;
            }
        } else {
            write_str(w, line_manager().0)?;
            w.write_all(b",\"subject_id\":null},\"escalation\":[]")?;
        }
        w.write_all(b",\"temporary_access\":")?;
        let temporary = text
            .temporary
            .as_ref()
            .filter(|_| show.temporary && overridable)
            .filter(|(actions, _, _)| actions.contains(&action));
        match temporary {
            Some((_, with, without)) => {
                w.write_all(b"{\"available\":")?;
                let available: &[u8] = if self.meets_temporary_to(req, d) {
                    b"true"
                } else {
                    b"false"
                };
                w.write_all(available)?;
                let rest = if show.contact { with } else { without };
                w.write_all(rest.as_bytes())?;
            }
            None => w.write_all(b"null")?,
        }
        w.write_all(b",\"notice\":")?;
        match text.notice.as_ref().filter(|_| show.notice) {
            Some(n) => w.write_all(n.as_bytes())?,
            None => w.write_all(b"null")?,
        }
        w.write_all(b"}")
    }
}

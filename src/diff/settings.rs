//! Category settings compared by meaning: every value is reduced to a canonical key built from
//! names (never from the indices a table uses, which shift when declarations move) and shown to
//! people in plain words.

use serde::Serialize;

use crate::compile::table::{
    ApproverEntry, CategoryTable, ChainEntry, DecisionTable, FlagEntry, ReviewEntry, ScheduleEntry,
    TemporaryEntry, Vocabulary,
};
use crate::eval::words;
use crate::policy::Atom;
use crate::policy::words::{atom_notation, condition_phrase, join_or, spoken};
use crate::report::table::view_phrase;

/// One setting of a category (or of a flag) that differs between the two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    /// The category (`unrestricted` for the unrestricted block), or the flag in
    /// [`super::Diff::flag_settings`].
    pub category: String,
    /// Which setting: `review interval`, `reviewer`, `temporary access limit`...
    pub setting: String,
    /// The old value in words.
    pub old: String,
    /// The new value in words.
    pub new: String,
    /// Where the old value is written, if anywhere.
    pub old_source: Option<String>,
    /// Where the new value is written, if anywhere.
    pub new_source: Option<String>,
}

/// Reads one setting of a category.
type Reader = fn(&Vocabulary, &CategoryTable) -> Value;

/// A setting's value on one side: the canonical key compared, the words shown, the source.
struct Value {
    key: String,
    text: String,
    source: Option<String>,
}

impl Value {
    fn plain(key: impl Into<String>, text: impl Into<String>, source: Option<&str>) -> Value {
        Value {
            key: key.into(),
            text: text.into(),
            source: source.map(str::to_string),
        }
    }
}

/// The settings of a category present on both sides that differ. Who may hold temporary access
/// is a condition, decided equivalent or not by the caller with the condition engine.
pub fn compare(
    old: (&DecisionTable, &CategoryTable),
    new: (&DecisionTable, &CategoryTable),
    same_temporary_holders: bool,
) -> Vec<SettingChange> {
    let settings: [(&str, Reader); 20] = [
        ("restriction type", restriction),
        ("sections it covers", covers),
        ("linked records it reaches", reaches),
        ("what a refused person sees", denied_view),
        ("what a refused person is told", disclosure),
        ("review interval", review_interval),
        ("reviewer", reviewer),
        ("how long a restriction lasts", restriction_lasts),
        ("restriction renewals", restriction_renewals),
        ("notice before a restriction ends", restriction_notice),
        ("temporary access", temporary_offered),
        ("temporary access actions", temporary_actions),
        ("temporary access kinds", temporary_kinds),
        ("temporary access limit", temporary_limit),
        ("temporary access renewals", temporary_renewals),
        ("temporary access notice", temporary_notice),
        ("temporary access approvers", temporary_approvers),
        ("temporary access obligations", temporary_obligations),
        ("contact", contact),
        ("approvals", approvals),
    ];
    let mut out = Vec::new();
    for (name, get) in settings {
        let (a, b) = (get(&old.0.vocabulary, old.1), get(&new.0.vocabulary, new.1));
        if a.key != b.key {
            out.push(change(old.1, name, a, b));
        }
    }
    if !same_temporary_holders && !old.1.temporary.is_empty() && !new.1.temporary.is_empty() {
        let holders = |v: &Vocabulary, c: &CategoryTable| {
            let t = per_kind(c, |t| {
                let text =
                    t.to.as_ref()
                        .map_or("anyone".to_string(), |to| condition_phrase(v, to));
                (String::new(), text)
            });
            Value {
                key: String::new(),
                ..t
            }
        };
        out.push(change(
            old.1,
            "who may hold temporary access",
            holders(&old.0.vocabulary, old.1),
            holders(&new.0.vocabulary, new.1),
        ));
    }
    out.extend(approval_changes(old, new));
    out
}

fn change(c: &CategoryTable, setting: &str, a: Value, b: Value) -> SettingChange {
    SettingChange {
        category: c.name.clone(),
        setting: setting.to_string(),
        old: a.text,
        new: b.text,
        old_source: a.source,
        new_source: b.source,
    }
}

/// The sections a category protects, by name (indices shift when declarations move).
fn covers(v: &Vocabulary, c: &CategoryTable) -> Value {
    let mut names: Vec<&str> = c
        .protects
        .iter()
        .filter_map(|s| v.sections.get(*s as usize))
        .map(|s| s.name.as_str())
        .collect();
    names.sort_unstable();
    Value::plain(
        names.join(","),
        crate::report::table::sections(v, c),
        Some(&c.source),
    )
}

/// The kinds of link a category reaches across, by name (indices shift when declarations move).
fn reaches(v: &Vocabulary, c: &CategoryTable) -> Value {
    let mut names: Vec<&str> = c
        .reaches
        .iter()
        .filter_map(|l| v.links.get(*l as usize))
        .map(|l| l.name.as_str())
        .collect();
    names.sort_unstable();
    let text = if names.is_empty() {
        "no linked record".to_string()
    } else {
        crate::report::table::reaches(v, c)
    };
    Value::plain(names.join(","), text, Some(&c.source))
}

fn restriction(_: &Vocabulary, c: &CategoryTable) -> Value {
    let w = match c.restriction {
        crate::policy::RestrictionType::Universal => "universal",
        crate::policy::RestrictionType::Exclude => "exclude",
    };
    Value::plain(w, w, Some(&c.source))
}

fn denied_view(_: &Vocabulary, c: &CategoryTable) -> Value {
    Value::plain(
        c.denied_view.word(),
        view_phrase(c.denied_view),
        Some(&c.source),
    )
}

fn disclosure(_: &Vocabulary, c: &CategoryTable) -> Value {
    let key = c.disclose.words();
    let text = match &c.disclose.notice {
        Some(n) => format!("{key}; the notice reads \"{n}\""),
        None => key.clone(),
    };
    Value::plain(&key, &text, Some(&c.source))
}

fn review_interval(_: &Vocabulary, c: &CategoryTable) -> Value {
    review_interval_of(c.review.as_ref())
}

fn reviewer(v: &Vocabulary, c: &CategoryTable) -> Value {
    reviewer_of(v, c.review.as_ref())
}

/// A category's or a flag's review interval.
fn review_interval_of(r: Option<&ReviewEntry>) -> Value {
    let Some(r) = r else {
        return Value::plain("none", "no review set", None);
    };
    let (key, text) = match &r.schedule {
        ScheduleEntry::Every { period } => (
            format!("every {}", period.describe()),
            format!("every {}", period.describe()),
        ),
        ScheduleEntry::Never { reason } => (
            "never".to_string(),
            reason
                .as_ref()
                .map_or("never".to_string(), |r| format!("never ({r})")),
        ),
        ScheduleEntry::Until { event } => (format!("until {event}"), format!("until {event}")),
        ScheduleEntry::Unstated { reason } => (
            "unstated".to_string(),
            format!("not stated by the source ({reason})"),
        ),
    };
    match &r.until {
        Some(event) => Value::plain(
            format!("{key} until {event}"),
            format!("{text}, kept until {event}"),
            Some(&r.source),
        ),
        None => Value::plain(key, text, Some(&r.source)),
    }
}

/// Who reviews a category or a flag.
fn reviewer_of(v: &Vocabulary, r: Option<&ReviewEntry>) -> Value {
    match r.and_then(|r| r.reviewer.as_ref()) {
        None => Value::plain("", "nobody named", r.map(|r| r.source.as_str())),
        Some(ch) => chain_value(v, ch),
    }
}

/// The settings of a flag present on both sides that differ: its duty and its review. (A flag
/// decides nothing, so these are its only changes; `category` holds the flag's name.)
pub fn compare_flags(
    old: (&DecisionTable, &FlagEntry),
    new: (&DecisionTable, &FlagEntry),
) -> Vec<SettingChange> {
    let settings: [(&str, FlagReader); 3] = [
        ("duty", |_, f| {
            Value::plain(f.warns.clone(), f.warns.clone(), Some(&f.source))
        }),
        ("review interval", |_, f| {
            review_interval_of(f.review.as_ref())
        }),
        ("reviewer", |v, f| reviewer_of(v, f.review.as_ref())),
    ];
    let mut out = Vec::new();
    for (name, get) in settings {
        let (a, b) = (get(&old.0.vocabulary, old.1), get(&new.0.vocabulary, new.1));
        if a.key != b.key {
            out.push(SettingChange {
                category: old.1.name.clone(),
                setting: name.to_string(),
                old: a.text,
                new: b.text,
                old_source: a.source,
                new_source: b.source,
            });
        }
    }
    out
}

/// Who may approve a deputy acting for a colleague, and for how long, when it differs: every
/// `acting` statement by its maximum and its approvers' names, in any order.
pub fn compare_acting(old: &DecisionTable, new: &DecisionTable) -> Vec<SettingChange> {
    let value = |t: &DecisionTable| {
        let mut keys: Vec<String> = t
            .acting
            .iter()
            .map(|a| {
                let mut by: Vec<String> = a
                    .approved_by
                    .iter()
                    .map(|x| approver_key(&t.vocabulary, x))
                    .collect();
                by.sort();
                format!("{} by {}", a.max.describe(), by.join(" | "))
            })
            .collect();
        keys.sort();
        let text: Vec<String> = t
            .acting
            .iter()
            .map(|a| {
                let by: Vec<String> = a.approved_by.iter().map(words::approver_phrase).collect();
                format!(
                    "up to {}, approved by {}",
                    a.max.describe(),
                    join_or(&by, "or")
                )
            })
            .collect();
        let text = if text.is_empty() {
            "nobody may act for anyone".to_string()
        } else {
            text.join("; ")
        };
        Value::plain(
            keys.join("; "),
            text,
            t.acting.first().map(|a| a.source.as_str()),
        )
    };
    let (a, b) = (value(old), value(new));
    if a.key == b.key {
        return Vec::new();
    }
    vec![SettingChange {
        category: "policy".to_string(),
        setting: "acting for a colleague".to_string(),
        old: a.text,
        new: b.text,
        old_source: a.source,
        new_source: b.source,
    }]
}

/// Reads one setting of a flag.
type FlagReader = fn(&Vocabulary, &FlagEntry) -> Value;

/// A chain's key is its steps by name (alternatives sorted): renaming or re-titling the
/// escalation path it comes from is not a change of who approves.
fn chain_value(v: &Vocabulary, ch: &ChainEntry) -> Value {
    let key = ch
        .steps
        .iter()
        .map(|step| {
            let mut alts: Vec<String> = step.iter().map(|a| approver_key(v, a)).collect();
            alts.sort();
            alts.join(" | ")
        })
        .collect::<Vec<_>>()
        .join(" -> ");
    Value::plain(
        key,
        words::chain_steps(ch).join(", then "),
        Some(&ch.source),
    )
}

/// An approver by its condition's names: its alternatives, each its parts in order.
fn approver_key(v: &Vocabulary, a: &ApproverEntry) -> String {
    let mut terms: Vec<String> = a
        .condition
        .terms
        .iter()
        .map(|t| {
            let mut parts: Vec<String> = t
                .iter()
                .map(|l| {
                    let key = atom_key(v, l.atom);
                    if l.negated { format!("not {key}") } else { key }
                })
                .collect();
            parts.sort();
            parts.join(" and ")
        })
        .collect();
    terms.sort();
    terms.join(" | ")
}

/// An atom by name; a person by the subject id a request carries.
fn atom_key(v: &Vocabulary, atom: Atom) -> String {
    match atom {
        Atom::Person(p) => v
            .persons
            .get(p as usize)
            .map_or("person ?".to_string(), |m| {
                format!("person {}", m.subject_id)
            }),
        other => atom_notation(v, other),
    }
}

fn temporary_offered(_: &Vocabulary, c: &CategoryTable) -> Value {
    match c.temporary.first() {
        None => Value::plain("no", "not offered", None),
        Some(t) => Value::plain("yes", "offered", Some(&t.source)),
    }
}

/// One temporary-access setting over every kind: a category with only its default kind reads
/// as before kinds existed; otherwise each kind's value is named by its kind.
fn per_kind(c: &CategoryTable, f: impl Fn(&TemporaryEntry) -> (String, String)) -> Value {
    let Some(first) = c.temporary.first() else {
        return Value::plain("", "", None);
    };
    if let [only] = c.temporary.as_slice() {
        if only.kind.is_none() {
            let (key, text) = f(only);
            return Value::plain(key, text, Some(&only.source));
        }
    }
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    for t in &c.temporary {
        let (key, text) = f(t);
        let (name, title) = t.kind.as_ref().map_or(("default", "default"), |k| {
            (k.name.as_str(), k.title.as_str())
        });
        keys.push(format!("{name}={key}"));
        texts.push(format!("{title}: {text}"));
    }
    keys.sort();
    Value::plain(keys.join(";"), texts.join("; "), Some(&first.source))
}

/// The kinds of temporary access, by name (only compared when both sides offer it).
fn temporary_kinds(_: &Vocabulary, c: &CategoryTable) -> Value {
    let Some(first) = c.temporary.first() else {
        return Value::plain("", "", None);
    };
    let mut keys: Vec<String> = c
        .temporary
        .iter()
        .map(|t| t.kind_name().unwrap_or("default").to_string())
        .collect();
    keys.sort();
    let texts: Vec<String> = c
        .temporary
        .iter()
        .map(|t| {
            t.kind
                .as_ref()
                .map_or("default", |k| k.title.as_str())
                .to_string()
        })
        .collect();
    Value::plain(keys.join(","), join_or(&texts, "and"), Some(&first.source))
}

/// Only compared when both sides offer temporary access (else "temporary access" says it).
fn temporary_actions(_: &Vocabulary, c: &CategoryTable) -> Value {
    per_kind(c, |t| {
        let mut names: Vec<String> = t
            .actions
            .iter()
            .filter_map(|a| c.decisions.get(*a as usize).map(|d| d.action.clone()))
            .collect();
        names.sort();
        let text = join_or(&names.iter().map(|n| spoken(n)).collect::<Vec<_>>(), "and");
        (names.join(","), text)
    })
}

fn restriction_lasts(_: &Vocabulary, c: &CategoryTable) -> Value {
    match &c.lasts {
        Some(l) => Value::plain(
            format!("{:?}", l.max),
            format!("at most {} from placement", l.max.describe()),
            Some(&l.source),
        ),
        None => Value::plain("none", "no limit", None),
    }
}

fn restriction_renewals(_: &Vocabulary, c: &CategoryTable) -> Value {
    match &c.lasts {
        Some(l) => Value::plain(
            l.renewable.to_string(),
            words::renewable(l.renewable),
            Some(&l.source),
        ),
        None => Value::plain("none", "no limit", None),
    }
}

fn restriction_notice(_: &Vocabulary, c: &CategoryTable) -> Value {
    match c.lasts.as_ref().and_then(|l| Some((l.notify?, &l.source))) {
        Some((n, source)) => Value::plain(
            format!("{n:?}"),
            format!("told {} before it ends", n.describe()),
            Some(source),
        ),
        None => Value::plain("none", "no notice", None),
    }
}

fn temporary_limit(_: &Vocabulary, c: &CategoryTable) -> Value {
    per_kind(c, |t| {
        (
            format!("{:?}", t.max),
            format!("up to {}", t.max.describe()),
        )
    })
}

fn temporary_renewals(_: &Vocabulary, c: &CategoryTable) -> Value {
    per_kind(c, |t| {
        (t.renewable.to_string(), words::renewable(t.renewable))
    })
}

fn temporary_notice(_: &Vocabulary, c: &CategoryTable) -> Value {
    per_kind(c, |t| match t.notify {
        Some(n) => (
            format!("{n:?}"),
            format!("told {} before it ends", n.describe()),
        ),
        None => (String::new(), "no notice".to_string()),
    })
}

fn temporary_approvers(v: &Vocabulary, c: &CategoryTable) -> Value {
    per_kind(c, |t| {
        let mut keys: Vec<String> = t.approved_by.iter().map(|a| approver_key(v, a)).collect();
        keys.sort();
        let text: Vec<String> = t.approved_by.iter().map(words::approver_phrase).collect();
        (keys.join(","), join_or(&text, "or"))
    })
}

fn temporary_obligations(v: &Vocabulary, c: &CategoryTable) -> Value {
    per_kind(c, |t| {
        let mut texts: Vec<String> = t
            .obligations
            .iter()
            .filter_map(|o| v.obligations.get(*o as usize).map(|e| e.text.clone()))
            .collect();
        texts.sort();
        let shown = if texts.is_empty() {
            "none".to_string()
        } else {
            texts.join("; ")
        };
        (texts.join("\n"), shown)
    })
}

fn contact(v: &Vocabulary, c: &CategoryTable) -> Value {
    match &c.contact {
        None => Value::plain("", "none named", None),
        Some(k) => Value::plain(
            format!("{} {:?}", atom_key(v, k.who.atom), k.text),
            match &k.text {
                Some(t) => format!("{} ({t})", words::contact_phrase(&k.who)),
                None => words::contact_phrase(&k.who),
            },
            Some(&k.source),
        ),
    }
}

/// Which purposes have an approver at all; each purpose's chain is compared below.
fn approvals(_: &Vocabulary, c: &CategoryTable) -> Value {
    let mut purposes: Vec<String> = c
        .approvals
        .iter()
        .map(|a| a.purpose.word().to_string())
        .collect();
    // A purpose the source names nobody for is shown as the known gap it is.
    purposes.extend(
        c.unstated_approvals
            .iter()
            .map(|u| format!("{} (not stated by the source)", u.purpose.word())),
    );
    Value::plain(purposes.join(","), purposes.join(", "), Some(&c.source))
}

fn approval_changes(
    old: (&DecisionTable, &CategoryTable),
    new: (&DecisionTable, &CategoryTable),
) -> Vec<SettingChange> {
    let mut out = Vec::new();
    for a in &old.1.approvals {
        let Some(b) = new.1.approval(a.purpose) else {
            continue;
        };
        let (x, y) = (
            chain_value(&old.0.vocabulary, &a.chain),
            chain_value(&new.0.vocabulary, &b.chain),
        );
        if x.key != y.key {
            out.push(change(
                old.1,
                &format!("approvers for {}", a.purpose.word()),
                x,
                y,
            ));
        }
    }
    out
}

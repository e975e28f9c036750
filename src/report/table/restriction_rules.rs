//! The rules about restrictions themselves in plain words: one line per `trigger`, `trigger
//! none`, `never restrict` and `exclusive`, for every format of `caselock table`.

use serde::Serialize;

use crate::compile::table::{DecisionTable, Entry};
use crate::policy::FactCondition;

/// What the rules about restrictions are, as the table's section opens.
pub(super) const NOTE: &str = "These rules decide nobody's access: they say which restrictions a record's facts require, forbid, or do not allow together. A decision warns an auditor of a required restriction a record lacks, and refuses everyone on a record that carries one it may not.";

/// Which kind of statement a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `trigger CATEGORY when FACTS`
    Trigger,
    /// `trigger never`
    NoTriggers,
    /// `never restrict`
    NeverRestrict,
    /// `exclusive`
    Exclusive,
}

impl RuleKind {
    /// The statement's keywords, as written in a policy.
    pub fn word(self) -> &'static str {
        match self {
            RuleKind::Trigger => "trigger",
            RuleKind::NoTriggers => "trigger never",
            RuleKind::NeverRestrict => "never restrict",
            RuleKind::Exclusive => "exclusive",
        }
    }
}

/// One rule about restrictions in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct RestrictionRuleSheet {
    /// The statement.
    pub kind: RuleKind,
    /// What it says of its categories: "must carry Adoption (`adoption`)".
    pub says: String,
    /// When, over the record's facts in the policy's titles ("always" for `exclusive`).
    pub when: String,
    /// The policy's reason, if it gives one.
    pub reason: String,
    /// Where it is written.
    pub source: String,
}

/// Every rule about restrictions of a table, in the policy's order of statements by kind.
pub(super) fn sheet(t: &DecisionTable) -> Vec<RestrictionRuleSheet> {
    let r = &t.restriction_rules;
    let facts = &t.vocabulary.facts;
    let named = |c: &u32| {
        t.categories
            .get(*c as usize)
            .map_or_else(String::new, |c| format!("{} (`{}`)", c.title, c.name))
    };
    let list = |cs: &[u32]| cs.iter().map(named).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    for x in &r.triggers {
        out.push(RestrictionRuleSheet {
            kind: RuleKind::Trigger,
            says: format!("the record must carry {}", named(&x.category)),
            when: fact_condition_words(&x.when, facts),
            reason: x.reason.clone().unwrap_or_default(),
            source: x.source.clone(),
        });
    }
    if let Some(n) = &r.no_triggers {
        out.push(RestrictionRuleSheet {
            kind: RuleKind::NoTriggers,
            says: "nothing requires a record to be restricted by itself".to_string(),
            when: "always".to_string(),
            reason: n.reason.clone(),
            source: n.source.clone(),
        });
    }
    for x in &r.never {
        let what = if x.categories.is_empty() {
            "any restriction".to_string()
        } else {
            list(&x.categories)
        };
        out.push(RestrictionRuleSheet {
            kind: RuleKind::NeverRestrict,
            says: format!("the record may not carry {what}"),
            when: fact_condition_words(&x.when, facts),
            reason: x.reason.clone().unwrap_or_default(),
            source: x.source.clone(),
        });
    }
    for x in &r.exclusive {
        out.push(RestrictionRuleSheet {
            kind: RuleKind::Exclusive,
            says: format!("no record may carry two of {}", list(&x.categories)),
            when: "always".to_string(),
            reason: x.reason.clone().unwrap_or_default(),
            source: x.source.clone(),
        });
    }
    out
}

/// A condition over a record's facts in their titles: `"Adoption is the permanence plan" and not
/// "A post adoption record"`, alternatives joined by "or".
fn fact_condition_words(c: &FactCondition, facts: &[Entry]) -> String {
    let title = |f: &u32| {
        facts
            .get(*f as usize)
            .map_or_else(String::new, |e| format!("\"{}\"", e.title))
    };
    c.terms
        .iter()
        .map(|t| {
            t.all
                .iter()
                .map(title)
                .chain(t.not.iter().map(|f| format!("not {}", title(f))))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

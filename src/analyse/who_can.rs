//! Who can take an action on a record of a category: every class of subject the policy allows,
//! with the rule that lets them and the rules that would stop them — read from the exact
//! partition, so a class is listed only if some subject of it really is allowed.

use serde::Serialize;

use super::partition::{Decides, Partition};
use super::space::{Space, SpaceTooLarge};
use crate::compile::table::{DecisionTable, Layer, RowEffect};
use crate::eval::request::Request;
use crate::markdown::cell;
use crate::policy::words::term_notation;
use crate::policy::{ActionId, Condition};

/// The answer to "who can ACTION a CATEGORY record?".
#[derive(Debug, Clone, Serialize)]
pub struct WhoCan {
    /// The policy's id.
    pub policy: String,
    /// The category (`unrestricted` for a record with no restriction).
    pub category: String,
    /// The action.
    pub action: String,
    /// Every row that allows someone, in the order the evaluator reads them.
    pub allowed: Vec<Access>,
}

/// One way in: a row that decides allow for some subjects.
#[derive(Debug, Clone, Serialize)]
pub struct Access {
    /// The rule id (`adoption.grant.1`, `adoption.temporary`, `adoption.default`).
    pub rule: String,
    /// Where it is written: `file:line`.
    pub source: String,
    /// Whether it rests on a temporary grant.
    pub temporary: bool,
    /// The obligations the holder must meet.
    pub obligations: Vec<String>,
    /// The classes of subject it lets in: one per alternative of its condition that lets anyone.
    pub classes: Vec<Class>,
    /// The rules above it that take some of its subjects away.
    pub stopped_by: Vec<Stop>,
}

/// One alternative of a rule's condition, with a subject it really allows.
#[derive(Debug, Clone, Serialize)]
pub struct Class {
    /// The alternative in the policy's terms: `role Team Manager and record_team`.
    pub subjects: String,
    /// A subject of the class that the rule allows, in words.
    pub example: String,
    /// The request that shows it (`caselock eval` decides it allow).
    pub request: Request,
}

/// A rule that stops some of an access's subjects.
#[derive(Debug, Clone, Serialize)]
pub struct Stop {
    /// The rule id.
    pub rule: String,
    /// Where it is written.
    pub source: String,
    /// Who it names, in the policy's words.
    pub subjects: String,
    /// Whether even a temporary grant cannot override it.
    pub absolute: bool,
    /// A subject the access would let in whom this rule stops.
    pub example: String,
}

/// Why the question could not be answered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WhoCanError {
    /// No such category.
    #[error("the policy has no category `{0}`")]
    UnknownCategory(String),
    /// No such action.
    #[error("the policy has no action `{0}`")]
    UnknownAction(String),
    /// The policy is too large for the engine.
    #[error(transparent)]
    TooLarge(#[from] SpaceTooLarge),
}

/// Answers "who can `action` a `category` record?" for a compiled policy.
pub fn who_can(table: &DecisionTable, category: &str, action: &str) -> Result<WhoCan, WhoCanError> {
    let c = if category == crate::policy::CategoryKind::UNRESTRICTED {
        table.unrestricted.as_ref()
    } else {
        table.category(category)
    }
    .ok_or_else(|| WhoCanError::UnknownCategory(category.to_string()))?;
    let a = table
        .vocabulary
        .actions
        .iter()
        .position(|x| x.name == action)
        .ok_or_else(|| WhoCanError::UnknownAction(action.to_string()))? as ActionId;
    let space = Space::new(table)?;
    let part = Partition::new(&space, 0, table, c, a);
    let rows = c
        .decisions
        .get(a as usize)
        .map_or(&[][..], |l| l.rows.as_slice());
    let known = space.known(0);
    let mut allowed = Vec::new();
    for cell in &part.cells {
        let Decides::Row(i) = cell.decides else {
            continue;
        };
        let Some(row) = rows.get(i) else { continue };
        if row.effect != RowEffect::Allow || cell.region.is_empty() {
            continue;
        }
        let own = space.condition(0, c, a, &row.condition).and(&known);
        let classes = row
            .condition
            .terms
            .iter()
            .filter_map(|term| {
                let t = Condition {
                    terms: vec![term.clone()],
                };
                let region = space.condition(0, c, a, &t).and(&cell.region);
                let w = space.witness(&region)?;
                Some(Class {
                    subjects: term_notation(&table.vocabulary, term),
                    example: w.describe(),
                    request: space.request(table, c, action, &w),
                })
            })
            .collect();
        let stopped_by = rows
            .iter()
            .enumerate()
            .take(i)
            .filter(|(_, r)| r.effect == RowEffect::Deny)
            .filter_map(|(j, r)| {
                // Prefer a subject this rule is the first to stop; else any it would stop.
                let first = part.row(j).map(|cell| cell.and(&own));
                let lost = match first.filter(|x| !x.is_empty()) {
                    Some(x) => x,
                    None => space.condition(0, c, a, &r.condition).and(&own),
                };
                let w = space.witness(&lost)?;
                Some(Stop {
                    rule: r.id.clone(),
                    source: r.source.clone(),
                    subjects: r.subjects_text.clone(),
                    absolute: r.layer == Layer::AbsoluteDeny,
                    example: w.describe(),
                })
            })
            .collect();
        allowed.push(Access {
            rule: row.id.clone(),
            source: row.source.clone(),
            temporary: matches!(row.layer, Layer::Temporary | Layer::TemporaryOverride),
            obligations: row
                .obligations
                .iter()
                .filter_map(|o| table.vocabulary.obligations.get(*o as usize))
                .map(|o| o.name.clone())
                .collect(),
            classes,
            stopped_by,
        });
    }
    Ok(WhoCan {
        policy: table.policy.id.clone(),
        category: c.name.clone(),
        action: action.to_string(),
        allowed,
    })
}

impl WhoCan {
    /// Plain text for a terminal.
    pub fn text(&self) -> String {
        let mut s = format!(
            "Who can `{}` a `{}` record (policy `{}`):\n",
            self.action, self.category, self.policy
        );
        if self.allowed.is_empty() {
            s.push_str("\nNobody: no subject a request can describe is allowed.\n");
        }
        for (n, a) in self.allowed.iter().enumerate() {
            s.push_str(&format!("\n{}. {} ({})", n + 1, a.rule, a.source));
            if a.temporary {
                s.push_str(", with a valid temporary grant");
            }
            if !a.obligations.is_empty() {
                s.push_str(&format!(", requires {}", a.obligations.join(", ")));
            }
            s.push('\n');
            for c in &a.classes {
                s.push_str(&format!("   - {}\n     e.g. {}\n", c.subjects, c.example));
            }
            for st in &a.stopped_by {
                s.push_str(&format!(
                    "   unless stopped by {}{} ({}): {}\n     e.g. {}\n",
                    st.rule,
                    if st.absolute { " (absolute)" } else { "" },
                    st.source,
                    st.subjects,
                    st.example
                ));
            }
        }
        s
    }

    /// Markdown for a pull-request comment or an audit note.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "## Who can `{}` a `{}` record\n\nPolicy `{}`.\n\n",
            self.action, self.category, self.policy
        );
        if self.allowed.is_empty() {
            s.push_str("Nobody: no subject a request can describe is allowed.\n");
            return s;
        }
        s.push_str(
            "| rule | source | who | requires | unless |\n| --- | --- | --- | --- | --- |\n",
        );
        for a in &self.allowed {
            let who: Vec<String> = a.classes.iter().map(|c| cell(&c.subjects)).collect();
            let mut rule = format!("`{}`", a.rule);
            if a.temporary {
                rule.push_str(" (temporary grant)");
            }
            let unless: Vec<String> = a
                .stopped_by
                .iter()
                .map(|st| {
                    format!(
                        "`{}`{}: {}",
                        st.rule,
                        if st.absolute { " (absolute)" } else { "" },
                        cell(&st.subjects)
                    )
                })
                .collect();
            s.push_str(&format!(
                "| {rule} | {} | {} | {} | {} |\n",
                a.source,
                who.join("<br>"),
                a.obligations.join(", "),
                unless.join("<br>")
            ));
        }
        s
    }
}

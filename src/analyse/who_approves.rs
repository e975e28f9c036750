//! Who can approve a lifecycle action (`caselock who-can --action lift`): the chain that decides
//! it, step by step, as the evaluator reads it from the compiled table (docs/semantics.md,
//! "Lifecycle actions").

use serde::Serialize;

use super::who_can::WhoCanError;
use crate::compile::table::{ApproverEntry, ChainEntry, DecisionTable};
use crate::eval::words;
use crate::markdown::cell;
use crate::policy::{Change, ChangeTarget, Purpose};

/// The answer to "who approves CHANGE of a CATEGORY?".
#[derive(Debug, Clone, Serialize)]
pub struct WhoApproves {
    /// The policy's id.
    pub policy: String,
    /// The category (or, for `add_flag`, the flag).
    pub category: String,
    /// The lifecycle action.
    pub action: Change,
    /// The chain's steps in order: who may approve each (any one of them).
    pub steps: Vec<Vec<String>>,
    /// Where the chain is written, when the policy writes one.
    pub source: Option<String>,
    /// How long an approval counts (`30 days`), when the chain says.
    pub valid_for: Option<String>,
    /// Why nobody is named, when the policy says its source names no one.
    pub unstated: Option<String>,
}

/// Answers "who approves `change` of a `category`?" for a compiled policy.
pub fn who_approves(
    table: &DecisionTable,
    category: &str,
    change: Change,
) -> Result<WhoApproves, WhoCanError> {
    let mut answer = WhoApproves {
        policy: table.policy.id.clone(),
        category: category.to_string(),
        action: change,
        steps: Vec::new(),
        source: None,
        valid_for: None,
        unstated: None,
    };
    let describe = |step: &[ApproverEntry]| step.iter().map(words::approver_phrase).collect();
    let mut chain = |c: &ChainEntry, valid: Option<String>| {
        answer.steps = c.steps.iter().map(|s| describe(s)).collect();
        answer.source = Some(c.source.clone());
        answer.valid_for = valid;
    };
    if change.target() == ChangeTarget::Flag {
        if !table.vocabulary.flags.iter().any(|f| f.name == category) {
            return Err(WhoCanError::UnknownCategory(category.to_string()));
        }
        if let Some(a) = &table.flag_approval {
            chain(&a.chain, a.valid_for.map(|p| p.describe()));
        }
        answer.unstated = table.flag_unstated.as_ref().map(|u| u.reason.clone());
        return Ok(answer);
    }
    let c = table
        .category(category)
        .ok_or_else(|| WhoCanError::UnknownCategory(category.to_string()))?;
    if change.target() == ChangeTarget::Temporary {
        // Every kind is approved by its own approvers, as one step.
        answer.steps = c
            .temporary
            .iter()
            .map(|t| describe(&t.approved_by))
            .collect();
        answer.source = c.temporary.first().map(|t| t.source.clone());
        return Ok(answer);
    }
    let purpose = change.purpose();
    match c.approval(purpose) {
        Some(a) => chain(&a.chain, a.valid_for.map(|p| p.describe())),
        None if purpose == Purpose::Renew => {
            if let Some(r) = c.review.as_ref().and_then(|r| r.reviewer.as_ref()) {
                chain(r, None);
            }
        }
        None => {}
    }
    answer.unstated = c
        .unstated_approvals
        .iter()
        .find(|u| u.purpose == purpose)
        .map(|u| u.reason.clone());
    Ok(answer)
}

impl WhoApproves {
    fn heading(&self) -> String {
        format!(
            "Who approves `{}` of `{}` (policy `{}`)",
            self.action.word(),
            self.category,
            self.policy
        )
    }

    fn nobody(&self) -> String {
        match &self.unstated {
            Some(why) => format!("Nobody: the source names no approver ({why})."),
            None => {
                "Nobody: the policy names no approver, so every request is refused.".to_string()
            }
        }
    }

    /// Plain text for a terminal.
    pub fn text(&self) -> String {
        let mut s = format!("{}:\n\n", self.heading());
        if self.steps.is_empty() {
            s.push_str(&self.nobody());
            s.push('\n');
            return s;
        }
        let temporary = self.action.target() == ChangeTarget::Temporary;
        for (n, step) in self.steps.iter().enumerate() {
            let label = if temporary { "kind" } else { "step" };
            s.push_str(&format!("{label} {}: {}\n", n + 1, step.join(" or ")));
        }
        if let Some(src) = &self.source {
            s.push_str(&format!("\nwritten at {src}"));
        }
        if let Some(v) = &self.valid_for {
            s.push_str(&format!("; each approval counts for {v}"));
        }
        s.push_str(&format!("\n\n{}\n", words::CHAIN));
        s
    }

    /// Markdown for a pull-request comment or an audit note.
    pub fn markdown(&self) -> String {
        let mut s = format!("## {}\n\n", self.heading());
        if self.steps.is_empty() {
            s.push_str(&self.nobody());
            s.push('\n');
            return s;
        }
        s.push_str("| step | who may approve |\n| --- | --- |\n");
        for (n, step) in self.steps.iter().enumerate() {
            s.push_str(&format!("| {} | {} |\n", n + 1, cell(&step.join(" or "))));
        }
        if let Some(v) = &self.valid_for {
            s.push_str(&format!("\nEach approval counts for {v}.\n"));
        }
        s.push_str(&format!("\n{}\n", words::CHAIN));
        s
    }
}

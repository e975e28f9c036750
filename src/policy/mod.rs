//! The policy vocabulary: the checked policy and the value types that the checker builds and
//! the compiler, the compiled table, the evaluator and the analysis share (names, conditions,
//! action sets, views, periods and their calendar arithmetic, categories, flags, retention).
//!
//! It sits below every stage that reads a policy, so `compile` and `eval` depend on this layer
//! and never on `check`, and the compiled table's serialised shape is defined by these types
//! once.

mod acting;
mod category;
mod change;
mod condition;
mod decision;
mod flag;
mod id;
mod names;
mod period;
mod restriction_rules;
mod retention;
mod rule;
mod test_case;
pub(crate) mod words;

pub use acting::*;
pub use category::*;
pub use change::*;
pub use condition::*;
pub use decision::*;
pub use flag::*;
pub use id::*;
pub use names::*;
pub use period::*;
pub use restriction_rules::*;
pub use retention::*;
pub use rule::*;
pub use test_case::*;

use chrono::NaiveDate;

use crate::diag::Diagnostic;
use crate::span::Span;

/// Index into [`Policy::actions`].
pub type ActionId = u32;
/// Index into [`Policy::roles`].
pub type RoleId = u32;
/// Index into [`Policy::teams`].
pub type TeamId = u32;
/// Index into [`Policy::persons`].
pub type PersonId = u32;
/// Index into [`Policy::organisations`].
pub type OrgId = u32;
/// Index into [`Policy::contexts`].
pub type ContextId = u32;
/// Index into [`Policy::context_values`]: every context's values in one list.
pub type ContextValueId = u32;
/// Index into [`Policy::obligations`].
pub type ObligationId = u32;
/// Index into [`Policy::escalations`].
pub type EscalationId = u32;
/// Index into [`Policy::boards`].
pub type BoardId = u32;

/// The most actions a policy may declare: an [`ActionSet`] is one machine word.
pub const MAX_ACTIONS: usize = 64;

/// A resolved, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy's identifier, from its header.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its version, if given.
    pub version: Option<u32>,
    /// The source documents it encodes (`source`).
    pub sources: Vec<String>,
    /// The case-record systems it governs (`systems`).
    pub systems: Vec<String>,
    /// When the source was last updated (`updated`).
    pub updated: Option<NaiveDate>,
    /// The header's span.
    pub span: Span,
    /// Declared actions.
    pub actions: Vec<Named>,
    /// Declared sections of a record (`section`), which a category may protect on their own.
    pub sections: Vec<Named>,
    /// Declared kinds of link between records (`link`), which a category may reach across.
    pub links: Vec<Named>,
    /// Declared roles, with their hierarchy.
    pub roles: Vec<Member>,
    /// Declared teams, with their hierarchy.
    pub teams: Vec<Member>,
    /// Declared placeholder people.
    pub persons: Vec<Person>,
    /// Declared organisations.
    pub organisations: Vec<Organisation>,
    /// Declared contexts (`context network "Network" = ...`): facts the request states.
    pub contexts: Vec<Named>,
    /// Every context's values, context by context in declaration order.
    pub context_values: Vec<ContextValue>,
    /// Declared groups, for display (rules carry their conditions inlined).
    pub groups: Vec<Group>,
    /// Declared boards.
    pub boards: Vec<Board>,
    /// Declared obligations.
    pub obligations: Vec<Obligation>,
    /// Declared escalation paths.
    pub escalations: Vec<Escalation>,
    /// Policy-wide default approvals, used by categories that do not give their own.
    pub approvals: Vec<Approval>,
    /// Purposes the policy says its source names no approver for (categories may still give one).
    pub unstated_approvals: Vec<UnstatedApproval>,
    /// What a refused person may be told about any category that does not say (`disclose` at
    /// the top level).
    pub disclose: Option<Disclosure>,
    /// When a deputy may act for a colleague (`acting`); none: nobody may.
    pub acting: Vec<Acting>,
    /// What applies to a record with no restriction, if the policy says.
    pub unrestricted: Option<Category>,
    /// The restriction categories, in source order.
    pub categories: Vec<Category>,
    /// The flags a record may carry, in source order.
    pub flags: Vec<Flag>,
    /// Declared facts about a record (`fact adoption_plan`), which a request's `record.facts`
    /// states and triggers test.
    pub facts: Vec<Named>,
    /// Triggers, records that may not be restricted, and categories that may not be combined.
    pub restriction_rules: RestrictionRules,
    /// The retention schedule.
    pub retention: Vec<Retention>,
    /// The checked `test` blocks, in source order.
    pub tests: Vec<TestCase>,
}

impl Policy {
    /// The category with this name (not the unrestricted block).
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// What a refused person may be told about a category: its own `disclose`, else the
    /// policy-wide one, else nothing.
    pub fn disclosure(&self, category: &Category) -> Disclosure {
        category
            .disclose
            .clone()
            .or_else(|| self.disclose.clone())
            .unwrap_or_default()
    }

    /// The approval for a purpose in a category, falling back to the policy-wide default.
    pub fn approval<'a>(
        &'a self,
        category: &'a Category,
        purpose: Purpose,
    ) -> Option<&'a Approval> {
        // A category's own `approve PURPOSE unstated` says its source names no one: the
        // policy-wide chain does not fill that gap.
        let own_gap = category
            .unstated_approvals
            .iter()
            .any(|u| u.purpose == purpose);
        category
            .approvals
            .iter()
            .find(|a| a.purpose == purpose)
            .or_else(|| {
                (!own_gap)
                    .then(|| self.approvals.iter().find(|a| a.purpose == purpose))
                    .flatten()
            })
    }

    /// Why nobody is named to approve a purpose in a category, when the policy says its source
    /// is silent: the category's own statement first, then the policy-wide one, each only where
    /// no approver is given at that level or before it.
    pub fn unstated_approval<'a>(
        &'a self,
        category: &'a Category,
        purpose: Purpose,
    ) -> Option<&'a UnstatedApproval> {
        if category.approvals.iter().any(|a| a.purpose == purpose) {
            return None;
        }
        if let Some(u) = category
            .unstated_approvals
            .iter()
            .find(|u| u.purpose == purpose)
        {
            return Some(u);
        }
        if self.approvals.iter().any(|a| a.purpose == purpose) {
            return None;
        }
        self.unstated_approvals
            .iter()
            .find(|u| u.purpose == purpose)
    }
}

/// A policy that passed the checks, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The resolved policy.
    pub policy: Policy,
    /// Warnings; they do not stop compilation.
    pub warnings: Vec<Diagnostic>,
}

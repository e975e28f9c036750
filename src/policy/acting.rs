//! Acting for a colleague: the policy's `acting` statements, each a maximum window and who may
//! approve one (docs/semantics.md, "Acting for a colleague").

use super::{Approver, Period};
use crate::span::Span;

/// `acting for up to PERIOD approved_by APPROVER or ...`: a deputy may act for a colleague,
/// with the colleague's rights, for a window no longer than `max` that one of the approvers
/// approved.
#[derive(Debug, Clone)]
pub struct Acting {
    /// The longest window.
    pub max: Period,
    /// Who may approve a window: any of these, each a condition on the person approving
    /// (roles, teams, people and boards; never a relation to a record).
    pub approved_by: Vec<Approver>,
    /// The statement's span.
    pub span: Span,
}

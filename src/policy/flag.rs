//! Flags: marks a record may carry that restrict nobody but give whoever may open the record a
//! duty (`warns`), each reviewed on its own schedule.

use super::{Named, Review};
use crate::span::Span;

/// Index into [`super::Policy::flags`].
pub type FlagId = u32;

/// The most flags a policy may declare: a decision carries the record's flags as one machine
/// word.
pub const MAX_FLAGS: usize = 64;

/// A declared flag.
#[derive(Debug, Clone)]
pub struct Flag {
    /// Its name (as a request's `record.flags` names it) and title.
    pub named: Named,
    /// The duty of whoever may open a record that carries it, in the policy's words.
    pub warns: String,
    /// When the flag is reviewed, if the policy says.
    pub review: Option<Review>,
    /// The whole `flag` block.
    pub span: Span,
}

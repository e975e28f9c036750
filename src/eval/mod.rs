//! Stage 4, evaluate: a [`Decider`] over a compiled table decides [`Request`]s, and renders each
//! [`Decision`] as the public [`Response`] with an explanation for a caseworker or an auditor.
//!
//! The combining rule is documented once, in docs/semantics.md; [`words`] holds its sentences.

mod decider;
pub mod decision;
mod explain;
pub mod id;
mod intern;
pub mod object;
mod refusal;
mod render;
pub mod request;
pub mod schema;
pub mod time;
mod trace;
pub mod words;
mod write;

pub use decider::Decider;
pub use decision::{
    Audience, Basis, CategoryRef, Decision, DenyKind, FailReason, NamedList, Outcome, Response,
    Shown, Warning, WarningCode, Warnings,
};
pub use id::{Id, ListEntry};
pub use object::Object;
pub use refusal::{Refusal, refusal};
pub use request::{Request, RequestError, Text};

//! Stage 4, evaluate: a [`Decider`] over a compiled table decides [`Request`]s, and renders each
//! [`Decision`] as the public [`Response`] with an explanation for a caseworker or an auditor.
//!
//! The combining rule is documented once, in docs/semantics.md; [`words`] holds its sentences.

mod acting;
mod chain;
mod change;
mod decider;
pub(crate) mod decision;
mod explain;
mod facts;
mod flags;
mod grants;
pub(crate) mod id;
mod intern;
pub(crate) mod object;
mod refusal;
mod render;
pub(crate) mod request;
mod restriction_rules;
pub(crate) mod schema;
pub(crate) mod time;
mod trace;
pub mod words;
mod write;

pub use decider::Decider;
pub use decision::{
    ActingProblem, Audience, Basis, CategoryRef, ChainOut, ChainState, ChainStepOut, ChangeProblem,
    Decision, DenyKind, FailReason, GrantProblem, NamedList, Outcome, Response, Shown, StepState,
    Warning, WarningCode, Warnings,
};
pub use id::{Id, ListEntry, id_pattern};
pub use object::Object;
pub(crate) use refusal::{Refusal, refusal};
pub use request::{
    ActingFor, ChangeRequest, GivenApproval, GrantApprover, GrantDuration, Link, PlacedFlag,
    Record, Request, RequestContext, RequestError, RequestReader, Restriction, StatedApprover,
    Subject, TemporaryGrant, Text,
};
pub use restriction_rules::{CarryRefusal, Requirement};
pub use schema::{decision_schema, request_schema};
pub use time::{parse_period, period_pattern};

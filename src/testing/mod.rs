//! `caselock test`: runs a policy's `test` blocks against its compiled table and reports which
//! rules they reached.
//!
//! A test block is lowered to an [`eval::Request`](crate::eval::Request) and an expectation
//! ([`spec`]), decided by the [`eval::Decider`](crate::eval::Decider) over the compiled table
//! and compared ([`runner`]); [`coverage`] counts the rules that decided, and [`render`] prints
//! the results. docs/testing.md describes the test block.

pub(crate) mod coverage;
mod fields;
pub(crate) mod junit;
pub mod render;
pub(crate) mod runner;
pub(crate) mod spec;

pub use coverage::{Coverage, RuleCoverage};
pub use runner::{Actual, Mismatch, PolicyRun, Status, TestResult, run};
pub use spec::{Expectation, TestCase};

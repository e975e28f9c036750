//! `caselock test`: runs a policy's `test` blocks against its compiled table and reports which
//! rules they reached.
//!
//! The checker has turned each test block into a [`TestCase`](crate::policy::TestCase);
//! [`request`] turns it into an [`eval::Request`](crate::eval::Request), decided by the
//! [`eval::Decider`](crate::eval::Decider) over the compiled table and compared with the
//! expectation ([`runner`]); [`coverage`] counts the rules that decided, and [`render`] prints
//! the results. docs/testing.md describes the test block.

pub(crate) mod coverage;
pub(crate) mod junit;
pub mod render;
pub(crate) mod request;
pub(crate) mod runner;

pub use coverage::{Coverage, RuleCoverage};
pub use request::request;
pub use runner::{Actual, Mismatch, PolicyRun, Status, TestResult, run};

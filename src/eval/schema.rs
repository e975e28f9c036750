//! The JSON Schemas of the request and the decision, generated from [`Request`] and
//! [`Response`] themselves, so the published contract (docs/schema/, and through
//! `serve::openapi` docs/openapi.json) cannot drift from what the evaluator reads and writes.
//! `tests/contract.rs` keeps the committed copies equal to these.

use serde_json::Value;

use super::decision::Response;
use super::request::Request;

use crate::json_schema::Direction;
use crate::json_schema::standalone;

/// docs/schema/request.schema.json.
pub fn request_schema() -> Value {
    standalone::<Request>(
        Direction::Read,
        "request.schema.json",
        "caselock request",
        "May this subject take this action on this record at this time? See docs/api.md.",
    )
}

/// docs/schema/decision.schema.json.
pub fn decision_schema() -> Value {
    standalone::<Response>(
        Direction::Write,
        "decision.schema.json",
        "caselock decision",
        "The evaluator's answer to one request. See docs/api.md.",
    )
}

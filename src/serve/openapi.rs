//! The OpenAPI 3 document of the service, served at `/openapi.json`. Its text is
//! docs/openapi.json; a test keeps its paths equal to the router's routes.

/// The OpenAPI document.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

//! Errors as RFC 9457 `application/problem+json` bodies: every refusal says what was wrong and,
//! for bad input, which field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of a problem body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem: an HTTP status, a stable kind and the details.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// `urn:caselock:problem:<kind>`; the kinds are listed in docs/service.md.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What exactly was wrong.
    pub detail: String,
    /// The request field at fault (`record.restriction.category`, `[2].action`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// More, for some kinds (a reload's per-policy results).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<serde_json::Value>,
}

impl Problem {
    fn new(status: StatusCode, kind: &str, title: &'static str, detail: String) -> Problem {
        Problem {
            kind: format!("urn:caselock:problem:{kind}"),
            title,
            status: status.as_u16(),
            detail,
            field: None,
            results: None,
        }
    }

    /// The request body or a parameter is not a valid request.
    pub fn invalid(field: Option<String>, detail: String) -> Problem {
        Problem {
            field,
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-request",
                "the request is not valid",
                detail,
            )
        }
    }

    /// The body is larger than the service accepts.
    pub fn too_large(limit: usize) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "the request body is too large",
            format!("the body is larger than the limit of {limit} bytes"),
        )
    }

    /// No or the wrong bearer token.
    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a bearer token is required",
            "send `Authorization: Bearer <token>` with the token the service was started with"
                .to_string(),
        )
    }

    /// No such resource.
    pub fn not_found(detail: String) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "not found", detail)
    }

    /// A reload was refused.
    pub fn reload_failed(detail: String, results: serde_json::Value) -> Problem {
        Problem {
            results: Some(results),
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "reload-failed",
                "the new policy was refused; the running version is still served",
                detail,
            )
        }
    }

    /// The route does not take this method.
    pub fn method_not_allowed() -> Problem {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "the route does not take this method",
            "see the `Allow` header and /openapi.json".to_string(),
        )
    }

    /// The decision log cannot store the decision, so no decision is given (fail closed).
    pub fn log_unavailable(detail: String) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "log-unavailable",
            "the decision log cannot store decisions; no decision is given",
            detail,
        )
    }

    /// The service is shutting down or not ready.
    pub fn unavailable(detail: String) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the service is not ready",
            detail,
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = crate::json::to_vec(&self);
        let mut r = (status, body).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

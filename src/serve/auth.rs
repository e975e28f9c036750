//! Who may call a route: the bearer token (`--token-file`) or a connected system's own token
//! (`--clients`), and, for the what-if tool in a browser, the same token as the password of
//! HTTP Basic authentication. Tokens are compared as SHA-256 digests in constant time, so neither
//! a token's bytes nor its length show in the timing. Signed caseworker links are
//! [`super::link`].

use std::sync::Arc;

use axum::extract::{Request as HttpRequest, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::Digest;

use super::{AppState, Client, Problem};

/// How a route accepts a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    /// `Authorization: Bearer <token>` only: the JSON API.
    Bearer,
    /// Bearer, or `Authorization: Basic` with the token as the password (the user name is not
    /// read): pages a person opens in a browser, which asks for it.
    BearerOrBasic,
}

/// A caller whose token the service knows.
#[derive(Debug, Clone)]
pub(super) enum Caller {
    /// The holder of the shared `--token-file` token.
    Shared,
    /// A connected system from the clients file.
    Client(Arc<Client>),
}

impl Caller {
    /// The connected system, if the caller is one.
    pub(super) fn client(&self) -> Option<&Arc<Client>> {
        match self {
            Caller::Shared => None,
            Caller::Client(c) => Some(c),
        }
    }
}

/// Whether the service was started without any token (every token-guarded route is open).
pub(super) fn open(state: &AppState) -> bool {
    state.token.is_none() && state.clients.is_none()
}

/// The caller a request's token names; None when it carries none, or one the service does not
/// know (always None for a service started without tokens).
pub(super) fn token_caller(
    state: &AppState,
    headers: &HeaderMap,
    scheme: Scheme,
) -> Option<Caller> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let given = match (bearer(value), scheme) {
        (Some(t), _) => t.to_vec(),
        (None, Scheme::BearerOrBasic) => basic_password(value)?,
        (None, Scheme::Bearer) => return None,
    };
    if let Some((_, set)) = &state.clients {
        if let Some(client) = set.load().find(&given) {
            return Some(Caller::Client(client));
        }
    }
    let shared = state.token.as_ref().is_some_and(|want| {
        let digest: [u8; 32] = sha2::Sha256::digest(&given).into();
        bool::from(subtle::ConstantTimeEq::ct_eq(&digest[..], &want[..]))
    });
    shared.then_some(Caller::Shared)
}

/// Requires the bearer token on the routes it guards, when the service has one; the connected
/// system that called is put in the request's extensions.
pub(super) async fn authorise(
    State(state): State<Arc<AppState>>,
    mut req: HttpRequest,
    next: Next,
) -> Response {
    if open(&state) {
        return next.run(req).await;
    }
    match token_caller(&state, req.headers(), Scheme::Bearer) {
        Some(caller) => {
            if let Some(client) = caller.client() {
                req.extensions_mut().insert(client.clone());
            }
            next.run(req).await
        }
        None => Problem::unauthorized().into_response(),
    }
}

/// The token of an `Authorization: Bearer <token>` value, the scheme in any case (RFC 9110).
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// The password of an `Authorization: Basic <base64 of user:password>` value (RFC 7617).
fn basic_password(value: &[u8]) -> Option<Vec<u8>> {
    let (scheme, rest) = value.split_at_checked(5)?;
    if !scheme.eq_ignore_ascii_case(b"basic") || rest.first() != Some(&b' ') {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim_ascii())
        .ok()?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    let password = decoded.get(colon + 1..)?.trim_ascii();
    (!password.is_empty()).then(|| password.to_vec())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic_credentials_are_read_and_malformed_ones_are_not() {
        assert_eq!(bearer(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"bearer  abc "), Some(&b"abc"[..]));
        assert_eq!(bearer(b"Bearer "), None);
        assert_eq!(bearer(b"Basic abc"), None);
        // `author:s3cret`
        assert_eq!(
            basic_password(b"Basic YXV0aG9yOnMzY3JldA==").as_deref(),
            Some(&b"s3cret"[..])
        );
        // No colon, not base64, an empty password.
        assert_eq!(basic_password(b"Basic czNjcmV0"), None);
        assert_eq!(basic_password(b"Basic !!!"), None);
        assert_eq!(basic_password(b"Basic YXV0aG9yOg=="), None);
    }
}

//! Accepting connections within limits: a bounded number of connections, a deadline for a
//! request's headers (which is also how long an idle keep-alive connection is kept), a deadline
//! for the whole request including its body, and a deadline for draining on shutdown. Built on
//! hyper's HTTP/1 connection settings and tower-http's timeout layer.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::timeout::TimeoutLayer;

use super::Service;

/// Connection limits and timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's headers, and how long an idle
    /// keep-alive connection is kept; then the connection is closed.
    pub header_timeout: Duration,
    /// How long a request may take from its headers to its answer, reading the body included;
    /// then it is answered 408 and the connection closed.
    pub request_timeout: Duration,
    /// The most connections open at once; more wait in the listen queue.
    pub max_connections: usize,
    /// How long, after SIGTERM, requests in flight may take to finish before the service exits.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves the service on a bound listener until `shutdown` completes, then drains: `/readyz`
/// answers 503, connections in flight finish their request, new connections are still served
/// one request each (so `/readyz` can be asked), until every connection has closed or the drain
/// deadline passes.
pub async fn serve_on(
    service: Service,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = service.limits();
    serve_router(service.router(), listener, limits, shutdown).await;
    Ok(())
}

/// Serves a router within `limits` until `shutdown`, then drains as [`serve_on`] says.
pub async fn serve_router(
    router: Router,
    listener: TcpListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let app = router.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request_timeout,
    ));
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &permits) => {
                if let Some((stream, permit)) = accepted {
                    let conn = builder(&limits, true)
                        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        let _ = conn.await;
                        drop(permit);
                    });
                }
            }
        }
    }
    // Draining: connections open now finish their request and close; new ones get one answer.
    let deadline = tokio::time::Instant::now() + limits.drain_timeout;
    let mut drained = std::pin::pin!(graceful.shutdown());
    loop {
        tokio::select! {
            () = &mut drained => break,
            () = tokio::time::sleep_until(deadline) => return,
            accepted = accept(&listener, &permits) => {
                if let Some((stream, permit)) = accepted {
                    let conn = builder(&limits, false)
                        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
                    tokio::spawn(async move {
                        let _ = conn.await;
                        drop(permit);
                    });
                }
            }
        }
    }
    drop(listener);
    // The one-request connections accepted while draining, bounded by the same deadline.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout_at(deadline, permits.acquire_many(all)).await;
}

/// An HTTP/1 connection builder with the header deadline.
fn builder(limits: &Limits, keep_alive: bool) -> hyper::server::conn::http1::Builder {
    let mut b = hyper::server::conn::http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(keep_alive);
    b
}

/// Waits for a free connection slot, then for a connection.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(tokio::net::TcpStream, OwnedSemaphorePermit)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _)) => {
            let _ = stream.set_nodelay(true);
            Some((stream, permit))
        }
        Err(_) => {
            // Out of file descriptors and the like: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

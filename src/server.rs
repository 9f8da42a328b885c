//! The HTTP server around the app: accepts connections and serves HTTP/1.1
//! on each with the limits that keep one client from holding the server.
//! poem's own server has no header timeout and no connection cap, so a
//! client sending its headers a byte every two seconds, or ten thousand
//! clients doing so, held a task and a socket each for ever. Here:
//!
//! - hyper's header read timeout: the headers of a request must arrive
//!   within `header_timeout_secs` of the server being ready for them (which
//!   also closes an idle keep-alive connection);
//! - the body has `body_timeout_secs` once the headers are in (`http`);
//! - a connection that moves no byte for `idle_timeout_secs` while no
//!   request is being handled on it is closed (a client that stops reading
//!   its answer), and so is one whose answer has waited `write_timeout_secs`
//!   for its client to read it (a client that reads a byte now and then);
//! - at most `max_http_connections` at once; the next is answered 503 and closed;
//! - on shutdown, no new connections, requests under way finish (for up to
//!   `shutdown_grace_secs`), idle connections close.
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, EndpointExt, Response};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::config::ConnectionConfig;
use crate::error::ErrorCode;

/// Serves `app` on `listener` until `shutdown` completes, then lets the
/// requests under way finish (up to the grace period) and returns.
pub async fn serve<E>(
    listener: TcpListener,
    app: E,
    config: ConnectionConfig,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    E: Endpoint<Output = Response> + 'static,
{
    let app = Arc::new(app.boxed());
    let local = listener.local_addr()?;
    let slots = Arc::new(Semaphore::new(config.max_http_connections));
    let turning_away = Arc::new(Semaphore::new(TURNED_AWAY_AT_ONCE));
    // Graceful shutdown by hand: hyper-util's watcher does not take a
    // connection that may be upgraded to a WebSocket (`/graphql/ws`).
    // `stopping` tells each connection to finish its request and close;
    // every connection task holds a clone of `alive`, so the receiver
    // ends when the last one has.
    let (stopping, stop_seen) = tokio::sync::watch::channel(false);
    let (alive, mut all_closed) = tokio::sync::mpsc::channel::<()>(1);
    let header_timeout = Duration::from_secs(config.header_timeout_secs);
    let idle_timeout = Duration::from_secs(config.idle_timeout_secs);
    let write_timeout = Duration::from_secs(config.write_timeout_secs);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Out of file descriptors, say: wait a moment rather
                    // than spin on the error.
                    tracing::warn!(error = %err, "a connection could not be accepted");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%remote, max = config.max_http_connections, "too many connections; turning one away");
            // Answering takes a socket for up to two seconds; past a few
            // dozen at once, a flood is simply closed.
            if let Ok(answering) = turning_away.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    turn_away(stream).await;
                    drop(answering);
                });
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            inner: stream,
            activity: activity.clone(),
        });
        let service = {
            let (app, activity) = (app.clone(), activity.clone());
            service_fn(move |req| {
                let (app, activity) = (app.clone(), activity.clone());
                async move {
                    let _busy = activity.busy();
                    let req = poem::Request::from((
                        req,
                        LocalAddr(Addr::SocketAddr(local)),
                        RemoteAddr(Addr::SocketAddr(remote)),
                        poem::http::uri::Scheme::HTTP,
                    ));
                    let resp = app.get_response(req).await;
                    Ok::<_, Infallible>(hyper::Response::from(resp))
                }
            })
        };
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true)
            .serve_connection(io, service)
            // A WebSocket (`/graphql/ws`) takes the connection over.
            .with_upgrades();
        let (mut stop_seen, alive) = (stop_seen.clone(), alive.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let _alive = alive;
            let mut conn = std::pin::pin!(conn);
            let mut closing = *stop_seen.borrow();
            if closing {
                conn.as_mut().graceful_shutdown();
            }
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(err) = result {
                            tracing::debug!(%remote, error = %err, "connection ended with an error");
                        }
                        break;
                    }
                    _ = activity.stalled(idle_timeout, write_timeout) => {
                        tracing::debug!(%remote, "closing a stalled connection");
                        break;
                    }
                    _ = stop_seen.changed(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
        });
    }
    drop(listener);
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let _ = stopping.send(true);
    drop(alive);
    if tokio::time::timeout(grace, all_closed.recv())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still under way after {}s; closing their connections",
            grace.as_secs()
        );
    }
    Ok(())
}

/// Connections over the cap answered 503 at once; more are closed unanswered.
const TURNED_AWAY_AT_ONCE: usize = 64;

/// File descriptors the server needs besides its HTTP connections: the
/// database pool, the listener, logs, a SQLite file's WAL and shared memory.
const SPARE_FILES: u64 = 64;

/// Raises this process's open-file limit to what the system allows and
/// fits the connection cap under it: at the common default of 1,024 files,
/// 1,024 connections could never be reached — the server would run out
/// of files first and stop answering anyone (not even with 503).
pub fn fit_to_open_files(mut config: ConnectionConfig, pool: u32) -> ConnectionConfig {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the struct given.
    let files = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return config;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
        limit.rlim_cur
    };
    let room = files.saturating_sub(u64::from(pool) + SPARE_FILES + TURNED_AWAY_AT_ONCE as u64);
    if (config.max_http_connections as u64) > room {
        tracing::warn!(
            open_files = files,
            asked = config.max_http_connections,
            serving = room,
            "the open-file limit is too low for --max-http-connections; serving fewer"
        );
        config.max_http_connections = room.max(1) as usize;
    }
    config
}

/// Answers a connection over the cap with 503 and closes it, without
/// reading its request.
async fn turn_away(mut stream: TcpStream) {
    let id = uuid::Uuid::now_v7();
    let body = serde_json::json!({ "errors": [{
        "message": "the server is serving as many connections as it may; try again in a moment",
        "extensions": { "code": ErrorCode::ServerBusy.as_str() } }] })
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         x-request-id: {id}\r\nretry-after: 1\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    // The answer, then the request read and dropped until the client
    // closes: closing on unread bytes would reset the connection, and the
    // client would lose the answer.
    let answer_and_drain = async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), answer_and_drain).await;
}

/// When a connection last moved a byte, and how many of its requests are
/// being handled now.
struct Activity {
    /// Tokio's clock, so tests can pause it.
    started: tokio::time::Instant,
    /// Milliseconds since `started` of the last byte read or written.
    last_ms: AtomicU64,
    /// Milliseconds since `started` when the last answer was ready (its
    /// handler ended); `NEVER` before the first.
    answered_ms: AtomicU64,
    busy: AtomicUsize,
}

const NEVER: u64 = u64::MAX;

/// Marks a request under way until dropped (also if its handler panics or
/// is cancelled).
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
        self.0.touch();
        self.0
            .answered_ms
            .store(self.0.elapsed_ms(), Ordering::Release);
    }
}

impl Activity {
    fn new() -> Self {
        Activity {
            started: tokio::time::Instant::now(),
            last_ms: AtomicU64::new(0),
            answered_ms: AtomicU64::new(NEVER),
            busy: AtomicUsize::new(0),
        }
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn touch(&self) {
        self.last_ms.store(self.elapsed_ms(), Ordering::Release);
    }

    fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }

    /// Completes once, with no request of the connection being handled (a
    /// slow handler is neither), it has moved no byte for `idle`, or its
    /// last answer has been ready for `write` without the client taking it
    /// and asking the next (a client reading a few bytes now and then holds
    /// the answer in memory for as long as it likes; the header timeout
    /// already closes a connection that finished and asks nothing more).
    async fn stalled(&self, idle: Duration, write: Duration) {
        let (idle_ms, write_ms) = (idle.as_millis() as u64, write.as_millis() as u64);
        loop {
            let now = self.elapsed_ms();
            let quiet = now.saturating_sub(self.last_ms.load(Ordering::Acquire));
            let answered = self.answered_ms.load(Ordering::Acquire);
            let waiting = match answered {
                NEVER => 0,
                at => now.saturating_sub(at),
            };
            if self.busy.load(Ordering::Acquire) == 0 && (quiet >= idle_ms || waiting >= write_ms) {
                return;
            }
            let wait = idle_ms
                .saturating_sub(quiet)
                .min(write_ms.saturating_sub(waiting).max(1))
                .max(idle_ms.min(write_ms) / 4)
                .max(1);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
    }
}

/// A stream that records its activity.
struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connection_is_idle_only_when_quiet_and_not_busy() {
        let limit = Duration::from_millis(200);
        let generous = Duration::from_secs(10);
        let activity = Arc::new(Activity::new());
        // A request under way (a slow import, say) is not idleness, however
        // quiet the socket.
        let busy = activity.busy();
        let never = Duration::from_secs(3600);
        let waited = tokio::time::timeout(limit * 5, activity.stalled(limit, never)).await;
        assert!(waited.is_err(), "idle while a request was under way");
        // Quiet and not busy: idle once the limit has passed since the
        // last activity (the request's end counts as activity).
        let since = tokio::time::Instant::now();
        drop(busy);
        tokio::time::timeout(generous, activity.stalled(limit, never))
            .await
            .expect("a quiet connection becomes idle");
        assert!(since.elapsed() >= limit);
    }

    #[tokio::test]
    async fn an_answer_left_unread_too_long_ends_its_connection() {
        let write = Duration::from_millis(300);
        let idle = Duration::from_secs(3600);
        let activity = Arc::new(Activity::new());
        // Bytes trickle all the while: never idle, but once the answer has
        // waited `write` for its reader, the connection is stalled.
        let answered = tokio::time::Instant::now();
        drop(activity.busy());
        let trickle = {
            let activity = activity.clone();
            async move {
                loop {
                    activity.touch();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        tokio::select! {
            _ = activity.stalled(idle, write) => {}
            _ = trickle => unreachable!(),
            _ = tokio::time::sleep(Duration::from_secs(10)) => panic!("a trickling reader held on"),
        }
        assert!(answered.elapsed() >= write);
    }
}

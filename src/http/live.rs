//! `GET /graphql/ws`: GraphQL subscriptions over `graphql-transport-ws`
//! (and the older `graphql-ws`). The caller is who the `connection_init`
//! payload's `Authorization: Bearer <token>` (or `token`) says, or else the
//! session cookie sent with the upgrade (a page of this site; another
//! site's page is refused by its `Origin`). Each operation gets a request
//! context of its own, with the caller, so every per-object check of a
//! query applies; only subscriptions are served here (queries and
//! mutations go to `POST /graphql`).
use std::any::TypeId;
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::http::WsMessage;
use async_graphql::{Data, Executor};
use async_graphql_poem::GraphQLProtocol;
use futures_util::SinkExt;
use poem::http::StatusCode;
use poem::web::Data as PoemData;
use poem::web::websocket::Message as WsFrame;
use poem::web::websocket::WebSocket;
use poem::{IntoResponse, Request, Response, handler};

use super::{AppState, Credentials, credentials, id_of, lang_of, refuse};
use crate::error::ErrorCode;
use crate::graphql::budget::RequestBudget;
use crate::graphql::{AppSchema, RequestContext, errors};
use crate::service::notify::live::Live;
use crate::service::sessions::{self, SignedIn};
use crate::service::tokens;
use domain::access::Actor;
use domain::{Lang, Message};

/// Who a connection speaks for, set by `connection_init`, with what
/// proved it: checked again before every event, so a revoked token or an
/// ended session hears nothing more.
#[derive(Clone)]
struct WsCaller {
    actor: Actor,
    signed_in: Option<SignedIn>,
    proof: Proof,
}

#[derive(Clone)]
enum Proof {
    Token(String),
    Session(String),
}

/// Subscriptions one connection may hold at once.
pub const SUBSCRIPTIONS_PER_SOCKET: usize = 20;
/// The largest message a client may send (a subscription is a few hundred bytes).
const MESSAGE_BYTES: usize = 64 * 1024;
/// Open sockets one server serves at once.
pub const SOCKETS_PER_SERVER: usize = 2000;
/// How often a quiet subscription checks its caller is still signed in.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// Counts open sockets of the server (a process-wide count of what this
/// process holds, nothing another server would need).
static OPEN_SOCKETS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Decrements a counter when dropped.
struct Held(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

struct OpenSocket;

impl Drop for OpenSocket {
    fn drop(&mut self) {
        OPEN_SOCKETS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// What every operation of a connection is executed with.
struct Shared {
    /// Subscriptions this connection holds now.
    subscriptions: Arc<std::sync::atomic::AtomicUsize>,
    schema: AppSchema,
    state: AppState,
    live: Arc<Live>,
    lang: Lang,
    request_id: String,
}

#[derive(Clone)]
struct WsExecutor(Arc<Shared>);

fn refusal(code: ErrorCode, message: Message, lang: Lang) -> async_graphql::Response {
    let err = crate::error::AppError::refused(code, message.zh, message.en);
    let mut error =
        async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default());
    errors::finish(&mut error, lang, "");
    async_graphql::Response::from_errors(vec![error])
}

/// Whether every operation in the document is a subscription (one that
/// does not parse is left to the schema to refuse).
fn only_subscriptions(query: &str) -> bool {
    use async_graphql::parser::types::OperationType;
    match async_graphql::parser::parse_query(query) {
        Ok(doc) => doc
            .operations
            .iter()
            .all(|(_, op)| op.node.ty == OperationType::Subscription),
        Err(_) => true,
    }
}

impl Executor for WsExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        // Only subscriptions come this way (`execute_stream`); a plain
        // execution has no connection and so no caller.
        let _ = request;
        refusal(
            ErrorCode::BadRequest,
            Message::new(
                "/graphql/ws 只提供订阅；查询和修改请发到 POST /graphql",
                "/graphql/ws serves subscriptions only; send queries and mutations to POST /graphql",
            ),
            self.0.lang,
        )
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let shared = self.0.clone();
        let caller = session_data
            .as_ref()
            .and_then(|d| d.get(&TypeId::of::<WsCaller>()))
            .and_then(|b| b.downcast_ref::<WsCaller>())
            .cloned();
        let Some(caller) = caller else {
            return stream::once(async move {
                refusal(ErrorCode::Unauthenticated, no_caller(), shared.lang)
            })
            .boxed();
        };
        if !only_subscriptions(&request.query) {
            let lang = shared.lang;
            return stream::once(async move {
                refusal(
                    ErrorCode::BadRequest,
                    Message::new(
                        "/graphql/ws 只提供订阅；查询和修改请发到 POST /graphql",
                        "/graphql/ws serves subscriptions only; send queries and mutations to POST /graphql",
                    ),
                    lang,
                )
            })
            .boxed();
        }
        let held = shared
            .subscriptions
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let guard = Held(shared.subscriptions.clone());
        if held >= SUBSCRIPTIONS_PER_SOCKET {
            let lang = shared.lang;
            return stream::once(async move {
                drop(guard);
                refusal(
                    ErrorCode::TooManySubscriptions,
                    Message::new(
                        format!("一个连接最多同时订阅 {SUBSCRIPTIONS_PER_SOCKET} 项，请先取消不用的订阅"),
                        format!("a connection holds at most {SUBSCRIPTIONS_PER_SOCKET} subscriptions; complete some first"),
                    ),
                    lang,
                )
            })
            .boxed();
        }
        let state = &shared.state;
        let now = (state.clock)();
        let budget = Arc::new(RequestBudget::new(&state.limits));
        let request = request.data(budget.clone()).data(shared.live.clone()).data(
            RequestContext::new(
                state.db.clone(),
                state.snapshots.clone(),
                state.filer.clone(),
                now,
                Some(caller.actor.clone()),
            )
            .with_session(caller.signed_in.clone(), state.sessions)
            .with_budget(budget)
            .with_lang(shared.lang),
        );
        let (lang, request_id) = (shared.lang, shared.request_id.clone());
        let mut inner = shared
            .schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default());
        let checker = shared.clone();
        async_stream::stream! {
            let _guard = guard;
            let mut quiet = tokio::time::interval(RECHECK);
            quiet.tick().await;
            loop {
                let next = tokio::select! {
                    item = inner.next() => item,
                    _ = quiet.tick() => {
                        if checker.still_signed_in(&caller).await {
                            continue;
                        }
                        yield refusal(ErrorCode::Unauthenticated, signed_out(), lang);
                        break;
                    }
                };
                let Some(mut response) = next else {
                    break;
                };
                // Every event goes only to a caller still signed in.
                if !checker.still_signed_in(&caller).await {
                    yield refusal(ErrorCode::Unauthenticated, signed_out(), lang);
                    break;
                }
                response
                    .errors
                    .iter_mut()
                    .for_each(|e| errors::finish(e, lang, &request_id));
                yield response;
            }
        }
        .boxed()
    }
}

impl Shared {
    /// Whether the token or session that opened the connection still holds.
    async fn still_signed_in(&self, caller: &WsCaller) -> bool {
        let state = &self.state;
        let now = (state.clock)();
        match &caller.proof {
            Proof::Token(token) => {
                tokens::authenticate(&state.db, token, now, state.admin_token_hash.as_deref())
                    .await
                    .is_ok()
            }
            Proof::Session(token) => {
                matches!(
                    sessions::authenticate(&state.db, &state.sessions, token, now).await,
                    Ok(Some(_))
                )
            }
        }
    }
}

fn signed_out() -> Message {
    Message::new(
        "登录已失效（令牌已吊销或会话已结束），订阅已停止",
        "the token was revoked or the session ended; the subscription stopped",
    )
}

/// Why a connection was refused: short, as a WebSocket close frame carries
/// at most 123 bytes of reason.
fn no_caller() -> Message {
    Message::new(
        "请先登录：connection_init 须带 Bearer 令牌",
        "sign in: send a Bearer token in connection_init",
    )
}

/// Whether a browser's `Origin` (if it sent one) is this server's own.
fn same_origin(req: &Request) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| !host.is_empty() && rest == host)
}

/// The token a `connection_init` payload carries.
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()));
    if let Some(value) = header {
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string())
            .filter(|t| !t.is_empty());
    }
    payload
        .get("token")
        .and_then(|v| v.as_str())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

#[handler]
pub(super) async fn graphql_ws(
    state: PoemData<&AppState>,
    live: PoemData<&Arc<Live>>,
    req: &Request,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> Response {
    let lang = lang_of(req);
    let request_id = id_of(req);
    let now = (state.clock)();
    // The session cookie's caller, if a page of this site connects.
    let cookie_caller = match credentials(req) {
        Credentials::Session(token) => {
            if !same_origin(req) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    ErrorCode::CsrfRefused,
                    &Message::new(
                        "其他网站的页面不能以您的登录身份订阅",
                        "a page of another site cannot subscribe with your session",
                    ),
                    lang,
                    &request_id,
                );
            }
            match sessions::authenticate(&state.db, &state.sessions, token, now).await {
                Ok(signed_in) => signed_in.map(|s| WsCaller {
                    actor: s.actor(),
                    signed_in: Some(s),
                    proof: Proof::Session(token.to_string()),
                }),
                Err(err) => {
                    tracing::error!(request_id, error = %err, "a session check failed");
                    None
                }
            }
        }
        _ => None,
    };
    if OPEN_SOCKETS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= SOCKETS_PER_SERVER {
        OPEN_SOCKETS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServerBusy,
            &Message::new(
                "实时连接已满，请稍后再试",
                "too many live connections; try again later",
            ),
            lang,
            &request_id,
        );
    }
    let open = OpenSocket;
    let shared = Arc::new(Shared {
        subscriptions: Arc::default(),
        schema: state.schema.clone(),
        state: (*state).clone(),
        live: (*live).clone(),
        lang,
        request_id,
    });
    let executor = WsExecutor(shared.clone());
    websocket
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .config(
            poem::web::websocket::WebSocketConfig::default()
                .max_message_size(Some(MESSAGE_BYTES))
                .max_frame_size(Some(MESSAGE_BYTES)),
        )
        .on_upgrade(move |socket| async move {
            let _open = open;
            let refused = no_caller().get(shared.lang).to_string();
            let (mut sink, incoming) = socket.split();
            let incoming = incoming
                .take_while(|m| std::future::ready(m.is_ok()))
                .filter_map(|m| std::future::ready(m.ok().filter(|m| m.is_text() || m.is_binary())))
                .map(WsFrame::into_bytes);
            let initial = shared.clone();
            let outgoing = async_graphql::http::WebSocket::new(executor, incoming, protocol.0)
                .on_connection_init(move |payload| async move {
                    let shared = initial;
                    let caller = match payload_token(&payload) {
                        Some(token) => {
                            let state = &shared.state;
                            let now = (state.clock)();
                            match tokens::authenticate(
                                &state.db,
                                &token,
                                now,
                                state.admin_token_hash.as_deref(),
                            )
                            .await
                            {
                                Ok(actor) => Some(WsCaller {
                                    actor,
                                    signed_in: None,
                                    proof: Proof::Token(token),
                                }),
                                Err(_) => None,
                            }
                        }
                        None => cookie_caller,
                    };
                    match caller {
                        Some(caller) => {
                            let mut data = Data::default();
                            data.insert(caller);
                            Ok(data)
                        }
                        None => Err(async_graphql::Error::new(no_caller().get(shared.lang))),
                    }
                })
                .keepalive_timeout(std::time::Duration::from_secs(60))
                .map(move |message| match message {
                    WsMessage::Text(text) => WsFrame::text(text),
                    // graphql-transport-ws: 4403 for a refused
                    // connection_init, 4400 for a message it cannot read
                    // (async-graphql says 1002 for both).
                    WsMessage::Close(1002, reason) if reason == refused => {
                        WsFrame::close_with(4403u16, reason)
                    }
                    WsMessage::Close(1002, reason) => WsFrame::close_with(4400u16, reason),
                    WsMessage::Close(code, reason) => WsFrame::close_with(code, reason),
                });
            futures_util::pin_mut!(outgoing);
            while let Some(frame) = outgoing.next().await {
                if sink.send(frame).await.is_err() {
                    break;
                }
            }
        })
        .into_response()
}

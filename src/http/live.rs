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
use async_graphql::{Data, Executor};
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use poem::http::StatusCode;
use poem::web::Data as PoemData;
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

/// Who a connection speaks for, set by `connection_init`.
#[derive(Clone)]
struct WsCaller {
    actor: Actor,
    signed_in: Option<SignedIn>,
}

/// What every operation of a connection is executed with.
struct Shared {
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
        let state = &shared.state;
        let now = (state.clock)();
        let budget = Arc::new(RequestBudget::new(&state.limits));
        let request = request.data(budget.clone()).data(shared.live.clone()).data(
            RequestContext::new(
                state.db.clone(),
                state.snapshots.clone(),
                state.filer.clone(),
                now,
                Some(caller.actor),
            )
            .with_session(caller.signed_in, state.sessions)
            .with_budget(budget)
            .with_lang(shared.lang),
        );
        let (lang, request_id) = (shared.lang, shared.request_id.clone());
        shared
            .schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(move |mut response| {
                response
                    .errors
                    .iter_mut()
                    .for_each(|e| errors::finish(e, lang, &request_id));
                response
            })
            .boxed()
    }
}

fn no_caller() -> Message {
    Message::new(
        "订阅前请先登录：在 connection_init 中带上 {\"Authorization\": \"Bearer <令牌>\"}，或在已登录的页面中连接",
        "sign in first: send {\"Authorization\": \"Bearer <token>\"} in connection_init, or connect from a signed-in page",
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
                }),
                Err(err) => {
                    tracing::error!(request_id, error = %err, "a session check failed");
                    None
                }
            }
        }
        _ => None,
    };
    let shared = Arc::new(Shared {
        schema: state.schema.clone(),
        state: (*state).clone(),
        live: (*live).clone(),
        lang,
        request_id,
    });
    let executor = WsExecutor(shared.clone());
    websocket
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, executor, protocol)
                .on_connection_init(move |payload| async move {
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
                .serve()
        })
        .into_response()
}

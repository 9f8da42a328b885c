use std::sync::Arc;
use std::time::Instant;

use async_graphql::http::{MultipartOptions, receive_batch_body};
use async_graphql::{BatchRequest, BatchResponse};
use chrono::{DateTime, Utc};
use poem::error::ReadBodyError;
use poem::http::{HeaderValue, StatusCode};
use poem::web::Data;
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler, post,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tracing::Instrument;

use crate::config::{LimitsConfig, SessionConfig};
use crate::error::{AppError, ErrorCode};
use crate::graphql::budget::RequestBudget;
use crate::graphql::{AppSchema, RequestContext, build_schema, errors};
use crate::service::reports::Filer;
use crate::service::sessions::SignedIn;
use crate::service::snapshot_cache::SnapshotCache;
use crate::service::{export, passwords, sessions, tokens};
use domain::access::Actor;
use domain::{Lang, Message};

/// `GET /graphql/ws`: subscriptions over graphql-transport-ws.
mod live;
/// `POST /login` and `POST /logout`: the session cookie, the CSRF check.
mod signin;

/// Where "now" comes from; tests pin it to make "today" deterministic.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// The header that carries a request's ID, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// How the app serves, beyond its database and clock.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    pub limits: LimitsConfig,
    /// `MUBIAO_ADMIN_TOKEN`: accepted as an ADMIN token (the operator's key).
    pub admin_token: Option<String>,
    /// Sessions of accounts that sign in with a password.
    pub sessions: SessionConfig,
    /// `MUBIAO_METRICS_TOKEN`: the bearer token `GET /metrics` asks for
    /// (without one, `/metrics` is not served).
    pub metrics_token: Option<String>,
}

/// The shortest operator key the server accepts: 32 characters is 128
/// bits as hex, out of reach of guessing over the network.
pub const MIN_ADMIN_KEY_CHARS: usize = 32;

/// Different characters an operator key must have: 32 × "a" is long and
/// guessable. A random hex key has about 16.
pub const MIN_ADMIN_KEY_DISTINCT: usize = 8;

/// Why an operator key cannot be used, if it cannot: too short, or not a
/// token a client can send (`Bearer <visible ASCII>`).
pub fn admin_key_problem(key: &str) -> Option<Message> {
    let chars = key.chars().count();
    if chars < MIN_ADMIN_KEY_CHARS {
        return Some(Message::new(
            format!(
                "MUBIAO_ADMIN_TOKEN 至少要有 {MIN_ADMIN_KEY_CHARS} 个字符（现有 {chars} 个），\
                 请用 `openssl rand -hex 32` 生成"
            ),
            format!(
                "MUBIAO_ADMIN_TOKEN must be at least {MIN_ADMIN_KEY_CHARS} characters (it has {chars}); \
                 make one with `openssl rand -hex 32`"
            ),
        ));
    }
    let distinct: std::collections::HashSet<char> = key.chars().collect();
    if distinct.len() < MIN_ADMIN_KEY_DISTINCT {
        return Some(Message::new(
            format!(
                "MUBIAO_ADMIN_TOKEN 中不同的字符太少（只有 {} 种），请用 `openssl rand -hex 32` 生成",
                distinct.len()
            ),
            format!(
                "MUBIAO_ADMIN_TOKEN repeats too few characters ({} different); make one with `openssl rand -hex 32`",
                distinct.len()
            ),
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Some(Message::new(
            "MUBIAO_ADMIN_TOKEN 只能由可见的 ASCII 字符组成，不能有空格（它以 `Bearer <令牌>` 发送）",
            "MUBIAO_ADMIN_TOKEN must be visible ASCII without spaces (it is sent as `Bearer <key>`)",
        ));
    }
    None
}

#[derive(Clone)]
struct AppState {
    db: DatabaseConnection,
    schema: AppSchema,
    clock: Clock,
    limits: LimitsConfig,
    /// Only the hash of the operator's token is kept in memory.
    admin_token_hash: Option<String>,
    /// Plan snapshots between requests, checked against each plan's
    /// data_version on every request (`service::snapshot_cache`).
    snapshots: Arc<SnapshotCache>,
    /// Files concurrent reports in shared transactions (`reports::Filer`).
    filer: Filer,
    /// How long sessions last, when sign-ins lock, whether cookies are Secure.
    sessions: SessionConfig,
    /// The hash of the token `GET /metrics` asks for.
    metrics_token_hash: Option<String>,
}

/// The whole HTTP application with default options (no operator token).
pub fn app(db: DatabaseConnection, clock: Clock) -> impl Endpoint<Output = Response> {
    app_with(db, clock, ServeOptions::default())
}

/// The whole HTTP application over a connected, migrated database.
pub fn app_with(
    db: DatabaseConnection,
    clock: Clock,
    options: ServeOptions,
) -> impl Endpoint<Output = Response> {
    app_and_filer(db, clock, options).0
}

/// The application and its report writer, which a server that stops
/// drains before it exits (`Filer::drain`).
pub fn app_and_filer(
    db: DatabaseConnection,
    clock: Clock,
    options: ServeOptions,
) -> (impl Endpoint<Output = Response>, Filer) {
    let limits = options.limits;
    // A key that `admin_key_problem` refuses never reaches here from the
    // command line; from code (tests) it is not accepted either.
    let admin_key = options
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty() && admin_key_problem(t).is_none());
    let filer = Filer::new(db.clone());
    let db_for_live = db.clone();
    let state = AppState {
        filer: filer.clone(),
        db,
        schema: build_schema(&limits),
        clock,
        limits,
        admin_token_hash: admin_key.map(tokens::hash),
        snapshots: Arc::new(SnapshotCache::default()),
        sessions: options.sessions,
        metrics_token_hash: options
            .metrics_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(tokens::hash),
    };
    // The first sign-in under an unknown name should not be the slow one.
    passwords::warm_up();
    let app = crate::web::routes(Route::new())
        .at("/graphql", get(graphiql).post(graphql))
        .at("/graphql/ws", get(live::graphql_ws))
        .at("/login", get(crate::web::login_page).post(signin::login))
        .at("/logout", post(signin::logout))
        .at("/healthz", get(healthz))
        .at("/metrics", get(metrics))
        .at("/export/plans/:id", get(export_plan))
        .at("/attachments/:id", get(download_attachment))
        .data(state)
        .data(crate::service::notify::live::Live::new(
            db_for_live,
            crate::service::notify::live::POLL,
        ))
        .around(with_request_id);
    (app, filer)
}

/// Whether a GraphQL document asks for the schema: `__schema` or `__type`
/// anywhere in it. One that does not parse asks nothing (its execution
/// reports the syntax error).
fn asks_for_schema(query: &str) -> bool {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn asks(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type")
                    || asks(&field.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => asks(&inline.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    document
        .operations
        .iter()
        .any(|(_, op)| asks(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|fragment| asks(&fragment.node.selection_set.node))
}

/// Whether the client is a browser navigating (it asks for HTML).
fn wants_html(req: &Request) -> bool {
    req.headers()
        .get(poem::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The answer to an address no route serves.
fn no_such_address(path: &str, page: bool, lang: Lang, request_id: &str) -> Response {
    if !page {
        let message = Message::new(
            format!("没有“{path}”这个地址"),
            format!("there is nothing at {path}"),
        );
        return refuse(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            &message,
            lang,
            request_id,
        );
    }
    let shown = crate::web::escape_html(path);
    let (title, said, home) = match lang {
        Lang::Zh => (
            "页面不存在",
            format!("没有“{shown}”这个页面，可能是地址输错了，或页面已调整。"),
            "返回首页",
        ),
        Lang::En => (
            "Page not found",
            format!(
                "There is no page at {shown}: the address may be mistyped, or the page has moved."
            ),
            "Back to the start page",
        ),
    };
    let html_lang = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let body = format!(
        "<!doctype html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {app}</title>\
         <link rel=\"stylesheet\" href=\"{prefix}/css/app.css\"></head>\
         <body><main class=\"center\"><section class=\"form-card\"><h1>{title}</h1><p>{said}</p>\
         <p><a class=\"btn primary\" href=\"/\">{home}</a></p></section></main></body></html>\n",
        app = crate::web::APP_NAME,
        prefix = crate::web::asset_prefix(),
    );
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(poem::http::header::CACHE_CONTROL, crate::web::NO_CACHE)
        .header(
            poem::http::header::CONTENT_SECURITY_POLICY,
            crate::web::PAGE_CSP,
        )
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// A request's ID: the client's, if it sent a sane one, else a new one.
/// Set on the request before any route runs and on every response, 404s
/// and 405s included.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Gives every request its ID, answers with it, and logs one line per
/// request carrying it (target `mubiao::access`).
async fn with_request_id<E: Endpoint>(next: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    // Everything logged while the request is served (a refused write, a
    // slow query, a batch filed) carries its ID, so one grep finds it all.
    // The caller and the operation are filled in once known (`graphql`).
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        actor = tracing::field::Empty,
        operation = tracing::field::Empty
    );
    let lang = lang_of(&req);
    let wants_page = wants_html(&req);
    let mut resp = match next.call(req).instrument(span.clone()).await {
        Ok(resp) => resp.into_response(),
        // No route: a page in the reader's language for a browser, a
        // refusal with its code for a program; not poem's "not found".
        Err(err) if err.is::<poem::error::NotFoundError>() => {
            no_such_address(&path, wants_page, lang, &id)
        }
        Err(err) => err.into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, value);
    }
    crate::metrics::request(
        crate::metrics::route_of(&path),
        resp.status().as_u16(),
        started.elapsed(),
    );
    // Inside the request's span: the line carries its caller and operation.
    span.in_scope(|| {
        tracing::info!(
            target: "mubiao::access",
            request_id = %id,
            %method,
            path,
            status = resp.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "request"
        )
    });
    Ok(resp)
}

/// The ID `with_request_id` gave the request.
fn id_of(req: &Request) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_else(|| request_id(req))
}

#[handler]
async fn graphiql(state: Data<&AppState>) -> Response {
    if state.limits.production {
        return StatusCode::NOT_FOUND.into_response();
    }
    crate::web::graphiql_response()
}

/// A request ID the client sent, if it is a sane one; else a new one.
fn request_id(req: &Request) -> String {
    req.header(REQUEST_ID)
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// What a request's credentials say: the `Authorization` header, else
/// the session cookie.
#[derive(Debug, PartialEq, Eq)]
enum Credentials<'a> {
    /// Neither: only the schema can be read.
    Absent,
    /// No `Authorization` header, and the session cookie's value (a bearer
    /// token wins when both come).
    Session(&'a str),
    /// `Bearer <token>`: the scheme in any case, one space, a token of
    /// visible ASCII.
    Bearer(&'a str),
    /// Anything else, refused with 401 like an unknown token: a header
    /// that is not ASCII, another scheme, no space, a blank token.
    Malformed,
}

fn credentials(req: &Request) -> Credentials<'_> {
    let mut values = req
        .headers()
        .get_all(poem::http::header::AUTHORIZATION)
        .iter();
    let Some(value) = values.next() else {
        return match signin::session_cookie(req) {
            Some(token) => Credentials::Session(token),
            None => Credentials::Absent,
        };
    };
    if values.next().is_some() {
        // Two credentials: a proxy reading the other one would disagree
        // with us about who is asking.
        return Credentials::Malformed;
    }
    let Ok(text) = value.to_str() else {
        return Credentials::Malformed;
    };
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer")
                && !token.is_empty()
                && token.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Credentials::Bearer(token)
        }
        _ => Credentials::Malformed,
    }
}

/// Who is asking, and the session they signed in with (`None` for a
/// bearer token).
struct Caller {
    actor: Actor,
    signed_in: Option<SignedIn>,
}

/// The caller behind the request's bearer token or session cookie: `None`
/// without either, or for a cookie whose session is unknown, has ended or
/// belongs to a disabled account (the page then asks the person to sign
/// in); a 401 response for a malformed header or an unknown, revoked or
/// expired token; a 403 for a write carried by the cookie without
/// `X-Requested-With: mubiao` (`signin::csrf_refusal`); a 500 with the
/// request ID (and the detail in the log) if the check itself fails.
async fn caller(
    state: &AppState,
    req: &Request,
    now: DateTime<Utc>,
    request_id: &str,
) -> Result<Option<Caller>, Response> {
    let lang = lang_of(req);
    let token = match credentials(req) {
        Credentials::Absent => return Ok(None),
        Credentials::Session(token) => {
            if let Some(refusal) = signin::csrf_refusal(req, lang, request_id) {
                return Err(refusal);
            }
            return match sessions::authenticate(&state.db, &state.sessions, token, now).await {
                Ok(signed_in) => Ok(signed_in.map(|s| Caller {
                    actor: s.actor(),
                    signed_in: Some(s),
                })),
                Err(err) => {
                    tracing::error!(request_id, error = %err, "a session check failed");
                    Err(internal(lang, request_id))
                }
            };
        }
        Credentials::Bearer(token) => token,
        Credentials::Malformed => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                &Message::new(
                    "Authorization 请求头应为 `Bearer <令牌>`",
                    "the Authorization header must be `Bearer <token>`",
                ),
                lang,
                request_id,
            ));
        }
    };
    match tokens::authenticate(&state.db, token, now, state.admin_token_hash.as_deref()).await {
        Ok(actor) => Ok(Some(Caller {
            actor,
            signed_in: None,
        })),
        Err(err) if err.code() == ErrorCode::Unauthenticated => Err(refuse_with(
            StatusCode::UNAUTHORIZED,
            &err,
            lang,
            request_id,
        )),
        Err(err) => {
            tracing::error!(request_id, error = %err, "authentication failed");
            Err(internal(lang, request_id))
        }
    }
}

/// The language the caller reads: Chinese unless Accept-Language prefers
/// English.
pub(crate) fn lang_of(req: &Request) -> Lang {
    req.headers()
        .get(poem::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// A refusal of the whole request, shaped like a GraphQL response.
fn refuse(
    status: StatusCode,
    code: ErrorCode,
    message: &Message,
    lang: Lang,
    request_id: &str,
) -> Response {
    let message = message.get(lang);
    let mut body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    if code == ErrorCode::Internal {
        body["errors"][0]["extensions"]["requestId"] = json!(request_id);
    }
    Response::builder()
        .status(status)
        .header(REQUEST_ID, request_id)
        .content_type("application/json")
        .body(body.to_string())
}

/// A refusal by an error of ours that is not internal.
fn refuse_with(status: StatusCode, err: &AppError, lang: Lang, request_id: &str) -> Response {
    let message = Message::new(err.message(Lang::Zh), err.message(Lang::En));
    refuse(status, err.code(), &message, lang, request_id)
}

/// A failure of ours: the client gets the request ID to quote, the log
/// (written by the caller) the detail.
fn internal(lang: Lang, request_id: &str) -> Response {
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        &Message::new(
            format!("服务器内部错误（请求编号 {request_id}）"),
            format!("internal error (request {request_id})"),
        ),
        lang,
        request_id,
    )
}

/// How many file parts a multipart body carries. `importPlan` takes one
/// file; async-graphql drops parts the map does not name without a word,
/// so extra ones are refused here rather than read into memory unseen.
async fn file_parts(content_type: &str, body: &[u8]) -> Result<usize, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let bytes = bytes::Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut files = 0;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        if field.file_name().is_some() {
            files += 1;
        }
    }
    Ok(files)
}

/// Runs a GraphQL request or a batch of them. The bearer token is checked
/// first (an unknown, revoked or expired one is refused with 401; without
/// one only the schema can be read); then the limits, before anything
/// executes: body size, time to send it and batch size here, depth and
/// complexity by the schema's validation. Tokens are never logged.
#[handler]
async fn graphql(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let request_id = id_of(req);
    let lang = lang_of(req);
    let limits = state.limits;
    let now = (state.clock)();
    let (actor, signed_in) = match caller(&state, req, now, &request_id).await {
        Ok(Some(caller)) => (Some(caller.actor), caller.signed_in),
        Ok(None) => (None, None),
        Err(refusal) => return refusal,
    };
    if let Some(actor) = &actor {
        tracing::Span::current().record("actor", actor.name.as_str());
    }
    // A file upload (a sheet, an attachment) may be larger than a query;
    // only a caller may send one, refused before its body is read.
    let upload = req
        .content_type()
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if upload && actor.is_none() {
        return refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            &Message::new("上传文件前请先登录", "sign in before uploading a file"),
            lang,
            &request_id,
        );
    }
    let body_limit = if upload {
        limits.max_upload_body_bytes()
    } else {
        limits.max_body_bytes
    };
    let bytes = match read_body(body, body_limit, &limits, lang, &request_id).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal,
    };
    let batch = match parse_batch(req.content_type().unwrap_or_default(), &bytes, &limits).await {
        Ok(batch) => batch,
        Err(message) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &message,
                lang,
                &request_id,
            );
        }
    };
    let (requests, single) = match batch {
        BatchRequest::Single(request) => (vec![request], true),
        BatchRequest::Batch(requests) => (requests, false),
    };
    if requests.len() > limits.max_batch {
        let message = Message::new(
            format!(
                "一次批量请求最多 {} 个操作，这次有 {} 个",
                limits.max_batch,
                requests.len()
            ),
            format!(
                "a batch may hold at most {} operations; this one holds {}",
                limits.max_batch,
                requests.len()
            ),
        );
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BatchTooLarge,
            &message,
            lang,
            &request_id,
        );
    }
    // One budget for the whole request: a batch of ten operations may
    // cost what one may, not ten times as much.
    let budget = Arc::new(RequestBudget::new(&limits));
    let mut responses = Vec::with_capacity(requests.len());
    for request in requests {
        // The budget goes in on its own too: the value-counting extension
        // reads it without knowing the request context.
        let request = request.data(budget.clone()).data(
            RequestContext::new(
                state.db.clone(),
                state.snapshots.clone(),
                state.filer.clone(),
                now,
                actor.clone(),
            )
            .with_session(signed_in.clone(), state.sessions)
            .with_budget(budget.clone())
            .with_lang(lang),
        );
        // The schema is for callers who signed in. Without one, a query
        // asking for it is refused whole, and introspection is off besides
        // (`me` still answers null: the pages ask it to learn they must
        // sign in).
        let operation_name = request
            .operation_name
            .clone()
            .or_else(|| crate::metrics::named_in(&request.query).map(str::to_string));
        let operation_started = Instant::now();
        if let Some(name) = &operation_name {
            tracing::Span::current().record("operation", name.as_str());
        }
        let anonymous_schema = actor.is_none() && asks_for_schema(&request.query);
        let request = match actor {
            Some(_) => request,
            None => request.disable_introspection(),
        };
        let mut response = if anonymous_schema {
            async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(crate::graphql::context::no_caller())
                    .into_server_error(async_graphql::Pos::default()),
            ])
        } else {
            state.schema.execute(request).await
        };
        if budget.answer_too_large() {
            // What was resolved before the limit is dropped, not sent cut.
            response = async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(budget.too_large_error())
                    .into_server_error(async_graphql::Pos::default()),
            ]);
        }
        response
            .errors
            .iter_mut()
            .for_each(|e| errors::finish(e, lang, &request_id));
        crate::metrics::operation(
            operation_name.as_deref(),
            response.errors.iter().map(errors::code_of),
            operation_started.elapsed(),
        );
        responses.push(response);
    }
    let body = if single {
        BatchResponse::Single(responses.remove(0))
    } else {
        BatchResponse::Batch(responses)
    };
    match serde_json::to_string(&body) {
        Ok(json) => Response::builder()
            .header(REQUEST_ID, request_id.as_str())
            .content_type("application/json")
            .body(json),
        Err(err) => {
            tracing::error!(request_id, error = %err, "a response could not be encoded");
            internal(lang, &request_id)
        }
    }
}

/// The request body, within the size limit and the time limit: a client
/// that sends its body a byte at a time holds a connection and a task, so
/// it gets 408 once the time is up.
async fn read_body(
    body: Body,
    max_bytes: usize,
    limits: &LimitsConfig,
    lang: Lang,
    request_id: &str,
) -> Result<bytes::Bytes, Response> {
    let timeout = std::time::Duration::from_secs(limits.body_timeout_secs);
    match tokio::time::timeout(timeout, body.into_bytes_limit(max_bytes)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(ReadBodyError::PayloadTooLarge)) => Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            &Message::new(
                format!("请求内容超过 {max_bytes} 字节"),
                format!("the request body is larger than {max_bytes} bytes"),
            ),
            lang,
            request_id,
        )),
        Ok(Err(_)) => Err(refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            &Message::new("无法读取请求内容", "the request body could not be read"),
            lang,
            request_id,
        )),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            &Message::new(
                format!("请求内容未在 {} 秒内送达", limits.body_timeout_secs),
                format!(
                    "the request body did not arrive within {} seconds",
                    limits.body_timeout_secs
                ),
            ),
            lang,
            request_id,
        )),
    }
}

/// A JSON request or batch, or a file upload (importPlan) per the GraphQL
/// multipart request spec with exactly one file; the body limit bounds the
/// file, which stays in memory.
async fn parse_batch(
    content_type: &str,
    bytes: &[u8],
    limits: &LimitsConfig,
) -> Result<BatchRequest, Message> {
    let not_graphql = |err: String| {
        Message::new(
            format!("请求内容不是 GraphQL 请求：{err}"),
            format!("the body is not a GraphQL request: {err}"),
        )
    };
    if !content_type.starts_with("multipart/form-data") {
        return serde_json::from_slice::<BatchRequest>(bytes)
            .map_err(|e| not_graphql(e.to_string()));
    }
    let files = file_parts(content_type, bytes).await.map_err(not_graphql)?;
    if files > 1 {
        return Err(Message::new(
            format!("一次上传只能带一个文件，这次带了 {files} 个"),
            format!("an upload carries one file; this one carries {files}"),
        ));
    }
    let options = MultipartOptions::default()
        .max_num_files(1)
        .max_file_size(limits.max_upload_body_bytes());
    receive_batch_body(Some(content_type), bytes, options)
        .await
        .map_err(|e| not_graphql(e.to_string()))
}

/// `GET /metrics`: the Prometheus text, for the bearer of the metrics
/// token (a token of its own, so a scraper holds no API rights); 404 when
/// the server was given none, 401 for a wrong one.
#[handler]
async fn metrics(state: Data<&AppState>, req: &Request) -> Response {
    let request_id = id_of(req);
    let lang = lang_of(req);
    let Some(expected) = state.metrics_token_hash.as_deref() else {
        return no_such_address("/metrics", false, lang, &request_id);
    };
    let presented = match credentials(req) {
        Credentials::Bearer(token) => Some(tokens::hash(token)),
        _ => None,
    };
    if presented.as_deref() != Some(expected) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            &Message::new(
                "指标接口需要指标令牌：Authorization: Bearer <MUBIAO_METRICS_TOKEN>",
                "/metrics needs the metrics token: Authorization: Bearer <MUBIAO_METRICS_TOKEN>",
            ),
            lang,
            &request_id,
        );
    }
    let (pool_size, pool_idle) = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        _ => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
    };
    let (pending, dead) = crate::service::notify::webhooks::backlog(&state.db)
        .await
        .unwrap_or((0, 0));
    let gauges = crate::metrics::Gauges {
        pool_size,
        pool_idle,
        report_queue: state.filer.in_writer(),
        cache_bytes: state.snapshots.bytes().await,
        cache_entries: state.snapshots.entries().await,
        deliveries_pending: pending,
        deliveries_dead: dead,
    };
    match crate::metrics::render(&gauges) {
        Some(text) => Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .header("cache-control", "no-store")
            .body(text),
        None => internal(lang, &request_id),
    }
}

#[handler]
async fn healthz(state: Data<&AppState>) -> StatusCode {
    if crate::db::ping(&state.db).await {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

/// `GET /export/plans/{id}?asOf=YYYY-MM-DD&format=xlsx|csv|breakdown` with a
/// bearer token or the session cookie (a GET changes nothing, and the
/// cookie's SameSite=Strict keeps other sites from sending it): the
/// 完成情况表 (or, with `breakdown`, the plan's 目标任务分解表) as a download,
/// for any caller who may read the plan, in the language of its
/// Accept-Language; a plan the caller may not read is as missing as one
/// that does not exist.
#[handler]
async fn export_plan(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
) -> Response {
    let request_id = id_of(req);
    let lang = lang_of(req);
    let rc = match download_context(&state, req, lang, &request_id).await {
        Ok(rc) => rc,
        Err(refusal) => return refusal,
    };
    let params: std::collections::HashMap<String, String> = req.params().unwrap_or_default();
    match export_file(&rc, &id, &params, lang).await {
        Ok((bytes, content_type, file)) => Response::builder()
            .header(REQUEST_ID, request_id.as_str())
            .header(
                "content-disposition",
                format!("attachment; filename=\"{file}\""),
            )
            .content_type(content_type)
            .body(bytes),
        Err(AppError::Internal(detail)) => {
            tracing::error!(request_id, error = %detail, "export failed");
            internal(lang, &request_id)
        }
        Err(err) => {
            let status = match err.code() {
                ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            refuse_with(status, &err, lang, &request_id)
        }
    }
}

/// The request context of a download (an export, an attachment): a caller
/// by bearer token or session cookie, or 401; an account that must change
/// its password first learns nothing (403), not even what exists.
async fn download_context(
    state: &AppState,
    req: &Request,
    lang: Lang,
    request_id: &str,
) -> Result<RequestContext, Response> {
    let now = (state.clock)();
    let caller = match caller(state, req, now, request_id).await? {
        Some(caller) => caller,
        None => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                &Message::new(
                    "需要登录或有效的令牌（Bearer）",
                    "sign in or send a valid bearer token",
                ),
                lang,
                request_id,
            ));
        }
    };
    let rc = RequestContext::new(
        state.db.clone(),
        state.snapshots.clone(),
        state.filer.clone(),
        now,
        Some(caller.actor),
    )
    .with_session(caller.signed_in, state.sessions);
    if let Err(err) = rc.actor() {
        return Err(refuse_with(StatusCode::FORBIDDEN, &err, lang, request_id));
    }
    Ok(rc)
}

/// `GET /attachments/{id}` with a bearer token or the session cookie: the
/// file, to a caller who may read what it proves (an unlinked one only to
/// its uploader); to anyone else it is as missing as one that does not
/// exist. Always a download (`attachment`), with the type read from its
/// bytes, `nosniff` and a sandbox: a file never runs as a page of ours.
#[handler]
async fn download_attachment(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
) -> Response {
    let request_id = id_of(req);
    let lang = lang_of(req);
    let rc = match download_context(&state, req, lang, &request_id).await {
        Ok(rc) => rc,
        Err(refusal) => return refusal,
    };
    let found = async {
        let actor = rc.actor()?.clone();
        let id: i64 = id
            .parse()
            .map_err(|_| AppError::not_found("attachment", &id))?;
        let parents = rc.unit_parents().await?;
        crate::service::attachments::download(&rc.db, &actor, &rc.caller_key(), &parents, id).await
    }
    .await;
    match found {
        Ok((file, bytes)) => Response::builder()
            .header(REQUEST_ID, request_id.as_str())
            .header("content-disposition", content_disposition(&file.name))
            .header("x-content-type-options", "nosniff")
            .header("content-security-policy", "sandbox; default-src 'none'")
            .header("cache-control", "private, no-store")
            .content_type(file.content_type)
            .body(bytes),
        Err(AppError::Internal(detail)) => {
            tracing::error!(request_id, error = %detail, "attachment download failed");
            internal(lang, &request_id)
        }
        // A link opened in a browser tab: the page, not a JSON refusal.
        Err(err) if err.code() == ErrorCode::NotFound && wants_html(req) => {
            no_such_address(req.uri().path(), true, lang, &request_id)
        }
        Err(err) => {
            let status = match err.code() {
                ErrorCode::Forbidden | ErrorCode::PasswordChangeRequired => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            refuse_with(status, &err, lang, &request_id)
        }
    }
}

/// `attachment` with the name twice: plain ASCII for old clients (other
/// characters as '_'), and RFC 5987 UTF-8 for the rest, so "整改报告.pdf"
/// saves under its own name.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The file an export asks for: its bytes, content type and name.
async fn export_file(
    rc: &RequestContext,
    id: &str,
    params: &std::collections::HashMap<String, String>,
    lang: Lang,
) -> Result<(Vec<u8>, &'static str, String), AppError> {
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let format = params.get("format").map(String::as_str).unwrap_or("xlsx");
    let plan_id: i64 = id.parse().map_err(|_| AppError::not_found("plan", id))?;
    let data = rc.readable_history(plan_id).await?;
    let as_of = match params.get("asOf") {
        Some(text) => crate::graphql::scalars::parse_date(text).ok_or_else(|| {
            AppError::refused(
                ErrorCode::InvalidDate,
                format!("截至日期“{text}”的格式不对，请按 YYYY-MM-DD 填写（如 2025-10-31）"),
                format!("{text:?} is not a date in YYYY-MM-DD form"),
            )
        })?,
        None => rc.today_for(&data.plan),
    };
    let eval = data.evaluation(as_of)?;
    let name = format!("plan-{plan_id}-{as_of}");
    match format {
        "csv" => Ok((
            export::csv(&data, &eval, lang)?.into_bytes(),
            "text/csv; charset=utf-8",
            format!("{name}.csv"),
        )),
        "xlsx" => Ok((
            export::xlsx(
                &data,
                &eval,
                rc.today_for(&data.plan),
                &crate::service::notify::workdays::in_force(&rc.db).await?,
                lang,
            )?,
            XLSX,
            format!("{name}.xlsx"),
        )),
        // The targets alone, as the 分解表 that `importPlan` reads.
        "breakdown" => Ok((
            export::breakdown_xlsx(&data, lang)?,
            XLSX,
            format!("plan-{plan_id}-breakdown.xlsx"),
        )),
        // The 台账, the rows the caller may read.
        "problems" | "supervision" => {
            let actor = rc.actor()?;
            let parents = rc.unit_parents().await?;
            let units = rc.all_units().await?;
            if format == "problems" {
                let list: Vec<entity::problem::Model> =
                    crate::service::problems::list(&rc.db, Some(plan_id))
                        .await?
                        .into_iter()
                        .filter(|p| {
                            domain::access::may_read_for_units(
                                actor.role,
                                actor.unit_id,
                                std::iter::once(p.unit_id),
                                &parents,
                            )
                        })
                        .collect();
                let events = crate::service::problems::events_of(&rc.db, &list).await?;
                Ok((
                    export::ledger::problems_xlsx(
                        &data.plan.name,
                        &list,
                        &events,
                        &units,
                        as_of,
                        lang,
                    )?,
                    XLSX,
                    format!("plan-{plan_id}-problems-{as_of}.xlsx"),
                ))
            } else {
                let all = crate::service::supervision::list(&rc.db, Some(plan_id), None).await?;
                let details = crate::service::supervision::details(&rc.db, &all).await?;
                let list: Vec<entity::supervision_item::Model> = all
                    .into_iter()
                    .filter(|i| {
                        let units = std::iter::once(i.lead_unit_id)
                            .chain(details.supporting.get(&i.id).into_iter().flatten().copied());
                        domain::access::may_read_for_units(
                            actor.role,
                            actor.unit_id,
                            units,
                            &parents,
                        )
                    })
                    .collect();
                Ok((
                    export::ledger::items_xlsx(
                        &data.plan.name,
                        &list,
                        &details,
                        &units,
                        as_of,
                        lang,
                    )?,
                    XLSX,
                    format!("plan-{plan_id}-supervision-{as_of}.xlsx"),
                ))
            }
        }
        other => Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!(
                "不支持导出格式“{other}”，请用 xlsx、csv、breakdown（分解表）、problems（问题台账）或 supervision（督办台账）"
            ),
            format!("format {other:?}: use xlsx, csv, breakdown, problems or supervision"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_authorization(value: &[u8]) -> Request {
        Request::builder()
            .header(
                poem::http::header::AUTHORIZATION,
                HeaderValue::from_bytes(value).unwrap(),
            )
            .finish()
    }

    #[test]
    fn only_a_well_formed_bearer_header_carries_a_token() {
        assert_eq!(
            credentials(&Request::builder().finish()),
            Credentials::Absent
        );
        assert_eq!(
            credentials(&with_authorization(b"Bearer abc123")),
            Credentials::Bearer("abc123")
        );
        assert_eq!(
            credentials(&with_authorization(b"bearer abc123")),
            Credentials::Bearer("abc123")
        );
        for bad in [
            &b"Bearerabc123"[..],
            b"Bearer  abc123",
            b"Bearer abc 123",
            b"Bearer ",
            b"Bearer",
            b"Basic abc123",
            b"abc123",
            "Bearer 令牌".as_bytes(),
        ] {
            assert_eq!(
                credentials(&with_authorization(bad)),
                Credentials::Malformed,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn operator_keys_must_be_long_and_sendable() {
        assert!(admin_key_problem("1").is_some());
        assert!(admin_key_problem(&"a".repeat(31)).is_some());
        assert!(admin_key_problem(&"a".repeat(32)).is_some());
        assert!(admin_key_problem("0123456789abcdef0123456789abcdef").is_none());
        assert!(admin_key_problem("0123456789abcdef 0123456789abcdef").is_some());
        assert!(admin_key_problem(&"密".repeat(40)).is_some());
    }

    /// A line logged anywhere while a request is served carries its ID,
    /// through the span `with_request_id` opens.
    /// Log lines written as JSON into memory while the guard lives.
    #[derive(Clone, Default)]
    struct Lines(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn json_log() -> (Lines, tracing::subscriber::DefaultGuard) {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || writer.clone())
            .finish();
        (lines, tracing::subscriber::set_default(subscriber))
    }

    #[tokio::test]
    async fn what_a_request_logs_carries_its_request_id() {
        let (lines, _guard) = json_log();

        #[handler]
        fn deep_inside() -> &'static str {
            tracing::warn!("something worth a look");
            "ok"
        }
        let app = Route::new()
            .at("/", get(deep_inside))
            .around(with_request_id);
        let resp = app
            .get_response(
                Request::builder()
                    .header("x-request-id", "req-7f3a")
                    .finish(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let line = log
            .lines()
            .find(|l| l.contains("something worth a look"))
            .unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains(r#""request_id":"req-7f3a""#), "{line}");
    }

    #[tokio::test]
    async fn the_access_line_names_the_caller_and_the_operation() {
        let (lines, _guard) = json_log();
        let mut config = crate::config::DatabaseConfig::new("sqlite::memory:");
        config.max_connections = 1;
        let db = crate::db::connect(&config).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let key = "log-test-operator-key-3c9e1a7b5d2f4860";
        let app = app_with(
            db,
            system_clock(),
            ServeOptions {
                admin_token: Some(key.into()),
                ..Default::default()
            },
        );
        let resp = app
            .get_response(
                Request::builder()
                    .method(poem::http::Method::POST)
                    .uri(poem::http::Uri::from_static("/graphql"))
                    .header("authorization", format!("Bearer {key}"))
                    .content_type("application/json")
                    .body(r#"{"query":"query UnitList { units { name } }"}"#),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let line = log
            .lines()
            .find(|l| l.contains("mubiao::access"))
            .unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains(r#""operation":"UnitList""#), "{line}");
        assert!(line.contains(r#""actor":""#), "{line}");
    }
}

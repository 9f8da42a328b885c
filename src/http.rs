use std::sync::Arc;

use async_graphql::http::{GraphiQLSource, MultipartOptions, receive_batch_body};
use async_graphql::{BatchRequest, BatchResponse};
use chrono::{DateTime, Utc};
use poem::error::ReadBodyError;
use poem::http::StatusCode;
use poem::web::{Data, Html};
use poem::{Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::config::LimitsConfig;
use crate::domain::access::Actor;
use crate::error::ErrorCode;
use crate::graphql::{AppSchema, RequestContext, build_schema, errors};
use crate::service::reports::Filer;
use crate::service::snapshot_cache::SnapshotCache;
use crate::service::{export, tokens};

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
    /// A token GraphiQL sends by default (the demo's read-only token).
    pub graphiql_token: Option<String>,
}

#[derive(Clone)]
struct AppState {
    db: DatabaseConnection,
    schema: AppSchema,
    clock: Clock,
    limits: LimitsConfig,
    /// Only the hash of the operator's token is kept in memory.
    admin_token_hash: Option<String>,
    graphiql_header: Option<String>,
    /// Plan snapshots between requests, checked against each plan's
    /// data_version on every request (`service::snapshot_cache`).
    snapshots: Arc<SnapshotCache>,
    /// Files concurrent reports in shared transactions (`reports::Filer`).
    filer: Filer,
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
    let limits = options.limits;
    let state = AppState {
        filer: Filer::new(db.clone()),
        db,
        schema: build_schema(&limits),
        clock,
        limits,
        admin_token_hash: options
            .admin_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(tokens::hash),
        graphiql_header: options.graphiql_token.map(|t| format!("Bearer {t}")),
        snapshots: Arc::new(SnapshotCache::default()),
    };
    Route::new()
        .at("/graphql", get(graphiql).post(graphql))
        .at("/healthz", get(healthz))
        .at("/export/plans/:id", get(export_plan))
        .data(state)
}

#[handler]
async fn graphiql(state: Data<&AppState>) -> Response {
    if state.limits.production {
        return StatusCode::NOT_FOUND.into_response();
    }
    let page = GraphiQLSource::build().endpoint("/graphql");
    let page = match &state.graphiql_header {
        Some(value) => page.header("Authorization", value),
        None => page,
    };
    Html(page.finish()).into_response()
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

/// The token of an `Authorization: Bearer …` header; `Some("")` for a
/// header that carries none (refused like an unknown token).
fn bearer(req: &Request) -> Option<&str> {
    let value = req.header("authorization")?;
    Some(value.strip_prefix("Bearer").map(str::trim).unwrap_or(""))
}

/// The caller behind the request's bearer token: `None` without a header;
/// a 401 response for an unknown, empty, revoked or expired token; a 500
/// with the request ID (and the detail in the log) if the check itself fails.
async fn caller(
    state: &AppState,
    req: &Request,
    now: DateTime<Utc>,
    request_id: &str,
) -> Result<Option<Actor>, Response> {
    let Some(token) = bearer(req) else {
        return Ok(None);
    };
    match tokens::authenticate(&state.db, token, now, state.admin_token_hash.as_deref()).await {
        Ok(actor) => Ok(Some(actor)),
        Err(err) if err.code() == ErrorCode::Unauthenticated => Err(refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            &err.to_string(),
            request_id,
        )),
        Err(err) => {
            tracing::error!(request_id, error = %err, "authentication failed");
            let message = format!("internal error (request {request_id})");
            Err(refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                &message,
                request_id,
            ))
        }
    }
}

/// A refusal of the whole request, shaped like a GraphQL response.
fn refuse(status: StatusCode, code: ErrorCode, message: &str, request_id: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    Response::builder()
        .status(status)
        .header(REQUEST_ID, request_id)
        .content_type("application/json")
        .body(body.to_string())
}

/// Runs a GraphQL request or a batch of them. The bearer token is checked
/// first (an unknown, revoked or expired one is refused with 401; without
/// one only the schema can be read); then the limits, before anything
/// executes: body size and batch size here, depth and complexity by the
/// schema's validation. Tokens are never logged.
#[handler]
async fn graphql(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let request_id = request_id(req);
    let limits = state.limits;
    let now = (state.clock)();
    let actor = match caller(&state, req, now, &request_id).await {
        Ok(actor) => actor,
        Err(refusal) => return refusal,
    };
    let bytes = match body.into_bytes_limit(limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(ReadBodyError::PayloadTooLarge) => {
            let message = format!(
                "the request body is larger than {} bytes",
                limits.max_body_bytes
            );
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                &message,
                &request_id,
            );
        }
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                "the request body could not be read",
                &request_id,
            );
        }
    };
    let content_type = req.content_type().unwrap_or_default();
    let parsed = if content_type.starts_with("multipart/form-data") {
        // A file upload (importPlan), per the GraphQL multipart request spec;
        // the body limit above bounds the file, which stays in memory.
        let options = MultipartOptions::default()
            .max_num_files(1)
            .max_file_size(limits.max_body_bytes);
        receive_batch_body(Some(content_type), &bytes[..], options)
            .await
            .map_err(|err| err.to_string())
    } else {
        serde_json::from_slice::<BatchRequest>(&bytes).map_err(|err| err.to_string())
    };
    let batch = match parsed {
        Ok(batch) => batch,
        Err(err) => {
            let message = format!("the body is not a GraphQL request: {err}");
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &message,
                &request_id,
            );
        }
    };
    let (requests, single) = match batch {
        BatchRequest::Single(request) => (vec![request], true),
        BatchRequest::Batch(requests) => (requests, false),
    };
    if requests.len() > limits.max_batch {
        let message = format!(
            "a batch may hold at most {} operations; this one holds {}",
            limits.max_batch,
            requests.len()
        );
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BatchTooLarge,
            &message,
            &request_id,
        );
    }
    let mut responses = Vec::with_capacity(requests.len());
    for request in requests {
        let request = request.data(RequestContext::new(
            state.db.clone(),
            state.snapshots.clone(),
            state.filer.clone(),
            now,
            actor.clone(),
        ));
        let mut response = state.schema.execute(request).await;
        response
            .errors
            .iter_mut()
            .for_each(|e| errors::finish(e, &request_id));
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
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "internal error",
                &request_id,
            )
        }
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
/// bearer token: the 完成情况表 (or, with `breakdown`, the plan's 目标任务分解表)
/// as a download, for any caller who may read the plan.
#[handler]
async fn export_plan(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
) -> Response {
    let request_id = request_id(req);
    let now = (state.clock)();
    let actor = match caller(&state, req, now, &request_id).await {
        Ok(Some(actor)) => actor,
        Ok(None) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "a valid bearer token is required",
                &request_id,
            );
        }
        Err(refusal) => return refusal,
    };
    let params: std::collections::HashMap<String, String> = req.params().unwrap_or_default();
    let format = params.get("format").map(String::as_str).unwrap_or("xlsx");
    let rc = RequestContext::new(
        state.db.clone(),
        state.snapshots.clone(),
        state.filer.clone(),
        now,
        Some(actor),
    );
    let result = async {
        let plan_id: i64 = id
            .parse()
            .map_err(|_| crate::error::AppError::not_found("plan", &id))?;
        let loaded = crate::service::load_plans(&state.db, &[plan_id]).await?;
        let data = loaded
            .get(&plan_id)
            .cloned()
            .ok_or_else(|| crate::error::AppError::not_found("plan", plan_id))?;
        if !rc.may_read(&data).await? {
            return Err(crate::error::AppError::rejected(
                ErrorCode::Forbidden,
                "this token takes no part in that plan",
            ));
        }
        let as_of = match params.get("asOf") {
            Some(text) => crate::graphql::scalars::parse_date(text).ok_or_else(|| {
                crate::error::AppError::rejected(
                    ErrorCode::InvalidDate,
                    format!("{text:?} is not a date in YYYY-MM-DD form"),
                )
            })?,
            None => rc.today_for(&data.plan),
        };
        let eval = data.evaluation(as_of);
        let name = format!("plan-{plan_id}-{as_of}");
        match format {
            "csv" => Ok((
                export::csv(&data, &eval).into_bytes(),
                "text/csv; charset=utf-8",
                format!("{name}.csv"),
            )),
            "xlsx" => Ok((
                export::xlsx(&data, &eval, rc.today_for(&data.plan))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{name}.xlsx"),
            )),
            // The targets alone, as the 分解表 that `importPlan` reads.
            "breakdown" => Ok((
                export::breakdown_xlsx(&data)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("plan-{plan_id}-breakdown.xlsx"),
            )),
            other => Err(crate::error::AppError::rejected(
                ErrorCode::InvalidValue,
                format!("format {other:?}: use xlsx, csv or breakdown"),
            )),
        }
    }
    .await;
    match result {
        Ok((bytes, content_type, file)) => Response::builder()
            .header(REQUEST_ID, request_id.as_str())
            .header(
                "content-disposition",
                format!("attachment; filename=\"{file}\""),
            )
            .content_type(content_type)
            .body(bytes),
        Err(err) => {
            let status = match err.code() {
                ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::BAD_REQUEST,
            };
            if let crate::error::AppError::Internal(detail) = &err {
                tracing::error!(request_id, error = %detail, "export failed");
            }
            refuse(status, err.code(), &err.to_string(), &request_id)
        }
    }
}

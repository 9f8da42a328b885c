use async_graphql::ServerError;

use domain::Lang;

use super::scalars;
use crate::error::{AppError, ErrorCode};

/// Gives every error of a response its `extensions.code`. Resolvers return
/// `AppError` through `?` (async-graphql keeps it as the error's source),
/// and so do the query limits (`limits`); the `Date` scalar's parse errors
/// come with their code already set. Other errors raised by async-graphql
/// itself (syntax, unknown fields, wrong types) are BAD_REQUEST, except a
/// number literal out of range (`1e400`), which only the parser's message
/// tells apart. Internal details go to the log, never to the client.
/// Messages are in the caller's language: ours from `AppError`,
/// async-graphql's own (always English) introduced in Chinese, by the
/// sentence a scalar gave ([`scalars::CHINESE`]) or by 请求有误.
pub fn finish(error: &mut ServerError, lang: Lang, request_id: &str) {
    // A scalar's Chinese sentence: read, and never sent as an extension.
    let scalar_zh = error.extensions.as_mut().and_then(|e| {
        let zh = e.get(scalars::CHINESE).and_then(|v| match v {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        });
        e.unset(scalars::CHINESE);
        zh
    });
    let app_code = error.source::<AppError>().map(|app| {
        if let AppError::Internal(detail) = app {
            tracing::error!(request_id, error = %detail, path = ?error.path, "internal error while serving a request");
        }
        app.code()
    });
    if let Some(app) = error.source::<AppError>() {
        error.message = app.message(lang);
    }
    if app_code == Some(ErrorCode::Internal) {
        // The client gets the request ID to quote, never the detail.
        error.message = match lang {
            Lang::Zh => format!("服务器内部错误（请求编号 {request_id}）"),
            Lang::En => format!("internal error (request {request_id})"),
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("requestId", request_id);
    }
    if let Some(AppError::Sheet { problems, more }) = error.source::<AppError>() {
        let more = *more;
        let list: Vec<serde_json::Value> = problems
            .iter()
            .map(|p| {
                serde_json::json!({
                    "row": p.row,
                    "column": p.column,
                    "cell": p.column.as_ref().map(|c| format!("{c}{}", p.row)),
                    "header": p.header,
                    "code": p.code.as_str(),
                    "message": p.message.get(lang),
                })
            })
            .collect();
        if let Ok(value) = async_graphql::Value::from_json(serde_json::Value::Array(list)) {
            let extensions = error.extensions.get_or_insert_with(Default::default);
            extensions.set("problems", value);
            // The problems past the first MAX_PROBLEMS, counted, not listed.
            extensions.set("moreProblems", more);
        }
    }
    let tagged = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    let code = match app_code {
        Some(code) => code,
        // Raised by one of our input types with its code (the Date scalar).
        None if tagged => {
            // The Chinese sentence alone: async-graphql's English after
            // it ("Failed to parse \"Date\" …") is noise to a clerk.
            if let (Some(zh), Lang::Zh) = (scalar_zh, lang) {
                error.message = zh;
            }
            return;
        }
        // A literal like 1e400 cannot be a finite number. The parser says so
        // in a syntax error's text only (it is not the error's source).
        None if error.message.contains("number out of range") => ErrorCode::InvalidValue,
        None => ErrorCode::BadRequest,
    };
    if app_code.is_none() && lang == Lang::Zh {
        // The parser's and validator's words, which name fields and types
        // as the query wrote them, after a sentence a clerk can read.
        error.message = format!("请求有误：{}", error.message);
    }
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

/// A finished error's `extensions.code` (for the metrics).
pub fn code_of(error: &ServerError) -> &str {
    match error.extensions.as_ref().and_then(|e| e.get("code")) {
        Some(async_graphql::Value::String(code)) => code.as_str(),
        Some(async_graphql::Value::Enum(code)) => code.as_str(),
        _ => "BAD_REQUEST",
    }
}

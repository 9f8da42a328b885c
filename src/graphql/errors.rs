use async_graphql::ServerError;

use crate::error::{AppError, ErrorCode};

/// Gives every error of a response its `extensions.code`. Resolvers return
/// `AppError` through `?` (async-graphql keeps it as the error's source);
/// errors raised by async-graphql itself (syntax, unknown fields,
/// unparsable scalars) are classified by what they are about. Internal
/// details go to the log, never to the client.
pub fn finish(error: &mut ServerError, request_id: &str) {
    let app_code = error.source::<AppError>().map(|app| {
        if let AppError::Internal(detail) = app {
            tracing::error!(request_id, error = %detail, path = ?error.path, "internal error while serving a request");
        }
        app.code()
    });
    if app_code == Some(ErrorCode::Internal) {
        // The client gets the request ID to quote, never the detail.
        error.message = format!("internal error (request {request_id})");
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
                    "message": p.message,
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
    let code = match app_code {
        Some(code) => code,
        None if error.message == "Query is nested too deep." => ErrorCode::QueryTooDeep,
        None if error.message == "Query is too complex." => ErrorCode::QueryTooComplex,
        None if error.message.contains("\"Date\"") => ErrorCode::InvalidDate,
        // A literal like 1e400 cannot be a finite number.
        None if error.message.contains("number out of range") => ErrorCode::InvalidValue,
        None => ErrorCode::BadRequest,
    };
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

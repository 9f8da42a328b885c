use async_graphql::ServerError;

use crate::error::{AppError, ErrorCode};

/// Gives every error of a response its `extensions.code`. Resolvers return
/// `AppError` through `?` (async-graphql keeps it as the error's source);
/// errors raised by async-graphql itself (syntax, unknown fields,
/// unparsable scalars) are classified by what they are about. Internal
/// details go to the log, never to the client.
pub fn finish(error: &mut ServerError) {
    let code = match error.source::<AppError>() {
        Some(app) => {
            if let AppError::Internal(detail) = app {
                tracing::error!(error = %detail, path = ?error.path, "internal error while serving a request");
            }
            app.code()
        }
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

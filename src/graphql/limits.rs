//! The depth and complexity limits of a query. async-graphql's validation
//! measures both; this extension refuses a query over either limit with
//! an `AppError` as the error's source, so `errors::finish` reads the code
//! from the error itself rather than from async-graphql's message. The
//! messages and the order (complexity first, then depth) are the ones
//! async-graphql's own `limit_complexity` and `limit_depth` give.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};

use crate::error::{AppError, ErrorCode};

/// Registered on the schema with the configured limits.
#[derive(Clone, Copy)]
pub struct QueryLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimits {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let measured = next.run(ctx).await?;
        if measured.complexity > self.max_complexity {
            return Err(vec![refusal(
                ErrorCode::QueryTooComplex,
                "查询过于复杂，请减少一次请求的字段",
                "Query is too complex.",
            )]);
        }
        if measured.depth > self.max_depth {
            return Err(vec![refusal(
                ErrorCode::QueryTooDeep,
                "查询嵌套层数过多，请减少嵌套",
                "Query is nested too deep.",
            )]);
        }
        Ok(measured)
    }
}

/// A request-wide error (no location, no path) whose source is the
/// refusal; `errors::finish` gives it the caller's language.
fn refusal(code: ErrorCode, zh: &str, en: &str) -> ServerError {
    let mut error = ServerError::new(en, None);
    error.source = Some(Arc::new(AppError::refused(code, zh, en)));
    error
}

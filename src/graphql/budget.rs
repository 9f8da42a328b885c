//! What one HTTP request may ask of a server, all the operations of a
//! batch together. The schema's validation bounds the *shape* of a query
//! (depth, fields); these bound what it *costs*, which the shape does not
//! tell: the same alias asked of 150 plans, a trend of every goal by
//! aliases, a list of every report of every plan written out five times.
//!
//! - distinct dates figures are asked for (`TOO_MANY_DATES`);
//! - rows the request holds in its snapshots, each evaluation counted as
//!   the plan's rows once more (`QUERY_TOO_EXPENSIVE`): what it loads and
//!   computes, so what it keeps in memory until it answers;
//! - values in the answer (`RESPONSE_TOO_LARGE`): counted as fields
//!   resolve, and the request stops resolving once over, so the answer is
//!   never built whole.
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};
use chrono::NaiveDate;

use crate::config::LimitsConfig;
use crate::error::{AppError, AppResult, ErrorCode};

/// The costs one request has run up, against its limits.
pub struct RequestBudget {
    max_dates: usize,
    max_rows: usize,
    max_values: usize,
    dates: Mutex<HashSet<NaiveDate>>,
    rows: AtomicUsize,
    values: AtomicUsize,
    /// Set once the answer passed `max_values`: the handler then answers
    /// RESPONSE_TOO_LARGE instead of what was resolved.
    over_values: AtomicBool,
}

impl RequestBudget {
    pub fn new(limits: &LimitsConfig) -> Self {
        RequestBudget {
            max_dates: limits.max_dates,
            max_rows: limits.max_request_rows,
            max_values: limits.max_response_values,
            dates: Mutex::new(HashSet::new()),
            rows: AtomicUsize::new(0),
            values: AtomicUsize::new(0),
            over_values: AtomicBool::new(false),
        }
    }

    /// Counts a date the request asks figures for.
    pub fn ask_date(&self, date: NaiveDate) -> AppResult<()> {
        let mut dates = self.dates.lock().unwrap_or_else(|e| e.into_inner());
        if dates.insert(date) && dates.len() > self.max_dates {
            return Err(AppError::refused(
                ErrorCode::TooManyDates,
                format!(
                    "一次请求最多查询 {} 个不同的日期，请分几次查询",
                    self.max_dates
                ),
                format!(
                    "a request may ask about at most {} distinct dates; split it",
                    self.max_dates
                ),
            ));
        }
        Ok(())
    }

    /// Charges rows the request is about to hold (a snapshot, its
    /// evaluations).
    pub fn hold_rows(&self, rows: usize) -> AppResult<()> {
        let held = self.rows.fetch_add(rows, Ordering::Relaxed) + rows;
        if held > self.max_rows {
            return Err(AppError::refused(
                ErrorCode::QueryTooExpensive,
                format!(
                    "这次请求要读取和计算的计划及填报数据超过 {} 行，\
                     请一次少查一些计划、目标、趋势或日期",
                    self.max_rows
                ),
                format!(
                    "this request would load and judge more than {} rows of plans and reports; \
                     ask about fewer plans, goals, trends or dates at once",
                    self.max_rows
                ),
            ));
        }
        Ok(())
    }

    /// Counts a value of the answer; false once the answer is too large.
    fn add_value(&self) -> bool {
        if self.values.fetch_add(1, Ordering::Relaxed) < self.max_values {
            true
        } else {
            self.over_values.store(true, Ordering::Relaxed);
            false
        }
    }

    /// Whether the answer grew past its limit (and was cut short).
    pub fn answer_too_large(&self) -> bool {
        self.over_values.load(Ordering::Relaxed)
    }

    /// The error that replaces an answer grown past its limit.
    pub fn too_large_error(&self) -> AppError {
        AppError::refused(
            ErrorCode::ResponseTooLarge,
            format!(
                "结果将超过 {} 个数值，请一次少查一些字段、别名或计划",
                self.max_values
            ),
            format!(
                "the answer would hold more than {} values; ask for fewer fields, aliases or plans at once",
                self.max_values
            ),
        )
    }
}

/// Counts the values of an answer as its fields resolve; past the limit
/// every further field resolves to null at once, so the work stops
/// there and the handler replaces the answer with one error.
pub struct CountValues;

impl ExtensionFactory for CountValues {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CountValues)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CountValues {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        match ctx.data_opt::<Arc<RequestBudget>>() {
            // A null in place of the value (list items must have one); the
            // handler drops the whole answer.
            Some(budget) if !budget.add_value() => Ok(Some(Value::Null)),
            _ => next.run(ctx, info).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget() -> RequestBudget {
        RequestBudget::new(&LimitsConfig {
            max_dates: 2,
            max_request_rows: 100,
            max_response_values: 3,
            ..LimitsConfig::default()
        })
    }

    #[test]
    fn dates_rows_and_values_each_have_their_limit() {
        let b = budget();
        let day = |d| NaiveDate::from_ymd_opt(2025, 10, d).unwrap();
        b.ask_date(day(1)).unwrap();
        b.ask_date(day(2)).unwrap();
        b.ask_date(day(1)).unwrap();
        assert_eq!(
            b.ask_date(day(3)).unwrap_err().code(),
            ErrorCode::TooManyDates
        );

        b.hold_rows(60).unwrap();
        b.hold_rows(40).unwrap();
        assert_eq!(
            b.hold_rows(1).unwrap_err().code(),
            ErrorCode::QueryTooExpensive
        );

        assert!(b.add_value() && b.add_value() && b.add_value());
        assert!(!b.answer_too_large());
        assert!(!b.add_value());
        assert!(b.answer_too_large());
    }
}

//! Prometheus metrics (`GET /metrics`, behind its own token): requests by
//! route and outcome with latency histograms, GraphQL operations by name
//! and outcome, errors by `extensions.code`, the database pool, the report
//! writer's queue and batch sizes, the snapshot cache, the webhook
//! backlog, and build info.
//!
//! The counters live in this process (each server is scraped on its own,
//! as Prometheus does): nothing in them is state another server needs.
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Operation names counted apart; past this many, "other" (a client
/// choosing a new name per request must not grow the server's memory).
const OPERATION_NAMES: usize = 200;
static NAMES: Mutex<Option<HashSet<String>>> = Mutex::new(None);

const SECONDS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
const BATCH: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The process's recorder, installed on first use.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS)
                .ok()?
                .set_buckets_for_metric(Matcher::Full("mubiao_report_batch_size".into()), &BATCH)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            metrics::gauge!("mubiao_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            Some(handle)
        })
        .as_ref()
}

/// A route's label: the fixed routes by name, pages and assets by kind.
pub fn route_of(path: &str) -> &'static str {
    match path {
        "/graphql" => "/graphql",
        "/graphql/ws" => "/graphql/ws",
        "/login" => "/login",
        "/logout" => "/logout",
        "/healthz" => "/healthz",
        "/metrics" => "/metrics",
        _ if path.starts_with("/export/") => "/export",
        _ if path.starts_with("/attachments/") => "/attachments",
        _ if path.starts_with("/assets/") => "/assets",
        _ => "page",
    }
}

/// One HTTP request answered.
pub fn request(route: &'static str, status: u16, took: Duration) {
    if handle().is_none() {
        return;
    }
    let outcome = match status {
        200..=399 => "ok",
        400..=499 => "refused",
        _ => "failed",
    };
    metrics::counter!("mubiao_http_requests_total", "route" => route, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("mubiao_http_request_duration_seconds", "route" => route)
        .record(took.as_secs_f64());
}

/// A name fit for a label: letters, digits and `_`, at most 64, one of
/// the first `OPERATION_NAMES` seen; else "other" (or "anonymous").
fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return "anonymous".into();
    };
    if name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return "other".into();
    }
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let names = names.get_or_insert_with(HashSet::new);
    if names.contains(name) || names.len() < OPERATION_NAMES {
        names.insert(name.to_string());
        name.to_string()
    } else {
        "other".into()
    }
}

/// One GraphQL operation executed, and its errors' codes.
pub fn operation<'a>(name: Option<&str>, codes: impl Iterator<Item = &'a str>, took: Duration) {
    if handle().is_none() {
        return;
    }
    let label = operation_label(name);
    let mut failed = false;
    for code in codes {
        failed = true;
        metrics::counter!("mubiao_graphql_errors_total", "code" => code.to_string()).increment(1);
    }
    let outcome = if failed { "error" } else { "ok" };
    metrics::counter!("mubiao_graphql_operations_total", "operation" => label.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("mubiao_graphql_operation_duration_seconds", "operation" => label)
        .record(took.as_secs_f64());
}

/// The name a document gives its first operation (`query Dashboard {…}`),
/// for requests that do not say `operationName`; read without parsing.
pub fn named_in(query: &str) -> Option<&str> {
    let mut rest = query.trim_start();
    // Comments before the operation.
    while let Some(comment) = rest.strip_prefix('#') {
        rest = comment.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    let after = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|kw| rest.strip_prefix(kw))?;
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    let after = after.trim_start();
    let end = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(after.len());
    (end > 0).then(|| &after[..end])
}

/// A batch of reports filed in one transaction.
pub fn report_batch(size: usize) {
    if handle().is_some() {
        metrics::histogram!("mubiao_report_batch_size").record(size as f64);
    }
}

/// A snapshot or structure asked of the cache: kept, or loaded.
pub fn snapshot_cache(hit: bool) {
    if handle().is_some() {
        let outcome = if hit { "hit" } else { "miss" };
        metrics::counter!("mubiao_snapshot_cache_requests_total", "outcome" => outcome)
            .increment(1);
    }
}

/// A kept snapshot pushed out for room.
pub fn snapshot_evicted() {
    if handle().is_some() {
        metrics::counter!("mubiao_snapshot_cache_evictions_total").increment(1);
    }
}

/// What is read at the moment of a scrape.
pub struct Gauges {
    pub pool_size: u32,
    pub pool_idle: u32,
    pub report_queue: usize,
    pub cache_bytes: u64,
    pub cache_entries: u64,
    pub deliveries_pending: i64,
    pub deliveries_dead: i64,
}

/// The text a scrape answers, with the gauges as read now.
pub fn render(g: &Gauges) -> Option<String> {
    let handle = handle()?;
    metrics::gauge!("mubiao_db_pool_connections", "state" => "in_use")
        .set(f64::from(g.pool_size.saturating_sub(g.pool_idle)));
    metrics::gauge!("mubiao_db_pool_connections", "state" => "idle").set(f64::from(g.pool_idle));
    metrics::gauge!("mubiao_report_writer_queue").set(g.report_queue as f64);
    metrics::gauge!("mubiao_snapshot_cache_bytes").set(g.cache_bytes as f64);
    metrics::gauge!("mubiao_snapshot_cache_entries").set(g.cache_entries as f64);
    metrics::gauge!("mubiao_webhook_deliveries", "state" => "pending")
        .set(g.deliveries_pending as f64);
    metrics::gauge!("mubiao_webhook_deliveries", "state" => "dead").set(g.deliveries_dead as f64);
    Some(handle.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_and_clean() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("Dashboard")), "Dashboard");
        assert_eq!(operation_label(Some("drop table; --")), "other");
        assert_eq!(operation_label(Some(&"a".repeat(65))), "other");
        assert_eq!(route_of("/export/plans/3"), "/export");
        assert_eq!(
            named_in("query UnitList { units { name } }"),
            Some("UnitList")
        );
        assert_eq!(
            named_in("# 领导驾驶舱\nquery Dashboard($p: ID!) { x }"),
            Some("Dashboard")
        );
        assert_eq!(named_in("{ units { name } }"), None);
        assert_eq!(named_in("query { units { name } }"), None);
        assert_eq!(named_in("queryX { a }"), None);
        assert_eq!(route_of("/goals/12"), "page");
    }
}

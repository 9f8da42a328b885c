//! `GET /metrics`: Prometheus text behind its own token, counting requests,
//! GraphQL operations by name and outcome, and errors by code.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use serde_json::json;

const METRICS_TOKEN: &str = "scrape-key-7d1e4a9c2b6f8035";

/// The value of the sample whose line starts with `series` (0 if none).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_a_query_and_an_error_for_the_scraper_only() {
    let app = TestApp::spawn_with_options(mubiao::http::ServeOptions {
        admin_token: Some(ADMIN_TOKEN.into()),
        metrics_token: Some(METRICS_TOKEN.into()),
        ..Default::default()
    })
    .await;
    app.create_unit("洞庭湖产业园管委会", None).await;
    let ok = app
        .gql("query UnitList { units { name } }", json!({}))
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");
    let missing = app
        .gql(
            "mutation OnePlan { closePlan(id: \"999\") { state } }",
            json!({}),
        )
        .await;
    assert_eq!(
        missing["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{missing}"
    );

    // Without the token, or with an API token: refused.
    let anonymous = app.client.get("/metrics").send().await;
    assert_eq!(anonymous.0.status().as_u16(), 401);
    let api = app
        .client
        .get("/metrics")
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send()
        .await;
    assert_eq!(api.0.status().as_u16(), 401);

    let resp = app
        .client
        .get("/metrics")
        .header("authorization", format!("Bearer {METRICS_TOKEN}"))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 200);
    let text = resp.0.into_body().into_string().await.unwrap();
    assert_eq!(
        sample(
            &text,
            r#"mubiao_graphql_operations_total{operation="UnitList",outcome="ok"}"#
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"mubiao_graphql_operations_total{operation="OnePlan",outcome="error"}"#
        ),
        1.0
    );
    assert!(sample(&text, r#"mubiao_graphql_errors_total{code="NOT_FOUND"}"#) >= 1.0);
    assert!(
        sample(
            &text,
            r#"mubiao_http_requests_total{route="/graphql",outcome="ok"}"#
        ) >= 3.0
    );
    assert!(text.contains("mubiao_http_request_duration_seconds_bucket{route=\"/graphql\""));
    assert!(text.contains(&format!(
        "mubiao_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    )));
    for gauge in [
        "mubiao_db_pool_connections{state=\"in_use\"}",
        "mubiao_report_writer_queue",
        "mubiao_snapshot_cache_bytes",
        "mubiao_webhook_deliveries{state=\"pending\"}",
    ] {
        assert!(text.contains(gauge), "{gauge} missing:\n{text}");
    }
    assert!(!text.contains(ADMIN_TOKEN) && !text.contains(METRICS_TOKEN));

    // A server given no metrics token serves no /metrics.
    let plain = TestApp::spawn().await;
    let none = plain
        .client
        .get("/metrics")
        .header("authorization", format!("Bearer {METRICS_TOKEN}"))
        .send()
        .await;
    assert_eq!(none.0.status().as_u16(), 404);
}

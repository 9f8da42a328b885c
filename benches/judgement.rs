//! Times the judgement queries of issue 3 on a generated plan of 50 units ×
//! 60 goals × 12 months of reports, through the whole app (HTTP handler,
//! GraphQL, snapshot load, evaluation), and prints the figures.
//!
//!     cargo bench --bench judgement                      # SQLite in a temp dir
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench judgement
//!
//! On PostgreSQL the plan goes into a fresh schema that is dropped afterwards.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mubiao::config::DatabaseConfig;
use mubiao::{db, http, synthetic};
use poem::EndpointExt;
use poem::test::TestClient;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const RUNS: usize = 30;

/// The operator token the benchmarked app accepts.
const BENCH_TOKEN: &str = "bench-operator-key-5b1e7f02c9a64d38";

const QUERIES: [(&str, &str); 9] = [
    (
        "plan dashboard",
        r#"query($id: ID!) { plan(id: $id) {
        progress(asOf: "2025-10-31") { completionPercent expectedPercent gap light status score }
        categoryProgress(asOf: "2025-10-31") { category progress { completionPercent light score } }
        unitProgress(asOf: "2025-10-31") { rank unit { name } progress { completionPercent light } lights { green blue yellow red } }
        allGoals { title progress(asOf: "2025-10-31") { completionPercent expectedPercent gap light status } }
    } }"#,
    ),
    (
        "overdue list",
        r#"query($id: ID!) { overdue(asOf: "2025-10-31", filter: { planId: $id }) {
        goals { goal { title } progress { light } } milestones { milestone { title } daysOverdue } } }"#,
    ),
    (
        "yellow/red list",
        r#"query($id: ID!) { warnings(asOf: "2025-10-31", filter: { planId: $id }) { goal { title } progress { gap light } } }"#,
    ),
    (
        "due in 45 days",
        r#"query($id: ID!) { upcoming(asOf: "2025-11-20", days: 45, filter: { planId: $id }) {
        goals { goal { title } deadline } milestones { milestone { title dueDate } } } }"#,
    ),
    (
        "unit ranking",
        r#"query($id: ID!) { unitRanking(planId: $id, asOf: "2025-10-31") { rank unit { name } progress { completionPercent } lights { red yellow } } }"#,
    ),
    (
        "reporting calendar",
        r#"query($id: ID!) { reportingCalendar(planId: $id, month: "2025-10") {
        units { unit { name } reported late missing pending } assignments { state } } }"#,
    ),
    (
        "plan trend (12 points)",
        r#"query($id: ID!) { plan(id: $id) { trend(upTo: "2025-12-31") { date completionPercent expectedPercent } } }"#,
    ),
    (
        "every goal's trend",
        r#"query($id: ID!) { plan(id: $id) { allGoals { trend(upTo: "2025-12-31") { completionPercent light } } } }"#,
    ),
    (
        "year-end scorecard",
        r#"query($id: ID!) { plan(id: $id) { scorecard(asOf: "2025-12-31") { score vetoed goals { goal { title } score } } } }"#,
    ),
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (mut config, schema) = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => {
            let schema = format!("bench_{}", std::process::id());
            let admin = sea_orm::Database::connect(url.clone()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .unwrap();
            let mut c = DatabaseConfig::new(url);
            c.schema = Some(schema.clone());
            (c, Some(schema))
        }
        Err(_) => (
            DatabaseConfig::new(format!("sqlite:{}", dir.path().join("bench.db").display())),
            None,
        ),
    };
    config.max_connections = 8;
    let mut conn = db::connect(&config).await.unwrap();
    db::migrate(&conn).await.unwrap();
    let backend = if schema.is_some() {
        "postgres"
    } else {
        "sqlite"
    };

    let spec = synthetic::Spec {
        year: 2025,
        units: 50,
        goals: 60,
        months: 12,
        units_per_goal: 5,
        seed: 1,
    };
    let started = Instant::now();
    let plan = synthetic::generate_plan(&conn, "洞庭产业开发区", spec)
        .await
        .unwrap();
    let reports = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM report",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    println!(
        "mubiao judgement bench on {backend}: {} units × {} goals × {} months, {} assignments, {reports} reports (generated in {:.0} ms)",
        spec.units,
        spec.goals,
        spec.months,
        spec.goals * spec.units_per_goal,
        ms(started.elapsed())
    );

    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    conn.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let options = http::ServeOptions {
        admin_token: Some(BENCH_TOKEN.into()),
        ..Default::default()
    };
    let client =
        TestClient::new(http::app_with(conn.clone(), http::system_clock(), options).boxed());
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>11} {:>10}",
        "query", "min ms", "median ms", "p90 ms", "statements", "bytes"
    );
    for (name, query) in QUERIES {
        let body = json!({ "query": query, "variables": { "id": plan.to_string() } });
        let mut times = Vec::with_capacity(RUNS);
        let mut size = 0;
        let mut per_request = 0;
        for run in 0..RUNS + 3 {
            statements.store(0, Ordering::Relaxed);
            let t = Instant::now();
            let resp = client
                .post("/graphql")
                .header("authorization", format!("Bearer {BENCH_TOKEN}"))
                .body_json(&body)
                .send()
                .await;
            let text = resp.0.into_body().into_string().await.unwrap();
            let elapsed = t.elapsed();
            let value: Value = serde_json::from_str(&text).unwrap();
            assert!(value.get("errors").is_none(), "{name}: {text:.400}");
            if run >= 3 {
                times.push(elapsed);
            }
            size = text.len();
            per_request = statements.load(Ordering::Relaxed);
        }
        times.sort();
        println!(
            "{:<24} {:>9.2} {:>9.2} {:>9.2} {:>11} {:>10}",
            name,
            ms(times[0]),
            ms(times[RUNS / 2]),
            ms(times[RUNS * 9 / 10]),
            per_request,
            size
        );
    }
    if let (Some(schema), Ok(url)) = (schema, std::env::var("BENCH_DATABASE_URL")) {
        let admin = sea_orm::Database::connect(url).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
    }
}

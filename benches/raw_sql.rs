//! The yardstick for `bench/run.sh`: the raw database answering the same
//! questions as the server's workloads, in SQL, with the same indexes, from
//! a pool of connections as busy as the load tool's clients. It prints one
//! JSON line of latencies per workload, which the script divides the
//! server's figures by.
//!
//!     RAW_DATABASE_URL=sqlite:bench/work/sqlite.db RAW_WORKLOAD=dashboard \
//!         cargo bench --bench raw_sql
//!
//! Settings (environment): RAW_DATABASE_URL, RAW_SCHEMA (PostgreSQL),
//! RAW_WORKLOAD (dashboard | overview | drilldown | burst | mixed, or
//! dump | check below), RAW_SECONDS (default 10), RAW_CONCURRENCY
//! (default 4), RAW_AS_OF (default 2025-10-31).
//!
//! The SQL (`mubiao::bench_sql`) computes the server's figures by the rules
//! of docs/rules.md — the standing report per share, per goal its target,
//! actual and completion, per plan, category and unit the capped weighted
//! averages — for the synthetic province's flat plans. It leaves out what
//! is not a completion figure (time progress, lights, status, scores).
//!
//! Two more modes answer for the SQL rather than time it:
//!
//! - `dump` (or `-- --dump`): one JSON line per goal of the province,
//!   its plan, kind, target, actual and completion as of RAW_AS_OF;
//! - `check` (or `-- --check`): asks the server at RAW_SERVER_URL (token
//!   RAW_TOKEN) for every plan's figures over GraphQL and compares them
//!   with the SQL's, each to 1e-9 relative (absolute under 1); exits 1
//!   naming the first plan and figure that differ and both values.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mubiao::bench_sql::{
    RawSql, SERVER_QUERY, Scope, compare, raw_figures, server_figures, trend_dates,
};
use mubiao::config::DatabaseConfig;
use mubiao::db;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

struct Queries {
    sql: RawSql,
    as_of: chrono::NaiveDate,
}

impl Queries {
    fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        db::statement(self.sql.backend, sql, values)
    }

    /// Plan total, categories and unit ranking of one plan: three statements.
    fn dashboard(&self, plan: i64) -> Vec<Statement> {
        let (scope, dates) = (Scope::Plan(plan), [self.as_of]);
        vec![
            self.sql.plans(scope, &dates),
            self.sql.categories(scope, &dates),
            self.sql.units(scope, &dates),
        ]
    }

    /// Every plan's total as of the date: one statement.
    fn overview(&self) -> Vec<Statement> {
        vec![self.sql.plans(Scope::Province, &[self.as_of])]
    }

    /// One goal, its shares with their figures, its milestones and its
    /// figures at each month end up to the date: four statements.
    fn drilldown(&self, goal: i64) -> Vec<Statement> {
        let scope = Scope::Goal(goal);
        vec![
            self.stmt(
                "SELECT id, title, kind, target_value, deadline FROM goal WHERE id = ?",
                vec![goal.into()],
            ),
            self.sql.assignments(scope, &[self.as_of]),
            self.stmt(
                "SELECT id, title, due_date, weight, completed_on FROM milestone WHERE goal_id = ? AND archived_at IS NULL",
                vec![goal.into()],
            ),
            self.sql.goals(scope, &trend_dates(self.as_of)),
        ]
    }
}

async fn ids(db: &DatabaseConnection, sql: &str) -> Vec<i64> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("ids")
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0).expect("id"))
        .collect()
}

#[tokio::main]
async fn main() {
    let url = env("RAW_DATABASE_URL", "sqlite:bench/work/sqlite.db");
    // `cargo bench` passes `--bench`; `-- --dump` and `-- --check` choose a mode.
    let args: Vec<String> = std::env::args().collect();
    let workload = if args.iter().any(|a| a == "--check") {
        "check".to_string()
    } else if args.iter().any(|a| a == "--dump") {
        "dump".to_string()
    } else {
        env("RAW_WORKLOAD", "dashboard")
    };
    let seconds: u64 = env("RAW_SECONDS", "10").parse().expect("RAW_SECONDS");
    let concurrency: usize = env("RAW_CONCURRENCY", "4")
        .parse()
        .expect("RAW_CONCURRENCY");
    let as_of = chrono::NaiveDate::parse_from_str(&env("RAW_AS_OF", "2025-10-31"), "%Y-%m-%d")
        .expect("RAW_AS_OF");
    let mut config = DatabaseConfig::new(url);
    config.schema = std::env::var("RAW_SCHEMA").ok();
    config.max_connections = concurrency.clamp(1, 32) as u32;
    let conn = db::connect(&config).await.expect("database");
    match workload.as_str() {
        "dump" => return dump(&conn, as_of).await,
        "check" => {
            let server = env("RAW_SERVER_URL", "http://127.0.0.1:8090");
            let token = env("RAW_TOKEN", "");
            match check(&conn, &server, &token, as_of).await {
                Ok(summary) => return println!("{summary}"),
                Err(mismatch) => {
                    eprintln!(
                        "MISMATCH between the server and the raw SQL as of {as_of}: {mismatch}"
                    );
                    std::process::exit(1);
                }
            }
        }
        _ => {}
    }
    let queries = Arc::new(Queries {
        sql: RawSql::new(conn.get_database_backend()),
        as_of,
    });
    let plans = Arc::new(
        ids(
            &conn,
            "SELECT id FROM plan WHERE archived_at IS NULL ORDER BY id",
        )
        .await,
    );
    let goals = Arc::new(
        ids(
            &conn,
            "SELECT id FROM goal WHERE kind = 'CUMULATIVE' AND archived_at IS NULL ORDER BY id",
        )
        .await,
    );
    let assignments = Arc::new(
        ids(
            &conn,
            "SELECT a.id FROM assignment a JOIN goal g ON g.id = a.goal_id WHERE g.kind IN ('CUMULATIVE', 'RATE') AND a.archived_at IS NULL ORDER BY a.id",
        )
        .await,
    );

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (conn, queries, plans, goals, assignments, counter, workload) = (
            conn.clone(),
            queries.clone(),
            plans.clone(),
            goals.clone(),
            assignments.clone(),
            counter.clone(),
            workload.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = worker as u64 * 7919;
            while Instant::now() < deadline {
                n += 1;
                let kind = match workload.as_str() {
                    // 90 % reads spread over the three read workloads.
                    "mixed" => match n % 10 {
                        0 => "burst",
                        1..=3 => "dashboard",
                        4..=6 => "overview",
                        _ => "drilldown",
                    },
                    other => other,
                };
                let started = Instant::now();
                match kind {
                    "burst" => {
                        let seq = counter.fetch_add(1, Ordering::Relaxed);
                        let assignment = assignments[(seq as usize * 31) % assignments.len()];
                        let txn = db::begin_write(&conn).await.expect("begin");
                        let stmt = queries.stmt(
                            "INSERT INTO report (plan_id, assignment_id, as_of, value, note, submitted_at, status)
                             SELECT plan_id, id, ?, ?, ?, ?, 'SUBMITTED' FROM assignment WHERE id = ?",
                            vec![
                                as_of.into(),
                                1.0f64.into(),
                                format!("raw-{seq}").into(),
                                chrono::Utc::now().into(),
                                assignment.into(),
                            ],
                        );
                        txn.execute_raw(stmt).await.expect("insert");
                        txn.commit().await.expect("commit");
                    }
                    kind => {
                        let statements = match kind {
                            "dashboard" => queries.dashboard(plans[n as usize % plans.len()]),
                            "overview" => queries.overview(),
                            "drilldown" => queries.drilldown(goals[n as usize % goals.len()]),
                            other => panic!("unknown workload {other}"),
                        };
                        for stmt in statements {
                            conn.query_all_raw(stmt).await.expect("query");
                        }
                    }
                }
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("worker"));
    }
    if workload == "burst" || workload == "mixed" {
        // Leave the database as the server's run will find it.
        conn.execute_unprepared("DELETE FROM report WHERE note LIKE 'raw-%'")
            .await
            .expect("clean up");
    }
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    println!(
        "{}",
        serde_json::json!({
            "workload": workload,
            "backend": format!("{:?}", queries.sql.backend).to_lowercase(),
            "requests": all.len(),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "per_second": all.len() as f64 / seconds as f64,
            "concurrency": concurrency,
        })
    );
}

/// One JSON line per goal of the province: its figures as of the date.
async fn dump(conn: &DatabaseConnection, as_of: chrono::NaiveDate) {
    let plans = raw_figures(conn, Scope::Province, as_of)
        .await
        .expect("raw figures");
    for (plan, figures) in &plans {
        for (goal, (kind, f)) in &figures.goals {
            println!(
                "{}",
                serde_json::json!({
                    "asOf": as_of.to_string(),
                    "plan": plan,
                    "goal": goal,
                    "kind": kind,
                    "target": f.target,
                    "actual": f.actual,
                    "completion": f.completion,
                })
            );
        }
    }
}

/// Every plan's figures from the server compared with the raw SQL's: a
/// summary line, or the first mismatch.
async fn check(
    conn: &DatabaseConnection,
    server: &str,
    token: &str,
    as_of: chrono::NaiveDate,
) -> Result<String, String> {
    let raw = raw_figures(conn, Scope::Province, as_of)
        .await
        .map_err(|e| format!("the raw SQL failed: {e}"))?;
    let listed = graphql(server, token, "{ plans { id } }", serde_json::json!({})).await?;
    let mut plans: Vec<i64> = listed["plans"]
        .as_array()
        .ok_or_else(|| format!("no plan list in {listed}"))?
        .iter()
        .map(|p| p["id"].as_str().and_then(|id| id.parse().ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("a plan without an ID in {listed}"))?;
    plans.sort_unstable();
    let raw_plans: Vec<i64> = raw.keys().copied().collect();
    if plans != raw_plans {
        return Err(format!(
            "the server lists {} plans, the raw SQL {} (first differing: {:?})",
            plans.len(),
            raw_plans.len(),
            plans
                .iter()
                .zip(&raw_plans)
                .find(|(a, b)| a != b)
                .map(|(a, _)| *a)
                .or_else(|| plans.get(raw_plans.len()).copied())
                .or_else(|| raw_plans.get(plans.len()).copied())
        ));
    }
    let (mut figures, mut goals, mut shares) = (0, 0, 0);
    for plan in plans {
        let data = graphql(
            server,
            token,
            SERVER_QUERY,
            serde_json::json!({ "id": plan.to_string(), "asOf": as_of.to_string() }),
        )
        .await?;
        let shown = server_figures(&data["plan"]).map_err(|e| format!("plan {plan}: {e}"))?;
        figures += compare(plan, &shown, &raw[&plan])?;
        goals += shown.goals.len();
        shares += shown.assignments.len();
    }
    Ok(format!(
        "raw SQL = server as of {as_of}: {} plans, {goals} goals, {shares} shares, {figures} figures agree to 1e-9",
        raw.len()
    ))
}

/// `data` of a GraphQL request to `server` (http://host:port) with a
/// bearer token; an error for a failed request or any GraphQL error.
async fn graphql(
    server: &str,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
    let answer = post(server, "/graphql", token, &body)
        .await
        .map_err(|e| format!("POST {server}/graphql: {e}"))?;
    let answer: serde_json::Value =
        serde_json::from_slice(&answer).map_err(|e| format!("the server's answer: {e}"))?;
    if let Some(errors) = answer.get("errors") {
        return Err(format!("the server answered errors: {errors}"));
    }
    Ok(answer["data"].clone())
}

/// One HTTP/1.1 POST on a connection of its own, so the bench needs no
/// client library: the body of a 200 answer.
async fn post(server: &str, path: &str, token: &str, body: &str) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let other = |m: String| std::io::Error::other(m);
    let host = server
        .strip_prefix("http://")
        .ok_or_else(|| other(format!("{server}: only http:// URLs")))?
        .trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| other("no end of headers".into()))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    if !head.starts_with("http/1.1 200") {
        return Err(other(format!(
            "{}: {}",
            head.lines().next().unwrap_or(""),
            String::from_utf8_lossy(&payload)
        )));
    }
    if head.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload).ok_or_else(|| other("a malformed chunked body".into()))?;
    }
    Ok(payload)
}

/// The body of a chunked transfer.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

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
//! RAW_WORKLOAD (dashboard | overview | drilldown | burst | mixed),
//! RAW_SECONDS (default 10), RAW_CONCURRENCY (default 4), RAW_AS_OF
//! (default 2025-10-31).
//!
//! The SQL does the same work as the server's judgement, in shape: per
//! assignment the report standing on the date (the latest counting one),
//! per goal a completion (cumulative sum / target, rate level / target,
//! milestone weights done / total, capped at 100), weighted averages per
//! plan, category and unit. It is not the full rule set of
//! docs/rules.md (no time progress, lights or veto): a lower bound on what
//! the database alone must spend to answer.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mubiao::config::DatabaseConfig;
use mubiao::db;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Per assignment of the plans in PLAN_FILTER, the value standing on the
/// date (materialised: the goal and unit roll-ups both read it).
const STANDING: &str = "standing AS MATERIALIZED (
    SELECT a.id AS assignment_id, a.plan_id, a.goal_id, a.unit_id, a.target_value AS share,
      (SELECT r.value FROM report r
        WHERE r.assignment_id = a.id AND r.as_of <= ?
          AND (r.status = 'APPROVED' OR (r.status = 'SUBMITTED' AND NOT p.require_approval))
        ORDER BY r.as_of DESC, r.submitted_at DESC, r.id DESC LIMIT 1) AS value
    FROM assignment a JOIN plan p ON p.id = a.plan_id
    WHERE PLAN_FILTER AND a.archived_at IS NULL
  )";

/// Per goal of the plans in GOAL_FILTER its completion, capped at 100.
const GOAL_DONE: &str = "goal_values AS (
    SELECT goal_id, SUM(value) AS total, AVG(value) AS level FROM standing GROUP BY goal_id
  ),
  milestones_done AS (
    SELECT m.goal_id, SUM(CASE WHEN m.completed_on <= ? THEN m.weight ELSE 0 END) * 100.0 / NULLIF(SUM(m.weight), 0) AS c
    FROM milestone m WHERE MILESTONE_FILTER AND m.archived_at IS NULL GROUP BY m.goal_id
  ),
  goal_done AS (
    SELECT g.id, g.plan_id, g.category, g.weight, g.parent_id,
      CASE
        WHEN g.kind = 'MILESTONE' THEN COALESCE(md.c, 0)
        WHEN g.kind = 'VETO' THEN CASE WHEN COALESCE(v.total, 0) <= COALESCE(g.target_value, 0) THEN 100.0 ELSE 0.0 END
        WHEN g.kind = 'RATE' THEN COALESCE(v.level, 0) * 100.0 / g.target_value
        WHEN g.kind = 'CUMULATIVE' THEN COALESCE(v.total, 0) * 100.0 / g.target_value
        ELSE 0.0
      END AS raw_c
    FROM goal g
      LEFT JOIN goal_values v ON v.goal_id = g.id
      LEFT JOIN milestones_done md ON md.goal_id = g.id
    WHERE GOAL_FILTER AND g.archived_at IS NULL
  ),
  capped AS (
    SELECT id, plan_id, category, weight, parent_id, CASE WHEN raw_c > 100 THEN 100.0 ELSE raw_c END AS c FROM goal_done
  )";

fn with_filters(sql: &str, plan_filter: &str, goal_filter: &str) -> String {
    sql.replace("PLAN_FILTER", plan_filter)
        .replace("MILESTONE_FILTER", &goal_filter.replace("g.", "m."))
        .replace("GOAL_FILTER", goal_filter)
}

struct Queries {
    backend: DbBackend,
    as_of: chrono::NaiveDate,
}

impl Queries {
    fn stmt(&self, sql: String, values: Vec<Value>) -> Statement {
        db::statement(self.backend, &sql, values)
    }

    /// Plan total, categories and unit ranking of one plan: three statements.
    fn dashboard(&self, plan: i64) -> Vec<Statement> {
        let head = format!(
            "WITH {}, {}",
            with_filters(STANDING, "a.plan_id = ?", "g.plan_id = ?"),
            with_filters(GOAL_DONE, "a.plan_id = ?", "g.plan_id = ?")
        );
        let values = || {
            vec![
                self.as_of.into(),
                plan.into(),
                self.as_of.into(),
                plan.into(),
                plan.into(),
            ]
        };
        vec![
            self.stmt(
                format!(
                    "{head} SELECT SUM(weight * c) / NULLIF(SUM(weight), 0) FROM capped WHERE parent_id IS NULL"
                ),
                values(),
            ),
            self.stmt(
                format!(
                    "{head} SELECT category, SUM(weight * c) / NULLIF(SUM(weight), 0) FROM capped WHERE parent_id IS NULL GROUP BY category ORDER BY category"
                ),
                values(),
            ),
            self.stmt(
                format!(
                    "{head} SELECT s.unit_id, AVG(CASE WHEN s.share IS NULL OR s.share = 0 THEN c.c ELSE LEAST_OF END) AS done
                     FROM standing s JOIN capped c ON c.id = s.goal_id GROUP BY s.unit_id ORDER BY done DESC"
                )
                .replace(
                    "LEAST_OF",
                    "CASE WHEN COALESCE(s.value, 0) * 100.0 / s.share > 100 THEN 100.0 ELSE COALESCE(s.value, 0) * 100.0 / s.share END",
                ),
                values(),
            ),
        ]
    }

    /// Every plan's total as of the date: one statement.
    fn overview(&self) -> Vec<Statement> {
        let head = format!(
            "WITH {}, {}",
            with_filters(STANDING, "p.archived_at IS NULL", "1 = 1"),
            with_filters(GOAL_DONE, "p.archived_at IS NULL", "1 = 1")
        );
        vec![self.stmt(
            format!(
                "{head} SELECT plan_id, SUM(weight * c) / NULLIF(SUM(weight), 0) FROM capped WHERE parent_id IS NULL GROUP BY plan_id ORDER BY plan_id"
            ),
            vec![self.as_of.into(), self.as_of.into()],
        )]
    }

    /// One goal, its shares with their standing values, its milestones and
    /// its twelve month-end totals: four statements.
    fn drilldown(&self, goal: i64) -> Vec<Statement> {
        let standing = "(SELECT r.value FROM report r WHERE r.assignment_id = a.id AND r.as_of <= ?
              AND r.status <> 'RETURNED' ORDER BY r.as_of DESC, r.submitted_at DESC, r.id DESC LIMIT 1)";
        let year = chrono::Datelike::year(&self.as_of);
        let month_ends: Vec<String> = (1..=12)
            .map(|m| {
                let first = chrono::NaiveDate::from_ymd_opt(year, m, 1).expect("month");
                let end = first + chrono::Months::new(1) - chrono::Days::new(1);
                format!("SELECT '{end}' AS d")
            })
            .collect();
        let months = month_ends.join(" UNION ALL ");
        let trend = format!(
            "WITH months AS ({months}) SELECT months.d, (SELECT SUM(COALESCE({}, 0)) FROM assignment a WHERE a.goal_id = ? AND a.archived_at IS NULL) FROM months ORDER BY months.d",
            standing.replace("r.as_of <= ?", "r.as_of <= CAST(months.d AS DATE)")
        );
        vec![
            self.stmt(
                "SELECT id, title, kind, target_value, deadline FROM goal WHERE id = ?".into(),
                vec![goal.into()],
            ),
            self.stmt(
                format!(
                    "SELECT a.id, a.unit_id, a.target_value, {standing} FROM assignment a WHERE a.goal_id = ? AND a.archived_at IS NULL"
                ),
                vec![self.as_of.into(), goal.into()],
            ),
            self.stmt(
                "SELECT id, title, due_date, weight, completed_on FROM milestone WHERE goal_id = ? AND archived_at IS NULL".into(),
                vec![goal.into()],
            ),
            self.stmt(trend, vec![goal.into()]),
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
    let workload = env("RAW_WORKLOAD", "dashboard");
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
    let queries = Arc::new(Queries {
        backend: conn.get_database_backend(),
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
                             SELECT plan_id, id, ?, ?, ?, ?, 'SUBMITTED' FROM assignment WHERE id = ?".into(),
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
            "backend": format!("{:?}", queries.backend).to_lowercase(),
            "requests": all.len(),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "per_second": all.len() as f64 / seconds as f64,
            "concurrency": concurrency,
        })
    );
}

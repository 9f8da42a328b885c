//! The benchmark's raw SQL (`mubiao::bench_sql`, timed by
//! `benches/raw_sql.rs`) must answer what the server answers, or the
//! README's "p50 ÷ raw" compares different questions. Here on a small
//! synthetic province, with the rules the generator leaves out put in by
//! hand (approval, returned reports, ties, baselines and directions,
//! weightless milestones, a VETO limit, archived rows, a score cap), every
//! plan's figures are compared at dates before, between and after reports.
mod common;

use chrono::{Duration, NaiveDate};
use common::TestApp;
use entity::{assignment, goal, milestone, plan, report};
use mubiao::bench_sql::{self, Figure, PlanFigures, RawSql, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const DATES: [&str; 7] = [
    "2025-01-31",
    "2025-03-15",
    "2025-06-15",
    "2025-06-30",
    "2025-09-30",
    "2025-10-31",
    "2025-12-31",
];

/// Four parks (the fourth archived), 20 goals each: every kind the
/// generator makes.
async fn province(app: &TestApp) -> Vec<i64> {
    let spec = mubiao::synthetic::Spec {
        year: 2025,
        units: 6,
        goals: 20,
        months: 12,
        units_per_goal: 3,
        seed: 11,
    };
    mubiao::synthetic::generate_province(&app.db, 4, spec, |_, _| {})
        .await
        .unwrap()
}

/// The goals of `kind` in a plan, by id.
async fn goals_of(app: &TestApp, plan: i64, kind: &str) -> Vec<goal::Model> {
    goal::Entity::find()
        .filter(goal::Column::PlanId.eq(plan))
        .filter(goal::Column::Kind.eq(kind))
        .order_by_asc(goal::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn shares_of(app: &TestApp, goal: i64) -> Vec<assignment::Model> {
    assignment::Entity::find()
        .filter(assignment::Column::GoalId.eq(goal))
        .order_by_asc(assignment::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn set_goal(app: &TestApp, g: &goal::Model, change: impl FnOnce(&mut goal::ActiveModel)) {
    let mut row: goal::ActiveModel = g.clone().into();
    change(&mut row);
    row.update(&app.db).await.unwrap();
}

/// Sets the value of every report of `goal`'s shares dated `as_of`.
async fn set_reports(app: &TestApp, goal: i64, as_of: &str, value: f64) {
    let shares: Vec<i64> = shares_of(app, goal).await.iter().map(|a| a.id).collect();
    report::Entity::update_many()
        .col_expr(report::Column::Value, Expr::value(value))
        .filter(report::Column::AssignmentId.is_in(shares))
        .filter(report::Column::AsOf.eq(d(as_of)))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Writes, straight into the database before the server reads anything,
/// what the generator does not make.
async fn edge_cases(app: &TestApp, plans: &[i64]) {
    let (p1, p2, p3, p4) = (plans[0], plans[1], plans[2], plans[3]);
    let db = &app.db;
    let archived = Set(Some(common::test_now()));

    // p1: some reports returned (they never count), and ties on asOf: a
    // copy submitted at the same instant (the higher id wins) and one
    // submitted earlier (it loses, whatever its id).
    report::Entity::update_many()
        .col_expr(report::Column::Status, Expr::value("RETURNED"))
        .filter(report::Column::PlanId.eq(p1))
        .filter(Expr::cust("id % 7 = 0"))
        .exec(db)
        .await
        .unwrap();
    for (as_of, earlier, bump) in [("2025-06-30", 0, 1.0), ("2025-09-30", 1, 100.0)] {
        let copies: Vec<report::ActiveModel> = report::Entity::find()
            .filter(report::Column::PlanId.eq(p1))
            .filter(report::Column::AsOf.eq(d(as_of)))
            .filter(report::Column::Status.eq("SUBMITTED"))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| report::ActiveModel {
                plan_id: Set(r.plan_id),
                assignment_id: Set(r.assignment_id),
                as_of: Set(r.as_of),
                value: Set(r.value + bump),
                note: Set(Some("tie".into())),
                problems: Set(None),
                next_steps: Set(None),
                submitted_at: Set(r.submitted_at - Duration::hours(earlier)),
                status: Set(r.status),
                submitted_by: Set(None),
                reviewed_by: Set(None),
                reviewed_at: Set(None),
                review_reason: Set(None),
                ..Default::default()
            })
            .collect();
        report::Entity::insert_many(copies).exec(db).await.unwrap();
    }

    // p2 requires approval: only the approved third counts.
    let mut p2_row: plan::ActiveModel = plan::Entity::find_by_id(p2)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into();
    p2_row.require_approval = Set(true);
    p2_row.update(db).await.unwrap();
    report::Entity::update_many()
        .col_expr(report::Column::Status, Expr::value("APPROVED"))
        .filter(report::Column::PlanId.eq(p2))
        .filter(report::Column::Status.eq("SUBMITTED"))
        .filter(Expr::cust("id % 3 = 0"))
        .exec(db)
        .await
        .unwrap();

    // RATE: a baseline, DECREASE with and without one (a level at or
    // below 0 is 100 %), a baseline above the target, a share's own target.
    let rate = goals_of(app, p1, "RATE").await;
    set_goal(app, &rate[0], |g| g.baseline_value = Set(Some(50.0))).await;
    set_goal(app, &rate[1], |g| {
        g.direction = Set(entity::enums::Direction::Decrease)
    })
    .await;
    set_reports(app, rate[1].id, "2025-10-31", -2.0).await;
    let rate = goals_of(app, p2, "RATE").await;
    set_goal(app, &rate[0], |g| {
        g.direction = Set(entity::enums::Direction::Decrease);
        g.baseline_value = Set(Some(70.0));
    })
    .await;
    set_goal(app, &rate[1], |g| g.baseline_value = Set(Some(70.0))).await;
    let rate = goals_of(app, p3, "RATE").await;
    set_goal(app, &rate[0], |g| {
        g.direction = Set(entity::enums::Direction::Decrease)
    })
    .await;
    let mut share: assignment::ActiveModel = shares_of(app, rate[0].id).await[0].clone().into();
    share.target_value = Set(Some(55.0));
    share.update(db).await.unwrap();

    // MILESTONE: all weights 0 (each counts one), and none left.
    let ms = goals_of(app, p1, "MILESTONE").await;
    milestone::Entity::update_many()
        .col_expr(milestone::Column::Weight, Expr::value(0.0))
        .filter(milestone::Column::GoalId.eq(ms[0].id))
        .exec(db)
        .await
        .unwrap();
    milestone::Entity::update_many()
        .col_expr(
            milestone::Column::ArchivedAt,
            Expr::value(common::test_now()),
        )
        .filter(milestone::Column::GoalId.eq(ms[1].id))
        .exec(db)
        .await
        .unwrap();

    // VETO: a limit of 2 that three shares' incidents exceed (each share
    // alone stays within it); an incident against the default 0.
    let veto = goals_of(app, p1, "VETO").await;
    set_goal(app, &veto[0], |g| g.target_value = Set(Some(2.0))).await;
    set_reports(app, veto[0].id, "2025-05-31", 1.0).await;
    let veto = goals_of(app, p2, "VETO").await;
    set_reports(app, veto[0].id, "2025-10-31", 1.0).await;

    // Archived rows drop out: a goal, a share, a whole plan.
    let cumulative = goals_of(app, p1, "CUMULATIVE").await;
    set_goal(app, &cumulative[2], |g| g.archived_at = archived.clone()).await;
    let mut share: assignment::ActiveModel =
        shares_of(app, cumulative[3].id).await[0].clone().into();
    share.archived_at = archived.clone();
    share.update(db).await.unwrap();
    let mut p4_row: plan::ActiveModel = plan::Entity::find_by_id(p4)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into();
    p4_row.archived_at = archived;
    p4_row.update(db).await.unwrap();

    // p2: a goal without a category (未分类) and a category of weight-0
    // goals (the plain average); p3: a score cap of 1.2.
    let cumulative = goals_of(app, p2, "CUMULATIVE").await;
    set_goal(app, &cumulative[4], |g| g.category = Set(None)).await;
    goal::Entity::update_many()
        .col_expr(goal::Column::Weight, Expr::value(0.0))
        .filter(goal::Column::PlanId.eq(p2))
        .filter(goal::Column::Category.eq("防范风险"))
        .exec(db)
        .await
        .unwrap();
    let mut p3_row: plan::ActiveModel = plan::Entity::find_by_id(p3)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into();
    p3_row.score_cap = Set(1.2);
    p3_row.update(db).await.unwrap();
}

/// The server's figures of a plan as of a date.
async fn server(app: &TestApp, plan: i64, as_of: &str) -> PlanFigures {
    let data = app
        .data(
            bench_sql::SERVER_QUERY,
            json!({ "id": plan.to_string(), "asOf": as_of }),
        )
        .await;
    bench_sql::server_figures(&data["plan"]).unwrap()
}

#[tokio::test]
async fn the_raw_sql_gives_the_servers_figures() {
    let app = TestApp::spawn().await;
    let plans = province(&app).await;
    edge_cases(&app, &plans).await;
    let open = &plans[..3];
    let mut compared = 0;
    for as_of in DATES {
        let raw = bench_sql::raw_figures(&app.db, Scope::Province, d(as_of))
            .await
            .unwrap();
        assert_eq!(raw.keys().copied().collect::<Vec<_>>(), open, "{as_of}");
        for &plan in open {
            let shown = server(&app, plan, as_of).await;
            compared += bench_sql::compare(plan, &shown, &raw[&plan])
                .unwrap_or_else(|m| panic!("as of {as_of}: {m}"));
            // One plan's statements (the dashboard's) give the same.
            let one = bench_sql::raw_figures(&app.db, Scope::Plan(plan), d(as_of))
                .await
                .unwrap();
            assert_eq!(one.len(), 1);
            bench_sql::compare(plan, &shown, &one[&plan])
                .unwrap_or_else(|m| panic!("as of {as_of}, one plan: {m}"));
        }
    }
    assert!(compared > 7 * 3 * 200, "{compared} figures");

    // The hand-made cases reached the figures.
    let at = |as_of: &'static str| server(&app, plans[0], as_of);
    let rate = goals_of(&app, plans[0], "RATE").await;
    let veto = goals_of(&app, plans[0], "VETO").await;
    assert_eq!(
        at("2025-10-31").await.goals[&rate[1].id].1.completion,
        100.0
    );
    let june = at("2025-06-15").await;
    assert_eq!(june.goals[&veto[0].id].1.actual, Some(3.0));
    assert_eq!(june.goals[&veto[0].id].1.completion, 0.0);
}

#[tokio::test]
async fn the_drilldown_statements_give_the_servers_figures() {
    let app = TestApp::spawn().await;
    let plans = province(&app).await;
    edge_cases(&app, &plans).await;
    let sql = RawSql::new(app.db.get_database_backend());
    let up_to = d("2025-12-31");
    let dates = bench_sql::trend_dates(up_to);
    assert_eq!(dates.len(), 12);
    for &plan in &plans[..3] {
        let goals = goal::Entity::find()
            .filter(goal::Column::PlanId.eq(plan))
            .filter(goal::Column::ArchivedAt.is_null())
            .all(&app.db)
            .await
            .unwrap();
        for g in goals {
            let shown = app
                .data(
                    r#"query($id: ID!) { goal(id: $id) {
                        trend(upTo: "2025-12-31") { date completionPercent }
                        assignments { id progress(asOf: "2025-10-31") { target actual completionPercent } }
                    } }"#,
                    json!({ "id": g.id.to_string() }),
                )
                .await;
            // The trend: the goal's figure at each month end.
            let rows = app
                .db
                .query_all_raw(sql.goals(Scope::Goal(g.id), &dates))
                .await
                .unwrap();
            let trend = shown["goal"]["trend"].as_array().unwrap();
            assert_eq!(rows.len(), trend.len(), "goal {}", g.id);
            for (row, point) in rows.iter().zip(trend) {
                let date: NaiveDate = row.try_get_by_index(0).unwrap();
                let c: f64 = row.try_get_by_index(6).unwrap();
                assert_eq!(point["date"], json!(date.to_string()));
                let server_c = point["completionPercent"].as_f64().unwrap();
                assert!(
                    bench_sql::agree(server_c, c),
                    "goal {} ({}) on {date}: server {server_c}, raw SQL {c}",
                    g.id,
                    g.kind
                );
            }
            // The shares as of the date.
            let rows = app
                .db
                .query_all_raw(sql.assignments(Scope::Goal(g.id), &[d("2025-10-31")]))
                .await
                .unwrap();
            let shares = shown["goal"]["assignments"].as_array().unwrap();
            assert_eq!(rows.len(), shares.len(), "goal {}", g.id);
            for (row, share) in rows.iter().zip(shares) {
                let id: i64 = row.try_get_by_index(2).unwrap();
                assert_eq!(share["id"], json!(id.to_string()));
                let raw = Figure {
                    target: row.try_get_by_index(4).unwrap(),
                    actual: row.try_get_by_index(5).unwrap(),
                    completion: row.try_get_by_index(6).unwrap(),
                };
                let p = &share["progress"];
                let agree = |a: Option<f64>, b: Option<f64>| match (a, b) {
                    (Some(a), Some(b)) => bench_sql::agree(a, b),
                    (a, b) => a == b,
                };
                assert!(
                    agree(p["target"].as_f64(), raw.target)
                        && agree(p["actual"].as_f64(), raw.actual)
                        && agree(p["completionPercent"].as_f64(), Some(raw.completion)),
                    "share {id} of goal {}: server {p}, raw SQL {raw:?}",
                    g.id
                );
            }
        }
    }
}

#[test]
fn a_mismatch_names_the_plan_the_figure_and_both_values() {
    let figure = |actual: f64| Figure {
        target: Some(60.0),
        actual: Some(actual),
        completion: actual / 60.0 * 100.0,
    };
    let mut server = PlanFigures {
        completion: 80.0,
        ..Default::default()
    };
    server.goals.insert(14, ("RATE".into(), figure(59.38)));
    server.assignments.insert(7, figure(59.38));
    let mut raw = server.clone();
    assert_eq!(bench_sql::compare(3, &server, &raw), Ok(7));
    // Float noise far below a displayed figure agrees.
    raw.completion = 80.0 * (1.0 + 1e-12);
    assert!(bench_sql::compare(3, &server, &raw).is_ok());
    raw.goals.insert(14, ("RATE".into(), figure(56.12)));
    assert_eq!(
        bench_sql::compare(3, &server, &raw),
        Err("plan 3 goal 14 (RATE) actual: server 59.38, raw SQL 56.12".into())
    );
    raw.goals.remove(&14);
    assert_eq!(
        bench_sql::compare(3, &server, &raw),
        Err("plan 3 goal 14 (RATE): missing from the raw SQL's figures".into())
    );
}

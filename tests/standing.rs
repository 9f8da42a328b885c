//! The SQL that loads "the report standing on D" per share (one row each)
//! against the rule applied to the whole history, over many dates, ties
//! on asOf and on submission time, and every review state, with and
//! without required approval: the same report stands, and the same
//! figures follow, for every share on every date.
mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::{TestApp, backend_name};
use mubiao::service::plan_data::{ReportScope, load_structures, snapshots};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// A small deterministic generator (the same sequence every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn the_standing_loader_agrees_with_the_history_on_every_date() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("洞庭湖经济开发区管委会", None).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let plan_id: i64 = plan.parse().unwrap();
    let signed = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 30.0 }))
        .await;
    let debt = app
        .create_goal(json!({ "planId": plan, "title": "资产负债率", "kind": "RATE", "targetValue": 65.0, "direction": "DECREASE" }))
        .await;
    let mut shares: Vec<i64> = Vec::new();
    for (i, name) in ["招商一局", "招商二局", "招商三局", "财政局"]
        .iter()
        .enumerate()
    {
        let unit = app.create_unit(name, Some(&owner)).await;
        let goal = if i < 3 { &signed } else { &debt };
        let target = if i < 3 { Some(10.0) } else { None };
        shares.push(app.assign(goal, &unit, target).await.parse().unwrap());
    }

    // Reports on few dates and few instants, so that ties are common: the
    // same asOf submitted at different times, and at the same time (the
    // id decides). Every review state.
    let as_ofs = [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
        "2025-03-31",
        "2025-04-30",
        "2025-06-15",
        "2025-06-30",
        "2025-09-30",
        "2025-10-31",
        "2025-12-31",
    ];
    let base: DateTime<Utc> = Utc.with_ymd_and_hms(2025, 1, 5, 1, 0, 0).unwrap();
    let mut rng = Lcg(2025);
    let backend = app.db.get_database_backend();
    let mut report_dates = BTreeSet::new();
    for n in 0..240 {
        let share = shares[rng.next(shares.len() as u64) as usize];
        let as_of = d(as_ofs[rng.next(as_ofs.len() as u64) as usize]);
        report_dates.insert(as_of);
        // Twelve submission instants in all: many reports share one.
        let submitted = base + Duration::days(30 * rng.next(12) as i64);
        let status = ["SUBMITTED", "APPROVED", "RETURNED"][rng.next(3) as usize];
        let value = (rng.next(2000) as f64) / 100.0 + if share == shares[3] { 55.0 } else { 0.0 };
        app.db
            .execute_raw(mubiao::db::statement(
                backend,
                "INSERT INTO report (plan_id, assignment_id, as_of, value, note, submitted_at, status) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                vec![
                    plan_id.into(),
                    share.into(),
                    as_of.into(),
                    value.into(),
                    format!("第{n}份").into(),
                    submitted.into(),
                    status.into(),
                ],
            ))
            .await
            .unwrap();
    }

    // Every third day around the year, and each report date with the day
    // before and after it.
    let mut dates: BTreeSet<NaiveDate> = (0..)
        .map(|k| d("2024-12-28") + Duration::days(3 * k))
        .take_while(|day| *day <= d("2026-01-05"))
        .collect();
    for day in &report_dates {
        dates.extend([*day - Duration::days(1), *day, *day + Duration::days(1)]);
    }

    let mut compared = 0;
    for require_approval in [false, true] {
        app.db
            .execute_raw(mubiao::db::statement(
                backend,
                "UPDATE plan SET require_approval = ? WHERE id = ?",
                vec![require_approval.into(), plan_id.into()],
            ))
            .await
            .unwrap();
        let structure = || async {
            load_structures(&app.db, &[plan_id])
                .await
                .unwrap()
                .into_values()
                .collect::<Vec<_>>()
        };
        let history = snapshots(&app.db, structure().await, ReportScope::History)
            .await
            .unwrap()
            .remove(&plan_id)
            .unwrap();
        for &date in &dates {
            let standing = snapshots(&app.db, structure().await, ReportScope::StandingOn(date))
                .await
                .unwrap()
                .remove(&plan_id)
                .unwrap();
            for &share in &shares {
                let by_sql = standing
                    .latest_counting_report([share], date)
                    .unwrap()
                    .map(|r| r.id);
                let by_rule = history
                    .latest_counting_report([share], date)
                    .unwrap()
                    .map(|r| r.id);
                assert_eq!(
                    by_sql,
                    by_rule,
                    "share {share} on {date}, approval required: {require_approval} ({})",
                    backend_name()
                );
                compared += 1;
            }
            let (a, b) = (
                standing.evaluation(date).unwrap(),
                history.evaluation(date).unwrap(),
            );
            for goal in [&signed, &debt] {
                let id: i64 = goal.parse().unwrap();
                assert_eq!(a.goal(id), b.goal(id), "goal {id} on {date}");
            }
        }
    }
    // 2 settings × every date × 4 shares, and some dates see reports.
    assert!(compared > 2 * 120 * 4, "{compared}");
}

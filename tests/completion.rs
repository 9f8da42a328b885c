//! The contract over HTTP: every kind of goal and roll-up, asked as of dates
//! before, between and after the reports. Figures follow the worked example
//! of the rules page (a 2025 plan, as of 2025-10-31).
mod common;

use common::example::worked_example;
use common::{TestApp, assert_close};
use serde_json::{Value, json};

const GOAL_PROGRESS: &str = r#"query($id: ID!, $d: Date) {
  goal(id: $id) { title kind progress(asOf: $d) { target actual completionPercent } }
}"#;

async fn goal_progress(app: &TestApp, id: &str, as_of: Option<&str>) -> Value {
    app.data(GOAL_PROGRESS, json!({ "id": id, "d": as_of }))
        .await["goal"]["progress"]
        .clone()
}

#[tokio::test]
async fn worked_example_goals_as_of_october() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let d = Some("2025-10-31");
    for (id, actual, c) in [
        (&ex.signed, Some(17.0), 85.0),
        (&ex.contract, Some(19.6), 78.4),
        (&ex.factories, Some(6.0), 60.0),
        (&ex.fdi, Some(1500.0), 50.0),
        (&ex.debt, Some(67.2), 96.726),
        (&ex.solar, None, 100.0),
        (&ex.land, Some(566.75), 47.229),
        (&ex.safety, Some(0.0), 100.0),
    ] {
        let p = goal_progress(&app, id, d).await;
        match actual {
            Some(a) => assert_close(&p["actual"], a),
            None => assert!(p["actual"].is_null(), "{p}"),
        }
        assert_close(&p["completionPercent"], c);
    }
    let p = goal_progress(&app, &ex.signed, d).await;
    assert_eq!(p["target"], json!(20.0));
    // GROUP: building 60 % (w 3) and share 120 % capped to 100 (w 1): (180 + 100) / 4 = 70
    let p = goal_progress(&app, &ex.five_good, d).await;
    assert_close(&p["completionPercent"], 70.0);
    assert!(p["target"].is_null() && p["actual"].is_null());
}

#[tokio::test]
async fn as_of_before_between_and_after_the_reports() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    // Before any report: nothing counts yet.
    let p = goal_progress(&app, &ex.signed, Some("2025-05-31")).await;
    assert!(p["actual"].is_null());
    assert_close(&p["completionPercent"], 0.0);
    // Between: 招商一局's June 5 counts, 招商二局 has not reported yet.
    let p = goal_progress(&app, &ex.signed, Some("2025-07-15")).await;
    assert_close(&p["actual"], 5.0);
    assert_close(&p["completionPercent"], 25.0);
    // After the plan: the last reports stand.
    let p = goal_progress(&app, &ex.signed, Some("2026-03-01")).await;
    assert_close(&p["actual"], 17.0);
    // The late milestone: not done on 04-10, done from 04-18.
    assert_close(
        &goal_progress(&app, &ex.solar, Some("2025-04-10")).await["completionPercent"],
        0.0,
    );
    assert_close(
        &goal_progress(&app, &ex.solar, Some("2025-04-18")).await["completionPercent"],
        100.0,
    );
    // RATE: the level at each date.
    assert_close(
        &goal_progress(&app, &ex.debt, Some("2025-09-30")).await["actual"],
        69.0,
    );
    assert_close(
        &goal_progress(&app, &ex.debt, Some("2025-09-30")).await["completionPercent"],
        65.0 / 69.0 * 100.0,
    );
}

#[tokio::test]
async fn default_as_of_is_today_in_the_plan_time_zone() {
    // The test clock stands at 2025-11-01 10:00 in Shanghai (02:00 UTC).
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let late = app
        .add_milestone(&ex.solar, "验收", "2025-11-01", 1.0)
        .await;
    app.complete_milestone(&late, "2025-11-01").await;
    // Both milestones done by "today" in Shanghai; in UTC it would still be
    // 1 November too, so check the report side with a UTC-zoned plan below.
    assert_close(
        &goal_progress(&app, &ex.solar, None).await["completionPercent"],
        100.0,
    );

    let owner = app.create_unit("伦敦办事处", None).await;
    let d = app
        .data(
            "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id timeZone } }",
            json!({ "i": { "name": "UTC plan", "year": 2025, "ownerUnitId": owner, "timeZone": "America/Los_Angeles" } }),
        )
        .await;
    let plan = d["createPlan"]["id"].as_str().unwrap().to_string();
    app.data(
        "mutation($id: ID!) { activatePlan(id: $id) { id } }",
        json!({ "id": plan }),
    )
    .await;
    let g = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 10.0 }))
        .await;
    let a = app.assign(&g, &owner, None).await;
    // Filed once it is 1 November in Los Angeles (a report cannot be
    // dated ahead of the plan's today), then the clock goes back.
    app.set_now("2025-11-01T20:00:00Z");
    app.report(&a, "2025-11-01", 4.0).await;
    app.set_now("2025-11-01T02:00:00Z");
    // In Los Angeles it is still 31 October: the 1 November report does not count yet.
    let p = goal_progress(&app, &g, None).await;
    assert!(p["actual"].is_null(), "{p}");
    assert_close(
        &goal_progress(&app, &g, Some("2025-11-01")).await["actual"],
        4.0,
    );
}

#[tokio::test]
async fn plan_category_and_unit_roll_ups() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let d = app
        .data(
            r#"query($id: ID!) { plan(id: $id) {
                name year
                progress(asOf: "2025-10-31") { target actual completionPercent }
                categoryProgress(asOf: "2025-10-31") { category progress { completionPercent } }
                unitProgress(asOf: "2025-10-31") { unit { id name } progress { completionPercent } }
                goals { title }
            } }"#,
            json!({ "id": ex.plan }),
        )
        .await;
    let plan = &d["plan"];
    assert_eq!(plan["year"], json!(2025));
    // Weighted over top-level goals with weight > 0 (the land goal, GROUP and VETO weigh 0):
    // (85 + 78.4 + 60 + 50 + 96.726 + 100) × 10 / 60
    assert_close(&plan["progress"]["completionPercent"], 78.354);
    assert!(plan["progress"]["target"].is_null() && plan["progress"]["actual"].is_null());
    let categories: Vec<(&str, f64)> = plan["categoryProgress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap(),
                c["progress"]["completionPercent"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        categories.iter().map(|c| c.0).collect::<Vec<_>>(),
        ["招商引资", "项目建设", "防范风险", "资源配置"]
    );
    assert!((categories[0].1 - (85.0 + 78.4 + 50.0) / 3.0).abs() < 0.01);
    assert!(
        (categories[1].1 - 80.0).abs() < 0.01,
        "项目建设: 60 and 100 weigh 10 each; the GROUP weighs 0"
    );
    assert!(
        (categories[2].1 - 96.726).abs() < 0.01,
        "the VETO goal weighs 0"
    );
    assert!(
        (categories[3].1 - 47.229).abs() < 0.01,
        "all weights 0: plain average"
    );

    let units: Vec<(&str, Option<f64>)> = plan["unitProgress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"]["name"].as_str().unwrap(),
                u["progress"]["completionPercent"].as_f64(),
            )
        })
        .collect();
    // Highest first; 招商一局: 9/10 = 90 and 19.6/15 capped at 100 → 95; 招商二局: 80 and 50 → 65.
    // 安全环保局 carries only the 一票否决 item, which weighs nothing: nothing
    // of it counts, so it has no completion and comes last, unranked.
    let names: Vec<&str> = units.iter().map(|u| u.0).collect();
    assert_eq!(names.last(), Some(&"安全环保局"), "{units:?}");
    assert_eq!(units.last().unwrap().1, None);
    let of = |n: &str| units.iter().find(|u| u.0 == n).unwrap().1.unwrap();
    assert!((of("招商一局") - 95.0).abs() < 0.01);
    assert!((of("招商二局") - 65.0).abs() < 0.01);
    let ranked: Vec<f64> = units.iter().filter_map(|u| u.1).collect();
    assert_eq!(ranked.len(), units.len() - 1);
    assert!(
        ranked.windows(2).all(|w| w[0] >= w[1]),
        "ranking is highest first: {units:?}"
    );
    assert_eq!(
        plan["goals"].as_array().unwrap().len(),
        9,
        "top-level goals only"
    );
    let _ = (&ex.bureau1, &ex.bureau2);
}

#[tokio::test]
async fn assignment_progress_and_report_history() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    // A correction for the same date, submitted later, wins; history keeps both.
    app.report(&ex.s2, "2025-09-30", 7.0).await;
    let d = app
        .data(
            r#"query($id: ID!) { goal(id: $id) { assignments {
                id unit { name } targetValue
                reports { asOf value note }
                progress(asOf: "2025-10-31") { target actual completionPercent }
            } } }"#,
            json!({ "id": ex.signed }),
        )
        .await;
    let assignments = d["goal"]["assignments"].as_array().unwrap();
    assert_eq!(assignments.len(), 2);
    let second = assignments
        .iter()
        .find(|a| a["id"] == json!(ex.s2))
        .unwrap();
    assert_eq!(second["unit"]["name"], json!("招商二局"));
    assert_eq!(second["reports"].as_array().unwrap().len(), 2);
    assert_close(&second["progress"]["actual"], 7.0);
    assert_close(&second["progress"]["completionPercent"], 70.0);
    assert_eq!(second["progress"]["target"], json!(10.0));
    // The goal now sums 9 + 7.
    assert_close(
        &goal_progress(&app, &ex.signed, Some("2025-10-31")).await["actual"],
        16.0,
    );
    let _ = &ex.s1;
}

#[tokio::test]
async fn archived_goals_drop_out_of_every_roll_up() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let before = app
        .data(r#"query($id: ID!) { plan(id: $id) { progress(asOf: "2025-10-31") { completionPercent } } }"#, json!({ "id": ex.plan }))
        .await;
    assert_close(&before["plan"]["progress"]["completionPercent"], 78.354);
    app.data(
        "mutation($id: ID!) { archiveGoal(id: $id) }",
        json!({ "id": ex.fdi }),
    )
    .await;
    let after = app
        .data(
            r#"query($id: ID!) { plan(id: $id) {
                progress(asOf: "2025-10-31") { completionPercent }
                goals { id }
                unitProgress(asOf: "2025-10-31") { unit { name } progress { completionPercent } }
            } }"#,
            json!({ "id": ex.plan }),
        )
        .await;
    // (85 + 78.4 + 60 + 96.726 + 100) / 5
    assert_close(&after["plan"]["progress"]["completionPercent"], 84.025);
    assert!(
        !after["plan"]["goals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == json!(ex.fdi))
    );
    let b2 = after["plan"]["unitProgress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"]["name"] == json!("招商二局"))
        .unwrap()
        .clone();
    assert_close(&b2["progress"]["completionPercent"], 80.0);
    assert!(
        app.data(GOAL_PROGRESS, json!({ "id": ex.fdi, "d": null }))
            .await["goal"]
            .is_null()
    );
    // Archiving a parent takes its sub-goals with it.
    app.data(
        "mutation($id: ID!) { archiveGoal(id: $id) }",
        json!({ "id": ex.five_good }),
    )
    .await;
    let d = app
        .data(
            r#"query($id: ID!) { plan(id: $id) { allGoals { title } } }"#,
            json!({ "id": ex.plan }),
        )
        .await;
    let titles: Vec<&str> = d["plan"]["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap())
        .collect();
    assert!(
        !titles.contains(&"五好园区建设项目") && !titles.contains(&"高新技术产业增加值占比"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn updates_change_what_is_judged() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    // The target office raises the target from 20 to 25 projects.
    let d = app
        .data(
            r#"mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { targetValue progress(asOf: "2025-10-31") { completionPercent } } }"#,
            json!({ "i": { "id": ex.signed, "targetValue": 25.0 } }),
        )
        .await;
    assert_eq!(d["updateGoal"]["targetValue"], json!(25.0));
    assert_close(&d["updateGoal"]["progress"]["completionPercent"], 68.0);
    // A unit's share is changed.
    let d = app
        .data(
            r#"mutation($i: UpdateAssignmentInput!) { updateAssignment(input: $i) { targetValue progress(asOf: "2025-10-31") { completionPercent } } }"#,
            json!({ "i": { "id": ex.s1, "targetValue": 12.0 } }),
        )
        .await;
    assert_close(
        &d["updateAssignment"]["progress"]["completionPercent"],
        75.0,
    );
}

//! Judgement over time, over HTTP: time progress, gap, light, status, score,
//! veto, the watch lists, the reporting calendar and trends.
mod common;

use common::example::{Example, worked_example};
use common::{TestApp, assert_close};
use serde_json::{Value, json};

const JUDGED: &str = r#"query($id: ID!, $d: Date) { goal(id: $id) {
    progress(asOf: $d) { target actual completionPercent expectedPercent gap light status score }
} }"#;

async fn judged(app: &TestApp, goal: &str, as_of: &str) -> Value {
    app.data(JUDGED, json!({ "id": goal, "d": as_of })).await["goal"]["progress"].clone()
}

fn titles(list: &Value) -> Vec<String> {
    let mut t: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["goal"]["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

#[tokio::test]
async fn worked_example_time_progress_lights_and_scores() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    // (goal, e, gap, light, status, score) as of 2025-10-31: e = 10/12.
    type Row<'a> = (&'a str, Option<f64>, Option<f64>, &'a str, &'a str, f64);
    let rows: [Row; 7] = [
        (
            &ex.signed,
            Some(83.33),
            Some(1.67),
            "GREEN",
            "IN_PROGRESS",
            8.5,
        ),
        (
            &ex.contract,
            Some(83.33),
            Some(-4.93),
            "BLUE",
            "IN_PROGRESS",
            7.84,
        ),
        (
            &ex.factories,
            Some(83.33),
            Some(-23.33),
            "YELLOW",
            "IN_PROGRESS",
            6.0,
        ),
        (
            &ex.fdi,
            Some(83.33),
            Some(-33.33),
            "RED",
            "IN_PROGRESS",
            5.0,
        ),
        (&ex.debt, None, None, "YELLOW", "IN_PROGRESS", 9.6726),
        (
            &ex.solar,
            Some(100.0),
            Some(0.0),
            "GREEN",
            "COMPLETED",
            10.0,
        ),
        (&ex.safety, None, None, "GREEN", "COMPLETED", 0.0),
    ];
    for (goal, e, gap, light, status, score) in rows {
        let p = judged(&app, goal, "2025-10-31").await;
        match e {
            Some(e) => assert_close(&p["expectedPercent"], e),
            None => assert!(p["expectedPercent"].is_null(), "{p}"),
        }
        match gap {
            Some(g) => assert_close(&p["gap"], g),
            None => assert!(p["gap"].is_null(), "{p}"),
        }
        assert_eq!(
            (p["light"].as_str().unwrap(), p["status"].as_str().unwrap()),
            (light, status),
            "{p}"
        );
        assert_close(&p["score"], score);
    }
    let d = app
        .data(
            r#"query($id: ID!) { plan(id: $id) {
                vetoed(asOf: "2025-10-31")
                progress(asOf: "2025-10-31") { completionPercent expectedPercent gap light status score }
                categoryProgress(asOf: "2025-10-31") { category progress { score light } }
            } }"#,
            json!({ "id": ex.plan }),
        )
        .await;
    let plan = &d["plan"];
    assert_eq!(plan["vetoed"], json!(false));
    let score = 8.5 + 7.84 + 6.0 + 5.0 + 9.6726 + 10.0;
    assert_close(&plan["progress"]["score"], score);
    // Plan e: the weighted e of the top-level goals that have one (RATE and VETO do not).
    assert_close(
        &plan["progress"]["expectedPercent"],
        (83.333 * 4.0 + 100.0) / 5.0,
    );
    assert_eq!(plan["progress"]["light"], json!("BLUE"));
    let attract = plan["categoryProgress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == json!("招商引资"))
        .unwrap();
    assert_close(&attract["progress"]["score"], 8.5 + 7.84 + 5.0);
}

#[tokio::test]
async fn band_edges() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    // As of 2025-06-30, e = 6/12 = 50.0; target 100, so the gap is actual − 50.
    for (actual, gap, light) in [
        (40.0, -10.0, "YELLOW"),
        (20.0, -30.0, "YELLOW"),
        (19.9, -30.1, "RED"),
        (49.9, -0.1, "BLUE"),
        (50.0, 0.0, "GREEN"),
    ] {
        let goal = app
            .create_goal(json!({ "planId": plan, "title": format!("指标{actual}"), "kind": "CUMULATIVE", "targetValue": 100.0 }))
            .await;
        let a = app.assign(&goal, &owner, None).await;
        app.report(&a, "2025-06-30", actual).await;
        let p = judged(&app, &goal, "2025-06-30").await;
        assert_close(&p["expectedPercent"], 50.0);
        assert_close(&p["gap"], gap);
        assert_eq!(p["light"], json!(light), "actual {actual}: {p}");
    }
}

#[tokio::test]
async fn a_late_milestone_is_red_and_overdue_until_completed() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let p = judged(&app, &ex.solar, "2025-04-10").await;
    assert_eq!(
        (p["light"].clone(), p["status"].clone()),
        (json!("RED"), json!("OVERDUE"))
    );
    assert_close(&p["completionPercent"], 0.0);
    assert_close(&p["expectedPercent"], 100.0);
    let overdue = app
        .data(
            r#"query($f: WatchFilter) { overdue(asOf: "2025-04-10", filter: $f) {
                goals { goal { title } progress { status } }
                milestones { milestone { id title completedLate } daysOverdue }
            } }"#,
            json!({ "f": { "planId": ex.plan } }),
        )
        .await;
    assert_eq!(titles(&overdue["overdue"]["goals"]), ["光伏二期并网"]);
    let m = &overdue["overdue"]["milestones"][0];
    assert_eq!(m["milestone"]["id"], json!(ex.grid));
    assert_eq!(m["daysOverdue"], json!(10));
    assert_eq!(
        m["milestone"]["completedLate"],
        json!(true),
        "completed on 04-18, after its due date"
    );
    let p = judged(&app, &ex.solar, "2025-04-18").await;
    assert_eq!(
        (p["light"].clone(), p["status"].clone()),
        (json!("GREEN"), json!("COMPLETED"))
    );
    assert_close(&p["completionPercent"], 100.0);
    let d = app
        .data(
            r#"query($id: ID!) { goal(id: $id) { milestones { completedLate } } }"#,
            json!({ "id": ex.five_good }),
        )
        .await;
    assert!(
        d["goal"]["milestones"].as_array().unwrap().is_empty(),
        "milestones hang from the MILESTONE sub-goal"
    );
}

#[tokio::test]
async fn a_goal_due_in_march_and_a_goal_on_a_curve() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let march = app
        .create_goal(json!({ "planId": plan, "title": "屋顶光伏二期装机", "kind": "CUMULATIVE", "targetValue": 6.0, "deadline": "2025-03-31" }))
        .await;
    let a = app.assign(&march, &owner, None).await;
    app.report(&a, "2025-02-28", 4.0).await;
    let p = judged(&app, &march, "2025-02-28").await;
    assert_close(&p["expectedPercent"], 66.67);
    assert_close(&p["gap"], 0.0);
    // The curve: 高企认定 lands in Q4.
    let curve = json!([0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 10, 12]);
    let hightech = app
        .create_goal(json!({ "planId": plan, "title": "新认定高新技术企业", "kind": "CUMULATIVE", "targetValue": 12.0, "monthlyPlan": curve }))
        .await;
    let h = app.assign(&hightech, &owner, None).await;
    app.report(&h, "2025-09-30", 2.0).await;
    let p = judged(&app, &hightech, "2025-09-30").await;
    assert_close(&p["expectedPercent"], 16.67);
    assert_eq!(
        p["light"],
        json!("GREEN"),
        "on plan, although 9 of 12 months are gone: {p}"
    );
    let p = judged(&app, &hightech, "2025-06-30").await;
    assert_close(&p["expectedPercent"], 0.0);
    // Dropping the curve returns to the calendar: 9/12 = 75 → RED at 16.7.
    app.data(
        "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { monthlyPlan } }",
        json!({ "i": { "id": hightech, "monthlyPlan": null } }),
    )
    .await;
    let p = judged(&app, &hightech, "2025-09-30").await;
    assert_close(&p["expectedPercent"], 75.0);
    assert_eq!(p["light"], json!("RED"));
    // A curve of the wrong length, or on a RATE goal, is refused.
    let code = app
        .error_code(
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
            json!({ "i": { "planId": plan, "title": "x", "kind": "CUMULATIVE", "targetValue": 5.0, "monthlyPlan": [1, 2, 3] } }),
        )
        .await;
    assert_eq!(code, "INVALID_VALUE");
    let code = app
        .error_code(
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
            json!({ "i": { "planId": plan, "title": "x", "kind": "RATE", "targetValue": 5.0, "monthlyPlan": curve } }),
        )
        .await;
    assert_eq!(code, "KIND_MISMATCH");
}

#[tokio::test]
async fn a_failed_veto_voids_the_plan_score_only() {
    let app = TestApp::spawn().await;
    let ex: Example = worked_example(&app).await;
    app.report(&ex.safety_share, "2025-09-15", 1.0).await;
    let d = app
        .data(
            r#"query($id: ID!) { plan(id: $id) {
                vetoed(asOf: "2025-10-31")
                before: vetoed(asOf: "2025-09-14")
                progress(asOf: "2025-10-31") { completionPercent score }
                scorecard(asOf: "2025-10-31") {
                    score scoreBeforeVeto maxScore scoreCap vetoed vetoedBy { title }
                    goals { goal { title } weight completionPercent countedPercent score }
                }
            } }"#,
            json!({ "id": ex.plan }),
        )
        .await;
    let plan = &d["plan"];
    assert_eq!(
        (plan["vetoed"].clone(), plan["before"].clone()),
        (json!(true), json!(false))
    );
    assert_close(&plan["progress"]["score"], 0.0);
    assert_close(&plan["progress"]["completionPercent"], 78.354);
    let card = &plan["scorecard"];
    assert_close(&card["score"], 0.0);
    assert_close(
        &card["scoreBeforeVeto"],
        8.5 + 7.84 + 6.0 + 5.0 + 9.6726 + 10.0,
    );
    assert_close(&card["maxScore"], 60.0);
    assert_eq!(
        card["vetoedBy"],
        json!([{ "title": "较大及以上安全生产事故" }])
    );
    let contract = card["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["goal"]["title"] == json!("合同引资额"))
        .unwrap();
    assert_close(&contract["completionPercent"], 78.4);
    assert_close(&contract["score"], 7.84);
    // Every goal keeps its own completion.
    assert_close(
        &judged(&app, &ex.signed, "2025-10-31").await["completionPercent"],
        85.0,
    );
    let safety = judged(&app, &ex.safety, "2025-10-31").await;
    assert_eq!(safety["light"], json!("RED"));
}

#[tokio::test]
async fn the_cap_applies_in_the_scorecard() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    app.set_now("2025-12-01T02:00:00Z");
    app.report(&ex.s1, "2025-11-30", 14.0).await;
    app.report(&ex.s2, "2025-11-30", 12.0).await;
    let q = r#"query($id: ID!) { plan(id: $id) { scorecard(asOf: "2025-11-30") { scoreCap maxScore goals { goal { title } completionPercent countedPercent score } } } }"#;
    let signed = |d: &Value| {
        d["plan"]["scorecard"]["goals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["goal"]["title"] == json!("签约项目"))
            .unwrap()
            .clone()
    };
    let g = signed(&app.data(q, json!({ "id": ex.plan })).await);
    assert_close(&g["completionPercent"], 130.0);
    assert_close(&g["countedPercent"], 100.0);
    assert_close(&g["score"], 10.0);
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { scoreCap } }",
        json!({ "i": { "id": ex.plan, "scoreCap": 1.2 } }),
    )
    .await;
    let d = app.data(q, json!({ "id": ex.plan })).await;
    // The sheet's total, whatever the cap: over-performance scores above it.
    assert_close(&d["plan"]["scorecard"]["maxScore"], 60.0);
    let g = signed(&d);
    assert_close(&g["countedPercent"], 120.0);
    assert_close(&g["score"], 12.0);
}

#[tokio::test]
async fn as_of_before_the_start_on_the_deadline_and_after_the_end() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let p = judged(&app, &ex.signed, "2024-12-31").await;
    assert_close(&p["expectedPercent"], 0.0);
    assert_eq!(p["status"], json!("NOT_STARTED"));
    assert!(p["actual"].is_null());
    let p = judged(&app, &ex.signed, "2025-12-31").await;
    assert_close(&p["expectedPercent"], 100.0);
    assert_eq!(
        (p["status"].clone(), p["light"].clone()),
        (json!("IN_PROGRESS"), json!("YELLOW")),
        "gap −15 on the deadline: {p}"
    );
    let p = judged(&app, &ex.signed, "2026-01-05").await;
    assert_eq!(
        (p["status"].clone(), p["light"].clone()),
        (json!("OVERDUE"), json!("RED"))
    );
    let d = app
        .data(r#"query($id: ID!) { plan(id: $id) { progress(asOf: "2026-01-05") { status expectedPercent } } }"#, json!({ "id": ex.plan }))
        .await;
    assert_eq!(d["plan"]["progress"]["status"], json!("OVERDUE"));
    assert_close(&d["plan"]["progress"]["expectedPercent"], 100.0);
}

#[tokio::test]
async fn plan_settings_change_the_judgement() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    assert_eq!(
        judged(&app, &ex.contract, "2025-10-31").await["light"],
        json!("BLUE")
    );
    let d = app
        .data(
            r#"mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { yellowGap redGap rateYellowFloor timeProgressMode } }"#,
            json!({ "i": { "id": ex.plan, "yellowGap": 4.0, "rateYellowFloor": 97.0 } }),
        )
        .await;
    assert_eq!(
        d["updatePlan"],
        json!({ "yellowGap": 4.0, "redGap": 30.0, "rateYellowFloor": 97.0, "timeProgressMode": "MONTHLY" })
    );
    assert_eq!(
        judged(&app, &ex.contract, "2025-10-31").await["light"],
        json!("YELLOW")
    );
    assert_eq!(
        judged(&app, &ex.debt, "2025-10-31").await["light"],
        json!("RED"),
        "96.7 is below a floor of 97"
    );
    // Daily time progress: 2025-10-15 is day 288 of 365.
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
        json!({ "i": { "id": ex.plan, "timeProgressMode": "DAILY" } }),
    )
    .await;
    assert_close(
        &judged(&app, &ex.signed, "2025-10-15").await["expectedPercent"],
        288.0 / 365.0 * 100.0,
    );
    let code = app
        .error_code(
            "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
            json!({ "i": { "id": ex.plan, "yellowGap": 40.0 } }),
        )
        .await;
    assert_eq!(code, "INVALID_VALUE", "yellowGap beyond redGap");
}

#[tokio::test]
async fn watch_lists_filter_by_plan_unit_category_and_light() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let warnings = r#"query($f: WatchFilter) { warnings(asOf: "2025-10-31", filter: $f) { goal { title } progress { light } deadline } }"#;
    let all = app
        .data(warnings, json!({ "f": { "planId": ex.plan } }))
        .await;
    // Sub-goals are listed too: 批而未供 64.1 (YELLOW), 闲置 32.0 and 低效 37.6 (RED).
    assert_eq!(
        titles(&all["warnings"]),
        [
            "低效用地",
            "处置三类低效用地",
            "实际利用外资",
            "批而未供",
            "新建标准厂房",
            "资产负债率",
            "闲置土地"
        ]
    );
    let red = app
        .data(
            warnings,
            json!({ "f": { "planId": ex.plan, "lights": ["RED"] } }),
        )
        .await;
    assert_eq!(
        titles(&red["warnings"]),
        ["低效用地", "处置三类低效用地", "实际利用外资", "闲置土地"]
    );
    let blue = app
        .data(warnings, json!({ "f": { "lights": ["BLUE"] } }))
        .await;
    assert_eq!(titles(&blue["warnings"]), ["合同引资额"]);
    let bureau2 = app
        .data(warnings, json!({ "f": { "unitId": ex.bureau2 } }))
        .await;
    assert_eq!(titles(&bureau2["warnings"]), ["实际利用外资"]);
    let category = app
        .data(warnings, json!({ "f": { "category": "防范风险" } }))
        .await;
    assert_eq!(titles(&category["warnings"]), ["资产负债率"]);

    // Nothing is overdue at the end of October; everything unfinished is in January.
    let overdue = r#"query($d: Date, $f: WatchFilter) { overdue(asOf: $d, filter: $f) { goals { goal { title } } milestones { milestone { title } } } }"#;
    let oct = app.data(overdue, json!({ "d": "2025-10-31" })).await;
    assert!(
        oct["overdue"]["goals"].as_array().unwrap().is_empty(),
        "{oct}"
    );
    let jan = app
        .data(
            overdue,
            json!({ "d": "2026-01-05", "f": { "category": "招商引资" } }),
        )
        .await;
    assert_eq!(
        titles(&jan["overdue"]["goals"]),
        ["合同引资额", "实际利用外资", "签约项目"]
    );
    let jan_all = app.data(overdue, json!({ "d": "2026-01-05" })).await;
    assert_eq!(
        jan_all["overdue"]["milestones"],
        json!([{ "milestone": { "title": "扫尾工程并投产运营" } }])
    );

    let upcoming = r#"query($d: Date, $n: Int!) { upcoming(asOf: $d, days: $n) { goals { goal { title } deadline } milestones { milestone { id } } } }"#;
    let soon = app
        .data(upcoming, json!({ "d": "2025-10-15", "n": 30 }))
        .await;
    assert!(soon["upcoming"]["goals"].as_array().unwrap().is_empty());
    assert_eq!(
        soon["upcoming"]["milestones"],
        json!([{ "milestone": { "id": ex.main_works } }])
    );
    let later = app
        .data(upcoming, json!({ "d": "2025-11-15", "n": 60 }))
        .await;
    // Every unfinished goal is due 12-31 (sub-goals included, the GROUP
    // heading not: its items are listed; the RATE share at 120 % and the
    // passed VETO goal are complete).
    assert_eq!(
        later["upcoming"]["goals"].as_array().unwrap().len(),
        10,
        "{later}"
    );
    assert!(
        later["upcoming"]["goals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["deadline"] == json!("2025-12-31"))
    );
}

#[tokio::test]
async fn unit_ranking_counts_lights() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let q = r#"query($p: ID!, $f: WatchFilter) { unitRanking(planId: $p, asOf: "2025-10-31", filter: $f) {
        rank unit { name } progress { completionPercent score } lights { green blue yellow red } } }"#;
    let d = app.data(q, json!({ "p": ex.plan })).await;
    let rows = d["unitRanking"].as_array().unwrap();
    assert_eq!(rows[0]["rank"], json!(1));
    let row = |n: &str| {
        rows.iter()
            .find(|r| r["unit"]["name"] == json!(n))
            .unwrap()
            .clone()
    };
    assert_eq!(
        row("招商二局")["lights"],
        json!({ "green": 0, "blue": 1, "yellow": 0, "red": 1 })
    );
    assert_eq!(
        row("招商一局")["lights"],
        json!({ "green": 2, "blue": 0, "yellow": 0, "red": 0 })
    );
    assert_close(&row("招商二局")["progress"]["score"], 8.0 + 5.0);
    // Within one category the ranking covers only its goals.
    let d = app
        .data(q, json!({ "p": ex.plan, "f": { "category": "招商引资" } }))
        .await;
    let names: Vec<&str> = d["unitRanking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["招商一局", "招商二局"]);
    let d = app
        .data(q, json!({ "p": ex.plan, "f": { "lights": ["RED"] } }))
        .await;
    let names: Vec<&str> = d["unitRanking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["招商二局", "自然资源分局"], "65 before 47.2");
}

#[tokio::test]
async fn the_reporting_calendar() {
    let app = TestApp::spawn().await;
    app.set_now("2025-09-20T02:00:00Z");
    let owner = app.create_unit("管委会", None).await;
    let units: Vec<String> = {
        let mut v = Vec::new();
        for name in ["招商一局", "招商二局", "规划建设局"] {
            v.push(app.create_unit(name, Some(&owner)).await);
        }
        v
    };
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app.create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 })).await;
    let mut shares = Vec::new();
    for u in &units {
        shares.push(app.assign(&goal, u, Some(5.0)).await);
    }
    // 招商一局 reports on 3 November (on time), 招商二局 on the 7th (late, due the 5th).
    app.set_now("2025-11-03T01:00:00Z");
    app.report(&shares[0], "2025-10-31", 3.0).await;
    app.set_now("2025-11-07T01:00:00Z");
    app.report(&shares[1], "2025-10-31", 2.0).await;
    let q = r#"query($p: ID!, $m: String!) { reportingCalendar(planId: $p, month: $m) {
        month reportsDue dueDate
        assignments { unit { name } state firstSubmittedOn }
        units { unit { name } reported late missing pending }
    } }"#;
    app.set_now("2025-11-20T01:00:00Z");
    let d = app.data(q, json!({ "p": plan, "m": "2025-10" })).await;
    let cal = &d["reportingCalendar"];
    assert_eq!(
        (
            cal["month"].clone(),
            cal["dueDate"].clone(),
            cal["reportsDue"].clone()
        ),
        (json!("2025-10"), json!("2025-11-05"), json!(true))
    );
    let state = |name: &str| {
        cal["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["unit"]["name"] == json!(name))
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(
        (state("招商一局"), state("招商二局"), state("规划建设局")),
        (json!("REPORTED"), json!("LATE"), json!("MISSING"))
    );
    assert_eq!(
        cal["units"],
        json!([
            { "unit": { "name": "规划建设局" }, "reported": 0, "late": 0, "missing": 1, "pending": 0 },
            { "unit": { "name": "招商二局" }, "reported": 0, "late": 1, "missing": 0, "pending": 0 },
            { "unit": { "name": "招商一局" }, "reported": 1, "late": 0, "missing": 0, "pending": 0 },
        ])
    );
    // Before the due day a missing report is only pending.
    app.set_now("2025-11-04T01:00:00Z");
    let d = app.data(q, json!({ "p": plan, "m": "2025-10" })).await;
    let pending: Vec<&Value> = d["reportingCalendar"]["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == json!("PENDING"))
        .collect();
    assert_eq!(
        pending.len(),
        2,
        "招商二局 had not reported yet on the 4th either"
    );
    // An assignment made in September owes no August report.
    let d = app.data(q, json!({ "p": plan, "m": "2025-08" })).await;
    assert!(
        d["reportingCalendar"]["assignments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A quarterly plan asks no October report.
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
        json!({ "i": { "id": plan, "reportingCycle": "QUARTERLY", "reportDueDay": 10 } }),
    )
    .await;
    let d = app.data(q, json!({ "p": plan, "m": "2025-10" })).await;
    assert_eq!(d["reportingCalendar"]["reportsDue"], json!(false));
    assert!(
        d["reportingCalendar"]["units"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let d = app.data(q, json!({ "p": plan, "m": "2025-12" })).await;
    // 2026-01-10 is a Saturday: 遇节假日顺延 to the Monday.
    assert_eq!(d["reportingCalendar"]["dueDate"], json!("2026-01-12"));
    assert_eq!(
        app.error_code(q, json!({ "p": plan, "m": "2025-13" }))
            .await,
        "INVALID_DATE"
    );
    assert_eq!(
        app.error_code(q, json!({ "p": plan, "m": "2026-03" }))
            .await,
        "INVALID_VALUE"
    );
}

#[tokio::test]
async fn trends_follow_the_report_history() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let d = app
        .data(
            r#"query($g: ID!, $p: ID!, $u: ID!) {
                goal(id: $g) { trend(upTo: "2025-10-31") { date completionPercent expectedPercent light } }
                plan(id: $p) {
                    trend(upTo: "2025-10-31") { date completionPercent }
                    unitTrend(unitId: $u, upTo: "2025-10-20") { date completionPercent }
                }
            }"#,
            json!({ "g": ex.signed, "p": ex.plan, "u": ex.bureau1 }),
        )
        .await;
    let points = d["goal"]["trend"].as_array().unwrap();
    assert_eq!(points.len(), 10);
    assert_eq!(points[0]["date"], json!("2025-01-31"));
    assert_eq!(points[9]["date"], json!("2025-10-31"));
    // 招商一局 reported 5 in June and 9 in October; 招商二局 8 in September.
    let at = |i: usize| {
        (
            points[i]["completionPercent"].as_f64().unwrap(),
            points[i]["expectedPercent"].as_f64().unwrap(),
        )
    };
    assert_eq!(at(4).0, 0.0);
    assert!((at(5).0 - 25.0).abs() < 1e-9 && (at(5).1 - 50.0).abs() < 1e-9);
    assert!((at(8).0 - 65.0).abs() < 1e-9 && (at(8).1 - 75.0).abs() < 1e-9);
    assert!((at(9).0 - 85.0).abs() < 1e-9);
    assert_eq!(
        points[8]["light"],
        json!("YELLOW"),
        "65 against 75: a gap of exactly −10"
    );
    let plan = d["plan"]["trend"].as_array().unwrap();
    assert_eq!(plan.len(), 10);
    assert_close(&plan[9]["completionPercent"], 78.354);
    let unit = d["plan"]["unitTrend"].as_array().unwrap();
    // A unit's line starts once something of it counts: 招商一局's first
    // report is dated in June, so the month ends June–September.
    let dates: Vec<&str> = unit.iter().map(|p| p["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        ["2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30"]
    );
    // 招商一局 at the end of September: 签约 5/10 and 合同 nothing yet → 25.
    assert_close(&unit[3]["completionPercent"], 25.0);
}

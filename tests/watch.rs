//! Watch lists hold only goals with something to reach: a target value, or
//! dated milestones. A GROUP heading (its items are listed on their own)
//! and a MILESTONE goal without milestones (judged on time alone, it turns
//! red as the year goes by) never are.
mod common;

use common::TestApp;
use serde_json::{Value, json};

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
async fn headings_and_goals_without_a_target_are_never_watched() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("规划建设局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = |title: &str, kind: &str, extra: Value| {
        let mut input = json!({ "planId": plan, "title": title, "kind": kind, "weight": 10 });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    };
    // A heading over a goal far behind: both are red, only the goal is watched.
    let heading = app
        .create_goal(goal(
            "五好园区建设",
            "GROUP",
            json!({ "deadline": "2025-11-15" }),
        ))
        .await;
    let factories = app
        .create_goal(goal(
            "新建标准厂房",
            "CUMULATIVE",
            json!({ "parentId": heading, "measureUnit": "万平方米", "targetValue": 10,
                    "deadline": "2025-11-15" }),
        ))
        .await;
    let share = app.assign(&factories, &bureau, None).await;
    app.report(&share, "2025-10-31", 2.0).await;
    // A MILESTONE goal nobody gave milestones: 0 % against its time, red and overdue.
    app.create_goal(goal(
        "园区道路提质",
        "MILESTONE",
        json!({ "deadline": "2025-06-30" }),
    ))
    .await;
    app.create_goal(goal(
        "智慧园区平台",
        "MILESTONE",
        json!({ "deadline": "2025-11-20" }),
    ))
    .await;
    // A MILESTONE goal with a milestone past due: watched.
    let solar = app
        .create_goal(goal(
            "光伏二期并网",
            "MILESTONE",
            json!({ "deadline": "2025-06-30" }),
        ))
        .await;
    app.add_milestone(&solar, "完成并网运行", "2025-06-30", 1.0)
        .await;
    app.assign(&solar, &bureau, None).await;

    let lists = app
        .data(
            r#"query($f: WatchFilter, $p: ID!) {
                warnings(asOf: "2025-10-31", filter: $f) { goal { title } progress { light } }
                overdue(asOf: "2025-10-31", filter: $f) { goals { goal { title } } milestones { milestone { title } } }
                upcoming(asOf: "2025-10-31", days: 30, filter: $f) { goals { goal { title } } }
                plan(id: $p) { allGoals { title progress(asOf: "2025-10-31") { light status } } }
            }"#,
            json!({ "f": { "planId": plan }, "p": plan }),
        )
        .await;
    // What the lists leave out is red and overdue all the same.
    let light = |title: &str| {
        lists["plan"]["allGoals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["title"] == title)
            .unwrap()["progress"]
            .clone()
    };
    assert_eq!(light("五好园区建设")["light"], "RED");
    assert_eq!(
        light("园区道路提质"),
        json!({ "light": "RED", "status": "OVERDUE" })
    );

    assert_eq!(titles(&lists["warnings"]), ["光伏二期并网", "新建标准厂房"]);
    assert!(
        lists["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["progress"]["light"] == "RED")
    );
    assert_eq!(titles(&lists["overdue"]["goals"]), ["光伏二期并网"]);
    assert_eq!(
        lists["overdue"]["milestones"],
        json!([{ "milestone": { "title": "完成并网运行" } }])
    );
    assert_eq!(titles(&lists["upcoming"]["goals"]), ["新建标准厂房"]);
}

/// Why a month's calendar cannot say who reported on time: a code that
/// never changes and the reason in the reader's language, the same words
/// as the 填报情况 sheet of the export.
#[tokio::test]
async fn the_reporting_calendar_says_why_a_month_cannot_be_judged() {
    let app = TestApp::spawn().await;
    // Entered on 1 November, reports of June to October included.
    let ex = common::example::worked_example(&app).await;
    let q = r#"query($p: ID!, $m: String!) { reportingCalendar(planId: $p, month: $m) {
        month unjudgeable unjudgeableReason units { unit { name } }
    } }"#;
    let september = json!({ "p": ex.plan, "m": "2025-09" });
    let d = app.data(q, september.clone()).await;
    assert_eq!(
        d["reportingCalendar"],
        json!({
            "month": "2025-09",
            "unjudgeable": "ASSIGNED_AFTER_DUE",
            "unjudgeableReason": "2025-09 was due on 2025-10-09, but the plan's assignments were first made on 2025-11-01: nobody owed it on time, so it cannot be judged; its 6 reports were all entered on 2025-11-01",
            "units": []
        })
    );
    // Chinese unless English is asked for; the code is the same.
    let (_, zh) = app
        .gql_in(None, Some(common::ADMIN_TOKEN), q, september)
        .await;
    assert_eq!(
        (
            zh["data"]["reportingCalendar"]["unjudgeable"].clone(),
            zh["data"]["reportingCalendar"]["unjudgeableReason"].clone()
        ),
        (
            json!("ASSIGNED_AFTER_DUE"),
            json!(
                "2025年9月的填报截止日为 2025-10-09，本计划的分解任务最早于 2025-11-01 才录入，当时已过截止日，无法判断当月是否按时填报；当月 6 份填报均于 2025-11-01 补录"
            )
        )
    );
    // October was due on 5 November, after the assignments were made.
    let d = app.data(q, json!({ "p": ex.plan, "m": "2025-10" })).await;
    assert_eq!(
        (
            d["reportingCalendar"]["unjudgeable"].clone(),
            d["reportingCalendar"]["unjudgeableReason"].clone()
        ),
        (Value::Null, Value::Null)
    );
    assert!(
        !d["reportingCalendar"]["units"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A quarterly plan asks nothing in August.
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
        json!({ "i": { "id": ex.plan, "reportingCycle": "QUARTERLY" } }),
    )
    .await;
    let d = app.data(q, json!({ "p": ex.plan, "m": "2025-08" })).await;
    assert_eq!(
        (
            d["reportingCalendar"]["unjudgeable"].clone(),
            d["reportingCalendar"]["unjudgeableReason"].clone()
        ),
        (
            json!("NO_REPORTS_DUE"),
            json!("the plan reports quarterly; 2025-08 asks no report")
        )
    );
}

/// 每月5日前报送，遇节假日顺延: the due day in force of a month, and the
/// reporting calendar judging by it (September's report, due in the 国庆
/// holiday, is due on the first working day after it).
#[tokio::test]
async fn the_due_day_follows_holidays() {
    let app = TestApp::spawn().await;
    let ex = common::example::worked_example(&app).await;
    let q = r#"query($p: ID!) { plan(id: $p) {
        oct: reportDueDate(month: "2025-10") nov: reportDueDate(month: "2025-11")
        jul: reportDueDate(month: "2025-07") feb: reportDueDate(month: "2026-02") } }"#;
    let d = app.data(q, json!({ "p": ex.plan })).await;
    assert_eq!(
        d["plan"],
        json!({ "oct": "2025-10-09", "nov": "2025-11-05", "jul": "2025-07-07", "feb": "2026-02-05" })
    );
    let calendar = app
        .data(
            r#"query($p: ID!) { reportingCalendar(planId: $p, month: "2025-09") { dueDate } }"#,
            json!({ "p": ex.plan }),
        )
        .await;
    assert_eq!(calendar["reportingCalendar"]["dueDate"], "2025-10-09");
    let bad = app
        .gql(
            r#"query($p: ID!) { plan(id: $p) { reportDueDate(month: "2025-13") } }"#,
            json!({ "p": ex.plan }),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "INVALID_DATE",
        "{bad}"
    );
}

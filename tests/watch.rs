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

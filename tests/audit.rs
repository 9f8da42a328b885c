//! The audit log: a row for every kind of change, written atomically with
//! it, never for a refused one, filterable, and never editable.
mod common;

use common::TestApp;
use serde_json::{Value, json};

const LOG: &str = r#"query($t: String, $id: ID, $a: String, $from: DateTime, $to: DateTime) {
    auditLog(objectType: $t, objectId: $id, actor: $a, from: $from, to: $to) { at actor role operation objectType objectId input } }"#;

async fn log(app: &TestApp, vars: Value) -> Vec<Value> {
    app.data(LOG, vars).await["auditLog"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn every_kind_of_change_is_recorded() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商合作局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app.create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 })).await;
    let share = app.assign(&goal, &bureau, Some(20.0)).await;
    let solar = app
        .create_goal(json!({ "planId": plan, "title": "光伏二期", "kind": "MILESTONE" }))
        .await;
    let grid = app.add_milestone(&solar, "并网", "2025-03-31", 1.0).await;
    app.complete_milestone(&grid, "2025-04-18").await;
    let reporter = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&bureau))
        .await;
    let (_, body) = app
        .gql_as(Some(&reporter), "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }", json!({ "i": { "assignmentId": share, "asOf": "2025-10-31", "value": 9.0, "note": "新签约2个项目" } }))
        .await;
    let report = body["data"]["submitReport"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.data(
        "mutation($i: ReturnReportInput!) { returnReport(input: $i) { id } }",
        json!({ "i": { "reportId": report, "reason": "缺附件" } }),
    )
    .await;
    app.data(
        "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }",
        json!({ "i": { "id": goal, "targetValue": 25.0 } }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { closePlan(id: $id) { id } }",
        json!({ "id": plan }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { reopenPlan(id: $id) { id } }",
        json!({ "id": plan }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { archiveMilestone(id: $id) }",
        json!({ "id": grid }),
    )
    .await;
    let token_id = app.data("{ tokens { id } }", json!({})).await["tokens"][0]["id"].clone();
    app.data(
        "mutation($id: ID!) { revokeToken(id: $id) { id } }",
        json!({ "id": token_id }),
    )
    .await;

    let rows = log(&app, json!({})).await;
    let ops: Vec<(&str, &str)> = rows
        .iter()
        .rev()
        .map(|r| {
            (
                r["operation"].as_str().unwrap(),
                r["objectType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("createUnit", "unit"),
            ("createUnit", "unit"),
            ("createPlan", "plan"),
            ("activatePlan", "plan"),
            ("createGoal", "goal"),
            ("assignGoal", "assignment"),
            ("createGoal", "goal"),
            ("addMilestone", "milestone"),
            ("completeMilestone", "milestone"),
            ("createToken", "token"),
            ("submitReport", "report"),
            ("returnReport", "report"),
            ("updateGoal", "goal"),
            ("closePlan", "plan"),
            ("reopenPlan", "plan"),
            ("archiveMilestone", "milestone"),
            ("revokeToken", "token"),
        ]
    );
    let submitted = rows
        .iter()
        .find(|r| r["operation"] == json!("submitReport"))
        .unwrap();
    assert_eq!(
        (submitted["actor"].clone(), submitted["role"].clone()),
        (json!("招商合作局填报员"), json!("REPORTER"))
    );
    assert_eq!(submitted["objectId"], json!(report));
    assert_eq!(
        submitted["input"]["input"]["note"],
        json!("新签约2个项目"),
        "variables are filled in"
    );
    assert_eq!(submitted["at"], json!("2025-11-01T02:00:00+00:00"));
    let opening = rows
        .iter()
        .find(|r| r["operation"] == json!("reopenPlan"))
        .unwrap();
    assert_eq!(
        (opening["actor"].clone(), opening["objectId"].clone()),
        (json!("operator"), json!(plan))
    );
    // The token issued is never in the log.
    assert!(!json!(rows).to_string().contains(&reporter));

    // Filters: one object's history; one actor; a time range.
    let history = log(&app, json!({ "t": "goal", "id": goal })).await;
    assert_eq!(
        history
            .iter()
            .map(|r| r["operation"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["updateGoal", "createGoal"]
    );
    assert_eq!(log(&app, json!({ "a": "招商合作局填报员" })).await.len(), 1);
    assert_eq!(
        log(&app, json!({ "from": "2025-11-01T02:00:01Z" }))
            .await
            .len(),
        0
    );
    assert_eq!(
        log(
            &app,
            json!({ "from": "2025-11-01T00:00:00Z", "to": "2025-11-01T03:00:00Z" })
        )
        .await
        .len(),
        17
    );
}

#[tokio::test]
async fn a_refused_change_leaves_no_row() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let before = log(&app, json!({})).await.len();
    // Refused by validation inside the write transaction, after the audit
    // author is in scope: the rollback takes everything.
    let code = app
        .error_code("mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }", json!({ "i": { "planId": plan, "title": "x", "kind": "CUMULATIVE", "targetValue": 0.0 } }))
        .await;
    assert_eq!(code, "INVALID_TARGET");
    let viewer = app.issue_token("大屏", "VIEWER", None).await;
    let (_, body) = app
        .gql_as(
            Some(&viewer),
            "mutation { createUnit(input: { name: \"x\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], json!("FORBIDDEN"));
    // Only the token issue itself was recorded.
    let rows = log(&app, json!({})).await;
    assert_eq!(rows.len(), before + 1);
    assert_eq!(rows[0]["operation"], json!("createToken"));
    // Only an ADMIN reads the log; nothing in the API edits it.
    let (_, body) = app
        .gql_as(Some(&viewer), "{ auditLog { id } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], json!("FORBIDDEN"));
    let d = app
        .data(
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let names = d["__schema"]["mutationType"]["fields"].as_array().unwrap();
    assert!(
        names
            .iter()
            .all(|f| !f["name"].as_str().unwrap().to_lowercase().contains("audit"))
    );
}

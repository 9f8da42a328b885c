//! Every kind of bad input is refused with a stable `extensions.code` and
//! writes nothing; errors never carry SQL or other internals.
mod common;

use common::TestApp;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const TABLES: [&str; 7] = [
    "unit",
    "plan",
    "goal",
    "goal_supporting_unit",
    "assignment",
    "milestone",
    "report",
];

/// Row counts of every table, to prove a refused write wrote nothing.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        out.push(row.try_get::<i64>("", "n").unwrap());
    }
    out
}

struct Fixture {
    committee: String,
    bureau: String,
    plan: String,
    signed: String,
    signed_assignment: String,
    rate: String,
    group: String,
    milestone_goal: String,
    other_plan_goal: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let committee = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商合作局", Some(&committee)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &committee).await;
    let signed = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "measureUnit": "个", "targetValue": 20.0 }))
        .await;
    let signed_assignment = app.assign(&signed, &bureau, Some(10.0)).await;
    let rate = app
        .create_goal(json!({ "planId": plan, "title": "资产负债率", "kind": "RATE", "targetValue": 65.0, "direction": "DECREASE" }))
        .await;
    let group = app
        .create_goal(json!({ "planId": plan, "title": "五好园区", "kind": "GROUP" }))
        .await;
    let milestone_goal = app
        .create_goal(json!({ "planId": plan, "title": "光伏二期", "kind": "MILESTONE" }))
        .await;
    let other_plan = app.create_plan("2026年度目标任务", 2026, &committee).await;
    let other_plan_goal = app
        .create_goal(json!({ "planId": other_plan, "title": "五好园区", "kind": "GROUP" }))
        .await;
    Fixture {
        committee,
        bureau,
        plan,
        signed,
        signed_assignment,
        rate,
        group,
        milestone_goal,
        other_plan_goal,
    }
}

const CREATE_GOAL: &str = "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }";
const ASSIGN: &str = "mutation($i: AssignGoalInput!) { assignGoal(input: $i) { id } }";
const REPORT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }";
const MILESTONE: &str = "mutation($i: AddMilestoneInput!) { addMilestone(input: $i) { id } }";

/// Sends a request that must be refused with `code`, and checks nothing changed.
async fn refused(app: &TestApp, code: &str, query: &str, variables: Value) {
    let before = fingerprint(app).await;
    let body = app.gql(query, variables.clone()).await;
    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"],
        json!(code),
        "for {variables}: {body:#}"
    );
    let message = error["message"].as_str().unwrap().to_lowercase();
    for leak in [
        "sql",
        "select ",
        "insert ",
        "constraint",
        "panicked",
        "sqlx",
    ] {
        assert!(!message.contains(leak), "internal detail in {message:?}");
    }
    assert_eq!(
        fingerprint(app).await,
        before,
        "a refused request wrote something: {variables}"
    );
}

#[tokio::test]
async fn targets_values_and_directions() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let goal = |extra: Value| {
        let mut input = json!({ "planId": f.plan, "title": "合同引资额", "kind": "CUMULATIVE", "targetValue": 25.0 });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "i": input })
    };
    refused(
        &app,
        "INVALID_TARGET",
        CREATE_GOAL,
        goal(json!({ "targetValue": 0.0 })),
    )
    .await;
    refused(
        &app,
        "INVALID_TARGET",
        CREATE_GOAL,
        goal(json!({ "kind": "RATE", "targetValue": 0.0 })),
    )
    .await;
    refused(
        &app,
        "INVALID_TARGET",
        CREATE_GOAL,
        goal(json!({ "targetValue": null })),
    )
    .await;
    refused(
        &app,
        "INVALID_VALUE",
        CREATE_GOAL,
        goal(json!({ "targetValue": -25.0 })),
    )
    .await;
    refused(
        &app,
        "INVALID_VALUE",
        CREATE_GOAL,
        goal(json!({ "weight": -1.0 })),
    )
    .await;
    refused(
        &app,
        "INVALID_VALUE",
        CREATE_GOAL,
        goal(json!({ "title": "   " })),
    )
    .await;
    refused(
        &app,
        "DIRECTION_NOT_ALLOWED",
        CREATE_GOAL,
        goal(json!({ "direction": "DECREASE" })),
    )
    .await;
    refused(
        &app,
        "INVALID_TARGET",
        ASSIGN,
        json!({ "i": { "goalId": f.signed, "unitId": f.committee, "targetValue": 0.0 } }),
    )
    .await;
    refused(&app, "INVALID_VALUE", REPORT, json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "2025-06-30", "value": -3.0 } })).await;
    // A non-finite value can only arrive as a literal (JSON has no Infinity).
    let q = format!(
        r#"mutation {{ submitReport(input: {{ assignmentId: "{}", asOf: "2025-06-30", value: 1e400 }}) {{ id }} }}"#,
        f.signed_assignment
    );
    refused(&app, "INVALID_VALUE", &q, json!({})).await;
    let q = format!(
        r#"mutation {{ createGoal(input: {{ planId: "{}", title: "x", kind: CUMULATIVE, targetValue: 1e400 }}) {{ id }} }}"#,
        f.plan
    );
    refused(&app, "INVALID_VALUE", &q, json!({})).await;
}

#[tokio::test]
async fn dates_outside_the_plan_and_malformed_dates() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let goal = |deadline: &str| json!({ "i": { "planId": f.plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 5.0, "deadline": deadline } });
    refused(
        &app,
        "DEADLINE_OUTSIDE_PLAN",
        CREATE_GOAL,
        goal("2026-01-31"),
    )
    .await;
    refused(
        &app,
        "DEADLINE_OUTSIDE_PLAN",
        CREATE_GOAL,
        goal("2024-12-31"),
    )
    .await;
    refused(
        &app,
        "DEADLINE_OUTSIDE_PLAN",
        ASSIGN,
        json!({ "i": { "goalId": f.signed, "unitId": f.committee, "deadline": "2026-03-31" } }),
    )
    .await;
    refused(
        &app,
        "MILESTONE_OUTSIDE_PLAN",
        MILESTONE,
        json!({ "i": { "goalId": f.milestone_goal, "title": "并网", "dueDate": "2026-03-31" } }),
    )
    .await;
    refused(
        &app,
        "REPORT_OUTSIDE_PLAN",
        REPORT,
        json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "2024-12-31", "value": 1.0 } }),
    )
    .await;
    refused(
        &app,
        "REPORT_OUTSIDE_PLAN",
        REPORT,
        json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "2026-01-01", "value": 1.0 } }),
    )
    .await;
    refused(
        &app,
        "INVALID_DATE",
        REPORT,
        json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "2025-6-30", "value": 1.0 } }),
    )
    .await;
    refused(
        &app,
        "INVALID_DATE",
        REPORT,
        json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "2025-02-30", "value": 1.0 } }),
    )
    .await;
    refused(
        &app,
        "INVALID_DATE",
        REPORT,
        json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "6月30日", "value": 1.0 } }),
    )
    .await;
    // As a literal argument of a query, too.
    let q = format!(
        r#"{{ goal(id: "{}") {{ progress(asOf: "2025/10/31") {{ completionPercent }} }} }}"#,
        f.signed
    );
    refused(&app, "INVALID_DATE", &q, json!({})).await;
    // A plan whose period is reversed or longer than its year.
    let plan = |start: &str, end: &str| json!({ "i": { "name": "x", "year": 2025, "ownerUnitId": f.committee, "startDate": start, "endDate": end } });
    let create_plan = "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }";
    refused(
        &app,
        "INVALID_PLAN_PERIOD",
        create_plan,
        plan("2025-12-31", "2025-01-01"),
    )
    .await;
    refused(
        &app,
        "INVALID_PLAN_PERIOD",
        create_plan,
        plan("2025-01-01", "2026-06-30"),
    )
    .await;
    refused(&app, "INVALID_TIME_ZONE", create_plan, json!({ "i": { "name": "x", "year": 2025, "ownerUnitId": f.committee, "timeZone": "Beijing" } })).await;
}

#[tokio::test]
async fn structure_kinds_and_trees() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    refused(
        &app,
        "GROUP_NOT_ASSIGNABLE",
        ASSIGN,
        json!({ "i": { "goalId": f.group, "unitId": f.bureau } }),
    )
    .await;
    refused(&app, "PARENT_IN_OTHER_PLAN", CREATE_GOAL,
        json!({ "i": { "planId": f.plan, "parentId": f.other_plan_goal, "title": "子目标", "kind": "RATE", "targetValue": 3.0 } })).await;
    refused(&app, "KIND_MISMATCH", REPORT, json!({ "i": { "assignmentId": app.assign(&f.milestone_goal, &f.bureau, None).await, "asOf": "2025-06-30", "value": 1.0 } })).await;
    refused(
        &app,
        "KIND_MISMATCH",
        MILESTONE,
        json!({ "i": { "goalId": f.signed, "title": "节点", "dueDate": "2025-06-30" } }),
    )
    .await;
    refused(&app, "KIND_MISMATCH", CREATE_GOAL,
        json!({ "i": { "planId": f.plan, "parentId": f.rate, "title": "子目标", "kind": "RATE", "targetValue": 3.0 } })).await;
    refused(
        &app,
        "DUPLICATE",
        ASSIGN,
        json!({ "i": { "goalId": f.signed, "unitId": f.bureau } }),
    )
    .await;
    // A CUMULATIVE goal already assigned cannot also be broken into sub-goals.
    refused(&app, "STRUCTURE_CONFLICT", CREATE_GOAL,
        json!({ "i": { "planId": f.plan, "parentId": f.signed, "title": "一局签约", "kind": "CUMULATIVE", "measureUnit": "个", "targetValue": 5.0 } })).await;
    // Sub-goals of a CUMULATIVE goal share its measure unit.
    let land = app.create_goal(json!({ "planId": f.plan, "title": "处置低效用地", "kind": "CUMULATIVE", "measureUnit": "亩", "targetValue": 1200.0 })).await;
    refused(&app, "MEASURE_UNIT_MISMATCH", CREATE_GOAL,
        json!({ "i": { "planId": f.plan, "parentId": land, "title": "闲置厂房", "kind": "CUMULATIVE", "measureUnit": "万平方米", "targetValue": 5.0 } })).await;

    // Cycles in the unit tree and in the goal tree.
    let sub = app.create_unit("招商一局", Some(&f.bureau)).await;
    let update_unit = "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { id } }";
    refused(
        &app,
        "CYCLE",
        update_unit,
        json!({ "i": { "id": f.committee, "parentId": sub } }),
    )
    .await;
    refused(
        &app,
        "CYCLE",
        update_unit,
        json!({ "i": { "id": f.bureau, "parentId": f.bureau } }),
    )
    .await;
    let outer = app
        .create_goal(json!({ "planId": f.plan, "title": "外层", "kind": "GROUP" }))
        .await;
    let inner = app
        .create_goal(
            json!({ "planId": f.plan, "parentId": outer, "title": "内层", "kind": "GROUP" }),
        )
        .await;
    refused(
        &app,
        "CYCLE",
        "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }",
        json!({ "i": { "id": outer, "parentId": inner } }),
    )
    .await;
}

#[tokio::test]
async fn missing_and_archived_things() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    refused(
        &app,
        "NOT_FOUND",
        ASSIGN,
        json!({ "i": { "goalId": f.signed, "unitId": "999999" } }),
    )
    .await;
    refused(
        &app,
        "NOT_FOUND",
        ASSIGN,
        json!({ "i": { "goalId": f.signed, "unitId": "招商一局" } }),
    )
    .await;
    refused(
        &app,
        "NOT_FOUND",
        CREATE_GOAL,
        json!({ "i": { "planId": f.plan, "title": "x", "kind": "GROUP", "leadUnitId": "424242" } }),
    )
    .await;
    refused(&app, "NOT_FOUND", CREATE_GOAL, json!({ "i": { "planId": f.plan, "title": "x", "kind": "GROUP", "supportingUnitIds": [f.bureau, "424242"] } })).await;
    refused(
        &app,
        "NOT_FOUND",
        "mutation($i: CreateUnitInput!) { createUnit(input: $i) { id } }",
        json!({ "i": { "name": "x", "parentId": "424242" } }),
    )
    .await;
    refused(
        &app,
        "NOT_FOUND",
        "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }",
        json!({ "i": { "name": "x", "year": 2025, "ownerUnitId": "424242" } }),
    )
    .await;
    refused(
        &app,
        "NOT_FOUND",
        REPORT,
        json!({ "i": { "assignmentId": "424242", "asOf": "2025-06-30", "value": 1.0 } }),
    )
    .await;
    // A report on an archived goal.
    app.data(
        "mutation($id: ID!) { archiveGoal(id: $id) }",
        json!({ "id": f.signed }),
    )
    .await;
    refused(
        &app,
        "ARCHIVED",
        REPORT,
        json!({ "i": { "assignmentId": f.signed_assignment, "asOf": "2025-06-30", "value": 1.0 } }),
    )
    .await;
    refused(
        &app,
        "NOT_FOUND",
        "mutation($id: ID!) { archiveGoal(id: $id) }",
        json!({ "id": f.signed }),
    )
    .await;
    // Malformed GraphQL gets a code too.
    refused(&app, "BAD_REQUEST", "{ plans { noSuchField } }", json!({})).await;
}

#[tokio::test]
async fn internal_failures_are_reported_without_details() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // Break the database under the server: the client sees INTERNAL, no SQL.
    app.break_reports().await;
    let resp = app
        .client
        .post("/graphql")
        .header("x-request-id", "req-7f3a")
        .header("authorization", format!("Bearer {}", common::ADMIN_TOKEN))
        .header("accept-language", "en")
        .body_json(&json!({ "query": REPORT, "variables": { "i": { "assignmentId": f.signed_assignment, "asOf": "2025-06-30", "value": 1.0 } } }))
        .send()
        .await;
    resp.assert_header("x-request-id", "req-7f3a");
    let body = resp.json().await.value().deserialize::<Value>();
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], json!("INTERNAL"));
    // Only the request ID to quote to the operator, who finds the detail in the log.
    assert_eq!(error["message"], json!("internal error (request req-7f3a)"));
    assert_eq!(error["extensions"]["requestId"], json!("req-7f3a"));
    assert!(
        !body.to_string().to_lowercase().contains("no such table"),
        "{body}"
    );
}

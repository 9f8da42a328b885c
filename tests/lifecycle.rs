//! The plan lifecycle: DRAFT (targets being set) → ACTIVE (reports) →
//! CLOSED (read-only), and reopening.
mod common;

use common::TestApp;
use serde_json::{Value, json};

const STATE: &str = "query($id: ID!) { plan(id: $id) { state } }";

async fn state(app: &TestApp, plan: &str) -> Value {
    app.data(STATE, json!({ "id": plan })).await["plan"]["state"].clone()
}

#[tokio::test]
async fn a_draft_takes_targets_but_no_reports() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let d = app
        .data(
            "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id state } }",
            json!({ "i": { "name": "2026年度目标任务", "year": 2026, "ownerUnitId": owner } }),
        )
        .await;
    let plan = d["createPlan"]["id"].as_str().unwrap().to_string();
    assert_eq!(d["createPlan"]["state"], json!("DRAFT"));
    // Targets are set and broken down while in DRAFT.
    let goal = app.create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 })).await;
    let share = app.assign(&goal, &owner, None).await;
    let solar = app
        .create_goal(json!({ "planId": plan, "title": "光伏三期", "kind": "MILESTONE" }))
        .await;
    let grid = app.add_milestone(&solar, "并网", "2026-06-30", 1.0).await;
    let report = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }";
    let vars = json!({ "i": { "assignmentId": share, "asOf": "2026-03-31", "value": 2.0 } });
    assert_eq!(
        app.error_code(report, vars.clone()).await,
        "PLAN_NOT_ACTIVE"
    );
    let complete = "mutation($i: CompleteMilestoneInput!) { completeMilestone(input: $i) { id } }";
    let done = json!({ "i": { "milestoneId": grid, "completedOn": "2026-06-20" } });
    assert_eq!(
        app.error_code(complete, done.clone()).await,
        "PLAN_NOT_ACTIVE"
    );
    // Closing a draft skips a step.
    assert_eq!(
        app.error_code(
            "mutation($id: ID!) { closePlan(id: $id) { id } }",
            json!({ "id": plan })
        )
        .await,
        "INVALID_TRANSITION"
    );
    app.data(
        "mutation($id: ID!) { activatePlan(id: $id) { id } }",
        json!({ "id": plan }),
    )
    .await;
    assert_eq!(state(&app, &plan).await, json!("ACTIVE"));
    assert_eq!(
        app.error_code(
            "mutation($id: ID!) { activatePlan(id: $id) { id } }",
            json!({ "id": plan })
        )
        .await,
        "INVALID_TRANSITION"
    );
    // Once the quarter is over, its figure is reported.
    app.set_now("2026-04-01T02:00:00Z");
    app.data(report, vars).await;
    app.data(complete, done).await;
}

#[tokio::test]
async fn a_closed_plan_refuses_every_write_until_reopened() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商合作局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app.create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 })).await;
    let share = app.assign(&goal, &bureau, Some(20.0)).await;
    // The year is over when it is settled.
    app.set_now("2026-01-05T02:00:00Z");
    app.report(&share, "2025-12-31", 21.0).await;
    let solar = app
        .create_goal(json!({ "planId": plan, "title": "光伏二期", "kind": "MILESTONE" }))
        .await;
    let grid = app.add_milestone(&solar, "并网", "2025-03-31", 1.0).await;
    app.data(
        "mutation($id: ID!) { closePlan(id: $id) { state } }",
        json!({ "id": plan }),
    )
    .await;
    assert_eq!(state(&app, &plan).await, json!("CLOSED"));
    let snapshot = r#"query($id: ID!) { plan(id: $id) { name yellowGap allGoals { title targetValue milestones { completedOn } assignments { targetValue reports { value } } } } }"#;
    let before = app.data(snapshot, json!({ "id": plan })).await;

    let writes: Vec<(&str, Value)> = vec![
        (
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
            json!({ "i": { "assignmentId": share, "asOf": "2025-12-31", "value": 25.0 } }),
        ),
        (
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
            json!({ "i": { "planId": plan, "title": "补录目标", "kind": "GROUP" } }),
        ),
        (
            "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }",
            json!({ "i": { "id": goal, "targetValue": 15.0 } }),
        ),
        (
            "mutation($id: ID!) { archiveGoal(id: $id) }",
            json!({ "id": goal }),
        ),
        (
            "mutation($i: AssignGoalInput!) { assignGoal(input: $i) { id } }",
            json!({ "i": { "goalId": goal, "unitId": owner } }),
        ),
        (
            "mutation($i: UpdateAssignmentInput!) { updateAssignment(input: $i) { id } }",
            json!({ "i": { "id": share, "targetValue": 10.0 } }),
        ),
        (
            "mutation($id: ID!) { archiveAssignment(id: $id) }",
            json!({ "id": share }),
        ),
        (
            "mutation($i: AddMilestoneInput!) { addMilestone(input: $i) { id } }",
            json!({ "i": { "goalId": solar, "title": "验收", "dueDate": "2025-06-30" } }),
        ),
        (
            "mutation($i: UpdateMilestoneInput!) { updateMilestone(input: $i) { id } }",
            json!({ "i": { "id": grid, "title": "并网运行" } }),
        ),
        (
            "mutation($i: CompleteMilestoneInput!) { completeMilestone(input: $i) { id } }",
            json!({ "i": { "milestoneId": grid, "completedOn": "2025-04-18" } }),
        ),
        (
            "mutation($id: ID!) { archiveMilestone(id: $id) }",
            json!({ "id": grid }),
        ),
        (
            "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
            json!({ "i": { "id": plan, "yellowGap": 5.0 } }),
        ),
        (
            "mutation($id: ID!) { archivePlan(id: $id) { id } }",
            json!({ "id": plan }),
        ),
    ];
    for (query, vars) in &writes {
        assert_eq!(
            app.error_code(query, vars.clone()).await,
            "PLAN_CLOSED",
            "{query}"
        );
    }
    assert_eq!(
        app.data(snapshot, json!({ "id": plan })).await,
        before,
        "a closed year stays as it was"
    );
    // Reads go on: the settled figures.
    let d = app.data(r#"query($id: ID!) { plan(id: $id) { progress(asOf: "2025-12-31") { completionPercent } } }"#, json!({ "id": plan })).await;
    assert!(d["plan"]["progress"]["completionPercent"].as_f64().unwrap() > 0.0);

    app.data(
        "mutation($id: ID!) { reopenPlan(id: $id) { state } }",
        json!({ "id": plan }),
    )
    .await;
    assert_eq!(state(&app, &plan).await, json!("ACTIVE"));
    app.data(writes[0].0, writes[0].1.clone()).await;
}

//! Who may do what: tokens, roles, per-object checks.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use serde_json::{Value, json};

struct Park {
    committee: String,
    investment: String,
    bureau1: String,
    construction: String,
    plan: String,
    other_plan: String,
    other_goal: String,
    signed: String,
    a_bureau1: String,
    a_construction: String,
    solar: String,
    grid: String,
}

/// 管委会 → 招商合作局 → 招商一局, and 规划建设局; a plan in which 招商一局
/// and 规划建设局 carry shares, and a second plan only 规划建设局 takes part in.
async fn park(app: &TestApp) -> Park {
    let committee = app.create_unit("管委会", None).await;
    let investment = app.create_unit("招商合作局", Some(&committee)).await;
    let bureau1 = app.create_unit("招商一局", Some(&investment)).await;
    let construction = app.create_unit("规划建设局", Some(&committee)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &committee).await;
    let signed = app.create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 })).await;
    let a_bureau1 = app.assign(&signed, &bureau1, Some(10.0)).await;
    let a_construction = app.assign(&signed, &construction, Some(10.0)).await;
    let solar = app
        .create_goal(json!({ "planId": plan, "title": "屋顶光伏二期", "kind": "MILESTONE" }))
        .await;
    app.assign(&solar, &construction, None).await;
    let grid = app
        .add_milestone(&solar, "并网运行", "2025-03-31", 1.0)
        .await;
    let other_plan = app.create_plan("专项行动计划", 2025, &committee).await;
    let other_goal = app.create_goal(json!({ "planId": other_plan, "title": "厂房腾退", "kind": "CUMULATIVE", "targetValue": 5.0 })).await;
    app.assign(&other_goal, &construction, None).await;
    Park {
        committee,
        investment,
        bureau1,
        construction,
        plan,
        other_plan,
        other_goal,
        signed,
        a_bureau1,
        a_construction,
        solar,
        grid,
    }
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// Every mutation (24), with inputs that an ADMIN could run.
fn mutations(p: &Park) -> Vec<(&'static str, String, Value)> {
    vec![
        (
            "createUnit",
            "mutation($i: CreateUnitInput!) { createUnit(input: $i) { id } }".into(),
            json!({ "i": { "name": "新设科室", "parentId": p.committee } }),
        ),
        (
            "updateUnit",
            "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { id } }".into(),
            json!({ "i": { "id": p.bureau1, "name": "招商一处" } }),
        ),
        (
            "archiveUnit",
            "mutation($id: ID!) { archiveUnit(id: $id) { id } }".into(),
            json!({ "id": p.investment }),
        ),
        (
            "createPlan",
            "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }".into(),
            json!({ "i": { "name": "x", "year": 2025, "ownerUnitId": p.committee } }),
        ),
        (
            "updatePlan",
            "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }".into(),
            json!({ "i": { "id": p.plan, "yellowGap": 5.0 } }),
        ),
        (
            "activatePlan",
            "mutation($id: ID!) { activatePlan(id: $id) { id } }".into(),
            json!({ "id": p.plan }),
        ),
        (
            "closePlan",
            "mutation($id: ID!) { closePlan(id: $id) { id } }".into(),
            json!({ "id": p.other_plan }),
        ),
        (
            "reopenPlan",
            "mutation($id: ID!) { reopenPlan(id: $id) { id } }".into(),
            json!({ "id": p.other_plan }),
        ),
        (
            "approveReport",
            "mutation($id: ID!) { approveReport(id: $id) { id } }".into(),
            json!({ "id": "1" }),
        ),
        (
            "returnReport",
            "mutation($i: ReturnReportInput!) { returnReport(input: $i) { id } }".into(),
            json!({ "i": { "reportId": "1", "reason": "数据有误" } }),
        ),
        (
            "archivePlan",
            "mutation($id: ID!) { archivePlan(id: $id) { id } }".into(),
            json!({ "id": p.other_plan }),
        ),
        (
            "createGoal",
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }".into(),
            json!({ "i": { "planId": p.plan, "title": "x", "kind": "GROUP" } }),
        ),
        (
            "updateGoal",
            "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }".into(),
            json!({ "i": { "id": p.signed, "targetValue": 30.0 } }),
        ),
        (
            "archiveGoal",
            "mutation($id: ID!) { archiveGoal(id: $id) }".into(),
            json!({ "id": p.signed }),
        ),
        (
            "assignGoal",
            "mutation($i: AssignGoalInput!) { assignGoal(input: $i) { id } }".into(),
            json!({ "i": { "goalId": p.signed, "unitId": p.investment } }),
        ),
        (
            "updateAssignment",
            "mutation($i: UpdateAssignmentInput!) { updateAssignment(input: $i) { id } }".into(),
            json!({ "i": { "id": p.a_bureau1, "targetValue": 12.0 } }),
        ),
        (
            "archiveAssignment",
            "mutation($id: ID!) { archiveAssignment(id: $id) }".into(),
            json!({ "id": p.a_bureau1 }),
        ),
        (
            "addMilestone",
            "mutation($i: AddMilestoneInput!) { addMilestone(input: $i) { id } }".into(),
            json!({ "i": { "goalId": p.solar, "title": "验收", "dueDate": "2025-06-30" } }),
        ),
        (
            "updateMilestone",
            "mutation($i: UpdateMilestoneInput!) { updateMilestone(input: $i) { id } }".into(),
            json!({ "i": { "id": p.grid, "weight": 2.0 } }),
        ),
        (
            "completeMilestone",
            "mutation($i: CompleteMilestoneInput!) { completeMilestone(input: $i) { id } }".into(),
            json!({ "i": { "milestoneId": p.grid, "completedOn": "2025-04-18" } }),
        ),
        (
            "archiveMilestone",
            "mutation($id: ID!) { archiveMilestone(id: $id) }".into(),
            json!({ "id": p.grid }),
        ),
        (
            "submitReport",
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }".into(),
            json!({ "i": { "assignmentId": p.a_construction, "asOf": "2025-06-30", "value": 3.0 } }),
        ),
        (
            "createToken",
            "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }".into(),
            json!({ "i": { "name": "x", "role": "VIEWER" } }),
        ),
        (
            "revokeToken",
            "mutation($id: ID!) { revokeToken(id: $id) { id } }".into(),
            json!({ "id": "1" }),
        ),
    ]
}

async fn report_count(app: &TestApp) -> usize {
    let d = app
        .data(
            "{ plans { allGoals { assignments { reports { id } } } } }",
            json!({}),
        )
        .await;
    d["plans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["allGoals"].as_array().unwrap().clone())
        .flat_map(|g| g["assignments"].as_array().unwrap().clone())
        .map(|a| a["reports"].as_array().unwrap().len())
        .sum()
}

#[tokio::test]
async fn each_role_against_each_mutation() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let viewer = app.issue_token("指挥中心大屏", "VIEWER", None).await;
    let investment_reporter = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.investment))
        .await;
    let construction_reporter = app
        .issue_token("规划建设局填报员", "REPORTER", Some(&p.construction))
        .await;
    let before = app
        .data(
            "{ units { id name } plans { id goals { id targetValue } } tokens { id } }",
            json!({}),
        )
        .await;

    for (name, query, vars) in mutations(&p) {
        let (status, body) = app.gql_as(Some(&viewer), &query, vars.clone()).await;
        assert_eq!(
            (status, code(&body)),
            (200, "FORBIDDEN"),
            "VIEWER {name}: {body}"
        );
        // 招商合作局 carries no share of the milestone goal and is not 规划建设局.
        let (_, body) = app
            .gql_as(Some(&investment_reporter), &query, vars.clone())
            .await;
        assert_eq!(
            code(&body),
            "FORBIDDEN",
            "REPORTER of another unit, {name}: {body}"
        );
        let (_, body) = app.gql_as(Some(&construction_reporter), &query, vars).await;
        match name {
            "submitReport" | "completeMilestone" => {
                assert!(body.get("errors").is_none(), "REPORTER {name}: {body}")
            }
            _ => assert_eq!(code(&body), "FORBIDDEN", "REPORTER {name}: {body}"),
        }
    }
    // Nothing any refused call could have touched changed.
    let after = app
        .data(
            "{ units { id name } plans { id goals { id targetValue } } tokens { id } }",
            json!({}),
        )
        .await;
    assert_eq!(before, after);
    assert_eq!(
        report_count(&app).await,
        1,
        "only the allowed report was written"
    );

    // The operator may run every one of them.
    for (name, query, vars) in mutations(&p) {
        let body = app.gql(&query, vars).await;
        assert!(
            body.get("errors").is_none()
                || !["FORBIDDEN", "UNAUTHENTICATED"].contains(&code(&body)),
            "ADMIN {name}: {body}"
        );
    }
}

#[tokio::test]
async fn a_reporter_cannot_reach_another_units_objects_by_id() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    // 招商合作局's reporter covers 招商一局 below it, not 规划建设局.
    let reporter = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.investment))
        .await;
    let submit = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }";
    let own = json!({ "i": { "assignmentId": p.a_bureau1, "asOf": "2025-06-30", "value": 4.0 } });
    let (_, body) = app.gql_as(Some(&reporter), submit, own).await;
    assert!(body.get("errors").is_none(), "a sub-unit's share: {body}");
    let attack =
        json!({ "i": { "assignmentId": p.a_construction, "asOf": "2025-06-30", "value": 99.0 } });
    let (_, body) = app.gql_as(Some(&reporter), submit, attack).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert_eq!(report_count(&app).await, 1);

    // Reads: the plan it takes part in, not the other one, by any route.
    let (_, body) = app
        .gql_as(Some(&reporter), "{ plans { name } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["plans"],
        json!([{ "name": "2025年度目标任务" }])
    );
    // A plan it takes no part in looks exactly like one that does not
    // exist: null where a lookup may be empty, NOT_FOUND elsewhere.
    for (query, hidden, missing) in [
        (
            "query($id: ID!) { plan(id: $id) { name } }",
            &p.other_plan,
            "999999",
        ),
        (
            "query($id: ID!) { goal(id: $id) { title } }",
            &p.other_goal,
            "999998",
        ),
        (
            "query($id: ID!) { unitRanking(planId: $id) { rank } }",
            &p.other_plan,
            "999999",
        ),
        (
            "query($id: ID!) { warnings(filter: { planId: $id }) { goal { title } } }",
            &p.other_plan,
            "999999",
        ),
        (
            "query($id: ID!) { reportingCalendar(planId: $id, month: \"2025-10\") { dueDate } }",
            &p.other_plan,
            "999999",
        ),
    ] {
        let (_, seen) = app
            .gql_as(Some(&reporter), query, json!({ "id": hidden }))
            .await;
        let (_, absent) = app
            .gql_as(Some(&reporter), query, json!({ "id": missing }))
            .await;
        assert_eq!(seen["data"], absent["data"], "{query}: {seen} / {absent}");
        assert_eq!(code(&seen), code(&absent), "{query}: {seen} / {absent}");
        assert_ne!(code(&seen), "FORBIDDEN", "{query}: {seen}");
    }
    let (_, body) = app
        .gql_as(
            Some(&reporter),
            "query($id: ID!) { goal(id: $id) { title } }",
            json!({ "id": p.signed }),
        )
        .await;
    assert_eq!(body["data"]["goal"]["title"], json!("签约项目"));
    // Lists over every plan silently keep to the readable ones.
    let (_, body) = app
        .gql_as(
            Some(&reporter),
            "{ upcoming(asOf: \"2025-12-01\", days: 60) { goals { goal { title } } } }",
            json!({}),
        )
        .await;
    let titles: Vec<&str> = body["data"]["upcoming"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["goal"]["title"].as_str().unwrap())
        .collect();
    assert!(!titles.contains(&"厂房腾退"), "{titles:?}");
}

#[tokio::test]
async fn tokens_that_do_not_authenticate() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    // No token: nothing at all.
    let (status, body) = app.gql_as(None, "{ plans { id } }", json!({})).await;
    assert_eq!((status, code(&body)), (200, "UNAUTHENTICATED"), "{body}");
    let (_, body) = app
        .gql_as(
            None,
            "mutation { createUnit(input: { name: \"x\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    // Not even the schema: what the API offers is for those who sign in
    // (a reader with a token or a session still introspects).
    for query in [
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Plan\") { name } }",
        "query Q { ...S } fragment S on QueryRoot { __schema { types { name } } }",
    ] {
        let (status, body) = app.gql_as(None, query, json!({})).await;
        assert_eq!((status, code(&body)), (200, "UNAUTHENTICATED"), "{body}");
        assert!(body["data"].is_null(), "{body}");
    }
    // `me` answers null: how a page learns it must sign in.
    let (_, body) = app.gql_as(None, "{ me { name } }", json!({})).await;
    assert_eq!(body, json!({ "data": { "me": null } }));
    let (_, body) = app
        .gql_as(
            Some(ADMIN_TOKEN),
            "{ __schema { queryType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"],
        json!("QueryRoot")
    );
    // Unknown and empty tokens: 401.
    for token in [
        "mb_0000000000000000000000000000000000000000000000000000000000000000",
        "",
    ] {
        let (status, body) = app.gql_as(Some(token), "{ units { id } }", json!({})).await;
        assert_eq!(
            (status, code(&body)),
            (401, "UNAUTHENTICATED"),
            "{token:?}: {body}"
        );
    }
    // Revoked.
    let d = app
        .data("mutation { createToken(input: { name: \"临时\", role: VIEWER }) { token apiToken { id } } }", json!({}))
        .await;
    let (token, id) = (
        d["createToken"]["token"].as_str().unwrap().to_string(),
        d["createToken"]["apiToken"]["id"].clone(),
    );
    assert_eq!(
        app.gql_as(Some(&token), "{ units { id } }", json!({}))
            .await
            .0,
        200
    );
    app.data(
        "mutation($id: ID!) { revokeToken(id: $id) { revokedAt } }",
        json!({ "id": id }),
    )
    .await;
    let (status, body) = app
        .gql_as(Some(&token), "{ units { id } }", json!({}))
        .await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
    // Expired: valid until the clock passes expiresAt.
    let d = app
        .data(
            "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }",
            json!({ "i": { "name": "调度会临时", "role": "REPORTER", "unitId": p.construction, "expiresAt": "2025-11-02T00:00:00Z" } }),
        )
        .await;
    let expiring = d["createToken"]["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.gql_as(Some(&expiring), "{ me { name } }", json!({}))
            .await
            .1["data"]["me"]["name"],
        json!("调度会临时")
    );
    app.set_now("2025-11-02T00:00:01Z");
    assert_eq!(
        app.gql_as(Some(&expiring), "{ me { name } }", json!({}))
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn me_and_the_token_list() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let reporter = app
        .issue_token("规划建设局填报员", "REPORTER", Some(&p.construction))
        .await;
    let (_, body) = app
        .gql_as(
            Some(&reporter),
            "{ me { name role unit { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["me"],
        json!({ "name": "规划建设局填报员", "role": "REPORTER", "unit": { "name": "规划建设局" } })
    );
    let (_, body) = app
        .gql_as(
            Some(ADMIN_TOKEN),
            "{ me { name role unit { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["me"],
        json!({ "name": "operator", "role": "ADMIN", "unit": null })
    );
    let d = app
        .data(
            "{ tokens { name role unit { name } lastUsedAt revokedAt } }",
            json!({}),
        )
        .await;
    let row = &d["tokens"][0];
    assert_eq!(row["name"], json!("规划建设局填报员"));
    assert!(
        row["lastUsedAt"].is_string(),
        "the reporter's request marked it used: {row}"
    );
    assert!(
        !d.to_string().contains(&reporter),
        "the secret is never shown again"
    );
    // A REPORTER token needs a unit; others must not have one.
    let create = "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }";
    assert_eq!(
        app.error_code(create, json!({ "i": { "name": "x", "role": "REPORTER" } }))
            .await,
        "INVALID_VALUE"
    );
    assert_eq!(
        app.error_code(
            create,
            json!({ "i": { "name": "x", "role": "VIEWER", "unitId": p.bureau1 } })
        )
        .await,
        "INVALID_VALUE"
    );
    let (_, body) = app
        .gql_as(Some(&reporter), "{ tokens { name } }", json!({}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
}

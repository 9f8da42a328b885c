//! Report review (审核): approving and returning reports changes what counts.
mod common;

use common::TestApp;
use serde_json::{Value, json};

const ACTUAL: &str =
    r#"query($id: ID!) { goal(id: $id) { progress(asOf: "2025-12-31") { actual } } }"#;

async fn actual(app: &TestApp, goal: &str) -> Value {
    app.data(ACTUAL, json!({ "id": goal })).await["goal"]["progress"]["actual"].clone()
}

const APPROVE: &str = "mutation($id: ID!) { approveReport(id: $id) { status reviewedBy } }";
const RETURN: &str =
    "mutation($i: ReturnReportInput!) { returnReport(input: $i) { status reviewReason } }";

struct Setup {
    plan: String,
    bureau1: String,
    goal: String,
    share1: String,
    share2: String,
}

async fn setup(app: &TestApp) -> Setup {
    let owner = app.create_unit("管委会", None).await;
    let bureau1 = app.create_unit("招商一局", Some(&owner)).await;
    let bureau2 = app.create_unit("招商二局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app.create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 })).await;
    let share1 = app.assign(&goal, &bureau1, Some(10.0)).await;
    let share2 = app.assign(&goal, &bureau2, Some(10.0)).await;
    Setup {
        plan,
        bureau1,
        goal,
        share1,
        share2,
    }
}

#[tokio::test]
async fn returned_reports_never_count() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    app.report(&s.share1, "2025-06-30", 4.0).await;
    let wrong = app.report(&s.share1, "2025-09-30", 40.0).await;
    assert_eq!(
        actual(&app, &s.goal).await,
        json!(40.0),
        "unreviewed reports count by default"
    );
    assert_eq!(
        app.error_code(
            RETURN,
            json!({ "i": { "reportId": wrong, "reason": "  " } })
        )
        .await,
        "INVALID_VALUE"
    );
    let d = app
        .data(
            RETURN,
            json!({ "i": { "reportId": wrong, "reason": "数值单位错误，应为个" } }),
        )
        .await;
    assert_eq!(
        d["returnReport"],
        json!({ "status": "RETURNED", "reviewReason": "数值单位错误，应为个" })
    );
    assert_eq!(
        actual(&app, &s.goal).await,
        json!(4.0),
        "the June figure stands again"
    );
    // Reviewing twice is refused; the correction is a new report.
    assert_eq!(
        app.error_code(APPROVE, json!({ "id": wrong })).await,
        "INVALID_TRANSITION"
    );
    app.report(&s.share1, "2025-09-30", 7.0).await;
    assert_eq!(actual(&app, &s.goal).await, json!(7.0));
    // History keeps the returned report, marked.
    let d = app
        .data("query($id: ID!) { assignment(id: $id) { reports { value status reviewReason submittedBy } } }", json!({ "id": s.share1 }))
        .await;
    let reports = d["assignment"]["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[1]["status"], json!("RETURNED"));
    assert_eq!(reports[2]["submittedBy"], json!("operator"));
}

#[tokio::test]
async fn with_require_approval_only_approved_reports_count() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { requireApproval } }",
        json!({ "i": { "id": s.plan, "requireApproval": true } }),
    )
    .await;
    let reporter = app
        .issue_token("招商一局填报员", "REPORTER", Some(&s.bureau1))
        .await;
    let (_, body) = app
        .gql_as(Some(&reporter), "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id status submittedBy } }", json!({ "i": { "assignmentId": s.share1, "asOf": "2025-10-31", "value": 6.0 } }))
        .await;
    let report = body["data"]["submitReport"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(body["data"]["submitReport"]["status"], json!("SUBMITTED"));
    assert_eq!(
        body["data"]["submitReport"]["submittedBy"],
        json!("招商一局填报员")
    );
    assert!(
        actual(&app, &s.goal).await.is_null(),
        "waiting for review, it does not count yet"
    );
    // A reporter cannot approve its own figures.
    let (_, body) = app
        .gql_as(Some(&reporter), APPROVE, json!({ "id": report }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], json!("FORBIDDEN"));
    let d = app.data(APPROVE, json!({ "id": report })).await;
    assert_eq!(
        d["approveReport"],
        json!({ "status": "APPROVED", "reviewedBy": "operator" })
    );
    assert_eq!(actual(&app, &s.goal).await, json!(6.0));
}

#[tokio::test]
async fn the_review_queue_is_oldest_first() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    app.set_now("2025-11-02T01:00:00Z");
    let first = app.report(&s.share2, "2025-10-31", 5.0).await;
    app.set_now("2025-11-03T01:00:00Z");
    let second = app.report(&s.share1, "2025-10-31", 6.0).await;
    app.set_now("2025-11-04T01:00:00Z");
    let third = app.report(&s.share2, "2025-09-30", 5.5).await;
    let q = "query($u: ID) { reviewQueue(unitId: $u) { report { id } assignment { unit { name } goal { title } } } }";
    let ids = |d: &Value| {
        d["reviewQueue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["report"]["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let d = app.data(q, json!({ "u": null })).await;
    assert_eq!(ids(&d), [first.clone(), second.clone(), third.clone()]);
    assert_eq!(
        d["reviewQueue"][0]["assignment"]["unit"]["name"],
        json!("招商二局")
    );
    let d = app.data(q, json!({ "u": s.bureau1 })).await;
    assert_eq!(ids(&d), std::slice::from_ref(&second));
    app.data(APPROVE, json!({ "id": first })).await;
    app.data(
        RETURN,
        json!({ "i": { "reportId": second, "reason": "缺少合同附件" } }),
    )
    .await;
    assert_eq!(ids(&app.data(q, json!({ "u": null })).await), [third]);
}

#[tokio::test]
async fn a_returned_report_is_missing_in_the_calendar() {
    let app = TestApp::spawn().await;
    app.set_now("2025-09-20T01:00:00Z");
    let s = setup(&app).await;
    app.set_now("2025-11-03T01:00:00Z");
    let report = app.report(&s.share1, "2025-10-31", 5.0).await;
    app.data(
        RETURN,
        json!({ "i": { "reportId": report, "reason": "请补充进展说明" } }),
    )
    .await;
    app.set_now("2025-11-20T01:00:00Z");
    let d = app
        .data(r#"query($p: ID!) { reportingCalendar(planId: $p, month: "2025-10") { units { unit { name } reported missing } } }"#, json!({ "p": s.plan }))
        .await;
    let row = d["reportingCalendar"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"]["name"] == json!("招商一局"))
        .unwrap()
        .clone();
    assert_eq!(
        (row["reported"].clone(), row["missing"].clone()),
        (json!(0), json!(1))
    );
}

const UNREVIEWED: &str =
    r#"query($id: ID!, $d: Date) { plan(id: $id) { unreviewedFigures(asOf: $d) } }"#;

async fn unreviewed(app: &TestApp, plan: &str, as_of: &str) -> Value {
    app.data(UNREVIEWED, json!({ "id": plan, "d": as_of }))
        .await["plan"]["unreviewedFigures"]
        .clone()
}

/// A leader's figure that rests on reports nobody reviewed says so: the
/// count of units whose standing figure is 待审核, as of the date.
#[tokio::test]
async fn the_plan_says_how_many_figures_are_unreviewed() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    assert_eq!(unreviewed(&app, &s.plan, "2025-12-31").await, json!(0));
    let june = app.report(&s.share1, "2025-06-30", 4.0).await;
    app.report(&s.share2, "2025-06-30", 3.0).await;
    assert_eq!(unreviewed(&app, &s.plan, "2025-06-30").await, json!(2));
    // Before any report stands there is nothing to review.
    assert_eq!(unreviewed(&app, &s.plan, "2025-05-31").await, json!(0));
    app.data(APPROVE, json!({ "id": june })).await;
    assert_eq!(unreviewed(&app, &s.plan, "2025-06-30").await, json!(1));
    // A later unreviewed report stands over the approved one…
    let september = app.report(&s.share1, "2025-09-30", 8.0).await;
    assert_eq!(unreviewed(&app, &s.plan, "2025-09-30").await, json!(2));
    // …until it is returned: the approved June figure stands again.
    app.data(
        RETURN,
        json!({ "i": { "reportId": september, "reason": "请附佐证" } }),
    )
    .await;
    assert_eq!(unreviewed(&app, &s.plan, "2025-09-30").await, json!(1));
    // With approval required, unreviewed reports do not count at all.
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { requireApproval } }",
        json!({ "i": { "id": s.plan, "requireApproval": true } }),
    )
    .await;
    assert_eq!(unreviewed(&app, &s.plan, "2025-09-30").await, json!(0));
}

/// A clerk files 9,000 (万元 typed for 亿元) and corrects it to 13.5 the
/// same day: the queue marks the first as corrected, and it cannot be
/// approved (it would stand again once the correction is returned); it
/// can be returned.
#[tokio::test]
async fn a_corrected_report_cannot_be_approved() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let wrong = app.report(&s.share1, "2025-10-31", 9000.0).await;
    let right = app.report(&s.share1, "2025-10-31", 13.5).await;
    let other = app.report(&s.share2, "2025-10-31", 5.0).await;
    let q = "{ reviewQueue { report { id } supersededBy { id value } } }";
    let d = app.data(q, json!({})).await;
    assert_eq!(
        d["reviewQueue"],
        json!([
            { "report": { "id": wrong }, "supersededBy": { "id": right, "value": 13.5 } },
            { "report": { "id": right }, "supersededBy": null },
            { "report": { "id": other }, "supersededBy": null },
        ])
    );
    let (_, body) = app
        .gql_in(
            None,
            Some(common::ADMIN_TOKEN),
            APPROVE,
            json!({ "id": wrong }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "这份填报已被同期更晚提交的填报（13.5）更正，不能审核通过；请将它退回"
    );
    // Nothing changed: still waiting.
    let d = app
        .data(
            "query($id: ID!) { assignment(id: $id) { reports { id status } } }",
            json!({ "id": s.share1 }),
        )
        .await;
    assert_eq!(d["assignment"]["reports"][0]["status"], "SUBMITTED");
    let d = app
        .data(
            RETURN,
            json!({ "i": { "reportId": wrong, "reason": "已更正为13.5" } }),
        )
        .await;
    assert_eq!(d["returnReport"]["status"], "RETURNED");
    // Returned, the correction stays; approving it is as usual.
    app.data(APPROVE, json!({ "id": right })).await;
    assert_eq!(actual(&app, &s.goal).await, json!(18.5));
}

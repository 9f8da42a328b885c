//! Progress questions cost a bounded number of SQL statements, whatever the
//! plan's size: a plan ten times larger costs exactly the same.
mod common;

use chrono::NaiveDate;
use common::TestApp;
use domain::{GoalKind, PlanState};
use mubiao::service::{assignments, goals, milestones, plans, reports, units};
use serde_json::json;

/// The test's own name in the audit log of the plan it builds.
fn builder() -> mubiao::db::audit::Audit {
    mubiao::db::audit::Audit {
        actor_name: "statements test".into(),
        actor_role: "ADMIN".into(),
        operation: "build_plan".into(),
        input: serde_json::Value::Null,
        at: chrono::Utc::now(),
    }
}

/// A plan of `goals` goals of mixed kinds, each assigned to two of
/// `unit_count` units, with three monthly reports per assignment.
async fn build_plan(app: &TestApp, goal_count: usize, unit_count: usize) -> i64 {
    let author = builder();
    let db = &app.db;
    let root = units::create(
        db,
        &author,
        units::NewUnit {
            name: format!("管委会{goal_count}"),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    let mut unit_ids = Vec::new();
    for i in 0..unit_count {
        let u = units::create(
            db,
            &author,
            units::NewUnit {
                name: format!("责任单位{i}"),
                parent_id: Some(root.id),
            },
        )
        .await
        .unwrap();
        unit_ids.push(u.id);
    }
    let plan = plans::create(
        db,
        &author,
        plans::NewPlan {
            name: "2025年度目标任务".into(),
            year: 2025,
            owner_unit_id: root.id,
            start_date: None,
            end_date: None,
            time_zone: None,
            score_cap: None,
            settings: Default::default(),
        },
    )
    .await
    .unwrap();
    plans::transition(
        db,
        &author,
        plan.id,
        PlanState::Draft,
        PlanState::Active,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let group = goals::create(
        db,
        &author,
        goal_input(
            plan.id,
            None,
            "五好园区",
            GoalKind::Group,
            None,
            vec![unit_ids[0]],
        ),
    )
    .await
    .unwrap();
    for g in 0..goal_count {
        let kind = [
            GoalKind::Cumulative,
            GoalKind::Rate,
            GoalKind::Milestone,
            GoalKind::Veto,
        ][g % 4];
        let target = match kind {
            GoalKind::Cumulative => Some(100.0),
            GoalKind::Rate => Some(60.0),
            GoalKind::Veto => Some(0.0),
            _ => None,
        };
        let parent = (g % 5 == 0).then_some(group.id);
        let goal = goals::create(
            db,
            &author,
            goal_input(
                plan.id,
                parent,
                &format!("目标{g}"),
                kind,
                target,
                vec![unit_ids[g % unit_count]],
            ),
        )
        .await
        .unwrap();
        if kind == GoalKind::Milestone {
            let m = milestones::create(
                db,
                &author,
                milestones::NewMilestone {
                    goal_id: goal.id,
                    title: "节点".into(),
                    due_date: d("2025-06-30"),
                    weight: None,
                },
            )
            .await
            .unwrap();
            milestones::complete(db, &author, m.id, d("2025-06-20"))
                .await
                .unwrap();
        }
        for k in 0..2 {
            let unit_id = unit_ids[(g + k) % unit_count];
            let a = assignments::create(
                db,
                &author,
                assignments::NewAssignment {
                    goal_id: goal.id,
                    unit_id,
                    target_value: None,
                    deadline: None,
                    responsible_person: None,
                    created_at: chrono::Utc::now(),
                },
            )
            .await
            .unwrap();
            if kind.takes_reports() {
                for (month, value) in [
                    ("2025-03-31", 10.0),
                    ("2025-06-30", 25.0),
                    ("2025-09-30", 40.0),
                ] {
                    let value = if kind == GoalKind::Veto { 0.0 } else { value };
                    reports::submit(
                        db,
                        reports::NewReport {
                            author: author.clone(),
                            assignment_id: a.id,
                            as_of: d(month),
                            value,
                            note: Some("进展顺利".into()),
                            problems: None,
                            next_steps: None,
                            submitted_at: chrono::Utc::now(),
                            submitted_by: None,
                            idempotency: None,
                            evidence: Default::default(),
                        },
                    )
                    .await
                    .unwrap();
                }
            }
        }
    }
    plan.id
}

fn goal_input(
    plan_id: i64,
    parent_id: Option<i64>,
    title: &str,
    kind: GoalKind,
    target: Option<f64>,
    supporting: Vec<i64>,
) -> goals::NewGoal {
    goals::NewGoal {
        plan_id,
        parent_id,
        code: None,
        title: title.into(),
        category: Some(["招商引资", "项目建设", "防范风险"][title.len() % 3].into()),
        kind,
        measure_unit: None,
        target_value: target,
        baseline_value: None,
        direction: None,
        weight: Some(2.0),
        deadline: None,
        monthly_plan: None,
        lead_unit_id: supporting.first().copied(),
        supporting_unit_ids: supporting,
        responsible_leader: None,
        responsible_person: None,
        original_text: None,
    }
}

/// Prints the statement counts of the small and the large plan and asserts
/// they are equal: the cost of a question must not grow with the plan.
fn assert_same_for_both(what: &str, counts: &[usize]) {
    println!(
        "{what} statements on {}: small {} large {}",
        common::backend_name(),
        counts[0],
        counts[1]
    );
    assert_eq!(
        counts[0], counts[1],
        "{what}: statements grew with the plan: {counts:?}"
    );
}

/// Everything a leader's dashboard shows for one plan, in one request.
const DASHBOARD: &str = r#"query($id: ID!) { plan(id: $id) {
    name ownerUnit { name }
    progress(asOf: "2025-10-31") { completionPercent }
    categoryProgress(asOf: "2025-10-31") { category progress { completionPercent } }
    unitProgress(asOf: "2025-10-31") { unit { name parent { name } } progress { completionPercent } }
    allGoals {
        title kind leadUnit { name } supportingUnits { name }
        progress(asOf: "2025-10-31") { target actual completionPercent }
        children { title progress(asOf: "2025-06-30") { completionPercent } }
        milestones { title completedOn }
        assignments {
            unit { name }
            reports { asOf value note }
            latestReport(asOf: "2025-08-31") { value }
            progress(asOf: "2025-10-31") { completionPercent }
        }
    }
} }"#;

const ALL_PLANS: &str = r#"{ plans { name progress(asOf: "2025-10-31") { completionPercent }
    goals { title progress { completionPercent } assignments { unit { name } } } } }"#;

#[tokio::test]
async fn dashboard_statements_do_not_grow_with_the_plan() {
    let app = TestApp::spawn().await;
    let small = build_plan(&app, 6, 3).await;
    let large = build_plan(&app, 60, 30).await;

    let mut counts = Vec::new();
    for plan in [small, large] {
        app.reset_statements();
        let d = app.data(DASHBOARD, json!({ "id": plan.to_string() })).await;
        counts.push(app.statements());
        let goals = d["plan"]["allGoals"].as_array().unwrap().len();
        assert!(goals == 7 || goals == 61, "{goals} goals");
    }
    assert_same_for_both("dashboard", &counts);
    // plan row + the plan's data version + six structure queries + the
    // reports standing on each of the two dates asked + the history
    // (reports lists) + one batch of units for `parent`.
    assert_eq!(counts[1], 12, "{counts:?}");

    // Every plan at once: still one snapshot load for all of them.
    app.reset_statements();
    let d = app.data(ALL_PLANS, json!({})).await;
    assert_eq!(d["plans"].as_array().unwrap().len(), 2);
    let both = app.statements();
    println!("all-plans statements: {both}");
    // The plan list + both plans' data versions; their structures and the
    // reports standing on 2025-10-31 are kept from the dashboards above, so
    // only the reports standing today (the goals' default date) load, in
    // one query for both plans.
    assert_eq!(both, 3);
}

/// Every list, the calendar and the trends of one plan, in one request.
const WATCH: &str = r#"query($id: ID!) {
    overdue(asOf: "2026-01-05", filter: { planId: $id }) { goals { goal { title } progress { light } } milestones { milestone { title } daysOverdue } }
    warnings(asOf: "2025-10-31", filter: { planId: $id }) { goal { title leadUnit { name } } progress { gap } }
    upcoming(asOf: "2025-10-31", days: 90, filter: { planId: $id }) { goals { deadline } milestones { milestone { dueDate } } }
    unitRanking(planId: $id, asOf: "2025-10-31") { rank unit { name } lights { red } }
    reportingCalendar(planId: $id, month: "2025-09") { units { unit { name } reported late missing } assignments { state } }
    plan(id: $id) {
        trend(upTo: "2025-12-31") { completionPercent expectedPercent }
        scorecard(asOf: "2025-12-31") { score goals { score } }
        allGoals { trend(upTo: "2025-12-31") { light } }
    }
}"#;

#[tokio::test]
async fn lists_calendar_and_trends_do_not_grow_with_the_plan() {
    let app = TestApp::spawn().await;
    let small = build_plan(&app, 6, 3).await;
    let large = build_plan(&app, 60, 30).await;
    let mut counts = Vec::new();
    for plan in [small, large] {
        app.reset_statements();
        let d = app.data(WATCH, json!({ "id": plan.to_string() })).await;
        counts.push(app.statements());
        assert_eq!(d["plan"]["trend"].as_array().unwrap().len(), 12);
        assert!(!d["unitRanking"].as_array().unwrap().is_empty());
    }
    assert_same_for_both("watch", &counts);
    // Each list checks its plan (one statement each) and shares one
    // version check and one seven-query snapshot; the reporting calendar
    // reads the working-day overrides (one).
    assert!(counts[1] <= 17, "{counts:?}");

    // A trend of 12 points costs what one progress question at a date not
    // asked before costs (plan row, version, one report query).
    app.reset_statements();
    app.data(r#"query($id: ID!) { plan(id: $id) { progress(asOf: "2025-07-31") { completionPercent } } }"#, json!({ "id": large.to_string() }))
        .await;
    let single = app.statements();
    app.reset_statements();
    app.data(
        r#"query($id: ID!) { plan(id: $id) { trend(upTo: "2025-12-31") { completionPercent } } }"#,
        json!({ "id": large.to_string() }),
    )
    .await;
    assert_eq!(app.statements(), single);
}

/// What a province's dashboards ask: every plan's figures, the yellow/red
/// list across all plans, one park's dashboard and one goal's drill-down.
const PROVINCE: [(&str, &str); 4] = [
    (
        "overview",
        r#"{ plans { id name progress(asOf: "2025-03-31") { completionPercent light } } }"#,
    ),
    (
        "warnings",
        r#"{ warnings(asOf: "2025-03-31") { goal { title } progress { gap light } } }"#,
    ),
    (
        "dashboard",
        r#"{ plan(id: "3") {
            progress(asOf: "2025-03-31") { completionPercent }
            categoryProgress(asOf: "2025-03-31") { category progress { completionPercent } }
            unitProgress(asOf: "2025-03-31") { rank unit { name } progress { completionPercent } }
        } }"#,
    ),
    (
        "drill-down",
        r#"{ goal(id: "5") { title progress(asOf: "2025-03-31") { completionPercent }
            assignments { unit { name } progress(asOf: "2025-03-31") { completionPercent } }
            milestones { title } trend(upTo: "2025-03-31") { completionPercent } } }"#,
    ),
];

#[tokio::test]
async fn statements_stay_the_same_from_15_to_150_parks() {
    let spec = mubiao::synthetic::Spec {
        year: 2025,
        units: 3,
        goals: 4,
        months: 3,
        units_per_goal: 2,
        seed: 7,
    };
    let mut counts: Vec<Vec<usize>> = Vec::new();
    for parks in [15, 150] {
        let app = TestApp::spawn().await;
        let plans = mubiao::synthetic::generate_province(&app.db, parks, spec, |_, _| {})
            .await
            .unwrap();
        assert_eq!(plans.len(), parks);
        let mut these = Vec::new();
        for (name, query) in PROVINCE {
            app.reset_statements();
            let d = app.data(query, json!({})).await;
            these.push(app.statements());
            if name == "overview" {
                assert_eq!(d["plans"].as_array().unwrap().len(), parks);
            }
        }
        counts.push(these);
    }
    println!(
        "province statements on {} (overview, warnings, dashboard, drill-down): 15 parks {:?}, 150 parks {:?}",
        common::backend_name(),
        counts[0],
        counts[1]
    );
    assert_eq!(counts[0], counts[1]);
    // The overview: the plan list, the plans' data versions, six structure
    // queries for all plans and one for the reports standing on the date.
    assert_eq!(counts[1][0], 9);
    // What the overview loaded is kept at its version: a park's dashboard
    // at the same date then costs its plan row and version check.
    assert_eq!(counts[1][2], 2);
}

/// Requests that miss the same plan at the same moment (every dashboard
/// after a burst of reports) load it once between them: the first to miss
/// it loads it, the others wait for that load. Whether they overlap or run
/// one after another, the plan's structure and the reports standing on the
/// date cost their seven statements once.
#[tokio::test]
async fn concurrent_requests_missing_one_plan_load_it_once() {
    let app = TestApp::spawn().await;
    let plan = build_plan(&app, 6, 3).await;
    let query = r#"query($id: ID!) { plan(id: $id) { progress(asOf: "2025-10-31") { completionPercent } } }"#;
    let vars = json!({ "id": plan.to_string() });
    let mut percents = Vec::new();
    // Nothing kept yet; then again after a report moved the plan's version.
    for round in 0..2 {
        app.reset_statements();
        let answers =
            futures_util::future::join_all((0..8).map(|_| app.data(query, vars.clone()))).await;
        assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
        percents.push(
            answers[0]["plan"]["progress"]["completionPercent"]
                .as_f64()
                .unwrap(),
        );
        // Each request reads the plan row and the plan's version; six
        // structure queries and one for the standing reports, once.
        assert_eq!(app.statements(), 8 * 2 + 7, "round {round}");

        let goals = app
            .data(
                r#"query($id: ID!) { plan(id: $id) { allGoals { kind assignments { id } } } }"#,
                vars.clone(),
            )
            .await;
        let share = &goals["plan"]["allGoals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["kind"] == "CUMULATIVE")
            .unwrap()["assignments"][0]["id"];
        app.data(
            r#"mutation($a: ID!) { submitReport(input: { assignmentId: $a, asOf: "2025-10-20", value: 90 }) { id } }"#,
            json!({ "a": share }),
        )
        .await;
    }
    assert!(percents[1] > percents[0], "{percents:?}");
}

/// Two servers on one database: what one keeps is never served after the
/// other changed it, because every request checks the plan's data version.
#[tokio::test]
async fn a_change_through_one_server_is_seen_at_once_by_another() {
    let app = TestApp::spawn().await;
    let plan = build_plan(&app, 3, 2).await;
    // The year is over: its last day's figure can be reported.
    app.set_now("2026-01-02T02:00:00Z");
    let other = app.another_server();
    let query = r#"query($id: ID!) { plan(id: $id) { progress(asOf: "2025-12-31") { actual completionPercent }
        allGoals { assignments { id } } } }"#;
    let vars = json!({ "id": plan.to_string() });
    let before = app.data(query, vars.clone()).await;
    // Twice, so the first server has it kept.
    assert_eq!(app.data(query, vars.clone()).await, before);
    let assignment = before["plan"]["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["assignments"].as_array().unwrap().clone())
        .next()
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, written) = other
        .gql(
            "mutation($a: ID!) { submitReport(input: { assignmentId: $a, asOf: \"2025-12-31\", value: 1000 }) { id } }",
            json!({ "a": assignment }),
        )
        .await;
    assert_eq!(status, 200, "{written}");
    assert!(written["errors"].is_null(), "{written}");
    let after = app.data(query, vars).await;
    assert_ne!(
        after["plan"]["progress"], before["plan"]["progress"],
        "the first server must not serve its kept copy after the second one's change"
    );
}

/// A deadline day's report, filed through the API: one statement for its
/// checks (share, goal and plan together), then the guarded insert, the
/// audit row and the plan's version bump in one transaction, whatever the
/// plan's size.
#[tokio::test]
async fn filing_a_report_costs_the_same_in_any_plan() {
    let app = TestApp::spawn().await;
    let small = build_plan(&app, 6, 3).await;
    let large = build_plan(&app, 60, 30).await;
    const FILE: &str = r#"mutation($a: ID!) { submitReport(input: { assignmentId: $a, asOf: "2025-10-31", value: 55 }) { value status } }"#;
    let (mut as_operator, mut as_clerk) = (Vec::new(), Vec::new());
    for plan in [small, large] {
        let goals = app
            .data(
                r#"query($id: ID!) { plan(id: $id) { allGoals { kind assignments { id unit { id } } } } }"#,
                json!({ "id": plan.to_string() }),
            )
            .await;
        let share = &goals["plan"]["allGoals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["kind"] == "CUMULATIVE")
            .expect("a CUMULATIVE goal")["assignments"][0];
        let vars = json!({ "a": share["id"] });

        app.reset_statements();
        let filed = app.data(FILE, vars.clone()).await;
        as_operator.push(app.statements());
        assert_eq!(filed["submitReport"]["value"], 55.0);

        let clerk = app
            .issue_token(
                &format!("填报员{plan}"),
                "REPORTER",
                share["unit"]["id"].as_str(),
            )
            .await;
        // A token's first use stamps it (once a minute); not counted here.
        app.gql_as(Some(&clerk), "{ __typename }", json!({})).await;
        app.reset_statements();
        let (_, filed) = app.gql_as(Some(&clerk), FILE, vars).await;
        as_clerk.push(app.statements());
        assert_eq!(filed["data"]["submitReport"]["value"], 55.0, "{filed}");
    }
    assert_same_for_both("report filing", &as_operator);
    assert_eq!(as_operator[0], 4, "check, insert, audit row, version bump");
    assert_same_for_both("report filing by a clerk", &as_clerk);
    // The clerk's token and the unit tree are read to authorise the
    // report; the share its checks read serves the authorisation too.
    assert_eq!(
        as_clerk[0], 6,
        "token, share, units, insert, audit row, bump"
    );
}

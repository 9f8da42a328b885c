//! Next year's plan from this year's (`copyPlan`): the demo plan copied to
//! 2026, compared goal by goal with the plan it came from.
mod common;

use common::{TestApp, assert_close};
use serde_json::{Value, json};

const TREE: &str = r#"
query($id: ID!, $end: Date!) {
  plan(id: $id) {
    id name year state startDate endDate timeZone scoreCap timeProgressMode
    yellowGap redGap rateYellowFloor reportingCycle reportDueDay requireApproval remarks
    ownerUnit { name }
    allGoals {
      code title category kind measureUnit targetValue baselineValue direction weight
      deadline monthlyPlan responsibleLeader responsiblePerson originalText
      subset previousYearValue remarks supportingText ongoing
      parent { code }
      leadUnit { name }
      supportingUnits { name }
      assignments { unit { name } targetValue deadline responsiblePerson reports { id } }
      milestones { title dueDate weight completedOn }
      progress(asOf: $end) { actual }
    }
  }
}"#;

async fn tree(app: &TestApp, id: &str, end: &str) -> Value {
    app.data(TREE, json!({ "id": id, "end": end })).await["plan"].clone()
}

/// A date string one year on.
fn next_year(date: &Value) -> Value {
    match date.as_str() {
        Some(d) => {
            let year: i32 = d[..4].parse().unwrap();
            json!(format!("{}{}", year + 1, &d[4..]))
        }
        None => Value::Null,
    }
}

async fn copy(app: &TestApp, input: Value) -> Value {
    app.gql(
        "mutation($i: CopyPlanInput!) { copyPlan(input: $i) { id name year state } }",
        json!({ "i": input }),
    )
    .await
}

async fn goal_id(app: &TestApp, plan: &str, code: &str) -> String {
    let d = app
        .data(
            "query($id: ID!) { plan(id: $id) { allGoals { id code } } }",
            json!({ "id": plan }),
        )
        .await;
    d["plan"]["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("no goal {code}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn plan_count(app: &TestApp) -> usize {
    app.data("{ plans { id } }", json!({})).await["plans"]
        .as_array()
        .unwrap()
        .len()
}

fn code_of(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body:#}"))
}

#[tokio::test]
async fn the_demo_plan_copied_to_next_year_is_the_same_tree_as_a_draft() {
    let app = TestApp::spawn().await;
    app.set_now("2025-11-20T02:00:00Z");
    let old = mubiao::demo::load(&app.db).await.unwrap().to_string();
    // What a real office's sheet adds: 备注, 配合单位 in words, a 其中 row,
    // ongoing work, a curve, the plan's 注.
    let signed = goal_id(&app, &old, "1").await;
    let update = "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }";
    app.data(
        update,
        json!({ "i": { "id": signed, "remarks": "含续建项目", "supportingText": "各局办",
                       "monthlyPlan": [1, 2, 3, 5, 6, 8, 10, 12, 14, 16, 18, 20] } }),
    )
    .await;
    app.data(
        update,
        json!({ "i": { "id": goal_id(&app, &old, "8").await, "ongoing": true, "deadline": null } }),
    )
    .await;
    // 签约项目 is assigned to units: a 其中 row still goes under it.
    let big = app
        .create_goal(
            json!({ "planId": old, "parentId": signed, "title": "其中：亿元以上项目",
                              "kind": "CUMULATIVE", "measureUnit": "个", "targetValue": 5,
                              "subset": true, "code": "1.1" }),
        )
        .await;
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
        json!({ "i": { "id": old, "remarks": "注：1. 本表满分100分；2. 安全生产为一票否决事项。" } }),
    )
    .await;
    let made = app
        .data(
            "query($id: ID!) { goal(id: $id) { weight subset } }",
            json!({ "id": big }),
        )
        .await;
    assert_eq!(
        made["goal"],
        json!({ "weight": 0.0, "subset": true }),
        "a 其中 row weighs 0 unless given points"
    );
    let before = tree(&app, &old, "2025-12-31").await;

    let copied = copy(&app, json!({ "planId": old, "year": 2026 })).await;
    assert!(copied.get("errors").is_none(), "{copied:#}");
    let new = copied["data"]["copyPlan"].clone();
    assert_eq!(new["name"], "洞庭产业开发区2026年度目标任务");
    assert_eq!(
        (new["year"].clone(), new["state"].clone()),
        (json!(2026), json!("DRAFT"))
    );
    let new_id = new["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, old);
    let after = tree(&app, &new_id, "2026-12-31").await;

    // The plan's own settings, its period a year on.
    assert_eq!(after["startDate"], "2026-01-01");
    assert_eq!(after["endDate"], "2026-12-31");
    for field in [
        "timeZone",
        "scoreCap",
        "timeProgressMode",
        "yellowGap",
        "redGap",
        "rateYellowFloor",
        "reportingCycle",
        "reportDueDay",
        "requireApproval",
        "remarks",
        "ownerUnit",
    ] {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(
        after["remarks"],
        "注：1. 本表满分100分；2. 安全生产为一票否决事项。"
    );

    // Goal by goal, in 分解表 order.
    let old_goals = before["allGoals"].as_array().unwrap();
    let new_goals = after["allGoals"].as_array().unwrap();
    assert_eq!(new_goals.len(), 15);
    assert_eq!(old_goals.len(), new_goals.len());
    for (o, n) in old_goals.iter().zip(new_goals) {
        let what = o["code"].as_str().unwrap_or("?");
        for field in [
            "code",
            "title",
            "category",
            "kind",
            "measureUnit",
            "targetValue",
            "baselineValue",
            "direction",
            "weight",
            "monthlyPlan",
            "responsibleLeader",
            "responsiblePerson",
            "originalText",
            "subset",
            "remarks",
            "supportingText",
            "ongoing",
            "parent",
            "leadUnit",
            "supportingUnits",
        ] {
            assert_eq!(n[field], o[field], "{what} {field}");
        }
        assert_eq!(n["deadline"], next_year(&o["deadline"]), "{what} deadline");
        // Last year's actual as the old plan ended; null where nothing counted.
        assert_eq!(
            n["previousYearValue"], o["progress"]["actual"],
            "{what} previousYearValue"
        );
        // Nothing counts yet in the new year.
        assert_eq!(n["progress"]["actual"], Value::Null, "{what}");
        let (oa, na) = (
            o["assignments"].as_array().unwrap(),
            n["assignments"].as_array().unwrap(),
        );
        assert_eq!(oa.len(), na.len(), "{what} assignments");
        for (x, y) in oa.iter().zip(na) {
            assert_eq!(y["unit"], x["unit"], "{what}");
            assert_eq!(y["targetValue"], x["targetValue"], "{what}");
            assert_eq!(y["responsiblePerson"], x["responsiblePerson"], "{what}");
            assert_eq!(y["deadline"], next_year(&x["deadline"]), "{what}");
            assert_eq!(y["reports"], json!([]), "{what}: reports stay behind");
        }
        let (om, nm) = (
            o["milestones"].as_array().unwrap(),
            n["milestones"].as_array().unwrap(),
        );
        assert_eq!(om.len(), nm.len(), "{what} milestones");
        for (x, y) in om.iter().zip(nm) {
            assert_eq!(y["title"], x["title"]);
            assert_eq!(y["weight"], x["weight"]);
            assert_eq!(y["dueDate"], next_year(&x["dueDate"]));
            assert_eq!(y["completedOn"], Value::Null);
        }
    }
    // The figures pinned by tests/demo.rs, now last year's.
    let goal = |code: &str| {
        new_goals
            .iter()
            .find(|g| g["code"] == code)
            .unwrap_or_else(|| panic!("no goal {code}"))
            .clone()
    };
    assert_close(&goal("1")["previousYearValue"], 17.0);
    assert_close(&goal("2")["previousYearValue"], 19.6);
    assert_close(&goal("4")["previousYearValue"], 566.75);
    assert_close(&goal("8")["previousYearValue"], 67.2);
    assert_eq!(goal("6")["kind"], "MILESTONE");
    assert_eq!(goal("6")["previousYearValue"], Value::Null);
    assert_eq!(goal("6")["milestones"][0]["dueDate"], "2026-03-31");
    assert_eq!(
        goal("1.1")["previousYearValue"],
        Value::Null,
        "nothing counted"
    );
    assert_eq!(
        (goal("1.1")["subset"].clone(), goal("1.1")["parent"].clone()),
        (json!(true), json!({ "code": "1" }))
    );
    assert_eq!(goal("1")["remarks"], "含续建项目");
    assert_eq!(goal("1")["supportingText"], "各局办");
    assert_eq!(goal("8")["ongoing"], true);
    assert_eq!(goal("8")["deadline"], Value::Null);
    assert_eq!(goal("1")["monthlyPlan"][11], 20.0);

    // One audit row names the new plan and who copied it.
    let log = app
        .data(
            "query($id: ID!) { auditLog(objectType: \"plan\", objectId: $id) { operation actor } }",
            json!({ "id": new_id }),
        )
        .await;
    assert_eq!(
        log["auditLog"],
        json!([{ "operation": "copyPlan", "actor": "operator" }])
    );

    // The same name in the same year is refused; nothing is written.
    let count = plan_count(&app).await;
    let again = copy(&app, json!({ "planId": old, "year": 2026 })).await;
    assert_eq!(code_of(&again), "DUPLICATE");
    assert!(
        again["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026 already has a plan named 洞庭产业开发区2026年度目标任务"),
        "{again}"
    );
    // A look-alike name is the same name.
    let lookalike = copy(
        &app,
        json!({ "planId": old, "year": 2026, "name": "洞庭产业开发区２０２６年度目标任务\u{200B}" }),
    )
    .await;
    assert_eq!(code_of(&lookalike), "DUPLICATE");
    for year in [1999, 2101] {
        let out = copy(&app, json!({ "planId": old, "year": year })).await;
        assert_eq!(code_of(&out), "INVALID_PLAN_PERIOD", "{year}");
    }
    assert_eq!(
        plan_count(&app).await,
        count,
        "a refused copy writes nothing"
    );
    // Another name in the same year is another plan.
    let other = copy(
        &app,
        json!({ "planId": old, "year": 2026, "name": "洞庭产业开发区2026年度目标任务（调整）" }),
    )
    .await;
    assert_eq!(other["data"]["copyPlan"]["state"], "DRAFT", "{other}");
}

#[tokio::test]
async fn dates_move_to_the_new_year_and_29_february_to_the_28th() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商局", Some(&owner)).await;
    let plan = app.create_plan("年度目标任务", 2024, &owner).await;
    let goal = app
        .create_goal(
            json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE",
                              "measureUnit": "个", "targetValue": 12, "deadline": "2024-02-29" }),
        )
        .await;
    app.data(
        "mutation($i: AssignGoalInput!) { assignGoal(input: $i) { id } }",
        json!({ "i": { "goalId": goal, "unitId": bureau, "targetValue": 12, "deadline": "2024-02-29" } }),
    )
    .await;
    let works = app
        .create_goal(
            json!({ "planId": plan, "title": "标准厂房", "kind": "MILESTONE",
                              "leadUnitId": bureau }),
        )
        .await;
    app.add_milestone(&works, "完成立项", "2024-02-29", 1.0)
        .await;
    app.add_milestone(&works, "主体完工", "2024-12-31", 2.0)
        .await;

    let copied = copy(&app, json!({ "planId": plan, "year": 2025 })).await;
    let new = &copied["data"]["copyPlan"];
    // A name without a year gets one in front.
    assert_eq!(new["name"], "2025年年度目标任务", "{copied}");
    let t = tree(&app, new["id"].as_str().unwrap(), "2025-12-31").await;
    let goals = t["allGoals"].as_array().unwrap();
    assert_eq!(goals[0]["deadline"], "2025-02-28");
    assert_eq!(goals[0]["assignments"][0]["deadline"], "2025-02-28");
    assert_eq!(
        goals[1]["milestones"],
        json!([
            { "title": "完成立项", "dueDate": "2025-02-28", "weight": 1.0, "completedOn": null },
            { "title": "主体完工", "dueDate": "2025-12-31", "weight": 2.0, "completedOn": null }
        ])
    );
    assert_eq!(goals[1]["leadUnit"]["name"], "招商局");

    // Only an ADMIN copies; a plan that does not exist is not found.
    let viewer = app.issue_token("大屏", "VIEWER", None).await;
    let (_, body) = app
        .gql_as(
            Some(&viewer),
            "mutation($i: CopyPlanInput!) { copyPlan(input: $i) { id } }",
            json!({ "i": { "planId": plan, "year": 2026 } }),
        )
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN");
    let missing = copy(&app, json!({ "planId": "999999", "year": 2026 })).await;
    assert_eq!(code_of(&missing), "NOT_FOUND");
}

/// A goal or 节点 due 春节前 is due on the eve of the new year's Spring
/// Festival, not on last year's date: 2025-01-28 (the eve of 29 January
/// 2025) becomes 2026-02-16 (the eve of 17 February 2026), 2027-02-05 two
/// years on. Any other date keeps its day.
#[tokio::test]
async fn a_deadline_on_the_spring_festival_eve_moves_to_the_new_years_eve() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商局", Some(&owner)).await;
    let plan = app
        .create_plan("洞庭产业开发区2025年度目标任务", 2025, &owner)
        .await;
    let goal = app
        .create_goal(
            json!({ "planId": plan, "title": "春节前兑现企业奖补", "kind": "CUMULATIVE",
                             "measureUnit": "家", "targetValue": 30, "deadline": "2025-01-28",
                             "originalText": "春节前兑现到位" }),
        )
        .await;
    app.data(
        "mutation($i: AssignGoalInput!) { assignGoal(input: $i) { id } }",
        json!({ "i": { "goalId": goal, "unitId": bureau, "targetValue": 30, "deadline": "2025-01-28" } }),
    )
    .await;
    let works = app
        .create_goal(
            json!({ "planId": plan, "title": "标准厂房", "kind": "MILESTONE",
                             "leadUnitId": bureau }),
        )
        .await;
    app.add_milestone(&works, "春节前完成招标", "2025-01-28", 1.0)
        .await;
    app.add_milestone(&works, "完成立项", "2025-01-27", 1.0)
        .await;

    for (year, eve, other) in [
        (2026, "2026-02-16", "2026-01-27"),
        (2027, "2027-02-05", "2027-01-27"),
    ] {
        let copied = copy(&app, json!({ "planId": plan, "year": year })).await;
        let new = copied["data"]["copyPlan"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{copied:#}"))
            .to_string();
        let t = tree(&app, &new, &format!("{year}-12-31")).await;
        let goals = t["allGoals"].as_array().unwrap();
        assert_eq!(goals[0]["deadline"], eve, "{year}");
        assert_eq!(goals[0]["assignments"][0]["deadline"], eve, "{year}");
        assert_eq!(
            goals[1]["milestones"],
            json!([
                { "title": "完成立项", "dueDate": other, "weight": 1.0, "completedOn": null },
                { "title": "春节前完成招标", "dueDate": eve, "weight": 1.0, "completedOn": null }
            ]),
            "{year}"
        );
    }
}

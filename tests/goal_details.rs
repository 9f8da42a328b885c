//! What a real office's 分解表 says of a goal beyond its target (其中 rows,
//! 上年完成, 备注, 配合单位 in words, ongoing work) and the 注 of a plan:
//! set through createGoal/updateGoal and createPlan/updatePlan, read back.
mod common;

use common::TestApp;
use serde_json::{Value, json};

const GOAL: &str = "query($id: ID!) { goal(id: $id) {
    subset previousYearValue remarks supportingText ongoing weight deadline } }";

async fn goal(app: &TestApp, id: &str) -> Value {
    app.data(GOAL, json!({ "id": id })).await["goal"].clone()
}

fn error(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error: {body:#}"))
            .to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

struct Setup {
    plan: String,
    signed: String,
    bureau: String,
}

async fn setup(app: &TestApp) -> Setup {
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let signed = app
        .create_goal(
            json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE",
                              "measureUnit": "个", "targetValue": 20, "weight": 10 }),
        )
        .await;
    Setup {
        plan,
        signed,
        bureau,
    }
}

#[tokio::test]
async fn goals_carry_what_the_sheet_says_beyond_the_target() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    assert_eq!(
        goal(&app, &s.signed).await,
        json!({ "subset": false, "previousYearValue": null, "remarks": null,
                "supportingText": null, "ongoing": false, "weight": 10.0, "deadline": null })
    );
    let g = app
        .create_goal(
            json!({ "planId": s.plan, "title": "固定资产投资", "kind": "CUMULATIVE",
                              "measureUnit": "亿元", "targetValue": 17, "weight": 8,
                              "previousYearValue": 15.2, "remarks": "  含技改投资\r\n按统计口径  ",
                              "supportingText": "各局办、潇湘科技要素大市场", "ongoing": true }),
        )
        .await;
    assert_eq!(
        goal(&app, &g).await,
        json!({ "subset": false, "previousYearValue": 15.2, "remarks": "含技改投资\n按统计口径",
                "supportingText": "各局办、潇湘科技要素大市场", "ongoing": true, "weight": 8.0,
                "deadline": null })
    );
    // 其中：工业投资, a part of it: weight 0 unless given, any measure and
    // kind (it is never added into its parent).
    let industrial = app
        .create_goal(json!({ "planId": s.plan, "parentId": g, "title": "其中：工业投资占比",
                              "kind": "RATE", "measureUnit": "%", "targetValue": 60, "subset": true }))
        .await;
    assert_eq!(goal(&app, &industrial).await["weight"], 0.0);
    assert_eq!(goal(&app, &industrial).await["subset"], true);
    // The parent has only a 其中 row under it: it is assigned like any goal,
    // and a 其中 row goes under an assigned goal.
    app.assign(&g, &s.bureau, None).await;
    app.assign(&s.signed, &s.bureau, Some(20.0)).await;
    let big = app
        .create_goal(
            json!({ "planId": s.plan, "parentId": s.signed, "title": "其中：亿元以上项目",
                              "kind": "CUMULATIVE", "measureUnit": "个", "targetValue": 5,
                              "subset": true, "weight": 2 }),
        )
        .await;
    assert_eq!(goal(&app, &big).await["weight"], 2.0, "points of its own");
    // A sub-goal that is not a 其中 row still cannot go under an assigned goal,
    // and a 其中 row cannot become one there.
    let body = app
        .gql(
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
            json!({ "i": { "planId": s.plan, "parentId": s.signed, "title": "新签约",
                           "kind": "CUMULATIVE", "measureUnit": "个", "targetValue": 5 } }),
        )
        .await;
    assert_eq!(error(&body).0, "STRUCTURE_CONFLICT");
    let update = "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { subset previousYearValue remarks supportingText ongoing } }";
    let body = app
        .gql(update, json!({ "i": { "id": big, "subset": false } }))
        .await;
    assert_eq!(error(&body).0, "STRUCTURE_CONFLICT");

    // Updated and cleared.
    let d = app
        .data(
            update,
            json!({ "i": { "id": s.signed, "previousYearValue": 18, "remarks": "含续建",
                           "supportingText": "各园区", "ongoing": true } }),
        )
        .await;
    assert_eq!(
        d["updateGoal"],
        json!({ "subset": false, "previousYearValue": 18.0, "remarks": "含续建",
                "supportingText": "各园区", "ongoing": true })
    );
    let d = app
        .data(
            update,
            json!({ "i": { "id": s.signed, "previousYearValue": null, "remarks": null,
                           "supportingText": "  ", "ongoing": false } }),
        )
        .await;
    assert_eq!(
        d["updateGoal"],
        json!({ "subset": false, "previousYearValue": null, "remarks": null,
                "supportingText": null, "ongoing": false })
    );
}

#[tokio::test]
async fn what_the_sheet_says_is_checked_like_any_text_and_number() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let create = "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }";
    let with = |extra: Value| {
        let mut input = json!({ "planId": s.plan, "title": "合同引资", "kind": "CUMULATIVE",
                                "measureUnit": "亿元", "targetValue": 25 });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({ "i": input })
    };
    let cases = [
        (
            json!({ "remarks": "备".repeat(5001) }),
            "TOO_LONG",
            "remarks",
        ),
        (
            json!({ "supportingText": "局".repeat(301) }),
            "TOO_LONG",
            "supportingText",
        ),
        (
            json!({ "supportingText": "各局办\u{202E}" }),
            "INVALID_TEXT",
            "supportingText",
        ),
        (
            json!({ "previousYearValue": 2e12 }),
            "IMPLAUSIBLE_VALUE",
            "previousYearValue",
        ),
        (json!({ "subset": true }), "INVALID_VALUE", "parentId"),
        (
            json!({ "ongoing": true, "deadline": "2025-10-31" }),
            "INVALID_VALUE",
            "ongoing work is due at the plan's end (2025-12-31)",
        ),
    ];
    for (extra, code, says) in cases {
        let body = app.gql(create, with(extra.clone())).await;
        let (got, message) = error(&body);
        assert_eq!(got, code, "{extra}");
        assert!(message.contains(says), "{extra}: {message}");
    }
    // Ongoing work due at the plan's end is fine; so are 5,000 characters of 备注.
    let ok = app
        .gql(
            create,
            with(
                json!({ "ongoing": true, "deadline": "2025-12-31", "remarks": "备".repeat(5000) }),
            ),
        )
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");
    // The messages a clerk reads name the sheet's columns.
    let (_, zh) = {
        let (_, body) = app
            .gql_in(
                None,
                Some(common::ADMIN_TOKEN),
                create,
                with(json!({ "remarks": "备".repeat(5001), "previousYearValue": 1 })),
            )
            .await;
        error(&body)
    };
    assert_eq!(zh, "备注超过 5000 个字（现有 5001 个）");
    let (_, body) = app
        .gql_in(
            None,
            Some(common::ADMIN_TOKEN),
            create,
            with(json!({ "previousYearValue": -3e12 })),
        )
        .await;
    assert!(error(&body).1.starts_with("上年完成 "), "{body}");
    let (_, body) = app
        .gql_in(
            None,
            Some(common::ADMIN_TOKEN),
            create,
            with(json!({ "subset": true })),
        )
        .await;
    assert_eq!(
        error(&body).1,
        "“其中”项是上级目标的一部分，须填写所属的上级目标"
    );
}

#[tokio::test]
async fn plans_carry_the_notes_under_their_sheet() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let d = app
        .data(
            "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id remarks } }",
            json!({ "i": { "name": "2026年度目标任务", "year": 2026, "ownerUnitId": owner,
                           "remarks": "注：本表满分100分。\n安全生产为一票否决事项。" } }),
        )
        .await;
    let id = d["createPlan"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        d["createPlan"]["remarks"],
        "注：本表满分100分。\n安全生产为一票否决事项。"
    );
    let update = "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { remarks } }";
    let d = app
        .data(
            update,
            json!({ "i": { "id": id, "name": "2026年度目标任务（修订）" } }),
        )
        .await;
    assert_eq!(
        d["updatePlan"]["remarks"], "注：本表满分100分。\n安全生产为一票否决事项。",
        "kept when not given"
    );
    let d = app
        .data(update, json!({ "i": { "id": id, "remarks": null } }))
        .await;
    assert_eq!(d["updatePlan"]["remarks"], Value::Null);
    let body = app
        .gql(
            update,
            json!({ "i": { "id": id, "remarks": "注".repeat(5001) } }),
        )
        .await;
    assert_eq!(error(&body).0, "TOO_LONG");
}

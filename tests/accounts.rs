//! Accounts that sign in with a password, and their sessions: the cookie
//! and its attributes, the same answer for a wrong password and an
//! unknown name, the lock after failures (and its end, by the injected
//! clock), the CSRF header, sign-out, expiry and idle time, a second
//! server accepting a session, roles, the must-change-password flow, and
//! no password in the audit log. On SQLite, and on PostgreSQL with
//! TEST_DATABASE_URL.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use entity::{account, account_session};
use mubiao::config::SessionConfig;
use poem::endpoint::BoxEndpoint;
use poem::test::TestClient;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const REPORTER_PASSWORD: &str = "zhaoshang-2025!";

/// The answer to a sign-in: status, Location, Set-Cookie, body.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    location: Option<String>,
    set_cookie: Option<String>,
    body: String,
}

async fn send_login(
    client: &TestClient<BoxEndpoint<'static, poem::Response>>,
    username: &str,
    password: &str,
    next: Option<&str>,
) -> Answer {
    let mut form = vec![("username", username), ("password", password)];
    if let Some(next) = next {
        form.push(("next", next));
    }
    let resp = client.post("/login").form(&form).send().await;
    let header = |name: &str| {
        resp.0
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (status, location, set_cookie) = (
        resp.0.status().as_u16(),
        header("location"),
        header("set-cookie"),
    );
    Answer {
        status,
        location,
        set_cookie,
        body: resp.0.into_body().into_string().await.unwrap(),
    }
}

async fn login(app: &TestApp, username: &str, password: &str, next: Option<&str>) -> Answer {
    send_login(&app.client, username, password, next).await
}

/// The session token a successful sign-in set.
fn token_of(answer: &Answer) -> String {
    assert_eq!(answer.status, 303, "{answer:?}");
    let cookie = answer
        .set_cookie
        .as_deref()
        .unwrap_or_else(|| panic!("no cookie: {answer:?}"));
    cookie
        .strip_prefix("mubiao_session=")
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("{cookie}"))
        .to_string()
}

async fn signed_in(app: &TestApp, username: &str, password: &str) -> String {
    token_of(&login(app, username, password, None).await)
}

/// A GraphQL request with the session cookie, in English, with or
/// without the CSRF header.
async fn gql_cookie_on(
    client: &TestClient<BoxEndpoint<'static, poem::Response>>,
    token: &str,
    csrf: bool,
    query: &str,
    variables: Value,
) -> (u16, Value) {
    let mut req = client
        .post("/graphql")
        .header("cookie", format!("theme=light; mubiao_session={token}"))
        .header("accept-language", "en")
        .body_json(&json!({ "query": query, "variables": variables }));
    if csrf {
        req = req.header("x-requested-with", "mubiao");
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    (status, resp.json().await.value().deserialize::<Value>())
}

async fn gql_cookie(app: &TestApp, token: &str, query: &str, variables: Value) -> (u16, Value) {
    gql_cookie_on(&app.client, token, true, query, variables).await
}

const ME: &str = "{ me { name username displayName role unit { id name } mustChangePassword } }";

async fn me(app: &TestApp, token: &str) -> Value {
    let (status, body) = gql_cookie(app, token, ME, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["me"].clone()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

/// Creates an account through the API as the operator; its ID.
async fn create_user(
    app: &TestApp,
    username: &str,
    role: &str,
    unit: Option<&str>,
    password: &str,
) -> String {
    let d = app
        .data(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id mustChangePassword } }",
            json!({ "i": { "username": username, "displayName": format!("{username} 的姓名"), "role": role, "unitId": unit, "password": password } }),
        )
        .await;
    assert_eq!(d["createUser"]["mustChangePassword"], json!(true));
    d["createUser"]["id"].as_str().unwrap().to_string()
}

/// An account that has already chosen its password (the must-change
/// mark, which `an_account_must_change_its_password_first` covers, is
/// cleared in the database).
async fn ready_user(
    app: &TestApp,
    username: &str,
    role: &str,
    unit: Option<&str>,
    password: &str,
) -> i64 {
    let id: i64 = create_user(app, username, role, unit, password)
        .await
        .parse()
        .unwrap();
    account::Entity::update_many()
        .col_expr(
            account::Column::MustChangePassword,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(account::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    id
}

async fn bureau(app: &TestApp) -> String {
    let park = app.create_unit("洞庭产业开发区管委会", None).await;
    app.create_unit("招商合作局", Some(&park)).await
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_that_then_authenticates_graphql() {
    let app = TestApp::spawn().await;
    let unit = bureau(&app).await;
    ready_user(
        &app,
        "zhaoshang",
        "REPORTER",
        Some(&unit),
        REPORTER_PASSWORD,
    )
    .await;

    // Nobody signed in: `me` is null, not an error.
    let (status, body) = app.gql_as(None, ME, json!({})).await;
    assert_eq!((status, &body["data"]["me"]), (200, &Value::Null), "{body}");

    // The name is compared ignoring case and the blanks around it.
    let answer = login(
        &app,
        "  ZhaoShang ",
        REPORTER_PASSWORD,
        Some("/plans/1?asOf=2025-10-31"),
    )
    .await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.location.as_deref(), Some("/plans/1?asOf=2025-10-31"));
    let cookie = answer.set_cookie.clone().unwrap();
    let token = token_of(&answer);
    assert_eq!(token.len(), 64, "256 bits as hex");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        cookie,
        format!("mubiao_session={token}; HttpOnly; SameSite=Strict; Path=/")
    );
    // Only the token's hash is stored.
    let sessions = account_session::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_ne!(sessions[0].token_hash, token);
    assert_eq!(
        sessions[0].token_hash,
        mubiao::service::tokens::hash(&token)
    );

    assert_eq!(
        me(&app, &token).await,
        json!({
            "name": "zhaoshang",
            "username": "zhaoshang",
            "displayName": "zhaoshang 的姓名",
            "role": "REPORTER",
            "unit": { "id": unit, "name": "招商合作局" },
            "mustChangePassword": false
        })
    );

    // `next` leads only to a path of this site.
    for elsewhere in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let answer = login(&app, "zhaoshang", REPORTER_PASSWORD, Some(elsewhere)).await;
        assert_eq!(answer.location.as_deref(), Some("/"), "{elsewhere}");
    }
    let answer = login(&app, "zhaoshang", REPORTER_PASSWORD, None).await;
    assert_eq!(answer.location.as_deref(), Some("/"));

    // A token that was never issued (or a garbled cookie) signs no one in.
    for bad in ["0".repeat(64), "not-a-token".to_string()] {
        let (status, body) = gql_cookie(&app, &bad, ME, json!({})).await;
        assert_eq!((status, &body["data"]["me"]), (200, &Value::Null), "{body}");
    }
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_server_is_told_so() {
    let app = TestApp::spawn_with_options(mubiao::http::ServeOptions {
        admin_token: Some(ADMIN_TOKEN.into()),
        sessions: SessionConfig {
            secure_cookies: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    let answer = login(&app, "leader", "leader-password", None).await;
    let token = token_of(&answer);
    assert_eq!(
        answer.set_cookie.as_deref(),
        Some(format!("mubiao_session={token}; HttpOnly; SameSite=Strict; Path=/; Secure").as_str())
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_get_the_same_answer() {
    let app = TestApp::spawn().await;
    ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    let disabled = ready_user(&app, "former", "VIEWER", None, "former-password").await;
    app.data(
        "mutation($id: ID!) { disableUser(id: $id) { disabled } }",
        json!({ "id": disabled.to_string() }),
    )
    .await;

    let wrong = login(&app, "leader", "leader-passwort", Some("/plans/7")).await;
    let unknown = login(&app, "nobody", "leader-password", Some("/plans/7")).await;
    let off = login(&app, "former", "former-password", Some("/plans/7")).await;
    let expected = Answer {
        status: 303,
        location: Some("/login?error=invalid&next=%2Fplans%2F7".into()),
        set_cookie: None,
        body: String::new(),
    };
    assert_eq!(wrong, expected);
    assert_eq!(unknown, expected);
    assert_eq!(off, expected);
    assert!(
        account_session::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The lock's audit rows, oldest first: (operation, actor, input).
async fn account_log(app: &TestApp, id: &str) -> Vec<(String, String, Value)> {
    let d = app
        .data(
            r#"query($id: ID) { auditLog(objectType: "user", objectId: $id) { operation actor input } }"#,
            json!({ "id": id }),
        )
        .await;
    d["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|r| {
            (
                r["operation"].as_str().unwrap().to_string(),
                r["actor"].as_str().unwrap().to_string(),
                r["input"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn five_failures_lock_the_username_until_the_lock_ends() {
    let app = TestApp::spawn().await;
    let unit = bureau(&app).await;
    let id = ready_user(
        &app,
        "zhaoshang",
        "REPORTER",
        Some(&unit),
        REPORTER_PASSWORD,
    )
    .await;
    for attempt in 1..=5 {
        let answer = login(&app, "zhaoshang", &format!("guess-{attempt}"), None).await;
        assert_eq!(
            answer.location.as_deref(),
            Some("/login?error=invalid&next=%2F"),
            "attempt {attempt}"
        );
    }
    // The sixth, with the right password: locked.
    let locked = login(&app, "zhaoshang", REPORTER_PASSWORD, Some("/plans/2")).await;
    assert_eq!(
        (
            locked.status,
            locked.location.as_deref(),
            locked.set_cookie.as_deref()
        ),
        (303, Some("/login?error=locked&next=%2Fplans%2F2"), None)
    );
    // 14 minutes 59 seconds later: still locked.
    app.set_now("2025-11-01T02:14:59Z");
    let still = login(&app, "zhaoshang", REPORTER_PASSWORD, None).await;
    assert_eq!(
        still.location.as_deref(),
        Some("/login?error=locked&next=%2F")
    );
    // 15 minutes after the fifth failure: open again.
    app.set_now("2025-11-01T02:15:00Z");
    let token = signed_in(&app, "zhaoshang", REPORTER_PASSWORD).await;
    assert_eq!(me(&app, &token).await["username"], json!("zhaoshang"));

    let log = account_log(&app, &id.to_string()).await;
    let ops: Vec<&str> = log.iter().map(|(op, _, _)| op.as_str()).collect();
    assert_eq!(
        ops,
        [
            "createUser",
            "loginFailed",
            "loginFailed",
            "loginFailed",
            "loginFailed",
            "loginFailed",
            "lockUsername",
            "loginFailed",
            "loginFailed",
            "login"
        ]
    );
    assert_eq!(
        log[5].2,
        json!({ "reason": "wrong password", "failures": 5 })
    );
    assert_eq!(
        log[6].2,
        json!({ "failures": 5, "lockedUntil": "2025-11-01T02:15:00+00:00" })
    );
    assert_eq!(log[7].2, json!({ "reason": "locked" }));
    assert!(log[1..].iter().all(|(_, actor, _)| actor == "zhaoshang"));

    // A success clears the count: four more failures do not lock.
    for attempt in 1..=4 {
        login(&app, "zhaoshang", &format!("again-{attempt}"), None).await;
    }
    signed_in(&app, "zhaoshang", REPORTER_PASSWORD).await;
}

#[tokio::test]
async fn the_lock_is_configurable_and_names_that_do_not_exist_lock_alike() {
    let app = TestApp::spawn_with_options(mubiao::http::ServeOptions {
        admin_token: Some(ADMIN_TOKEN.into()),
        sessions: SessionConfig {
            login_max_failures: 2,
            login_lock_minutes: 3,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    for name in ["leader", "nobody"] {
        login(&app, name, "wrong-one", None).await;
        login(&app, name, "wrong-two", None).await;
        let third = login(&app, name, "leader-password", None).await;
        assert_eq!(
            third.location.as_deref(),
            Some("/login?error=locked&next=%2F"),
            "{name}"
        );
    }
    app.set_now("2025-11-01T02:03:00Z");
    signed_in(&app, "leader", "leader-password").await;
    // Failures of an unknown name are audited without the name typed.
    let rows = app
        .data(
            r#"{ auditLog(actor: "anonymous") { operation objectId input } }"#,
            json!({}),
        )
        .await;
    let rows = rows["auditLog"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|r| r["objectId"] == json!("0")));
    assert!(
        !rows
            .iter()
            .any(|r| r["input"].to_string().contains("nobody"))
    );
}

#[tokio::test]
async fn a_cookie_post_without_the_csrf_header_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    ready_user(&app, "admin", "ADMIN", None, "admin-password").await;
    let token = signed_in(&app, "admin", "admin-password").await;
    let create = r#"mutation { createUnit(input: { name: "规划建设局" }) { id name } }"#;

    // No header, the server's default language: 403, Chinese, CSRF_REFUSED.
    let resp = app
        .client
        .post("/graphql")
        .header("cookie", format!("mubiao_session={token}"))
        .body_json(&json!({ "query": create }))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 403);
    let body = resp.json().await.value().deserialize::<Value>();
    assert_eq!(code(&body), "CSRF_REFUSED");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("请求被拒绝"), "{message}");
    assert!(message.contains("X-Requested-With: mubiao"), "{message}");
    // In English on request, and for a read too: nothing runs.
    let (status, body) =
        gql_cookie_on(&app.client, &token, false, "{ units { id } }", json!({})).await;
    assert_eq!((status, code(&body)), (403, "CSRF_REFUSED"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("refused")
    );
    assert_eq!(
        app.data("{ units { id } }", json!({})).await["units"],
        json!([])
    );

    // With the header the same request goes through.
    let (status, body) = gql_cookie(&app, &token, create, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["createUnit"]["name"], json!("规划建设局"));

    // A bearer token needs no header, and wins over a cookie: a VIEWER
    // token with an ADMIN's session is a VIEWER.
    let viewer = app.issue_token("大屏", "VIEWER", None).await;
    let resp = app
        .client
        .post("/graphql")
        .header("authorization", format!("Bearer {viewer}"))
        .header("cookie", format!("mubiao_session={token}"))
        .header("accept-language", "en")
        .body_json(&json!({ "query": create }))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 200);
    let body = resp.json().await.value().deserialize::<Value>();
    assert_eq!(code(&body), "FORBIDDEN");
    let (_, body) = app
        .gql_as(Some(&viewer), "{ me { name role } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["me"],
        json!({ "name": "大屏", "role": "VIEWER" })
    );
}

async fn logout(app: &TestApp, token: &str, csrf: bool, body: Option<(&str, &str)>) -> Answer {
    let mut req = app
        .client
        .post("/logout")
        .header("cookie", format!("mubiao_session={token}"));
    if csrf {
        req = req.header("x-requested-with", "mubiao");
    }
    if let Some((content_type, body)) = body {
        req = req.content_type(content_type).body(body.to_string());
    }
    let resp = req.send().await;
    let header = |name: &str| {
        resp.0
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (status, location, set_cookie) = (
        resp.0.status().as_u16(),
        header("location"),
        header("set-cookie"),
    );
    Answer {
        status,
        location,
        set_cookie,
        body: resp.0.into_body().into_string().await.unwrap(),
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_and_everywhere_ends_the_others() {
    let app = TestApp::spawn().await;
    let id = ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    let first = signed_in(&app, "leader", "leader-password").await;
    let second = signed_in(&app, "leader", "leader-password").await;
    let third = signed_in(&app, "leader", "leader-password").await;
    let fourth = signed_in(&app, "leader", "leader-password").await;

    // Without the header: refused, still signed in.
    let refused = logout(&app, &first, false, None).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("CSRF_REFUSED"), "{}", refused.body);
    assert_eq!(me(&app, &first).await["username"], json!("leader"));

    let out = logout(&app, &first, true, None).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert_eq!(
        out.set_cookie.as_deref(),
        Some("mubiao_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
    );
    assert_eq!(me(&app, &first).await, Value::Null);
    assert_eq!(me(&app, &second).await["username"], json!("leader"));

    // everywhere=1 as a form field ends the others too.
    let out = logout(
        &app,
        &second,
        true,
        Some(("application/x-www-form-urlencoded", "everywhere=1")),
    )
    .await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    for token in [&second, &third, &fourth] {
        assert_eq!(me(&app, token).await, Value::Null);
    }
    // And in JSON.
    let a = signed_in(&app, "leader", "leader-password").await;
    let b = signed_in(&app, "leader", "leader-password").await;
    logout(
        &app,
        &a,
        true,
        Some(("application/json", r#"{"everywhere":1}"#)),
    )
    .await;
    assert_eq!(me(&app, &b).await, Value::Null);
    // Signing out with a session that has ended still clears the cookie.
    let again = logout(&app, &a, true, None).await;
    assert_eq!(
        (again.status, again.location.as_deref()),
        (303, Some("/login"))
    );

    let ops: Vec<String> = account_log(&app, &id.to_string())
        .await
        .into_iter()
        .filter(|(op, _, _)| op == "logout")
        .map(|(_, _, input)| input.to_string())
        .collect();
    assert_eq!(
        ops,
        [
            r#"{"everywhere":false}"#,
            r#"{"everywhere":true}"#,
            r#"{"everywhere":true}"#
        ]
    );
}

async fn last_seen(app: &TestApp, token: &str) -> String {
    account_session::Entity::find()
        .filter(account_session::Column::TokenHash.eq(mubiao::service::tokens::hash(token)))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .last_seen_at
        .to_rfc3339()
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_end() {
    let app = TestApp::spawn().await;
    ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    // Signed in at 02:00.
    let token = signed_in(&app, "leader", "leader-password").await;
    // The last use is written at most once a minute.
    app.set_now("2025-11-01T02:00:59Z");
    assert_eq!(me(&app, &token).await["username"], json!("leader"));
    assert_eq!(last_seen(&app, &token).await, "2025-11-01T02:00:00+00:00");
    app.set_now("2025-11-01T02:01:00Z");
    me(&app, &token).await;
    assert_eq!(last_seen(&app, &token).await, "2025-11-01T02:01:00+00:00");
    // Idle for 1 h 59 min: still open, and the idle clock starts again.
    app.set_now("2025-11-01T04:00:00Z");
    assert_eq!(me(&app, &token).await["username"], json!("leader"));
    // Idle for two hours: ended.
    app.set_now("2025-11-01T06:00:00Z");
    assert_eq!(me(&app, &token).await, Value::Null);

    // Busy all day: ended 12 hours after signing in all the same.
    let token = signed_in(&app, "leader", "leader-password").await;
    for hour in 7..=17 {
        app.set_now(&format!("2025-11-01T{hour:02}:00:00Z"));
        assert_eq!(
            me(&app, &token).await["username"],
            json!("leader"),
            "{hour}:00"
        );
    }
    app.set_now("2025-11-01T17:59:59Z");
    assert_eq!(me(&app, &token).await["username"], json!("leader"));
    app.set_now("2025-11-01T18:00:00Z");
    assert_eq!(me(&app, &token).await, Value::Null);
}

#[tokio::test]
async fn a_session_opened_on_one_server_is_accepted_by_another() {
    let app = TestApp::spawn().await;
    ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    let other = app.another_server();
    // Signed in on the other server, used on this one, and the reverse.
    let there = token_of(&send_login(&other.client, "leader", "leader-password", None).await);
    assert_eq!(me(&app, &there).await["username"], json!("leader"));
    let here = signed_in(&app, "leader", "leader-password").await;
    let (status, body) = gql_cookie_on(&other.client, &here, true, ME, json!({})).await;
    assert_eq!(
        (status, &body["data"]["me"]["role"]),
        (200, &json!("VIEWER"))
    );
}

#[tokio::test]
async fn a_viewer_session_reads_and_is_refused_writes() {
    let app = TestApp::spawn().await;
    let unit = bureau(&app).await;
    let park = app.data("{ units { id parent { id } } }", json!({})).await["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["parent"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let plan = app.create_plan("2025年度目标任务", 2025, &park).await;
    ready_user(&app, "leader", "VIEWER", None, "leader-password").await;
    let token = signed_in(&app, "leader", "leader-password").await;
    let (_, body) = gql_cookie(&app, &token, "{ plans { name } }", json!({})).await;
    assert_eq!(
        body["data"]["plans"],
        json!([{ "name": "2025年度目标任务" }])
    );
    let (status, body) = gql_cookie(
        &app,
        &token,
        "mutation($i: CreateUnitInput!) { createUnit(input: $i) { id } }",
        json!({ "i": { "name": "新局", "parentId": unit } }),
    )
    .await;
    assert_eq!((status, code(&body)), (200, "FORBIDDEN"));
    let (_, body) = gql_cookie(&app, &token, "{ users { username } }", json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN");
    // The export takes the cookie (a GET needs no CSRF header).
    let resp = app
        .client
        .get(format!("/export/plans/{plan}"))
        .query("format", &"csv")
        .header("cookie", format!("mubiao_session={token}"))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 200);
    assert_eq!(
        resp.0.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
}

#[tokio::test]
async fn an_account_must_change_its_password_first() {
    let app = TestApp::spawn().await;
    let unit = bureau(&app).await;
    let id = create_user(&app, "zhaoshang", "REPORTER", Some(&unit), "first-password").await;
    let token = signed_in(&app, "zhaoshang", "first-password").await;
    let other = signed_in(&app, "zhaoshang", "first-password").await;
    assert_eq!(me(&app, &token).await["mustChangePassword"], json!(true));
    // Nothing else answers.
    let (_, body) = gql_cookie(&app, &token, "{ plans { id } }", json!({})).await;
    assert_eq!(code(&body), "PASSWORD_CHANGE_REQUIRED");
    let resp = app
        .client
        .get("/export/plans/1")
        .header("cookie", format!("mubiao_session={token}"))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 403);

    let change = "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) { username mustChangePassword } }";
    let (_, body) = gql_cookie(
        &app,
        &token,
        change,
        json!({ "c": "first-passwort", "n": "my-own-password" }),
    )
    .await;
    assert_eq!(code(&body), "WRONG_PASSWORD");
    let (_, body) = gql_cookie(
        &app,
        &token,
        change,
        json!({ "c": "first-password", "n": "short" }),
    )
    .await;
    assert_eq!(code(&body), "PASSWORD_TOO_SHORT");
    let (_, body) = gql_cookie(
        &app,
        &token,
        change,
        json!({ "c": "first-password", "n": "first-password" }),
    )
    .await;
    assert_eq!(code(&body), "INVALID_VALUE");
    let (_, body) = gql_cookie(
        &app,
        &token,
        change,
        json!({ "c": "first-password", "n": "my-own-password" }),
    )
    .await;
    assert_eq!(
        body["data"]["changePassword"],
        json!({ "username": "zhaoshang", "mustChangePassword": false }),
        "{body}"
    );
    // This session goes on, now with every field; the other one ended.
    let (_, body) = gql_cookie(&app, &token, "{ plans { id } }", json!({})).await;
    assert_eq!(body["data"]["plans"], json!([]), "{body}");
    assert_eq!(me(&app, &other).await, Value::Null);
    assert_eq!(
        login(&app, "zhaoshang", "first-password", None)
            .await
            .location
            .as_deref(),
        Some("/login?error=invalid&next=%2F")
    );
    signed_in(&app, "zhaoshang", "my-own-password").await;

    // A token has no password to change.
    let (_, body) = app
        .gql_as(
            Some(ADMIN_TOKEN),
            change,
            json!({ "c": "x", "n": "yyyyyyyy" }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");

    // A reset by an administrator: must change again, sessions ended.
    let reset = app
        .data(
            "mutation($id: ID!, $p: String!) { resetUserPassword(id: $id, password: $p) { mustChangePassword } }",
            json!({ "id": id, "p": "reset-password" }),
        )
        .await;
    assert_eq!(
        reset["resetUserPassword"]["mustChangePassword"],
        json!(true)
    );
    assert_eq!(me(&app, &token).await, Value::Null);
    let token = signed_in(&app, "zhaoshang", "reset-password").await;
    assert_eq!(me(&app, &token).await["mustChangePassword"], json!(true));
}

#[tokio::test]
async fn admins_create_list_and_disable_accounts() {
    let app = TestApp::spawn().await;
    let unit = bureau(&app).await;
    let id = create_user(&app, "zhaoshang", "REPORTER", Some(&unit), "first-password").await;
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }";
    let user = |username: &str, role: &str, unit: Option<&str>, password: &str| json!({ "i": { "username": username, "displayName": "某人", "role": role, "unitId": unit, "password": password } });
    for (vars, expected) in [
        (
            user("ZhaoShang", "VIEWER", None, "long-enough"),
            "DUPLICATE",
        ),
        (
            user("leader", "VIEWER", None, "1234567"),
            "PASSWORD_TOO_SHORT",
        ),
        (
            user("filer", "REPORTER", None, "long-enough"),
            "INVALID_VALUE",
        ),
        (
            user("boss", "ADMIN", Some(&unit), "long-enough"),
            "INVALID_VALUE",
        ),
        (
            user("two words", "VIEWER", None, "long-enough"),
            "INVALID_TEXT",
        ),
    ] {
        assert_eq!(
            app.error_code(create, vars.clone()).await,
            expected,
            "{vars}"
        );
    }
    let listed = app
        .data(
            "{ users { id username displayName role unit { name } disabled mustChangePassword lastLoginAt } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["users"],
        json!([{
            "id": id, "username": "zhaoshang", "displayName": "zhaoshang 的姓名", "role": "REPORTER",
            "unit": { "name": "招商合作局" }, "disabled": false, "mustChangePassword": true, "lastLoginAt": null
        }])
    );
    // Only an ADMIN manages accounts.
    let viewer = app.issue_token("大屏", "VIEWER", None).await;
    let (_, body) = app
        .gql_as(Some(&viewer), "{ users { id } }", json!({}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let (_, body) = app
        .gql_as(
            Some(&viewer),
            create,
            user("leader", "VIEWER", None, "long-enough"),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");

    // Disabled: its session ends and the right password no longer works.
    let token = signed_in(&app, "zhaoshang", "first-password").await;
    let d = app
        .data(
            "mutation($id: ID!) { disableUser(id: $id) { disabled disabledAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(d["disableUser"]["disabled"], json!(true));
    assert_eq!(me(&app, &token).await, Value::Null);
    assert_eq!(
        login(&app, "zhaoshang", "first-password", None)
            .await
            .location
            .as_deref(),
        Some("/login?error=invalid&next=%2F")
    );

    // Enabled again (a clerk back from leave): the password works again,
    // and both changes are in the audit log.
    let d = app
        .data(
            "mutation($id: ID!) { enableUser(id: $id) { disabled disabledAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        d["enableUser"],
        json!({ "disabled": false, "disabledAt": null })
    );
    assert_eq!(
        login(&app, "zhaoshang", "first-password", None)
            .await
            .location
            .as_deref(),
        Some("/")
    );
    let (_, body) = app
        .gql_as(
            Some(&viewer),
            "mutation($id: ID!) { enableUser(id: $id) { disabled } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let operations: Vec<String> = account_log(&app, &id)
        .await
        .into_iter()
        .map(|(operation, _, _)| operation)
        .filter(|o| o.ends_with("ableUser"))
        .collect();
    assert_eq!(operations, ["disableUser", "enableUser"]);
}

#[tokio::test]
async fn passwords_never_reach_the_audit_log() {
    let app = TestApp::spawn().await;
    let unit = bureau(&app).await;
    let id = create_user(&app, "zhaoshang", "REPORTER", Some(&unit), "secret-first-1").await;
    app.data(
        "mutation($id: ID!, $p: String!) { resetUserPassword(id: $id, password: $p) { id } }",
        json!({ "id": id, "p": "secret-reset-2" }),
    )
    .await;
    let token = signed_in(&app, "zhaoshang", "secret-reset-2").await;
    login(&app, "zhaoshang", "secret-wrong-3", None).await;
    // Someone typing the password into the name box.
    login(&app, "secret-in-name-4", "x", None).await;
    let (_, body) = gql_cookie(
        &app,
        &token,
        "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) { username } }",
        json!({ "c": "secret-reset-2", "n": "secret-own-5" }),
    )
    .await;
    assert_eq!(
        body["data"]["changePassword"]["username"],
        json!("zhaoshang")
    );
    gql_cookie(
        &app,
        &token,
        "mutation { changePassword(current: \"secret-wrong-6\", new: \"secret-own-7\") { username } }",
        json!({}),
    )
    .await;

    let log = app
        .data(
            "{ auditLog(limit: 1000) { operation objectType input } }",
            json!({}),
        )
        .await
        .to_string();
    for op in [
        "createUser",
        "resetUserPassword",
        "login",
        "loginFailed",
        "changePassword",
        "changePasswordFailed",
    ] {
        assert!(
            log.contains(&format!("\"operation\":\"{op}\"")),
            "{op} in {log}"
        );
    }
    assert!(!log.contains("secret"), "{log}");
    // Nor in any column of any row, read straight from the table.
    let rows = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(!format!("{rows:?}").contains("secret"));
}

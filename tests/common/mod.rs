//! Test support: a fresh database per test (a SQLite file in a temp dir, or
//! a fresh PostgreSQL schema when TEST_DATABASE_URL is set), the real app on
//! top of it, and helpers to speak GraphQL over HTTP.
#![allow(dead_code)]

/// The real binary on a database of its own, and a bare HTTP client.
pub mod binary;
/// The rules page's worked example, built through the API.
pub mod example;
/// Headless Chromium through chromedriver, for the browser tests.
pub mod webdriver;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use mubiao::config::DatabaseConfig;
use mubiao::{db, http};
use poem::endpoint::BoxEndpoint;
use poem::test::TestClient;
use poem::{EndpointExt, Response};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    pub db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
    now: Arc<Mutex<DateTime<Utc>>>,
    /// The app's report writer, observed by the filing tests.
    #[allow(dead_code)]
    pub filer: mubiao::service::reports::Filer,
    _guard: DbGuard,
}

/// Another server on a test's database (`TestApp::another_server`).
pub struct OtherServer {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
}

impl OtherServer {
    /// HTTP status and GraphQL response, as the operator.
    pub async fn gql(&self, query: &str, variables: Value) -> (u16, Value) {
        let resp = self
            .client
            .post("/graphql")
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .header("accept-language", "en")
            .body_json(&json!({ "query": query, "variables": variables }))
            .send()
            .await;
        let status = resp.0.status().as_u16();
        (status, resp.json().await.value().deserialize::<Value>())
    }
}

/// Removes the test's database when the test ends, pass or fail.
enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { url, schema } = self {
            let (url, schema) = (url.clone(), schema.clone());
            // Drop runs outside any runtime we may block; use a thread of our own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(conn) = sea_orm::Database::connect(url).await {
                        use sea_orm::ConnectionTrait;
                        let _ = conn
                            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The operator's token (`MUBIAO_ADMIN_TOKEN`) of every test app.
pub const ADMIN_TOKEN: &str = "test-operator-key-0f3a9c27d1e84b6a";

/// 2025-11-01 02:00 UTC, i.e. 10:00 on 1 November in Shanghai.
pub fn test_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 1, 2, 0, 0).unwrap()
}

pub fn backend_name() -> &'static str {
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A connected, migrated database of the test's own, plus its guard.
async fn fresh_database() -> (DatabaseConnection, DbGuard) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => {
            let schema = format!("t_{}_{}", std::process::id(), uuid::Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(url.clone())
                .await
                .expect("TEST_DATABASE_URL answers");
            {
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .unwrap();
            }
            let mut config = DatabaseConfig::new(url.clone());
            config.schema = Some(schema.clone());
            config.max_connections = 5;
            let conn = db::connect(&config).await.unwrap();
            db::migrate(&conn).await.unwrap();
            (conn, DbGuard::Postgres { url, schema })
        }
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite:{}", dir.path().join("test.db").display());
            let mut config = DatabaseConfig::new(url);
            config.max_connections = 4;
            let conn = db::connect(&config).await.unwrap();
            db::migrate(&conn).await.unwrap();
            (conn, DbGuard::Sqlite(dir))
        }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(mubiao::config::LimitsConfig::default()).await
    }

    /// An app with the given request limits (and production switch).
    pub async fn spawn_with(limits: mubiao::config::LimitsConfig) -> TestApp {
        let options = http::ServeOptions {
            limits,
            admin_token: Some(ADMIN_TOKEN.to_string()),
            sessions: Default::default(),
            metrics_token: None,
        };
        Self::spawn_with_options(options).await
    }

    pub async fn spawn_with_options(options: http::ServeOptions) -> TestApp {
        let (mut conn, guard) = fresh_database().await;
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let now = Arc::new(Mutex::new(test_now()));
        let shared = now.clone();
        let clock: http::Clock = Arc::new(move || *shared.lock().unwrap());
        let (app, filer) = http::app_and_filer(conn.clone(), clock, options);
        TestApp {
            client: TestClient::new(app.boxed()),
            db: conn,
            statements,
            now,
            filer,
            _guard: guard,
        }
    }

    /// A second server process on the same database, with its own memory
    /// (as a province runs many): speaks as the operator.
    pub fn another_server(&self) -> OtherServer {
        let shared = self.now.clone();
        let clock: http::Clock = Arc::new(move || *shared.lock().unwrap());
        let options = http::ServeOptions {
            limits: mubiao::config::LimitsConfig::default(),
            admin_token: Some(ADMIN_TOKEN.to_string()),
            sessions: Default::default(),
            metrics_token: None,
        };
        OtherServer {
            client: TestClient::new(http::app_with(self.db.clone(), clock, options).boxed()),
        }
    }

    /// Breaks the database under the server (the report table goes), so
    /// that what reads reports fails inside: for tests of internal errors.
    pub async fn break_reports(&self) {
        use sea_orm::ConnectionTrait;
        let sql = match backend_name() {
            "postgres" => "DROP TABLE report CASCADE",
            _ => "DROP TABLE report",
        };
        self.db.execute_unprepared(sql).await.unwrap();
    }

    /// Moves the server's clock, e.g. `set_now("2025-11-06T01:00:00Z")`
    /// (09:00 on 6 November in Shanghai).
    pub fn set_now(&self, instant: &str) {
        *self.now.lock().unwrap() = instant.parse().unwrap();
    }

    /// Statements sent to the database since the last reset.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    /// The raw GraphQL response (data and errors), as the operator.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(ADMIN_TOKEN), query, variables).await.1
    }

    /// The HTTP status and GraphQL response, under `token` (or none).
    /// Messages come in English (`Accept-Language: en`), which the tests
    /// compare; tests/language.rs checks that Chinese is the default.
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        self.gql_in(Some("en"), token, query, variables).await
    }

    /// The HTTP status and GraphQL response in `lang` (the server's
    /// default without one), under `token` (or none).
    pub async fn gql_in(
        &self,
        lang: Option<&str>,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post("/graphql")
            .body_json(&json!({ "query": query, "variables": variables }));
        if let Some(lang) = lang {
            req = req.header("accept-language", lang);
        }
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let resp = req.send().await;
        let status = resp.0.status().as_u16();
        (status, resp.json().await.value().deserialize::<Value>())
    }

    /// Sends `query` as a GraphQL multipart request (the upload spec)
    /// with `file` as `variables.input.file`, under `token`.
    pub async fn upload(
        &self,
        token: &str,
        query: &str,
        input: Value,
        file: Vec<u8>,
        name: &str,
    ) -> Value {
        use poem::test::{TestForm, TestFormField};
        let mut input = input;
        input["file"] = Value::Null;
        let operations = json!({ "query": query, "variables": { "input": input } });
        let form = TestForm::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.input.file"] }).to_string())
            .field(TestFormField::bytes(file).name("0").filename(name));
        let resp = self
            .client
            .post("/graphql")
            .header("authorization", format!("Bearer {token}"))
            .header("accept-language", "en")
            .multipart(form)
            .send()
            .await;
        assert_eq!(resp.0.status().as_u16(), 200);
        resp.json().await.value().deserialize::<Value>()
    }

    /// Sends `uploadAttachment(file: $file)`-style mutations: `query` takes
    /// the file as `$file`. The body is written by hand, as a browser
    /// writes it: the file name in raw UTF-8 ("C:\\fakepath\\合同.pdf").
    pub async fn upload_file(&self, token: &str, query: &str, file: Vec<u8>, name: &str) -> Value {
        let boundary = "----mubiao-test-boundary-7MA4YWxkTrZu0gW";
        let operations = json!({ "query": query, "variables": { "file": null } });
        let map = json!({ "0": ["variables.file"] });
        let mut body = Vec::new();
        for (field, value) in [("operations", operations), ("map", map)] {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let quoted = name.replace('"', "%22");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{quoted}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .client
            .post("/graphql")
            .header("authorization", format!("Bearer {token}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await;
        assert_eq!(resp.0.status().as_u16(), 200);
        resp.json().await.value().deserialize::<Value>()
    }

    /// A GET with a bearer token (none for `None`): status, headers, body.
    pub async fn download(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (u16, poem::http::HeaderMap, Vec<u8>) {
        let mut req = self.client.get(path);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let resp = req.send().await;
        let status = resp.0.status().as_u16();
        let headers = resp.0.headers().clone();
        (
            status,
            headers,
            resp.0.into_body().into_vec().await.unwrap(),
        )
    }

    /// Issues a token through the API and returns the secret.
    pub async fn issue_token(&self, name: &str, role: &str, unit: Option<&str>) -> String {
        let d = self
            .data(
                "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }",
                json!({ "i": { "name": name, "role": role, "unitId": unit } }),
            )
            .await;
        d["createToken"]["token"].as_str().unwrap().to_string()
    }

    /// `data` of a response that must have no errors.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The `extensions.code` of the first error of a response that must fail.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let body = self.gql(query, variables).await;
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected an error, got {body:#}"));
        let code = errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without code: {body:#}"));
        code.to_string()
    }

    pub async fn create_unit(&self, name: &str, parent: Option<&str>) -> String {
        let d = self
            .data(
                "mutation($i: CreateUnitInput!) { createUnit(input: $i) { id } }",
                json!({ "i": { "name": name, "parentId": parent } }),
            )
            .await;
        d["createUnit"]["id"].as_str().unwrap().to_string()
    }

    pub async fn create_plan(&self, name: &str, year: i32, owner: &str) -> String {
        let d = self
            .data(
                "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }",
                json!({ "i": { "name": name, "year": year, "ownerUnitId": owner } }),
            )
            .await;
        let id = d["createPlan"]["id"].as_str().unwrap().to_string();
        // Tests work in a year under way: the plan takes reports.
        self.data(
            "mutation($id: ID!) { activatePlan(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await;
        id
    }

    /// Creates a goal from a JSON input (planId etc. included) and returns its id.
    pub async fn create_goal(&self, input: Value) -> String {
        let d = self
            .data(
                "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        d["createGoal"]["id"].as_str().unwrap().to_string()
    }

    pub async fn assign(&self, goal: &str, unit: &str, target: Option<f64>) -> String {
        let d = self
            .data(
                "mutation($i: AssignGoalInput!) { assignGoal(input: $i) { id } }",
                json!({ "i": { "goalId": goal, "unitId": unit, "targetValue": target } }),
            )
            .await;
        d["assignGoal"]["id"].as_str().unwrap().to_string()
    }

    pub async fn report(&self, assignment: &str, as_of: &str, value: f64) -> String {
        let d = self
            .data(
                "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
                json!({ "i": { "assignmentId": assignment, "asOf": as_of, "value": value, "note": "按月填报" } }),
            )
            .await;
        d["submitReport"]["id"].as_str().unwrap().to_string()
    }

    pub async fn add_milestone(&self, goal: &str, title: &str, due: &str, weight: f64) -> String {
        let d = self
            .data(
                "mutation($i: AddMilestoneInput!) { addMilestone(input: $i) { id } }",
                json!({ "i": { "goalId": goal, "title": title, "dueDate": due, "weight": weight } }),
            )
            .await;
        d["addMilestone"]["id"].as_str().unwrap().to_string()
    }

    pub async fn complete_milestone(&self, milestone: &str, on: &str) {
        self.data(
            "mutation($i: CompleteMilestoneInput!) { completeMilestone(input: $i) { id } }",
            json!({ "i": { "milestoneId": milestone, "completedOn": on } }),
        )
        .await;
    }
}

/// Asserts a float to a tolerance fitting one-decimal display.
#[track_caller]
pub fn assert_close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 0.01, "got {a}, want {expected}");
}

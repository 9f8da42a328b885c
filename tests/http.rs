//! HTTP concerns: health, GraphiQL, the bearer header, a real binary run.
mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestApp;
use serde_json::{Value, json};

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = TestApp::spawn().await;
    app.client
        .get("/healthz")
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn graphiql_is_served_on_get() {
    let app = TestApp::spawn().await;
    let resp = app.client.get("/graphql").send().await;
    resp.assert_status_is_ok();
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(
        html.contains("graphiql") || html.contains("GraphiQL"),
        "{html:.200}"
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 exchange, so the smoke test needs no client library.
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        mubiao::demo::VIEWER_TOKEN,
        body.len()
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let payload = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, payload))
}

/// Starts the real binary as README tells a newcomer to, on a fresh
/// database, and finds the demo plan over HTTP.
#[test]
fn the_binary_serves_the_demo_plan() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mubiao"));
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => {
            let schema = format!("smoke_{}", std::process::id());
            let admin = Command::new("psql")
                .args([
                    &url,
                    "-qc",
                    &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
                ])
                .status();
            assert!(
                admin.map(|s| s.success()).unwrap_or(false),
                "psql could not create the schema"
            );
            cmd.env("DATABASE_URL", url).env("MUBIAO_DB_SCHEMA", schema);
        }
        Err(_) => {
            cmd.env(
                "DATABASE_URL",
                format!("sqlite:{}", dir.path().join("mubiao.db").display()),
            );
        }
    }
    let child = cmd
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let _server = Server(child);

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok((200, _)) = http(port, "GET", "/healthz", None) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not become healthy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The demo's read-only token, which GraphiQL sends in --demo mode.
    let query = json!({ "query": r#"{ plans { name year progress(asOf: "2025-10-31") { completionPercent } unitProgress(asOf: "2025-10-31") { unit { name } } goals { title } } }"# });
    let (status, body) = http(port, "POST", "/graphql", Some(&query.to_string())).unwrap();
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    let plan = &body["data"]["plans"][0];
    assert_eq!(plan["name"], json!("洞庭产业开发区2025年度目标任务"));
    assert_eq!(plan["year"], json!(2025));
    let units = plan["unitProgress"].as_array().unwrap().len();
    assert!((6..=10).contains(&units), "{units} units with assignments");
    let titles: Vec<&str> = plan["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap())
        .collect();
    for expected in [
        "签约项目",
        "合同引资额",
        "腾出闲置厂房",
        "处置三类低效用地",
        "五好园区建设",
        "屋顶分布式光伏二期",
    ] {
        assert!(
            titles.contains(&expected),
            "{expected} missing from {titles:?}"
        );
    }
    let c = plan["progress"]["completionPercent"].as_f64().unwrap();
    assert!(c > 50.0 && c < 90.0, "{c}");
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        let schema = format!("smoke_{}", std::process::id());
        let _ = Command::new("psql")
            .args([
                &url,
                "-qc",
                &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
            ])
            .status();
    }
}

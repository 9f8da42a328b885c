//! Live updates and deliveries across real server processes on one
//! database: a subscription on one server sees a report filed through
//! another; a SIGKILLed server's pending deliveries go out after it
//! restarts.
mod common;

use std::time::{Duration, Instant};

use common::binary::{BinaryDb, http};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const KEY: &str = "live-operator-key-4f1b8e2a9c7d36e5";

fn gql(port: u16, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, text) = http(port, "POST", "/graphql", Some(&body), Some(KEY)).unwrap();
    assert_eq!(status, 200, "{text}");
    let value: Value = serde_json::from_str(&text).unwrap();
    assert!(value.get("errors").is_none(), "{value}");
    value["data"].clone()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A graphql-transport-ws connection, initialised with `init`.
async fn connect(port: u16, init: Value) -> Socket {
    let mut request = format!("ws://127.0.0.1:{port}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": init }).to_string(),
        ))
        .await
        .unwrap();
    socket
}

/// The next JSON message (pings answered), or None if the socket closed.
async fn next(socket: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let message = tokio::time::timeout(left, socket.next())
            .await
            .ok()??
            .ok()?;
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "ping" {
                    let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
                    continue;
                }
                return Some(value);
            }
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_sees_a_report_filed_through_another_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "live");
    let flags = ["--demo", "--no-scheduler", "--no-webhooks"];
    let (_a, port_a) = db.serve_with_env(&flags, &[("MUBIAO_ADMIN_TOKEN", KEY)]);
    let (_b, port_b) = db.serve_with_env(&flags[1..], &[("MUBIAO_ADMIN_TOKEN", KEY)]);
    let plans = tokio::task::spawn_blocking(move || {
        gql(
            port_b,
            "{ plans { id goals { kind assignments { id } } } }",
            json!({}),
        )
    })
    .await
    .unwrap();
    let plan = plans["plans"][0]["id"].as_str().unwrap().to_string();
    let share = plans["plans"][0]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "CUMULATIVE")
        .find_map(|g| g["assignments"][0]["id"].as_str())
        .unwrap()
        .to_string();

    // Without credentials the connection is refused.
    let mut anonymous = connect(port_a, json!({})).await;
    let refused = next(&mut anonymous, Duration::from_secs(5)).await;
    assert!(
        refused.is_none()
            || refused
                .as_ref()
                .is_some_and(|m| m["type"] != "connection_ack"),
        "{refused:?}"
    );

    let mut socket = connect(port_a, json!({ "Authorization": format!("Bearer {KEY}") })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    // Queries are not served here.
    socket
        .send(Message::text(
            json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ plans { id } }" } })
                .to_string(),
        ))
        .await
        .unwrap();
    let answer = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{answer}"
    );
    // A plan that does not exist: NOT_FOUND, as for a query.
    socket
        .send(Message::text(
            json!({ "id": "x", "type": "subscribe", "payload": {
            "query": "subscription { planChanged(planId: \"999999\") { dataVersion } }" } })
            .to_string(),
        ))
        .await
        .unwrap();
    let mut missing = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    if missing["id"] == "q" {
        missing = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    }
    assert!(missing.to_string().contains("NOT_FOUND"), "{missing}");

    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": {
                "query": "subscription($p: ID!) { planChanged(planId: $p) { planId dataVersion } }",
                "variables": { "p": plan } } })
            .to_string(),
        ))
        .await
        .unwrap();
    // Three reports at offsets that do not line up with the servers'
    // polling, each seen on server A within 2 s.
    let mut seen_ms = Vec::new();
    for (round, pause) in [900u64, 1130, 1370].into_iter().enumerate() {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let filed_at = Instant::now();
        let share = share.clone();
        tokio::task::spawn_blocking(move || {
            gql(
                port_b,
                "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
                json!({ "i": { "assignmentId": share, "asOf": "2025-10-31", "value": 3.0 + round as f64 } }),
            )
        })
        .await
        .unwrap();
        let event = loop {
            let message = next(&mut socket, Duration::from_secs(5))
                .await
                .expect("an event within 5 s");
            if message["id"] == "1" {
                break message;
            }
        };
        let seen = filed_at.elapsed();
        assert_eq!(event["type"], "next", "{event}");
        assert_eq!(
            event["payload"]["data"]["planChanged"]["planId"],
            plan.as_str()
        );
        assert!(seen < Duration::from_secs(2), "seen after {seen:?}");
        seen_ms.push(seen.as_millis());
    }
    println!("planChanged on server A after a report filed through server B: {seen_ms:?} ms");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_delivers_its_pending_events_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "killed");
    // A port nobody listens on yet: the receiver is "down".
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let flags = ["--no-scheduler", "--webhook-retry-ms", "300"];
    let (server, api) = db.serve_with_env(&flags, &[("MUBIAO_ADMIN_TOKEN", KEY)]);
    let hook = gql(
        api,
        "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
        json!({ "i": { "name": "目标办值班系统", "kind": "GENERIC",
            "url": format!("http://127.0.0.1:{port}/hook"), "secret": "k" } }),
    )["createWebhook"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    gql(
        api,
        "mutation($w: ID!) { testWebhook(id: $w) { id } }",
        json!({ "w": hook }),
    );
    // Wait until it has failed at least once, then kill the server hard.
    let start = Instant::now();
    loop {
        let d = gql(
            api,
            "{ deliveries { state attempts lastError } }",
            json!({}),
        );
        if d["deliveries"][0]["attempts"].as_i64().unwrap_or(0) >= 1 {
            assert_eq!(d["deliveries"][0]["state"], "PENDING", "{d}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no attempt: {d}");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server); // SIGKILL
    // The receiver comes up; a new server takes over the queue.
    let receiver = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let got = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut stream, _) = receiver.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .await
            .unwrap();
        String::from_utf8_lossy(&request).to_string()
    });
    let (_again, api) = db.serve_with_env(&flags, &[("MUBIAO_ADMIN_TOKEN", KEY)]);
    let request = tokio::time::timeout(Duration::from_secs(20), got)
        .await
        .expect("delivered within 20 s of the restart")
        .unwrap();
    assert!(
        request.to_ascii_lowercase().contains("x-mubiao-event-id:"),
        "{request}"
    );
    assert!(request.contains("\"kind\":\"TEST\""), "{request}");
    let start = Instant::now();
    loop {
        let d = gql(api, "{ deliveries { state attempts } }", json!({}));
        if d["deliveries"][0]["state"] == "DELIVERED" {
            assert!(d["deliveries"][0]["attempts"].as_i64().unwrap() >= 2);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{d}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_are_bounded_refused_briefly_and_end_with_their_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "wsbounds");
    let (_server, port) = db.serve_with_env(
        &["--demo", "--no-scheduler", "--no-webhooks"],
        &[("MUBIAO_ADMIN_TOKEN", KEY)],
    );
    let plans = tokio::task::spawn_blocking(move || {
        gql(
            port,
            "{ plans { id goals { kind assignments { id unit { id } } } } }",
            json!({}),
        )
    })
    .await
    .unwrap();
    let plan = plans["plans"][0]["id"].as_str().unwrap().to_string();
    let (share, unit) = plans["plans"][0]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "CUMULATIVE")
        .find_map(|g| {
            Some((
                g["assignments"][0]["id"].as_str()?.to_string(),
                g["assignments"][0]["unit"]["id"].as_str()?.to_string(),
            ))
        })
        .unwrap();

    // A refused connection_init closes with 4403 and a reason a WebSocket can carry.
    let mut anonymous = connect(port, json!({})).await;
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(5), anonymous.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    };
    let frame = close.expect("a close frame with a code");
    assert_eq!(u16::from(frame.code), 4403);
    assert!(frame.reason.len() <= 123, "{} bytes", frame.reason.len());
    assert!(frame.reason.contains("登录"), "{}", frame.reason);

    // At most 20 subscriptions on one socket.
    let mut socket = connect(port, json!({ "Authorization": format!("Bearer {KEY}") })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    for i in 0..25 {
        socket
            .send(Message::text(
                json!({ "id": format!("s{i}"), "type": "subscribe", "payload": {
                "query": "subscription($p: ID!) { planChanged(planId: $p) { dataVersion } }",
                "variables": { "p": plan } } })
                .to_string(),
            ))
            .await
            .unwrap();
    }
    let mut refused = Vec::new();
    while let Some(message) = next(&mut socket, Duration::from_secs(3)).await {
        if message.to_string().contains("TOO_MANY_SUBSCRIPTIONS") {
            refused.push(message["id"].as_str().unwrap().to_string());
        }
        if refused.len() == 5 {
            break;
        }
    }
    refused.sort();
    assert_eq!(refused, vec!["s20", "s21", "s22", "s23", "s24"]);

    // A token revoked while subscribed: its subscription ends.
    let reporter = tokio::task::spawn_blocking({
        let unit = unit.clone();
        move || {
            gql(
                port,
                "mutation($i: CreateTokenInput!) { createToken(input: $i) { token apiToken { id } } }",
                json!({ "i": { "name": "招商临时令牌", "role": "REPORTER", "unitId": unit } }),
            )
        }
    })
    .await
    .unwrap();
    let token = reporter["createToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let token_id = reporter["createToken"]["apiToken"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut revoked = connect(port, json!({ "Authorization": format!("Bearer {token}") })).await;
    assert_eq!(
        next(&mut revoked, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    revoked
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription($p: ID!) { planChanged(planId: $p) { dataVersion } }",
            "variables": { "p": plan } } })
            .to_string(),
        ))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    tokio::task::spawn_blocking(move || {
        gql(
            port,
            "mutation($id: ID!) { revokeToken(id: $id) { id } }",
            json!({ "id": token_id }),
        );
        gql(
            port,
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
            json!({ "i": { "assignmentId": share, "asOf": "2025-10-31", "value": 4.0 } }),
        )
    })
    .await
    .unwrap();
    let after = next(&mut revoked, Duration::from_secs(5)).await;
    let text = after.map(|m| m.to_string()).unwrap_or_default();
    assert!(
        !text.contains("dataVersion\":"),
        "a revoked token still hears: {text}"
    );
    assert!(
        text.is_empty() || text.contains("UNAUTHENTICATED"),
        "{text}"
    );
}

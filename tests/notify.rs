//! Reminders, notifications, webhooks and live updates: events written
//! with the change that caused them, delivered signed, retried, once per
//! server cluster; reminders only to who owes a report; subscriptions
//! that see a change made through another server.
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ADMIN_TOKEN, TestApp};
use mubiao::service::notify::dispatch::{DispatchConfig, Dispatcher};
use mubiao::service::notify::robots;
use mubiao::service::notify::scheduler::{self, SchedulerConfig};
use poem::listener::{Acceptor, Listener, TcpListener as PoemListener};
use serde_json::{Value, json};

/// What a test receiver got: headers that matter and the body.
#[derive(Clone, Debug)]
struct Received {
    event_id: String,
    signature: Option<String>,
    body: Vec<u8>,
    answered: u16,
}

/// A local HTTP receiver of webhooks that fails its first `fail_first`
/// requests with 500.
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        Self::start_on(0, fail_first).await
    }

    /// A receiver that answers 200 only after `hang`.
    async fn start_hanging(hang: Duration) -> Receiver {
        Self::start_with(0, 0, hang).await
    }

    async fn start_on(port: u16, fail_first: usize) -> Receiver {
        Self::start_with(port, fail_first, Duration::ZERO).await
    }

    async fn start_with(port: u16, fail_first: usize, hang: Duration) -> Receiver {
        let acceptor = PoemListener::bind(format!("127.0.0.1:{port}"))
            .into_acceptor()
            .await
            .unwrap();
        let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let endpoint = poem::endpoint::make(move |req: poem::Request| {
            let seen = seen.clone();
            async move {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let event_id = header("x-mubiao-event-id").unwrap_or_default();
                let signature = header("x-mubiao-signature");
                let body = req.into_body().into_vec().await.unwrap_or_default();
                tokio::time::sleep(hang).await;
                let mut seen = seen.lock().unwrap();
                let answered = if seen.len() < fail_first { 500 } else { 200 };
                seen.push(Received {
                    event_id,
                    signature,
                    body,
                    answered,
                });
                poem::Response::builder()
                    .status(poem::http::StatusCode::from_u16(answered).unwrap())
                    .body("ok")
            }
        });
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
        Receiver { port, got }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

fn fast() -> DispatchConfig {
    DispatchConfig {
        base_backoff: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

/// A plan of one bureau with one goal shared by two units.
struct Park {
    plan: String,
    goal: String,
    bureau: String,
    office: String,
    share_bureau: String,
    share_office: String,
}

async fn park(app: &TestApp) -> Park {
    let owner = app.create_unit("洞庭湖产业园管委会", None).await;
    let bureau = app.create_unit("招商合作局", Some(&owner)).await;
    let office = app.create_unit("经济发展局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app
        .create_goal(
            json!({ "planId": plan, "title": "新签约亿元以上项目", "kind": "CUMULATIVE",
            "targetValue": 20.0, "measureUnit": "个", "weight": 10, "leadUnitId": bureau }),
        )
        .await;
    let share_bureau = app.assign(&goal, &bureau, Some(12.0)).await;
    let share_office = app.assign(&goal, &office, Some(8.0)).await;
    Park {
        plan,
        goal,
        bureau,
        office,
        share_bureau,
        share_office,
    }
}

async fn create_webhook(app: &TestApp, input: Value) -> String {
    let d = app
        .data(
            "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id url hasSecret } }",
            json!({ "i": input }),
        )
        .await;
    d["createWebhook"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_returned_report_reaches_a_receiver_signed_and_the_unit_in_app() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let receiver = Receiver::start(0).await;
    let hook = create_webhook(
        &app,
        json!({ "name": "招商局对接系统", "kind": "GENERIC", "url": receiver.url(),
                "secret": "s3cr3t-园区", "unitId": p.bureau }),
    )
    .await;
    let clerk = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.bureau))
        .await;
    let other = app
        .issue_token("经济发展局填报员", "REPORTER", Some(&p.office))
        .await;
    let (_, filed) = app
        .gql_as(
            Some(&clerk),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
            json!({ "i": { "assignmentId": p.share_bureau, "asOf": "2025-10-31", "value": 9.0 } }),
        )
        .await;
    let report = filed["data"]["submitReport"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.data(
        "mutation($i: ReturnReportInput!) { returnReport(input: $i) { id } }",
        json!({ "i": { "reportId": report, "reason": "缺少签约合同复印件" } }),
    )
    .await;

    let dispatcher = Dispatcher::new(app.db.clone(), fast());
    assert_eq!(dispatcher.run_once(chrono::Utc::now()).await.unwrap(), 1);
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["kind"], "REPORT_RETURNED");
    assert_eq!(body["data"]["reason"], "缺少签约合同复印件");
    assert_eq!(body["data"]["value"], 9.0);
    assert_eq!(body["unitId"], p.bureau.as_str());
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("9个 被退回。退回原因：缺少签约合同复印件"),
        "{body}"
    );
    assert_eq!(got[0].event_id, body["id"].as_str().unwrap());
    // The signature, checked as a receiver would: HMAC-SHA256 of the body.
    let expected = format!(
        "sha256={}",
        robots::hex(&robots::hmac_sha256("s3cr3t-园区".as_bytes(), &got[0].body))
    );
    assert_eq!(got[0].signature.as_deref(), Some(expected.as_str()));
    // Nothing more to send.
    assert_eq!(dispatcher.run_once(chrono::Utc::now()).await.unwrap(), 0);
    let d = app
        .data(
            "query($w: ID!) { deliveries(webhookId: $w) { state attempts lastStatus } }",
            json!({ "w": hook }),
        )
        .await;
    assert_eq!(
        d["deliveries"],
        json!([{ "state": "DELIVERED", "attempts": 1, "lastStatus": 200 }])
    );

    // In the app: the bureau's clerk has it, unread; the other unit does not.
    let q = "{ unreadNotificationCount myNotifications { nodes { id kind title read } unreadCount hasNextPage } }";
    let (_, mine) = app.gql_as(Some(&clerk), q, json!({})).await;
    assert_eq!(mine["data"]["unreadNotificationCount"], 1, "{mine}");
    let node = &mine["data"]["myNotifications"]["nodes"][0];
    assert_eq!(node["kind"], "REPORT_RETURNED");
    assert_eq!(node["read"], false);
    assert!(
        node["title"]
            .as_str()
            .unwrap()
            .starts_with("【填报退回】新签约亿元以上项目")
    );
    let (_, theirs) = app.gql_as(Some(&other), q, json!({})).await;
    assert_eq!(theirs["data"]["unreadNotificationCount"], 0, "{theirs}");
    // Another unit's clerk cannot mark it read (ignored), its own can.
    let mark = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }";
    let (_, other_mark) = app
        .gql_as(Some(&other), mark, json!({ "ids": [node["id"]] }))
        .await;
    assert_eq!(other_mark["data"]["markNotificationsRead"], 0);
    let (_, marked) = app
        .gql_as(Some(&clerk), mark, json!({ "ids": [node["id"]] }))
        .await;
    assert_eq!(marked["data"]["markNotificationsRead"], 0, "{marked}");
    let (_, after) = app.gql_as(Some(&clerk), q, json!({})).await;
    assert_eq!(after["data"]["myNotifications"]["nodes"][0]["read"], true);
    // The webhook list hides the secret.
    let hooks = app
        .data("{ webhooks { kind hasSecret url events } }", json!({}))
        .await;
    assert_eq!(hooks["webhooks"][0]["hasSecret"], true);
    assert!(!hooks["webhooks"].to_string().contains("s3cr3t"));
    let _ = p.goal;
}

#[tokio::test]
async fn a_receiver_failing_twice_still_gets_the_event_once() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(2).await;
    let hook = create_webhook(
        &app,
        json!({ "name": "目标办值班系统", "kind": "GENERIC", "url": receiver.url(), "secret": "k" }),
    )
    .await;
    app.data(
        "mutation($w: ID!) { testWebhook(id: $w) { state } }",
        json!({ "w": hook }),
    )
    .await;
    let dispatcher = Dispatcher::new(app.db.clone(), fast());
    let start = Instant::now();
    while receiver.got().iter().all(|r| r.answered != 200) {
        assert!(start.elapsed() < Duration::from_secs(10), "never delivered");
        dispatcher.run_once(chrono::Utc::now()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Later runs send nothing more.
    tokio::time::sleep(Duration::from_millis(200)).await;
    dispatcher.run_once(chrono::Utc::now()).await.unwrap();
    let got = receiver.got();
    assert_eq!(got.len(), 3, "two failures then the delivery");
    assert!(
        got.iter().all(|r| r.event_id == got[0].event_id),
        "one event ID throughout"
    );
    assert_eq!(got.iter().filter(|r| r.answered == 200).count(), 1);
    let d = app
        .data(
            "query($w: ID!) { deliveries(webhookId: $w) { state attempts lastStatus lastError } }",
            json!({ "w": hook }),
        )
        .await;
    assert_eq!(d["deliveries"][0]["state"], "DELIVERED");
    assert_eq!(d["deliveries"][0]["attempts"], 3);
}

#[tokio::test]
async fn a_dead_letter_is_kept_and_an_admin_retries_it() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(usize::MAX).await;
    let hook = create_webhook(
        &app,
        json!({ "name": "企业微信群", "kind": "WECOM", "url": receiver.url() }),
    )
    .await;
    app.data(
        "mutation($w: ID!) { testWebhook(id: $w) { id } }",
        json!({ "w": hook }),
    )
    .await;
    let dispatcher = Dispatcher::new(
        app.db.clone(),
        DispatchConfig {
            max_attempts: 2,
            ..fast()
        },
    );
    let start = Instant::now();
    loop {
        dispatcher.run_once(chrono::Utc::now()).await.unwrap();
        let d = app
            .data(
                "{ deliveries(state: DEAD) { id attempts lastStatus } }",
                json!({}),
            )
            .await;
        if let Some(dead) = d["deliveries"].as_array().and_then(|a| a.first()).cloned() {
            assert_eq!(dead["attempts"], 2);
            assert_eq!(dead["lastStatus"], 500);
            // Retrying a delivered or pending one is refused; a dead one goes again.
            let again = app
                .data(
                    "mutation($d: ID!) { retryDelivery(id: $d) { state attempts } }",
                    json!({ "d": dead["id"] }),
                )
                .await;
            assert_eq!(
                again["retryDelivery"],
                json!({ "state": "PENDING", "attempts": 0 })
            );
            let twice = app
                .gql(
                    "mutation($d: ID!) { retryDelivery(id: $d) { state } }",
                    json!({ "d": dead["id"] }),
                )
                .await;
            assert_eq!(
                twice["errors"][0]["extensions"]["code"],
                "INVALID_TRANSITION"
            );
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(receiver.got().len(), 2);
}

#[tokio::test]
async fn two_servers_never_send_one_event_twice() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(0).await;
    let hook = create_webhook(
        &app,
        json!({ "name": "园区数据中台", "kind": "GENERIC", "url": receiver.url(), "secret": "k" }),
    )
    .await;
    for _ in 0..30 {
        app.data(
            "mutation($w: ID!) { testWebhook(id: $w) { id } }",
            json!({ "w": hook }),
        )
        .await;
    }
    let small = DispatchConfig { batch: 3, ..fast() };
    let (a, b) = (
        Dispatcher::new(app.db.clone(), small.clone()),
        Dispatcher::new(app.db.clone(), small),
    );
    let run = |d: Dispatcher| async move {
        let mut sent = 0;
        for _ in 0..40 {
            sent += d.run_once(chrono::Utc::now()).await.unwrap();
        }
        sent
    };
    let (sa, sb) = tokio::join!(run(a), run(b));
    assert_eq!(sa + sb, 30, "every event sent by one of them");
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for r in receiver.got() {
        *per_event.entry(r.event_id).or_default() += 1;
    }
    assert_eq!(per_event.len(), 30);
    assert!(per_event.values().all(|n| *n == 1), "{per_event:?}");
    println!("two dispatchers: {sa} + {sb} deliveries, none twice");
}

/// Notifications of a reader (kind, title), newest first.
async fn notes_of(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let (_, body) = app
        .gql_as(
            Some(token),
            "{ myNotifications(first: 50) { nodes { kind title } } }",
            json!({}),
        )
        .await;
    body["data"]["myNotifications"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_string(),
                n["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn at(instant: &str) -> chrono::DateTime<chrono::Utc> {
    instant.parse().unwrap()
}

#[tokio::test]
async fn reminders_skip_the_units_that_reported_and_escalate_to_the_office() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let bureau = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.bureau))
        .await;
    let office = app
        .issue_token("经济发展局填报员", "REPORTER", Some(&p.office))
        .await;
    // Both reported September; October is due on 2025-11-05 (a Wednesday).
    app.set_now("2025-10-09T02:00:00Z");
    app.report(&p.share_bureau, "2025-09-30", 7.0).await;
    app.report(&p.share_office, "2025-09-30", 4.0).await;
    // The bureau reports October on 11-03; the 经济发展局 does not.
    app.set_now("2025-11-03T02:00:00Z");
    app.report(&p.share_bureau, "2025-10-31", 9.0).await;
    let config = SchedulerConfig::default();

    // 11-03 10:00 Beijing: due in two days, only the unit that owes it is reminded.
    let written = scheduler::run(&app.db, at("2025-11-03T02:00:00Z"), &config)
        .await
        .unwrap();
    assert_eq!(written, 1);
    assert!(notes_of(&app, &bureau).await.is_empty());
    let theirs = notes_of(&app, &office).await;
    assert_eq!(
        theirs,
        vec![(
            "REPORT_DUE_SOON".to_string(),
            "【催报提醒】经济发展局：2025年10月进度请于11月5日（周三）前报送".to_string()
        )]
    );
    // Run again the same day (a restart, a second server): nothing new,
    // and a plan unchanged since today's check is not even loaded.
    app.reset_statements();
    assert_eq!(
        scheduler::run(&app.db, at("2025-11-03T03:00:00Z"), &config)
            .await
            .unwrap(),
        0
    );
    let statements = app.statements();
    println!("a scheduler run over an unchanged plan: {statements} statements");
    assert!(statements <= 5, "{statements}");
    // Before 08:30 Beijing nothing is written at all.
    assert_eq!(
        scheduler::run(&app.db, at("2025-11-05T23:00:00Z"), &config)
            .await
            .unwrap(),
        0
    );

    // 11-06: missing, to the unit; not yet to the office.
    scheduler::run(&app.db, at("2025-11-06T02:00:00Z"), &config)
        .await
        .unwrap();
    let theirs = notes_of(&app, &office).await;
    assert_eq!(theirs[0].0, "REPORT_MISSING");
    assert_eq!(
        theirs[0].1,
        "【未报提醒】经济发展局：2025年10月进度逾期未报"
    );
    assert!(
        notes_of(&app, &bureau).await.is_empty(),
        "the bureau reported"
    );
    assert!(notes_of(&app, ADMIN_TOKEN).await.is_empty());
    // Two working days after 11-05 is 11-07: escalated from 11-08 (a Saturday).
    scheduler::run(&app.db, at("2025-11-07T02:00:00Z"), &config)
        .await
        .unwrap();
    assert!(notes_of(&app, ADMIN_TOKEN).await.is_empty());
    scheduler::run(&app.db, at("2025-11-10T02:00:00Z"), &config)
        .await
        .unwrap();
    let office_notes = notes_of(&app, ADMIN_TOKEN).await;
    assert_eq!(
        office_notes,
        vec![(
            "REPORT_MISSING".to_string(),
            "【未报升级】经济发展局逾期 5 天未报2025年10月进度".to_string()
        )]
    );
    assert_eq!(
        notes_of(&app, &office).await.len(),
        2,
        "no second missing reminder"
    );
    let _ = p.plan;
}

#[tokio::test]
async fn the_due_day_follows_the_plan_rule_and_the_admins_calendar() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let q = r#"query($p: ID!) { plan(id: $p) { reportDuePostponed oct: reportDueDate(month: "2025-10") } }"#;
    let d = app.data(q, json!({ "p": p.plan })).await;
    assert_eq!(
        d["plan"],
        json!({ "reportDuePostponed": true, "oct": "2025-10-09" })
    );
    // A local day off on 10-09: the 10th.
    let set = app
        .data(
            r#"mutation { setCalendarDay(date: "2025-10-09", workday: false) { date workday overridden } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        set["setCalendarDay"],
        json!({ "date": "2025-10-09", "workday": false, "overridden": true })
    );
    let d = app.data(q, json!({ "p": p.plan })).await;
    assert_eq!(d["plan"]["oct"], "2025-10-10");
    let cal = app
        .data(
            r#"query($p: ID!) { reportingCalendar(planId: $p, month: "2025-09") { dueDate } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(cal["reportingCalendar"]["dueDate"], "2025-10-10");
    // Removed: the notices again.
    app.data(
        r#"mutation { setCalendarDay(date: "2025-10-09", workday: null) { workday } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        app.data(q, json!({ "p": p.plan })).await["plan"]["oct"],
        "2025-10-09"
    );
    // A plan that does not postpone: the 5th, holiday or not.
    app.data(
        "mutation($p: ID!) { updatePlan(input: { id: $p, reportDuePostponed: false }) { id } }",
        json!({ "p": p.plan }),
    )
    .await;
    assert_eq!(
        app.data(q, json!({ "p": p.plan })).await["plan"]["oct"],
        "2025-10-05"
    );
    // Only an ADMIN sets the calendar.
    let viewer = app.issue_token("领导查看", "VIEWER", None).await;
    let (_, refused) = app
        .gql_as(
            Some(&viewer),
            r#"mutation { setCalendarDay(date: "2025-10-09", workday: false) { date } }"#,
            json!({}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn lights_and_overdue_milestones_are_told_once() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let config = SchedulerConfig::default();
    let building = app
        .create_goal(
            json!({ "planId": p.plan, "title": "五好园区服务中心建设", "kind": "MILESTONE",
            "weight": 10, "leadUnitId": p.office }),
        )
        .await;
    app.assign(&building, &p.office, None).await;
    app.add_milestone(&building, "主体完工", "2025-10-31", 1.0)
        .await;
    // September on time: first sighting, the baseline (nothing told).
    app.set_now("2025-10-09T02:00:00Z");
    app.report(&p.share_bureau, "2025-09-30", 9.0).await;
    app.report(&p.share_office, "2025-09-30", 6.0).await;
    scheduler::run(&app.db, at("2025-10-09T02:00:00Z"), &config)
        .await
        .unwrap();
    assert!(notes_of(&app, ADMIN_TOKEN).await.is_empty());
    // By December with nothing new, the goal falls behind: told once.
    scheduler::run(&app.db, at("2025-12-20T02:00:00Z"), &config)
        .await
        .unwrap();
    scheduler::run(&app.db, at("2025-12-21T02:00:00Z"), &config)
        .await
        .unwrap();
    let lights: Vec<_> = notes_of(&app, ADMIN_TOKEN)
        .await
        .into_iter()
        .filter(|(k, _)| k == "LIGHT_CHANGED")
        .collect();
    // Each goal that turned is told once: the 节点 goal red, the shared one yellow.
    assert_eq!(
        lights,
        vec![
            (
                "LIGHT_CHANGED".to_string(),
                "【红灯预警】五好园区服务中心建设".to_string()
            ),
            (
                "LIGHT_CHANGED".to_string(),
                "【黄灯预警】新签约亿元以上项目".to_string()
            ),
        ]
    );
    let milestones: Vec<_> = notes_of(&app, ADMIN_TOKEN)
        .await
        .into_iter()
        .filter(|(k, _)| k == "MILESTONE_OVERDUE")
        .collect();
    assert_eq!(
        milestones,
        vec![(
            "MILESTONE_OVERDUE".to_string(),
            "【节点逾期】五好园区服务中心建设：主体完工".to_string()
        )]
    );
}

/// A minimal SMTP server that accepts one message and hands back what it got.
async fn smtp_server() -> (u16, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write
            .write_all(b"220 mail.park.gov.cn ESMTP\r\n")
            .await
            .unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 mail.park.gov.cn\r\n"
            } else if upper.starts_with("DATA") {
                in_data = true;
                b"354 go ahead\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                b"250 ok\r\n"
            };
            write.write_all(answer).await.unwrap();
        }
        data
    });
    (port, handle)
}

#[tokio::test]
async fn an_email_channel_sends_through_the_operators_smtp_server() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let hook = create_webhook(
        &app,
        json!({ "name": "目标办邮箱", "kind": "EMAIL",
                "url": "mailto:mubiaoban@park.gov.cn, zhaoshang@park.gov.cn" }),
    )
    .await;
    let bad = app
        .gql(
            "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
            json!({ "i": { "name": "错的", "kind": "EMAIL", "url": "mailto:not an address" } }),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{bad}"
    );
    app.data(
        "mutation($w: ID!) { testWebhook(id: $w) { id } }",
        json!({ "w": hook }),
    )
    .await;
    let (port, got) = smtp_server().await;
    let dispatcher = Dispatcher::new(
        app.db.clone(),
        DispatchConfig {
            smtp: Some(mubiao::service::notify::dispatch::SmtpConfig {
                url: format!("smtp://127.0.0.1:{port}"),
                from: "目标办 <mubiao@park.gov.cn>".into(),
            }),
            public_url: Some("http://10.20.1.5:8000".into()),
            ..fast()
        },
    );
    assert_eq!(dispatcher.run_once(chrono::Utc::now()).await.unwrap(), 1);
    let message = got.await.unwrap();
    assert!(
        message.contains("To: mubiaoban@park.gov.cn, zhaoshang@park.gov.cn"),
        "{message}"
    );
    assert!(message.contains("Subject: =?utf-8?"), "{message}");
    let encoded: String = message.split("\n\n").nth(1).unwrap().lines().collect();
    let body = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .unwrap(),
    )
    .unwrap();
    assert!(
        body.starts_with("【测试消息】目标管理系统推送已接通"),
        "{body}"
    );
    assert!(
        body.contains("查看详情：http://10.20.1.5:8000/dashboard"),
        "{body}"
    );
    let d = app
        .data(
            "query($w: ID!) { deliveries(webhookId: $w) { state attempts } }",
            json!({ "w": hook }),
        )
        .await;
    assert_eq!(d["deliveries"][0]["state"], "DELIVERED");
}

#[tokio::test]
async fn supervision_items_notify_their_units_when_handed_over_returned_near_and_late() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let bureau = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.bureau))
        .await;
    let office = app
        .issue_token("经济发展局填报员", "REPORTER", Some(&p.office))
        .await;
    let item = app
        .data(
            "mutation($i: CreateSupervisionItemInput!) { createSupervisionItem(input: $i) { id } }",
            json!({ "i": { "planId": p.plan, "title": "加快浩源冷链项目签约落地",
                "source": "LEADER_INSTRUCTION", "level": "KEY", "leadUnitId": p.bureau,
                "supportingUnitIds": [p.office], "deadline": "2025-11-30" } }),
        )
        .await["createSupervisionItem"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Handed over: the lead and the supporting unit hear of it.
    let assigned = "【督办交办】加快浩源冷链项目签约落地".to_string();
    assert_eq!(
        notes_of(&app, &bureau).await,
        vec![("SUPERVISION_ASSIGNED".to_string(), assigned.clone())]
    );
    assert_eq!(
        notes_of(&app, &office).await,
        vec![("SUPERVISION_ASSIGNED".to_string(), assigned)]
    );
    // A closure returned: the lead unit, with the reason.
    let act = |q: &'static str, v: Value| {
        let bureau = bureau.clone();
        let app = &app;
        async move { app.gql_as(Some(&bureau), q, v).await }
    };
    act(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { state } }",
        json!({ "id": item }),
    )
    .await;
    act(
        "mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { state } }",
        json!({ "i": { "itemId": item, "summary": "已签订合同" } }),
    )
    .await;
    app.data(
        "mutation($i: SupervisionReasonInput!) { returnSupervisionItem(input: $i) { state } }",
        json!({ "i": { "itemId": item, "reason": "请附合同首页扫描件" } }),
    )
    .await;
    let (_, returned) = app
        .gql_as(
            Some(&bureau),
            "{ myNotifications(first: 1) { nodes { kind body } } }",
            json!({}),
        )
        .await;
    let node = &returned["data"]["myNotifications"]["nodes"][0];
    assert_eq!(node["kind"], "SUPERVISION_RETURNED");
    assert!(
        node["body"]
            .as_str()
            .unwrap()
            .contains("意见：请附合同首页扫描件"),
        "{node}"
    );
    // Three days before the deadline, then past it: once each.
    let config = SchedulerConfig::default();
    for day in ["2025-11-26", "2025-11-27", "2025-12-02", "2025-12-03"] {
        scheduler::run(&app.db, at(&format!("{day}T02:00:00Z")), &config)
            .await
            .unwrap();
    }
    let kinds: Vec<String> = notes_of(&app, &bureau)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("SUPERVISION_") && k != "SUPERVISION_ASSIGNED")
        .collect();
    assert_eq!(
        kinds,
        vec![
            "SUPERVISION_OVERDUE",
            "SUPERVISION_DUE_SOON",
            "SUPERVISION_RETURNED"
        ]
    );
    let office_kinds: Vec<String> = notes_of(&app, ADMIN_TOKEN)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("SUPERVISION_"))
        .collect();
    assert_eq!(office_kinds, vec!["SUPERVISION_OVERDUE"]);
}

// Findings of the outside probe of issue 17.

#[tokio::test]
async fn a_switched_off_webhook_sends_nothing_more() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(usize::MAX).await;
    let hook = create_webhook(
        &app,
        json!({ "name": "泄露的群", "kind": "GENERIC", "url": receiver.url(), "secret": "k" }),
    )
    .await;
    app.data(
        "mutation($w: ID!) { testWebhook(id: $w) { id } }",
        json!({ "w": hook }),
    )
    .await;
    let dispatcher = Dispatcher::new(app.db.clone(), fast());
    dispatcher.run_once(chrono::Utc::now()).await.unwrap();
    assert_eq!(receiver.got().len(), 1);
    app.data(
        "mutation($w: ID!) { setWebhookActive(id: $w, active: false) { active } }",
        json!({ "w": hook }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(dispatcher.run_once(chrono::Utc::now()).await.unwrap(), 0);
    assert_eq!(receiver.got().len(), 1, "its pending retry is not sent");
    let test = app
        .gql(
            "mutation($w: ID!) { testWebhook(id: $w) { id } }",
            json!({ "w": hook }),
        )
        .await;
    assert_eq!(
        test["errors"][0]["extensions"]["code"], "INVALID_TRANSITION",
        "{test}"
    );
}

#[tokio::test]
async fn a_robots_key_is_never_shown_and_addresses_are_checked() {
    let app = TestApp::spawn().await;
    create_webhook(
        &app,
        json!({ "name": "飞书群", "kind": "FEISHU",
            "url": "https://open.feishu.cn/open-apis/bot/v2/hook/feishuHOOKLEAK4" }),
    )
    .await;
    let listed = app
        .data("{ webhooks { url } auditLog { input } }", json!({}))
        .await;
    assert!(!listed.to_string().contains("feishuHOOKLEAK4"), "{listed}");
    for (url, why) in [
        (
            "http://user:pass@127.0.0.1:19005/x",
            "credentials in the address",
        ),
        ("http://127.0.0.1:99999/x", "no such port"),
        ("http://127.0.0.1:0/x", "port zero"),
    ] {
        let refused = app
            .gql(
                "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
                json!({ "i": { "name": "群", "kind": "WECOM", "url": url } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "INVALID_VALUE",
            "{why}: {refused}"
        );
        assert!(!refused.to_string().contains("user:pass"), "{refused}");
    }
    let secret = app
        .gql(
            "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
            json!({ "i": { "name": "群", "kind": "DINGTALK", "url": "https://oapi.dingtalk.com/robot/send?access_token=x", "secret": "a\u{0}b" } }),
        )
        .await;
    assert_eq!(
        secret["errors"][0]["extensions"]["code"], "INVALID_TEXT",
        "{secret}"
    );
    let long = app
        .gql(
            "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }",
            json!({ "i": { "name": "群", "kind": "DINGTALK", "url": "https://oapi.dingtalk.com/robot/send?access_token=x", "secret": "s".repeat(300) } }),
        )
        .await;
    assert_eq!(
        long["errors"][0]["extensions"]["code"], "TOO_LONG",
        "{long}"
    );
    // No kinds listed: every kind, and the listing says which.
    let all = app.data("{ webhooks { events } }", json!({})).await;
    assert_eq!(
        all["webhooks"][0]["events"].as_array().unwrap().len(),
        10,
        "{all}"
    );
}

#[tokio::test]
async fn pages_and_marks_of_notifications_are_bounded() {
    let app = TestApp::spawn().await;
    let zero = app
        .gql("{ myNotifications(first: 0) { unreadCount } }", json!({}))
        .await;
    assert_eq!(
        zero["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{zero}"
    );
    let ids: Vec<String> = (1..=1001).map(|i| i.to_string()).collect();
    let many = app
        .gql(
            "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(
        many["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{many}"
    );
    let p = park(&app).await;
    let far = app
        .gql(
            r#"query($p: ID!) { plan(id: $p) { reportDueDate(month: "9999-12") } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(
        far["errors"][0]["extensions"]["code"], "INVALID_DATE",
        "{far}"
    );
}

#[tokio::test]
async fn a_month_not_yet_over_is_reminded_when_its_due_day_is_near() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let office = app
        .issue_token("经济发展局填报员", "REPORTER", Some(&p.office))
        .await;
    // November's report due on 12-01, not postponed.
    app.data(
        "mutation($p: ID!) { updatePlan(input: { id: $p, reportDueDay: 1, reportDuePostponed: false }) { id } }",
        json!({ "p": p.plan }),
    )
    .await;
    app.set_now("2025-11-28T02:00:00Z");
    scheduler::run(
        &app.db,
        at("2025-11-28T02:00:00Z"),
        &SchedulerConfig::default(),
    )
    .await
    .unwrap();
    let notes = notes_of(&app, &office).await;
    assert!(
        notes.contains(&(
            "REPORT_DUE_SOON".to_string(),
            "【催报提醒】经济发展局：2025年11月进度请于12月1日（周一）前报送".to_string()
        )),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_hanging_receiver_does_not_hold_up_another() {
    let app = TestApp::spawn().await;
    let slow = Receiver::start_hanging(Duration::from_secs(8)).await;
    let quick = Receiver::start(0).await;
    let slow_hook = create_webhook(
        &app,
        json!({ "name": "慢的", "kind": "GENERIC", "url": slow.url(), "secret": "k" }),
    )
    .await;
    let quick_hook = create_webhook(
        &app,
        json!({ "name": "快的", "kind": "GENERIC", "url": quick.url(), "secret": "k" }),
    )
    .await;
    app.data(
        "mutation($w: ID!) { testWebhook(id: $w) { id } }",
        json!({ "w": slow_hook }),
    )
    .await;
    let dispatcher = Dispatcher::new(
        app.db.clone(),
        DispatchConfig {
            poll: Duration::from_millis(50),
            timeout: Duration::from_secs(10),
            ..fast()
        },
    );
    let running = tokio::spawn(dispatcher.clone().run());
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.data(
        "mutation($w: ID!) { testWebhook(id: $w) { id } }",
        json!({ "w": quick_hook }),
    )
    .await;
    let start = Instant::now();
    while quick.got().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "held up behind the slow receiver"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "a quick receiver got its event {} ms after it was written, a slow one hanging",
        start.elapsed().as_millis()
    );
    running.abort();
}

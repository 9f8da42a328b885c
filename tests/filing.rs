//! Reports submitted at once are filed together (group commit) and each is
//! answered for itself: stored exactly once when acknowledged, refused with
//! its own reason, audited under its own submitter.
mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::{ADMIN_TOKEN, TestApp, backend_name};
use futures_util::future::join_all;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Value, json};

const SUBMIT: &str =
    "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id submittedBy } }";

/// A write transaction that holds the lock reports are filed under (on
/// PostgreSQL, the report table's), so submissions queue up behind it
/// until it ends.
async fn hold_the_write_lock(app: &TestApp) -> sea_orm::DatabaseTransaction {
    let blocker = mubiao::db::begin_write(&app.db).await.unwrap();
    if app.db.get_database_backend() == DbBackend::Postgres {
        blocker
            .execute_unprepared("LOCK TABLE report IN SHARE MODE")
            .await
            .unwrap();
    }
    blocker
}

/// A park with one bureau carrying one share of 签约项目 (20) in an open
/// plan: what the single-share filing tests start from.
struct OneShare {
    app: TestApp,
    bureau: String,
    plan: String,
    share: String,
}

async fn one_share() -> OneShare {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商一局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 }))
        .await;
    let share = app.assign(&goal, &bureau, None).await;
    OneShare {
        app,
        bureau,
        plan,
        share,
    }
}

/// The one number a `SELECT COUNT(*) AS n …` answers.
async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db
        .query_one_raw(mubiao::db::statement(
            app.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

/// Waits until `n` reports have passed their checks and are in the
/// writer's hands (queued, or in the batch blocked on the lock): the
/// point where a test may change the plan under them or let them go.
async fn writer_holds(app: &TestApp, n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while app.filer.in_writer() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {n} reports reached the writer",
            app.filer.in_writer()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_burst_is_filed_exactly_once_each_with_its_own_outcome_and_author() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let mut bureaus = Vec::new();
    for name in [
        "招商一局",
        "招商二局",
        "招商三局",
        "建设一局",
        "建设二局",
        "建设三局",
    ] {
        bureaus.push(app.create_unit(name, Some(&owner)).await);
    }
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let signed = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 30.0 }))
        .await;
    let built = app
        .create_goal(json!({ "planId": plan, "title": "标准厂房建设", "kind": "CUMULATIVE", "targetValue": 30.0 }))
        .await;
    let mut shares = Vec::new();
    for (i, bureau) in bureaus.iter().enumerate() {
        let goal = if i < 3 { &signed } else { &built };
        shares.push(app.assign(goal, bureau, Some(10.0)).await);
    }
    let first_clerk = app
        .issue_token("招商一局填报员", "REPORTER", Some(&bureaus[0]))
        .await;
    let fourth_clerk = app
        .issue_token("建设一局填报员", "REPORTER", Some(&bureaus[3]))
        .await;

    // A token's first use of the minute records it (a write): used once
    // now, the clerks' submissions below do not wait for the lock before
    // their checks.
    for token in [&first_clerk, &fourth_clerk] {
        app.gql_as(Some(token), "{ me { name } }", json!({})).await;
    }
    // Hold the report table's write lock so the submissions queue up
    // behind it; while it is held, the second goal is archived.
    let blocker = hold_the_write_lock(&app).await;
    let mut submissions = Vec::new();
    let server = &app;
    for (i, share) in shares.iter().enumerate() {
        let token = match i {
            0 => first_clerk.as_str(),
            3 => fourth_clerk.as_str(),
            _ => ADMIN_TOKEN,
        };
        for month in 1..=5 {
            let vars = json!({ "i": {
                "assignmentId": share,
                "asOf": format!("2025-{month:02}-28"),
                "value": month as f64,
                "note": format!("第{}份第{month}月", i + 1),
            }});
            submissions.push(async move {
                let (_, body) = server.gql_as(Some(token), SUBMIT, vars).await;
                (i, month, body)
            });
        }
    }
    let archive_meanwhile = async {
        writer_holds(server, 30).await;
        let archived_at: chrono::DateTime<chrono::Utc> = "2025-06-01T00:00:00Z".parse().unwrap();
        let goal_id: i64 = built.parse().unwrap();
        blocker
            .execute_raw(mubiao::db::statement(
                blocker.get_database_backend(),
                "UPDATE goal SET archived_at = ? WHERE id = ?",
                vec![archived_at.into(), goal_id.into()],
            ))
            .await
            .unwrap();
        blocker.commit().await.unwrap();
    };
    let (answers, ()) = futures_util::join!(join_all(submissions), archive_meanwhile);

    let mut filed: HashMap<String, (usize, Value)> = HashMap::new();
    for (i, month, body) in answers {
        if i < 3 {
            assert!(body.get("errors").is_none(), "{body:#}");
            let report = &body["data"]["submitReport"];
            let id = report["id"].as_str().unwrap().to_string();
            assert!(
                filed
                    .insert(id, (i, report["submittedBy"].clone()))
                    .is_none()
            );
        } else {
            // Every report of the archived goal waited for the lock, so
            // every one is refused, whether before or inside the batch.
            assert_eq!(
                body["errors"][0]["extensions"]["code"],
                json!("ARCHIVED"),
                "share {i} month {month} ({}): {body:#}",
                backend_name()
            );
        }
    }
    assert_eq!(filed.len(), 15);
    // Group commit: the writer took at most one report before the lock
    // held it; every other waited in the queue and went in one batch.
    assert!(
        app.filer.transactions() <= 2,
        "30 reports in {} transactions",
        app.filer.transactions()
    );
    assert_eq!(app.filer.answered(), 30);

    // Stored exactly once each: five reports per open share, none on the
    // archived goal's, and the latest (May, 5) stands for each.
    let d = app
        .data(
            r#"query($id: ID!) { plan(id: $id) { allGoals { title assignments { reports { id note } } }
                 progress(asOf: "2025-06-30") { actual } } }"#,
            json!({ "id": plan }),
        )
        .await;
    let mut stored = HashSet::new();
    for goal in d["plan"]["allGoals"].as_array().unwrap() {
        for share in goal["assignments"].as_array().unwrap() {
            let reports = share["reports"].as_array().unwrap();
            let want = if goal["title"] == json!("签约项目") {
                5
            } else {
                0
            };
            assert_eq!(reports.len(), want, "{goal:#}");
            stored.extend(
                reports
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_string()),
            );
        }
    }
    assert_eq!(stored, filed.keys().cloned().collect::<HashSet<_>>());
    let signed_progress = app
        .data(
            r#"query($id: ID!) { goal(id: $id) { progress(asOf: "2025-06-30") { actual } } }"#,
            json!({ "id": signed }),
        )
        .await;
    assert_eq!(signed_progress["goal"]["progress"]["actual"], json!(15.0));

    // One audit row per filed report, naming the token that submitted it.
    let log = app
        .data(
            r#"{ auditLog(objectType: "report", limit: 100) { actor operation objectId } }"#,
            json!({}),
        )
        .await;
    let entries = log["auditLog"].as_array().unwrap();
    assert_eq!(entries.len(), 15);
    for entry in entries {
        let (share, submitted_by) = &filed[entry["objectId"].as_str().unwrap()];
        assert_eq!(entry["operation"], json!("submitReport"));
        assert_eq!(&entry["actor"], submitted_by);
        let want = if *share == 0 {
            "招商一局填报员"
        } else {
            "operator"
        };
        assert_eq!(entry["actor"], json!(want));
    }
}

/// A clerk who presses submit three times sends three identical reports;
/// filed in one statement, each is answered with its own stored row.
#[tokio::test]
async fn identical_reports_in_one_batch_each_get_their_own_row() {
    let OneShare { app, share, .. } = one_share().await;

    let blocker = hold_the_write_lock(&app).await;
    let same = json!({ "i": { "assignmentId": share, "asOf": "2025-03-31", "value": 6.0, "note": "签约3个项目" } });
    let other = json!({ "i": { "assignmentId": share, "asOf": "2025-03-31", "value": 7.0, "note": "更正" } });
    let mut submissions: Vec<_> = (0..3)
        .map(|_| app.gql_as(Some(ADMIN_TOKEN), SUBMIT_FULL, same.clone()))
        .collect();
    submissions.push(app.gql_as(Some(ADMIN_TOKEN), SUBMIT_FULL, other));
    let release = async {
        writer_holds(&app, 4).await;
        blocker.commit().await.unwrap();
    };
    let (answers, ()) = futures_util::join!(join_all(submissions), release);

    let mut ids = HashSet::new();
    for (n, (_, body)) in answers.iter().enumerate() {
        assert!(body.get("errors").is_none(), "{body:#}");
        let report = &body["data"]["submitReport"];
        let (value, note) = if n < 3 {
            (6.0, "签约3个项目")
        } else {
            (7.0, "更正")
        };
        assert_eq!(report["value"], json!(value), "{} {report}", backend_name());
        assert_eq!(report["note"], json!(note));
        ids.insert(report["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 4, "{answers:?}");
    let d = app
        .data(
            r#"query($id: ID!) { assignment(id: $id) { reports { id } } }"#,
            json!({ "id": share }),
        )
        .await;
    let stored: HashSet<String> = d["assignment"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored, ids);
}

const SUBMIT_FULL: &str =
    "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id value note } }";

/// A clerk's retries racing each other behind the write lock: none of them
/// can see a key another has filed (nothing commits while the lock is
/// held), so all reach the writer, which files one report and answers it
/// to every retry; the retries leave no audit row. A report with another
/// key in the same wait is filed as its own.
#[tokio::test]
async fn racing_retries_with_one_idempotency_key_file_one_report() {
    let OneShare {
        app, bureau, share, ..
    } = one_share().await;
    let clerk = app
        .issue_token("招商一局填报员", "REPORTER", Some(&bureau))
        .await;

    app.gql_as(Some(&clerk), "{ me { name } }", json!({})).await;
    let blocker = hold_the_write_lock(&app).await;
    let retry = json!({ "i": { "assignmentId": share, "asOf": "2025-03-31", "value": 6.0,
        "note": "签约3个项目", "idempotencyKey": "form-7d1c" } });
    let other = json!({ "i": { "assignmentId": share, "asOf": "2025-03-31", "value": 6.0,
        "note": "签约3个项目", "idempotencyKey": "form-9e2a" } });
    let mut submissions: Vec<_> = (0..4)
        .map(|_| app.gql_as(Some(&clerk), SUBMIT_FULL, retry.clone()))
        .collect();
    submissions.push(app.gql_as(Some(&clerk), SUBMIT_FULL, other));
    let release = async {
        writer_holds(&app, 5).await;
        blocker.commit().await.unwrap();
    };
    let (answers, ()) = futures_util::join!(join_all(submissions), release);

    let ids: Vec<String> = answers
        .iter()
        .map(|(_, body)| {
            assert!(body.get("errors").is_none(), "{body:#}");
            body["data"]["submitReport"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(ids[..4].iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_ne!(ids[4], ids[0]);
    let d = app
        .data(
            r#"query($id: ID!) { assignment(id: $id) { reports { id } } }"#,
            json!({ "id": share }),
        )
        .await;
    let stored: HashSet<String> = d["assignment"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored, HashSet::from([ids[0].clone(), ids[4].clone()]));
    let audited = count(
        &app,
        "SELECT COUNT(*) AS n FROM audit_log WHERE object_type = 'report'",
    )
    .await;
    assert_eq!(
        audited, 2,
        "one audit row per report filed, none for retries"
    );
}

/// A report checked while its plan was open, and the plan closed before
/// the writer filed it: the insert's own check that the plan is still
/// ACTIVE refuses it, and nothing is stored.
#[tokio::test]
async fn a_report_waiting_while_its_plan_closes_is_refused_and_not_stored() {
    let OneShare {
        app, plan, share, ..
    } = one_share().await;

    let blocker = hold_the_write_lock(&app).await;
    let vars = json!({ "i": { "assignmentId": share, "asOf": "2025-03-31", "value": 6.0, "note": "签约3个项目" } });
    let submission = app.gql_as(Some(ADMIN_TOKEN), SUBMIT, vars);
    let close_meanwhile = async {
        writer_holds(&app, 1).await;
        let plan_id: i64 = plan.parse().unwrap();
        blocker
            .execute_raw(mubiao::db::statement(
                blocker.get_database_backend(),
                "UPDATE plan SET state = 'CLOSED' WHERE id = ?",
                vec![plan_id.into()],
            ))
            .await
            .unwrap();
        blocker.commit().await.unwrap();
    };
    let ((_, body), ()) = futures_util::join!(submission, close_meanwhile);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("PLAN_CLOSED"),
        "{} {body:#}",
        backend_name()
    );
    let stored = count(&app, "SELECT COUNT(*) AS n FROM report").await;
    assert_eq!(stored, 0);
}

/// Twenty reports that queue behind a held lock are filed in at most two
/// transactions (the one the writer had begun, and one batch), not one
/// transaction each.
#[tokio::test]
async fn reports_queued_together_are_filed_in_one_batch() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal = app
        .create_goal(json!({ "planId": plan, "title": "盘活闲置厂房", "kind": "CUMULATIVE", "targetValue": 50000.0 }))
        .await;
    let mut shares = Vec::new();
    for name in ["建设一局", "建设二局", "建设三局", "建设四局"] {
        let unit = app.create_unit(name, Some(&owner)).await;
        shares.push(app.assign(&goal, &unit, Some(12500.0)).await);
    }
    let blocker = hold_the_write_lock(&app).await;
    let before = app.filer.transactions();
    let submissions: Vec<_> = (0..20)
        .map(|n| {
            let vars = json!({ "i": { "assignmentId": shares[n % 4], "asOf": format!("2025-{:02}-28", n / 4 + 1),
                "value": 1000.0 * (n / 4 + 1) as f64, "note": "盘活厂房面积（平方米）" } });
            app.gql_as(Some(ADMIN_TOKEN), SUBMIT, vars)
        })
        .collect();
    let release = async {
        writer_holds(&app, 20).await;
        blocker.commit().await.unwrap();
    };
    let (answers, ()) = futures_util::join!(join_all(submissions), release);
    for (_, body) in &answers {
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let used = app.filer.transactions() - before;
    assert!(
        used <= 2,
        "20 reports in {used} transactions ({})",
        backend_name()
    );
    assert_eq!(app.filer.in_writer(), 0);
}

//! HTTP concerns: health, GraphiQL, and real binary runs (serve, demo, token).
mod common;

use common::TestApp;
use common::binary::{BinaryDb, Server, http};
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

/// Starts the real binary as README tells a newcomer to, on a fresh
/// database, and finds the demo plan over HTTP with the demo's token.
#[test]
fn the_binary_serves_the_demo_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "smoke");
    let (_server, port) = db.serve(&["--demo"]);
    let query = json!({ "query": r#"{ plans { name year progress(asOf: "2025-10-31") { completionPercent } unitProgress(asOf: "2025-10-31") { unit { name } } goals { title } } }"# });
    let (status, body) = http(
        port,
        "POST",
        "/graphql",
        Some(&query.to_string()),
        Some(mubiao::demo::VIEWER_TOKEN),
    )
    .unwrap();
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
    // GraphiQL carries no token (it reads as the person signed in): a
    // page anyone may fetch must not hand out a credential, even the demo's.
    let (status, page) = http(port, "GET", "/graphql", None, None).unwrap();
    assert_eq!(status, 200);
    assert!(
        !page.contains(mubiao::demo::VIEWER_TOKEN),
        "GraphiQL hands out the demo token"
    );
    assert!(!page.contains("Authorization"), "{page}");
    // The demo token reads; it cannot write.
    let write =
        json!({ "query": r#"mutation { createUnit(input: { name: "x" }) { id } }"# }).to_string();
    let (_, body) = http(
        port,
        "POST",
        "/graphql",
        Some(&write),
        Some(mubiao::demo::VIEWER_TOKEN),
    )
    .unwrap();
    assert!(body.contains("FORBIDDEN"), "{body}");
}

/// An operator issues a reporter token from the command line; it works
/// over HTTP with the role and unit it was given.
#[test]
fn the_cli_issues_a_working_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "cli");
    assert!(db.command().arg("demo").status().unwrap().success());
    let out = db
        .command()
        .args([
            "token",
            "create",
            "--name",
            "招商合作局 填报员",
            "--role",
            "reporter",
            "--unit",
            "招商合作局",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        token.starts_with("mb_") && token.len() == 67,
        "stdout holds the token alone: {token:?}"
    );
    let (_server, port) = db.serve(&[]);
    let query = json!({ "query": "{ me { name role unit { name } } }" }).to_string();
    let (status, body) = http(port, "POST", "/graphql", Some(&query), Some(&token)).unwrap();
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["data"]["me"],
        json!({ "name": "招商合作局 填报员", "role": "REPORTER", "unit": { "name": "招商合作局" } })
    );
    let listed = String::from_utf8(
        db.command()
            .args(["token", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        listed.contains("招商合作局 填报员\tREPORTER") && !listed.contains(&token),
        "{listed}"
    );
    let (status, _) = http(
        port,
        "POST",
        "/graphql",
        Some(&query),
        Some("mb_not-a-token"),
    )
    .unwrap();
    assert_eq!(status, 401);
    // Revoked from the command line, refused at once.
    let id = listed
        .lines()
        .find(|l| l.contains("填报员"))
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    assert!(
        db.command()
            .args(["token", "revoke", &id])
            .status()
            .unwrap()
            .success()
    );
    let (status, _) = http(port, "POST", "/graphql", Some(&query), Some(&token)).unwrap();
    assert_eq!(status, 401);
}

/// Tokens never reach the log, even at the most verbose level, whether
/// they are accepted or refused.
#[test]
fn tokens_never_appear_in_logs() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "logs");
    let log_path = dir.path().join("server.log");
    let operator_key = "operator-key-7f3a9c-2d81e5b04c6f93a7";
    let mut command = db.command();
    command
        .args(["serve", "--demo"])
        .env("RUST_LOG", "trace")
        .env("MUBIAO_ADMIN_TOKEN", operator_key)
        .stderr(std::fs::File::create(&log_path).unwrap());
    let (server, port) = Server::start(command);
    let issue = json!({ "query": "mutation { createToken(input: { name: \"大屏\", role: VIEWER }) { token } }" }).to_string();
    let (_, body) = http(port, "POST", "/graphql", Some(&issue), Some(operator_key)).unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    let issued = body["data"]["createToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let query = json!({ "query": "{ me { name } }" }).to_string();
    assert_eq!(
        http(port, "POST", "/graphql", Some(&query), Some(&issued))
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        http(
            port,
            "POST",
            "/graphql",
            Some(&query),
            Some("mb_wrong-token-123456")
        )
        .unwrap()
        .0,
        401
    );
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.len() > 100, "trace logging wrote something: {log:.200}");
    for secret in [
        operator_key,
        issued.as_str(),
        "mb_wrong-token-123456",
        mubiao::demo::VIEWER_TOKEN,
    ] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
}

/// The operator writes the 完成情况表 from the command line.
#[test]
fn the_cli_exports_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "export");
    assert!(db.command().arg("demo").status().unwrap().success());
    let csv = dir.path().join("完成情况表.csv");
    let xlsx = dir.path().join("完成情况表.xlsx");
    // The office reads Chinese (the harness asks for English).
    for out in [&csv, &xlsx] {
        let status = db
            .command()
            .args([
                "--lang",
                "zh",
                "export",
                "--plan",
                "1",
                "--as-of",
                "2025-10-31",
            ])
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{FEFF}'));
    assert!(
        text.starts_with("\u{FEFF}序号,类别,目标任务,类型,"),
        "{text}"
    );
    let signed = text.lines().find(|l| l.contains(",签约项目,")).unwrap();
    // 分值, 目标值, 上年完成 (none), 完成值, 完成率, 序时进度, 差距, 亮灯,
    // 状态, 得分 (15 × 85 %), 牵头单位, 责任领导.
    assert!(
        signed.contains(",15,20,,17,85.0,83.3,1.7,绿灯,推进中,12.75,招商合作局,李建华,"),
        "{signed}"
    );
    // In English (`MUBIAO_LANG=en`) the columns and words are English, the
    // plan's own words as the office wrote them.
    let english = dir.path().join("completion.csv");
    let status = db
        .command()
        .args(["export", "--plan", "1", "--as-of", "2025-10-31"])
        .arg(&english)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&english).unwrap();
    assert!(
        text.starts_with("\u{FEFF}No.,Category,Goal,Kind,Measure unit,Weight,"),
        "{text}"
    );
    let signed = text.lines().find(|l| l.contains(",签约项目,")).unwrap();
    assert!(
        signed.contains(
            ",Cumulative,个,15,20,,17,85.0,83.3,1.7,Green,In progress,12.75,招商合作局,李建华,"
        ),
        "{signed}"
    );
    assert!(
        std::fs::read(&xlsx).unwrap().starts_with(b"PK"),
        "an .xlsx is a zip"
    );
    // The 分解表 is .xlsx only: asked for as .csv it is refused, not
    // written as a zip under a .csv name (an outside probe got one).
    let breakdown = dir.path().join("分解表.csv");
    let refused = db
        .command()
        .args(["export", "--plan", "1", "--breakdown"])
        .arg(&breakdown)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is written as .xlsx only"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!breakdown.exists());
}

#[test]
fn the_cli_imports_a_breakdown_sheet_or_lists_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "import");
    assert!(db.command().arg("demo").status().unwrap().success());
    let sheet = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/dongting-2025-breakdown.xlsx"
    );
    // The demo's 分解表 seeds next year's plan: its deadlines carry no year.
    let dry = db
        .command()
        .args([
            "--lang",
            "en",
            "import",
            "--plan",
            "2026",
            "--name",
            "洞庭产业开发区2026年度目标任务",
        ])
        .args(["--dry-run", sheet])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&dry.stderr);
    assert!(dry.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "dry run, nothing written; would import into a new plan 洞庭产业开发区2026年度目标任务: 14 goals, 14 shares, 3 milestones from sheet 目标任务分解表"
        ),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(stdout.contains("签约项目  [CUMULATIVE] 20个"), "{stdout}");

    let imported = db
        .command()
        .args([
            "--lang",
            "en",
            "import",
            "--plan",
            "2026年",
            "--name",
            "洞庭产业开发区2026年度目标任务",
            sheet,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&imported.stderr);
    assert!(imported.status.success(), "{stderr}");
    // On PostgreSQL the dry run used up a plan ID (sequences do not roll back).
    let plan_id: String = stderr
        .split("imported into new plan ")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        !plan_id.is_empty()
            && stderr.contains(&format!(
                "imported into new plan {plan_id} 洞庭产业开发区2026年度目标任务: 14 goals"
            )),
        "{stderr}"
    );

    // The plan now has goals: a second import is refused, and a sheet with
    // problems lists each with its cell and exits non-zero.
    let again = db
        .command()
        .args(["--lang", "en", "import", "--plan", &plan_id, sheet])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has 14 goals"));
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "序号,目标任务,目标值,完成时限\n1,签约项目,20个,10月之前\n",
    )
    .unwrap();
    let refused = db
        .command()
        .args(["--lang", "en", "import", "--plan", "2027", "--name", "测试"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("D2 (完成时限): \"10月之前\" could mean the end of month 9 or of month 10; write 2027年10月底 or the day  [AMBIGUOUS_DATE]"),
        "{stderr}"
    );
}

/// A database the demo was loaded into, served without `--demo`: the
/// operator is warned that its published token still works, and told
/// what to do.
#[test]
fn serving_a_demo_database_for_real_warns() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "demo_for_real");
    drop(db.serve(&["--demo"]));
    let log = dir.path().join("serve.log");
    let mut command = db.command();
    command
        .args(["serve"])
        .stderr(std::fs::File::create(&log).unwrap());
    let (server, _port) = Server::start(command);
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("this database holds the demo") && text.contains("token revoke"),
        "{text}"
    );
    // A database that never held the demo: no such warning.
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = BinaryDb::new(clean_dir.path(), "never_demo");
    let log = clean_dir.path().join("serve.log");
    let mut command = clean.command();
    command
        .args(["serve"])
        .stderr(std::fs::File::create(&log).unwrap());
    drop(Server::start(command));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("holds the demo"), "{text}");
}

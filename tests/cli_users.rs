//! The operator's `user` commands and the demo's accounts, run as the real
//! binary: accounts created (the password read from standard input),
//! listed, reset and disabled, in Chinese by default and in English with
//! `--lang en`, each change audited as "cli" without its password; then
//! signing in over HTTP to the server the binary runs.
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::binary::{BinaryDb, Server};
use serde_json::{Value, json};

/// Runs `mubiao` as the office does (in Chinese), with `stdin` piped in.
fn run(db: &BinaryDb, args: &[&str], stdin: &str) -> Output {
    let mut child = db
        .command()
        .env("MUBIAO_LANG", "zh")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn refusal(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// One HTTP/1.1 exchange; the whole answer, headers and body.
fn raw(port: u16, head: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{head}Host: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next().unwrap();
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Signs in; the session token, or the Location of a refusal.
fn sign_in(port: u16, username: &str, password: &str) -> Result<String, String> {
    let body = format!("username={username}&password={password}");
    let answer = raw(
        port,
        "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        &body,
    );
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    match header(&answer, "set-cookie") {
        Some(cookie) => Ok(cookie
            .strip_prefix("mubiao_session=")
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_string()),
        None => Err(header(&answer, "location").unwrap().to_string()),
    }
}

/// `me` with the session cookie (and the CSRF header).
fn me(port: u16, token: &str) -> Value {
    let query =
        json!({ "query": "{ me { username displayName role unit { name } mustChangePassword } }" });
    let answer = raw(
        port,
        &format!(
            "POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nCookie: mubiao_session={token}\r\nX-Requested-With: mubiao\r\n"
        ),
        &query.to_string(),
    );
    let body = answer.split("\r\n\r\n").nth(1).unwrap();
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    body["data"]["me"].clone()
}

/// The `cli` rows of the audit log: (operation, input).
fn cli_audit(db: &BinaryDb) -> Vec<(String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let config = db.config();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let conn = mubiao::db::connect(&config).await.unwrap();
        entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::ActorName.eq("cli"))
            .order_by_asc(entity::audit_log::Column::Id)
            .all(&conn)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.operation, r.input))
            .collect()
    })
}

#[test]
fn accounts_are_created_listed_reset_and_disabled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "cli_users");
    stdout(&run(
        &db,
        &["unit", "create", "--name", "洞庭产业开发区管委会"],
        "",
    ));
    stdout(&run(
        &db,
        &[
            "unit",
            "create",
            "--name",
            "招商合作局",
            "--parent",
            "洞庭产业开发区管委会",
        ],
        "",
    ));

    let created = run(
        &db,
        &[
            "user",
            "create",
            "--username",
            "zhaoshang",
            "--name",
            "招商合作局填报员",
            "--role",
            "reporter",
            "--unit",
            "招商合作局",
            "--password-stdin",
        ],
        "first-password\n",
    );
    assert_eq!(
        stdout(&created),
        "已创建用户 zhaoshang（招商合作局填报员，填报员，单位：招商合作局），首次登录时须修改密码\n"
    );
    let english = run(
        &db,
        &[
            "--lang",
            "en",
            "user",
            "create",
            "--username",
            "leader",
            "--name",
            "园区领导",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "leader-password\r\n",
    );
    assert_eq!(
        stdout(&english),
        "user leader created (园区领导, VIEWER); the password must be changed at first sign-in\n"
    );

    // Refusals, with their codes.
    let short = run(
        &db,
        &[
            "user",
            "create",
            "--username",
            "x1",
            "--name",
            "某人",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(
        refusal(&short).contains("密码至少要有 8 个字符  [PASSWORD_TOO_SHORT]"),
        "{}",
        refusal(&short)
    );
    let taken = run(
        &db,
        &[
            "user",
            "create",
            "--username",
            "ZhaoShang",
            "--name",
            "某人",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "long-enough\n",
    );
    assert!(
        refusal(&taken).contains("[DUPLICATE]"),
        "{}",
        refusal(&taken)
    );
    // Never from the command line itself.
    let no_stdin = run(
        &db,
        &[
            "user",
            "create",
            "--username",
            "x2",
            "--name",
            "某人",
            "--role",
            "viewer",
        ],
        "",
    );
    assert!(refusal(&no_stdin).contains("--password-stdin"));

    let listed = stdout(&run(&db, &["user", "list"], ""));
    let rows: Vec<&str> = listed
        .lines()
        .map(|l| l.split_once('\t').unwrap().1)
        .collect();
    assert_eq!(
        rows,
        [
            "zhaoshang\t招商合作局填报员\t填报员 单位 招商合作局\t须修改密码",
            "leader\t园区领导\t只读\t须修改密码"
        ]
    );

    // Signing in to the server the binary runs.
    let (_server, port) = db.serve(&[]);
    let token = sign_in(port, "zhaoshang", "first-password").unwrap();
    assert_eq!(
        me(port, &token),
        json!({ "username": "zhaoshang", "displayName": "招商合作局填报员", "role": "REPORTER",
                "unit": { "name": "招商合作局" }, "mustChangePassword": true })
    );

    let reset = run(
        &db,
        &[
            "user",
            "reset-password",
            "--username",
            "zhaoshang",
            "--password-stdin",
        ],
        "second-password\n",
    );
    assert_eq!(
        stdout(&reset),
        "用户 zhaoshang 的密码已重置，下次登录时须修改密码；其登录会话已全部结束\n"
    );
    assert_eq!(me(port, &token), Value::Null);
    assert_eq!(
        sign_in(port, "zhaoshang", "first-password"),
        Err("/login?error=invalid&next=%2F".into())
    );
    sign_in(port, "zhaoshang", "second-password").unwrap();

    let disabled = run(
        &db,
        &["--lang", "en", "user", "disable", "--username", "ZHAOSHANG"],
        "",
    );
    assert_eq!(
        stdout(&disabled),
        "user zhaoshang disabled; its sessions have ended\n"
    );
    assert_eq!(
        sign_in(port, "zhaoshang", "second-password"),
        Err("/login?error=invalid&next=%2F".into())
    );
    let unknown = run(&db, &["user", "disable", "--username", "nobody"], "");
    assert!(refusal(&unknown).contains("[NOT_FOUND]"));
    let listed = stdout(&run(&db, &["user", "list", "--lang", "en"], ""));
    assert!(
        listed.contains("zhaoshang\t招商合作局填报员\tREPORTER unit 招商合作局\tdisabled\n"),
        "{listed}"
    );

    // Back from leave: enabled again, the same password works.
    let enabled = run(&db, &["user", "enable", "--username", "zhaoshang"], "");
    assert_eq!(
        stdout(&enabled),
        "用户 zhaoshang 已重新启用，可用原密码登录\n"
    );
    sign_in(port, "zhaoshang", "second-password").unwrap();

    let audit = cli_audit(&db);
    let ops: Vec<&str> = audit.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        ops,
        [
            "unit create",
            "unit create",
            "user create",
            "user create",
            "user reset-password",
            "user disable",
            "user enable"
        ]
    );
    assert_eq!(audit[5].1, r#"{"username":"ZHAOSHANG"}"#);
    let all = format!("{audit:?}");
    for password in ["first-password", "leader-password", "second-password"] {
        assert!(!all.contains(password), "{all}");
    }
}

#[test]
fn serve_demo_creates_the_three_demo_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "demo_accounts");
    let log_path = dir.path().join("server.log");
    let mut command = db.command();
    command
        .args(["serve", "--demo"])
        .env("RUST_LOG", "info")
        .stderr(std::fs::File::create(&log_path).unwrap());
    let (_server, port) = Server::start(command);
    let log = std::fs::read_to_string(&log_path).unwrap();
    for pair in [
        "admin / mubiao-admin",
        "zhaoshang / mubiao-zhaoshang",
        "leader / mubiao-leader",
    ] {
        assert!(log.contains(pair), "{pair} missing from the log: {log}");
    }
    let expected = [
        (
            "admin",
            "mubiao-admin",
            json!({ "username": "admin", "displayName": "目标办管理员", "role": "ADMIN", "unit": null, "mustChangePassword": false }),
        ),
        (
            "zhaoshang",
            "mubiao-zhaoshang",
            json!({ "username": "zhaoshang", "displayName": "招商合作局填报员", "role": "REPORTER", "unit": { "name": "招商合作局" }, "mustChangePassword": false }),
        ),
        (
            "leader",
            "mubiao-leader",
            json!({ "username": "leader", "displayName": "园区领导", "role": "VIEWER", "unit": null, "mustChangePassword": false }),
        ),
    ];
    for (username, password, who) in expected {
        let token = sign_in(port, username, password).unwrap();
        assert_eq!(me(port, &token), who);
    }
    // The demo's accounts match the ones the module documents.
    assert_eq!(
        mubiao::demo::ACCOUNTS
            .iter()
            .map(|a| format!("{} / {}", a.username, a.password))
            .collect::<Vec<_>>(),
        [
            "admin / mubiao-admin",
            "zhaoshang / mubiao-zhaoshang",
            "leader / mubiao-leader"
        ]
    );
}

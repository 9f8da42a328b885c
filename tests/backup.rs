//! `mubiao backup` copies a SQLite database while a server serves a burst
//! of reports, consistently; `mubiao restore` refuses a database in use.
mod common;

use std::process::Command;
use std::time::Duration;

use common::binary::{BinaryDb, http};
use serde_json::{Value, json};

const KEY: &str = "backup-operator-key-5d2c9e7a1f3b8046";

fn gql(port: u16, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, text) = http(port, "POST", "/graphql", Some(&body), Some(KEY)).unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn sqlite_only() -> bool {
    std::env::var("TEST_DATABASE_URL").is_err()
}

#[test]
fn a_backup_taken_during_a_burst_of_reports_is_consistent_and_restore_refuses_a_live_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "backup");
    let (server, port) = db.serve_with_env(
        &["--demo", "--no-scheduler", "--no-webhooks"],
        &[("MUBIAO_ADMIN_TOKEN", KEY)],
    );
    let out = dir.path().join("备份-2025-11-30.db");
    if !sqlite_only() {
        // PostgreSQL: pg_dump, as the README says; the command says so too.
        let refused = db.command().args(["backup"]).arg(&out).output().unwrap();
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"));
        drop(server);
        return;
    }
    let shares: Vec<String> = gql(
        port,
        "{ plans { goals { kind assignments { id } } } }",
        json!({}),
    )["data"]["plans"][0]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "CUMULATIVE")
        .flat_map(|g| g["assignments"].as_array().unwrap().clone())
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    // A burst: four clerks filing as fast as the server answers.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(
        String,
        std::time::Instant,
    )>::new()));
    let clerks: Vec<_> = (0..4)
        .map(|c| {
            let (stop, acknowledged, shares) = (stop.clone(), acknowledged.clone(), shares.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let share = &shares[(c + n * 4) % shares.len()];
                    let d = gql(
                        port,
                        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
                        json!({ "i": { "assignmentId": share, "asOf": "2025-11-30", "value": (n + 1) as f64 } }),
                    );
                    if let Some(id) = d["data"]["submitReport"]["id"].as_str() {
                        acknowledged.lock().unwrap().push((id.to_string(), std::time::Instant::now()));
                    }
                    n += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let began = std::time::Instant::now();
    let backup = db.command().args(["backup"]).arg(&out).output().unwrap();
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for clerk in clerks {
        clerk.join().unwrap();
    }
    let before: Vec<String> = acknowledged
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        before.len() >= 10,
        "a burst before the backup: {}",
        before.len()
    );
    // The copy: sound, and holding every report acknowledged before it began.
    let check = |sql: &str| -> String {
        let output = Command::new("python3")
            .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('\\n'.join(str(r[0]) for r in c.execute(sys.argv[2])))"])
            .arg(&out)
            .arg(sql)
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(check("PRAGMA integrity_check").trim(), "ok");
    let kept: std::collections::HashSet<String> = check("SELECT id FROM report")
        .lines()
        .map(str::to_string)
        .collect();
    let missing: Vec<&String> = before.iter().filter(|id| !kept.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, missing from it: {missing:?}"
    );
    println!(
        "backup during a burst: {} reports acknowledged before it began, all in the copy ({} rows)",
        before.len(),
        kept.len()
    );

    // A second backup to the same file is refused.
    let again = db.command().args(["backup"]).arg(&out).output().unwrap();
    assert!(!again.status.success());

    // Restore while the server serves: refused, nothing changed.
    let refused = db.command().args(["restore"]).arg(&out).output().unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("stop them before restoring"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // A file that is not a backup: refused.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let bad = db.command().args(["restore"]).arg(&junk).output().unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("UNREADABLE_FILE"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    // Stopped (SIGTERM: it leaves), the database is restored: reports filed
    // after the backup are gone, those before it are there.
    let pid = server.0.id() as i32;
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let mut server = server;
    let _ = server.0.wait();
    let restored = db.command().args(["restore"]).arg(&out).output().unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let live = dir.path().join("mubiao.db");
    let count = |path: &std::path::Path| -> usize {
        let output = Command::new("python3")
            .args(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM report').fetchone()[0])"])
            .arg(path)
            .output()
            .unwrap();
        String::from_utf8(output.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(count(&live), kept.len(), "the database is the backup's");
    let (_again, port) = db.serve_with_env(
        &["--no-scheduler", "--no-webhooks"],
        &[("MUBIAO_ADMIN_TOKEN", KEY)],
    );
    let plans = gql(port, "{ plans { name } }", json!({}));
    assert!(
        plans["data"]["plans"][0]["name"].as_str().is_some(),
        "{plans}"
    );
}

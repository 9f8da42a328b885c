//! Servers rolling out at once migrate one at a time; an operator who
//! migrates as a step of their own can make `serve` refuse an old schema.
mod common;

use std::process::Stdio;

use common::binary::{BinaryDb, Server, http};
use migration::MigratorTrait;
use sea_orm::ConnectionTrait;

const KEY: &str = "migration-test-operator-key-7c41e9d2";

fn applied_migrations(db: &BinaryDb) -> i64 {
    let config = db.config();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let conn = mubiao::db::connect(&config).await.unwrap();
        conn.query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
    })
}

#[test]
fn three_servers_starting_at_once_on_an_empty_schema_all_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "three_servers");
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let mut command = db.command();
            command.args(["serve"]).env("MUBIAO_ADMIN_TOKEN", KEY);
            std::thread::spawn(move || Server::start(command))
        })
        .collect();
    let servers: Vec<(Server, u16)> = starts.into_iter().map(|s| s.join().unwrap()).collect();
    assert_eq!(
        applied_migrations(&db),
        migration::Migrator::migrations().len() as i64,
        "each migration applied once"
    );
    // What one server writes, another reads: they share one schema.
    let (_, created) = http(
        servers[0].1,
        "POST",
        "/graphql",
        Some(r#"{"query":"mutation { createUnit(input: { name: \"岳阳经济技术开发区管委会\" }) { id } }"}"#),
        Some(KEY),
    )
    .unwrap();
    assert!(created.contains("\"id\""), "{created}");
    let (_, listed) = http(
        servers[2].1,
        "POST",
        "/graphql",
        Some(r#"{"query":"{ units { name } }"}"#),
        Some(KEY),
    )
    .unwrap();
    assert!(listed.contains("岳阳经济技术开发区管委会"), "{listed}");
}

#[test]
fn serve_with_no_migrate_refuses_a_schema_that_is_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "no_migrate");
    let refused = db
        .command()
        .args(["serve", "--no-migrate", "--listen", "127.0.0.1:0"])
        .env("MUBIAO_ADMIN_TOKEN", KEY)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let log = String::from_utf8_lossy(&refused.stderr);
    assert!(log.contains("schema is behind"), "{log}");
    assert!(log.contains("m20261127_000010_integrity"), "{log}");

    let migrated = db.command().arg("migrate").output().unwrap();
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let mut command = db.command();
    command
        .args(["serve", "--no-migrate"])
        .env("MUBIAO_ADMIN_TOKEN", KEY);
    let (_server, port) = Server::start(command);
    assert_eq!(http(port, "GET", "/healthz", None, None).unwrap().0, 200);
}

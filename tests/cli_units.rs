//! The operator's `unit` and `plan copy` commands, run as the real binary:
//! units created, listed as a tree and renamed, in Chinese by default and
//! in English with `--lang en`, each change audited as "cli".
mod common;

use std::process::Output;

use common::binary::BinaryDb;

/// Runs `mubiao` as the office does: in Chinese (the harness asks for
/// English by default; `--lang en` below asks for it again).
fn run(db: &BinaryDb, args: &[&str]) -> Output {
    db.command()
        .env("MUBIAO_LANG", "zh")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The number after "ID " in a line.
fn id_in(line: &str) -> String {
    line.split("ID ")
        .nth(1)
        .unwrap_or_else(|| panic!("no ID in {line:?}"))
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[test]
fn units_are_created_listed_and_renamed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "cli_units");
    let park = stdout(&run(
        &db,
        &["unit", "create", "--name", "洞庭产业开发区管委会"],
    ));
    assert!(
        park.starts_with("已创建顶级单位“洞庭产业开发区管委会”（ID "),
        "{park}"
    );
    let park_id = id_in(&park);
    let bureau = stdout(&run(
        &db,
        &[
            "unit",
            "create",
            "--name",
            "招商合作局",
            "--parent",
            &park_id,
        ],
    ));
    assert_eq!(
        bureau.trim(),
        format!(
            "已创建单位“招商合作局”（ID {}），上级单位：洞庭产业开发区管委会",
            id_in(&bureau)
        )
    );
    // The parent by name, and the answer in English.
    let first = stdout(&run(
        &db,
        &[
            "--lang",
            "en",
            "unit",
            "create",
            "--name",
            "招商一局",
            "--parent",
            "招商合作局",
        ],
    ));
    assert_eq!(
        first.trim(),
        format!(
            "unit 招商一局 created (ID {}) under 招商合作局",
            id_in(&first)
        )
    );
    let planning = stdout(&run(
        &db,
        &[
            "unit",
            "create",
            "--name",
            "规划建设局",
            "--parent",
            "洞庭产业开发区管委会",
        ],
    ));

    let tree = run(&db, &["unit", "list"]);
    assert_eq!(
        stdout(&tree),
        format!(
            "洞庭产业开发区管委会（ID {park_id}）\n  招商合作局（ID {}）\n    招商一局（ID {}）\n  规划建设局（ID {}）\n",
            id_in(&bureau),
            id_in(&first),
            id_in(&planning)
        )
    );
    assert!(String::from_utf8_lossy(&tree.stderr).contains("共 4 个单位"));
    let english = run(&db, &["unit", "list", "--lang", "en"]);
    assert!(
        stdout(&english).starts_with(&format!(
            "洞庭产业开发区管委会 (ID {park_id})\n  招商合作局 (ID {})\n",
            id_in(&bureau)
        )),
        "{}",
        stdout(&english)
    );
    assert!(String::from_utf8_lossy(&english.stderr).contains("4 units"));

    let renamed = stdout(&run(
        &db,
        &[
            "unit",
            "rename",
            "--unit",
            "招商一局",
            "--name",
            "招商一分局",
        ],
    ));
    assert_eq!(
        renamed.trim(),
        format!("单位 {} 已由“招商一局”改名为“招商一分局”", id_in(&first))
    );
    let renamed = stdout(&run(
        &db,
        &[
            "unit",
            "rename",
            "--unit",
            &id_in(&planning),
            "--name",
            "规划建设分局",
            "--lang",
            "en",
        ],
    ));
    assert_eq!(
        renamed.trim(),
        format!(
            "unit {} renamed from 规划建设局 to 规划建设分局",
            id_in(&planning)
        )
    );
    assert!(stdout(&run(&db, &["unit", "list"])).contains("    招商一分局（ID "));

    // A sibling of the same name is refused, in the operator's language,
    // and nothing is written.
    let twice = run(
        &db,
        &[
            "unit",
            "create",
            "--name",
            "招商合作局",
            "--parent",
            &park_id,
        ],
    );
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("DUPLICATE"),
        "{}",
        String::from_utf8_lossy(&twice.stderr)
    );
    let missing = run(
        &db,
        &[
            "--lang", "en", "unit", "rename", "--unit", "999999", "--name", "x",
        ],
    );
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("unit 999999 does not exist"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let missing = run(&db, &["unit", "rename", "--unit", "999999", "--name", "x"]);
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("单位（999999）不存在或已归档"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    assert!(stdout(&run(&db, &["unit", "list"])).lines().count() == 4);

    // Every change is audited as the CLI's.
    let rows: Vec<(String, String, String)> =
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            use sea_orm::{EntityTrait, QueryOrder};
            let conn = mubiao::db::connect(&db.config()).await.unwrap();
            entity::audit_log::Entity::find()
                .order_by_asc(entity::audit_log::Column::Id)
                .all(&conn)
                .await
                .unwrap()
                .into_iter()
                .map(|r| (r.actor_name, r.operation, r.object_type))
                .collect()
        });
    let cli = |op: &str| ("cli".to_string(), op.to_string(), "unit".to_string());
    assert_eq!(
        rows,
        [
            cli("unit create"),
            cli("unit create"),
            cli("unit create"),
            cli("unit create"),
            cli("unit rename"),
            cli("unit rename"),
        ]
    );
}

#[test]
fn the_cli_copies_a_plan_into_next_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "cli_copy");
    assert!(db.command().arg("demo").status().unwrap().success());
    let copied = stdout(&run(
        &db,
        &["plan", "copy", "--plan", "1", "--year", "2026"],
    ));
    assert!(
        copied.starts_with(
            "已将“洞庭产业开发区2025年度目标任务”（ID 1）复制为 2026 年草稿计划“洞庭产业开发区2026年度目标任务”（ID "
        ) && copied.trim_end().ends_with("：14 项目标、14 项分解、3 个节点"),
        "{copied}"
    );
    let again = run(
        &db,
        &[
            "--lang", "en", "plan", "copy", "--plan", "1", "--year", "2026",
        ],
    );
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("2026 already has a plan named 洞庭产业开发区2026年度目标任务")
            && stderr.contains("DUPLICATE"),
        "{stderr}"
    );
    let named = stdout(&run(
        &db,
        &[
            "--lang",
            "en",
            "plan",
            "copy",
            "--plan",
            "1",
            "--year",
            "2027",
            "--name",
            "洞庭产业开发区2027年度目标任务（草案）",
        ],
    ));
    assert!(
        named.contains("into 2027 as the DRAFT plan 洞庭产业开发区2027年度目标任务（草案） (ID ")
            && named
                .trim_end()
                .ends_with(": 14 goals, 14 assignments, 3 milestones"),
        "{named}"
    );
    let out_of_range = run(&db, &["plan", "copy", "--plan", "1", "--year", "2101"]);
    assert!(!out_of_range.status.success());
    assert!(String::from_utf8_lossy(&out_of_range.stderr).contains("INVALID_PLAN_PERIOD"));
}

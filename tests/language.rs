//! What a person reads comes in Chinese unless they ask for English
//! (`Accept-Language` over HTTP, `--lang`/`MUBIAO_LANG` on the command
//! line); `extensions.code` is the same in both. The other tests read
//! English (their helpers ask for it); these read both.
mod common;

use common::binary::BinaryDb;
use common::{ADMIN_TOKEN, TestApp};
use serde_json::{Value, json};

const CREATE_GOAL: &str = "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }";

/// The first error's message and code.
fn first_error(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    let message = e["message"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {body:#}"));
    let code = e["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("error without code: {body:#}"));
    (message.to_string(), code.to_string())
}

/// The same request without Accept-Language and with `Accept-Language: en`:
/// (status, message, code) of each.
async fn both(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> ((u16, String, String), (u16, String, String)) {
    let (zh_status, zh) = app.gql_in(None, token, query, vars.clone()).await;
    let (en_status, en) = app.gql_in(Some("en"), token, query, vars).await;
    let (zh_message, zh_code) = first_error(&zh);
    let (en_message, en_code) = first_error(&en);
    (
        (zh_status, zh_message, zh_code),
        (en_status, en_message, en_code),
    )
}

async fn plan(app: &TestApp) -> String {
    let park = app.create_unit("洞庭产业开发区", None).await;
    app.create_plan("2025年度目标任务", 2025, &park).await
}

#[tokio::test]
async fn refusals_are_chinese_unless_english_is_asked_for() {
    let app = TestApp::spawn().await;
    let plan = plan(&app).await;

    // A refused mutation: a zero target.
    let zero = json!({ "i": { "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 0.0 } });
    let (zh, en) = both(&app, Some(ADMIN_TOKEN), CREATE_GOAL, zero).await;
    assert_eq!(zh, (200, "目标值不能为 0".into(), "INVALID_TARGET".into()));
    assert_eq!(
        en,
        (
            200,
            "targetValue cannot be 0".into(),
            "INVALID_TARGET".into()
        )
    );

    // An object that does not exist.
    let activate = r#"mutation { activatePlan(id: "999") { state } }"#;
    let (zh, en) = both(&app, Some(ADMIN_TOKEN), activate, json!({})).await;
    assert_eq!(
        zh,
        (
            200,
            "目标计划（999）不存在或已归档".into(),
            "NOT_FOUND".into()
        )
    );
    assert_eq!(
        en,
        (200, "plan 999 does not exist".into(), "NOT_FOUND".into())
    );

    // A refusal of the service's own (not the domain's): a unit under itself.
    let park = app.create_unit("岳阳经济技术开发区", None).await;
    let cycle = "mutation($id: ID!) { updateUnit(input: { id: $id, parentId: $id }) { id } }";
    let (zh, en) = both(&app, Some(ADMIN_TOKEN), cycle, json!({ "id": park })).await;
    assert_eq!(
        zh,
        (
            200,
            "单位不能放在它自己或它的下级单位之下，请另选上级单位".into(),
            "CYCLE".into()
        )
    );
    assert_eq!(
        en,
        (
            200,
            "a unit cannot be placed under itself or one of its sub-units".into(),
            "CYCLE".into()
        )
    );

    // A token without the right, named with its role as the office says it.
    let viewer = app.issue_token("值班大屏", "VIEWER", None).await;
    let write = r#"mutation { createUnit(input: { name: "招商合作局" }) { id } }"#;
    let (zh, en) = both(&app, Some(&viewer), write, json!({})).await;
    assert_eq!(
        zh,
        (
            200,
            "值班大屏（只读）：只有目标办（管理员令牌）可以进行此操作".into(),
            "FORBIDDEN".into()
        )
    );
    assert_eq!(
        en,
        (
            200,
            "值班大屏 (VIEWER): only the target office (ADMIN) may do this".into(),
            "FORBIDDEN".into()
        )
    );
}

#[tokio::test]
async fn requests_that_go_wrong_before_a_resolver_are_told_in_chinese_too() {
    let app = TestApp::spawn().await;

    // A syntax error: async-graphql's English after a Chinese sentence.
    let (zh, en) = both(&app, Some(ADMIN_TOKEN), "{ units { name }", json!({})).await;
    assert_eq!((zh.0, zh.2.as_str()), (200, "BAD_REQUEST"));
    assert_eq!((en.0, en.2.as_str()), (200, "BAD_REQUEST"));
    assert!(!en.1.starts_with("请求有误"), "{}", en.1);
    assert_eq!(zh.1, format!("请求有误：{}", en.1));

    // An unknown token: 401 before anything runs.
    let (zh, en) = both(&app, Some("mb_not-a-token"), "{ me { name } }", json!({})).await;
    assert_eq!(
        zh,
        (
            401,
            "令牌无效、已过期或已被吊销，请向目标办索取有效的令牌".into(),
            "UNAUTHENTICATED".into()
        )
    );
    assert_eq!(
        en,
        (
            401,
            "a valid bearer token is required".into(),
            "UNAUTHENTICATED".into()
        )
    );

    // No token at all: only the schema can be read.
    let (zh, en) = both(&app, None, "{ units { name } }", json!({})).await;
    assert_eq!(zh.2, "UNAUTHENTICATED");
    assert!(zh.1.starts_with("需要令牌"), "{}", zh.1);
    assert_eq!(en.1, "a bearer token is required");

    // A malformed date: the scalar's sentence alone in Chinese (no
    // English after it), async-graphql's English, which names the field,
    // in English; the Chinese never shows as an extension.
    let bad_date = r#"mutation { createPlan(input: { name: "x", year: 2025, ownerUnitId: "1", startDate: "2025/01/01" }) { id } }"#;
    let (zh_status, zh) = app
        .gql_in(None, Some(ADMIN_TOKEN), bad_date, json!({}))
        .await;
    let (_, en) = app
        .gql_in(Some("en"), Some(ADMIN_TOKEN), bad_date, json!({}))
        .await;
    assert_eq!(zh_status, 200);
    for body in [&zh, &en] {
        assert_eq!(
            body["errors"][0]["extensions"],
            json!({ "code": "INVALID_DATE" }),
            "{body:#}"
        );
    }
    let en_message = en["errors"][0]["message"].as_str().unwrap();
    assert!(
        en_message.contains("\"2025/01/01\" is not a date in YYYY-MM-DD form"),
        "{en_message}"
    );
    assert_eq!(
        zh["errors"][0]["message"],
        "日期“2025/01/01”的格式不对，请按 YYYY-MM-DD 填写（如 2025-10-31）"
    );

    // A date written right that does not exist is not a format error.
    let no_such_day = r#"mutation { createPlan(input: { name: "x", year: 2025, ownerUnitId: "1", startDate: "2025-02-30" }) { id } }"#;
    let (_, zh) = app
        .gql_in(None, Some(ADMIN_TOKEN), no_such_day, json!({}))
        .await;
    let (_, en) = app
        .gql_in(Some("en"), Some(ADMIN_TOKEN), no_such_day, json!({}))
        .await;
    assert_eq!(zh["errors"][0]["extensions"]["code"], "INVALID_DATE");
    assert_eq!(
        zh["errors"][0]["message"],
        "没有 2025-02-30 这一天（2025年2月只有28天）"
    );
    let en_message = en["errors"][0]["message"].as_str().unwrap();
    assert!(
        en_message.contains("there is no day 2025-02-30 (February 2025 has 28 days)"),
        "{en_message}"
    );
}

/// The depth limit refuses before anything runs, in the reader's language.
#[tokio::test]
async fn query_limits_speak_the_readers_language() {
    let app = TestApp::spawn_with(mubiao::config::LimitsConfig {
        max_depth: 3,
        ..Default::default()
    })
    .await;
    let deep = "{ units { parent { parent { parent { name } } } } }";
    let (zh, en) = both(&app, Some(ADMIN_TOKEN), deep, json!({})).await;
    assert_eq!(
        zh,
        (
            200,
            "查询嵌套层数过多，请减少嵌套".into(),
            "QUERY_TOO_DEEP".into()
        )
    );
    assert_eq!(
        en,
        (
            200,
            "Query is nested too deep.".into(),
            "QUERY_TOO_DEEP".into()
        )
    );
}

/// Sends `importPlan` as a multipart upload, in `lang` (the default
/// without one).
async fn upload(app: &TestApp, lang: Option<&str>, input: Value, file: &[u8], name: &str) -> Value {
    use poem::test::{TestForm, TestFormField};
    let query = "mutation($input: ImportPlanInput!) { importPlan(input: $input) { goalCount } }";
    let mut input = input;
    input["file"] = Value::Null;
    let operations = json!({ "query": query, "variables": { "input": input } });
    let form = TestForm::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.input.file"] }).to_string())
        .field(TestFormField::bytes(file.to_vec()).name("0").filename(name));
    let mut req = app
        .client
        .post("/graphql")
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"));
    if let Some(lang) = lang {
        req = req.header("accept-language", lang);
    }
    let resp = req.multipart(form).send().await;
    assert_eq!(resp.0.status().as_u16(), 200);
    resp.json().await.value().deserialize::<Value>()
}

#[tokio::test]
async fn a_sheet_with_problems_is_described_in_the_readers_language() {
    let app = TestApp::spawn().await;
    app.create_unit("洞庭产业开发区", None).await;
    let sheet = "序号,目标任务,目标值,完成时限\n1,签约项目,20个,10月之前\n".as_bytes();
    let input = json!({ "year": 2027, "planName": "测试" });

    let zh = upload(&app, None, input.clone(), sheet, "s.csv").await;
    let en = upload(&app, Some("en"), input.clone(), sheet, "s.csv").await;
    let (zh_e, en_e) = (&zh["errors"][0], &en["errors"][0]);
    assert_eq!(zh_e["message"], "表格中有 1 处需要修改，未导入任何内容");
    assert_eq!(
        en_e["message"],
        "the sheet has 1 problem(s) to fix; nothing was imported"
    );
    for e in [zh_e, en_e] {
        assert_eq!(e["extensions"]["code"], "SHEET_INVALID", "{e:#}");
        let p = &e["extensions"]["problems"][0];
        assert_eq!(
            (&p["cell"], &p["header"], &p["code"]),
            (&json!("D2"), &json!("完成时限"), &json!("AMBIGUOUS_DATE")),
            "{e:#}"
        );
    }
    let zh_problem = zh_e["extensions"]["problems"][0]["message"]
        .as_str()
        .unwrap();
    let en_problem = en_e["extensions"]["problems"][0]["message"]
        .as_str()
        .unwrap();
    assert!(zh_problem.starts_with("“10月之前”可能指"), "{zh_problem}");
    assert!(
        en_problem.starts_with("\"10月之前\" could mean"),
        "{en_problem}"
    );

    // A file that is not a sheet, refused before a cell is read.
    let xls = b"\xD0\xCF\x11\xE0 an old workbook";
    let zh = upload(&app, None, input.clone(), xls, "old.xls").await;
    let en = upload(&app, Some("en"), input, xls, "old.xls").await;
    assert_eq!(
        first_error(&zh),
        (
            "这是旧版的 .xls 工作簿；请在 Excel 中另存为 .xlsx（Excel 2007 及以后的格式）再导入"
                .into(),
            "UNREADABLE_FILE".into()
        )
    );
    assert_eq!(
        first_error(&en),
        (
            "this is an old .xls workbook; save it as .xlsx (Excel 2007 or later) and import that"
                .into(),
            "UNREADABLE_FILE".into()
        )
    );
}

/// Accept-Language picks English only when the reader prefers it.
#[tokio::test]
async fn accept_language_is_read_by_preference() {
    let app = TestApp::spawn().await;
    let plan = plan(&app).await;
    let zero = json!({ "i": { "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 0.0 } });
    for (header, message) in [
        (Some("en-US,en;q=0.9,zh;q=0.5"), "targetValue cannot be 0"),
        (Some("en"), "targetValue cannot be 0"),
        (Some("zh-CN,en;q=0.5"), "目标值不能为 0"),
        (Some("zh-CN,zh;q=0.9,en;q=0.8"), "目标值不能为 0"),
        (Some("fr-FR"), "目标值不能为 0"),
        (Some(""), "目标值不能为 0"),
        (None, "目标值不能为 0"),
    ] {
        let (_, body) = app
            .gql_in(header, Some(ADMIN_TOKEN), CREATE_GOAL, zero.clone())
            .await;
        assert_eq!(
            first_error(&body),
            (message.to_string(), "INVALID_TARGET".to_string()),
            "Accept-Language: {header:?}"
        );
    }
}

/// The command line prints for the office in Chinese by default, in
/// English with `--lang en` or `MUBIAO_LANG=en`.
#[test]
fn the_cli_speaks_chinese_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "language");
    // `command()` asks for English, as the other tests compare it; this
    // one starts from the binary's own default.
    let mubiao = |args: &[&str]| {
        let mut command = db.command();
        command.env_remove("MUBIAO_LANG").args(args);
        let out = command.output().unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };

    let (ok, stdout, stderr) = mubiao(&["demo"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "已载入演示计划（计划编号 1）");
    let (ok, _, stderr) = mubiao(&["demo"]);
    assert!(!ok);
    assert!(
        stderr.contains("此数据库中已载入演示计划，无需再次载入  [DUPLICATE]"),
        "{stderr}"
    );
    let (ok, _, stderr) = mubiao(&["--lang", "en", "demo"]);
    assert!(!ok);
    assert!(
        stderr.contains("the demo plan is already loaded in this database  [DUPLICATE]"),
        "{stderr}"
    );

    let (ok, token, stderr) =
        mubiao(&["token", "create", "--role", "viewer", "--name", "值班大屏"]);
    assert!(ok, "{stderr}");
    assert!(
        token.trim().starts_with("mb_"),
        "stdout holds the token alone"
    );
    assert!(
        stderr.contains("，持有人：值班大屏（只读）；令牌只显示这一次"),
        "{stderr}"
    );
    // A reporter token named by default as the office names it.
    let (ok, _, stderr) = mubiao(&[
        "token",
        "create",
        "--role",
        "reporter",
        "--unit",
        "招商合作局",
    ]);
    assert!(ok, "{stderr}");

    let (ok, zh, _) = mubiao(&["token", "list"]);
    assert!(ok);
    let (_, en, _) = mubiao(&["--lang", "en", "token", "list"]);
    let en_by_env = db.command().args(["token", "list"]).output().unwrap();
    let en_by_env = String::from_utf8(en_by_env.stdout).unwrap();
    let line = |list: &str, name: &str| {
        list.lines()
            .find(|l| l.split('\t').nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {list}"))
            .split_once('\t')
            .unwrap()
            .1
            .to_string()
    };
    assert_eq!(line(&zh, "值班大屏"), "值班大屏\t只读\t有效");
    assert_eq!(line(&en, "值班大屏"), "值班大屏\tVIEWER\tactive");
    assert_eq!(en_by_env, en);
    let reporter = line(&zh, "招商合作局 填报员");
    assert!(
        reporter.starts_with("招商合作局 填报员\t填报员 单位 ") && reporter.ends_with("\t有效"),
        "{reporter}"
    );
    assert!(
        line(&en, "招商合作局 填报员").contains("\tREPORTER unit "),
        "{en}"
    );

    // A refusal, printed by main in the reader's language with its code.
    let (ok, _, zh) = mubiao(&["token", "revoke", "999"]);
    assert!(!ok);
    assert!(
        zh.contains("令牌（999）不存在或已归档  [NOT_FOUND]"),
        "{zh}"
    );
    let (_, _, en) = mubiao(&["--lang", "en", "token", "revoke", "999"]);
    assert!(en.contains("token 999 does not exist  [NOT_FOUND]"), "{en}");
    let id = zh_token_id(&mubiao(&["token", "list"]).1, "值班大屏");
    let (ok, stdout, _) = mubiao(&["token", "revoke", &id]);
    assert!(ok);
    assert_eq!(stdout.trim(), format!("令牌 {id}（值班大屏）已吊销"));

    // A sheet's problems, each with its cell, in the reader's language.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "序号,目标任务,目标值,完成时限\n1,签约项目,20个,10月之前\n",
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let (ok, _, zh) = mubiao(&["import", "--plan", "2027", "--name", "测试", bad]);
    assert!(!ok);
    assert!(zh.contains("D2（完成时限）：“10月之前”可能指"), "{zh}");
    assert!(zh.contains("  [AMBIGUOUS_DATE]"), "{zh}");
    assert!(
        zh.contains("表格中有 1 处需要修改，未导入任何内容  [SHEET_INVALID]"),
        "{zh}"
    );
    let (_, _, en) = mubiao(&["--lang", "en", "import", "--plan", "2027", bad]);
    assert!(
        en.contains("D2 (完成时限): \"10月之前\" could mean"),
        "{en}"
    );
    assert!(
        en.contains("the sheet has 1 problem(s) to fix; nothing was imported  [SHEET_INVALID]"),
        "{en}"
    );

    // What a dry run would import, summed up.
    let sheet = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/dongting-2025-breakdown.xlsx"
    );
    let (ok, stdout, stderr) = mubiao(&[
        "import",
        "--plan",
        "2026",
        "--name",
        "洞庭产业开发区2026年度目标任务",
        "--dry-run",
        sheet,
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("试导入，未写入任何内容；将导入新的年度目标「洞庭产业开发区2026年度目标任务」：工作表「目标任务分解表」中 14 项目标、14 项分解、3 个节点"),
        "{stderr}"
    );
    assert!(stdout.contains("签约项目  [累计] 20个"), "{stdout}");
}

/// The ID of the token named `name` in a `token list`.
fn zh_token_id(list: &str, name: &str) -> String {
    list.lines()
        .find(|l| l.split('\t').nth(1) == Some(name))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no {name} in {list}"))
        .to_string()
}

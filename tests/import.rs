//! Importing a 目标任务分解表: real-looking sheets built here (merged cells,
//! blank rows, full-width digits, numbers stored as text), every problem with
//! its cell, all or nothing, dry runs, and the round trip export → import.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use serde_json::{Value, json};

const IMPORT: &str = r#"
mutation($input: ImportPlanInput!) {
  importPlan(input: $input) {
    dryRun planId planName planCreated sheetName
    goalCount assignmentCount milestoneCount createdUnits ignoredColumns
    goals {
      row code parentCode title category kind targetValue measureUnit deadline leadUnit
      shares { unit targetValue }
      milestones { title dueDate weight }
    }
  }
}"#;

/// Sends `importPlan` as a GraphQL multipart request with `file`.
async fn upload(app: &TestApp, token: &str, input: Value, file: Vec<u8>, name: &str) -> Value {
    app.upload(token, IMPORT, input, file, name).await
}

async fn units(app: &TestApp) -> String {
    let park = app.create_unit("临港经济开发区", None).await;
    for name in ["招商局", "经济发展局", "规划建设局", "财政金融局"] {
        app.create_unit(name, Some(&park)).await;
    }
    park
}

/// The sheet a target office would send: a merged title, a two-row header
/// (分解值 over one column per unit, 节点目标 over 节点 / 节点时限), section
/// rows merged across, 类别 merged down, a blank row, full-width digits and
/// numbers typed as text.
fn office_sheet() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("2026年目标分解").unwrap();
    let center = Format::new().set_align(FormatAlign::Center);
    sheet
        .merge_range(
            0,
            0,
            0,
            11,
            "临港经济开发区2026年度重点目标任务分解表",
            &center,
        )
        .unwrap();
    for (col, header) in ["序号", "类别", "目标任务", "目标值", "完成时限", "牵头单位"]
        .iter()
        .enumerate()
    {
        sheet
            .merge_range(1, col as u16, 2, col as u16, header, &center)
            .unwrap();
    }
    sheet.merge_range(1, 6, 1, 8, "分解值", &center).unwrap();
    sheet.write_string(2, 6, "招商局").unwrap();
    sheet.write_string(2, 7, "经济发展局").unwrap();
    sheet.write_string(2, 8, "规划建设局").unwrap();
    sheet.merge_range(1, 9, 1, 10, "节点目标", &center).unwrap();
    sheet.write_string(2, 9, "节点").unwrap();
    sheet.write_string(2, 10, "节点时限").unwrap();
    sheet.merge_range(1, 11, 2, 11, "备注", &center).unwrap();

    sheet
        .merge_range(3, 0, 3, 11, "一、招商引资", &Format::new())
        .unwrap();
    sheet.merge_range(4, 1, 5, 1, "招商引资", &center).unwrap();
    let row = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, cells: &[(u16, &str)]| {
        for (c, text) in cells {
            sheet.write_string(r, *c, *text).unwrap();
        }
    };
    row(
        sheet,
        4,
        &[
            (0, "1"),
            (2, "签约项目"),
            (3, "２０个以上"),
            (4, "年底前"),
            (5, "招商局"),
            (6, "１２"),
        ],
    );
    sheet.write_number(4, 7, 8.0).unwrap();
    row(
        sheet,
        5,
        &[
            (0, "2"),
            (2, "合同引资额"),
            (3, "≥25亿元"),
            (4, "2026年12月31日"),
            (5, "招商局"),
            (6, "15"),
            (7, "10"),
            (11, "含续建项目"),
        ],
    );
    // Row 7 is left blank, as offices leave a gap between sections.
    sheet
        .merge_range(7, 0, 7, 11, "二、项目建设", &Format::new())
        .unwrap();
    sheet.merge_range(8, 1, 11, 1, "项目建设", &center).unwrap();
    row(
        sheet,
        8,
        &[
            (0, "1"),
            (2, "五好园区标准厂房"),
            (4, "12月底"),
            (5, "规划建设局"),
            (8, "√"),
            (9, "主体完工"),
            (10, "10月底"),
        ],
    );
    row(sheet, 9, &[(9, "投入运营"), (10, "12月31日")]);
    row(
        sheet,
        10,
        &[
            (0, "2"),
            (2, "腾出闲置厂房"),
            (3, "5万平方米"),
            (4, "2026-11"),
            (5, "规划建设局"),
            (8, "5"),
        ],
    );
    row(
        sheet,
        11,
        &[
            (0, "3"),
            (2, "高新技术产业增加值占比"),
            (3, "６０％以上"),
            (4, "年底前"),
            (5, "经济发展局"),
            (7, "60"),
        ],
    );
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_office_sheet_imports_with_its_nesting_shares_and_milestones() {
    let app = TestApp::spawn().await;
    let park = units(&app).await;
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "year": 2026, "ownerUnitId": park }),
        office_sheet(),
        "breakdown.xlsx",
    )
    .await;
    assert_eq!(r["errors"], Value::Null, "{r:#}");
    let out = &r["data"]["importPlan"];
    assert_eq!(out["planName"], "临港经济开发区2026年度重点目标任务");
    assert_eq!(out["planCreated"], true);
    assert_eq!(out["sheetName"], "2026年目标分解");
    assert_eq!(out["ignoredColumns"], json!([]));
    assert_eq!(
        (
            &out["goalCount"],
            &out["assignmentCount"],
            &out["milestoneCount"]
        ),
        (&json!(7), &json!(7), &json!(2))
    );
    let goals = out["goals"].as_array().unwrap();
    let line = |g: &Value| {
        format!(
            "{} {} {} {} {} {} {}",
            g["row"],
            g["code"].as_str().unwrap_or("-"),
            g["parentCode"].as_str().unwrap_or("-"),
            g["title"].as_str().unwrap(),
            g["kind"].as_str().unwrap(),
            g["targetValue"],
            g["measureUnit"].as_str().unwrap_or("-"),
        )
    };
    let lines: Vec<String> = goals.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            "4 一 - 招商引资 GROUP null -",
            "5 1 一 签约项目 CUMULATIVE 20.0 个",
            "6 2 一 合同引资额 CUMULATIVE 25.0 亿元",
            "8 二 - 项目建设 GROUP null -",
            "9 1 二 五好园区标准厂房 MILESTONE null -",
            "11 2 二 腾出闲置厂房 CUMULATIVE 5.0 万平方米",
            "12 3 二 高新技术产业增加值占比 RATE 60.0 %",
        ]
    );
    assert_eq!(goals[1]["category"], "招商引资");
    assert_eq!(goals[1]["deadline"], "2026-12-31");
    assert_eq!(
        goals[1]["shares"],
        json!([{"unit": "招商局", "targetValue": 12.0}, {"unit": "经济发展局", "targetValue": 8.0}])
    );
    assert_eq!(goals[5]["deadline"], "2026-11-30");
    assert_eq!(
        goals[4]["shares"],
        json!([{"unit": "规划建设局", "targetValue": null}])
    );
    assert_eq!(
        goals[4]["milestones"],
        json!([
            {"title": "主体完工", "dueDate": "2026-10-31", "weight": 1.0},
            {"title": "投入运营", "dueDate": "2026-12-31", "weight": 1.0}
        ])
    );

    // It is there through the API, as a DRAFT plan.
    let id = out["planId"].as_str().unwrap();
    let d = app
        .data(
            "query($id: ID!) { plan(id: $id) { state year allGoals { title originalText leadUnit { name } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(d["plan"]["state"], "DRAFT");
    assert_eq!(d["plan"]["year"], 2026);
    let signing = &d["plan"]["allGoals"][1];
    // The wording is kept as the clerk typed it.
    assert_eq!(signing["originalText"], "２０个以上");
    assert_eq!(signing["leadUnit"]["name"], "招商局");
}

/// A small sheet whose rows are given as text, written as strings.
fn sheet_of(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn counts(app: &TestApp) -> (usize, usize) {
    let d = app
        .data("{ plans { id allGoals { id } } units { id } }", json!({}))
        .await;
    let goals = d["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["allGoals"].as_array().unwrap().len())
        .sum();
    (goals, d["units"].as_array().unwrap().len())
}

#[tokio::test]
async fn every_problem_is_reported_with_its_cell_and_nothing_is_imported() {
    let app = TestApp::spawn().await;
    let park = units(&app).await;
    let plan = app
        .create_plan("临港经济开发区2026年度目标任务", 2026, &park)
        .await;
    let before = counts(&app).await;
    let file = sheet_of(&[
        &["序号", "目标任务", "目标值", "完成时限", "责任单位"],
        &[
            "1",
            "签约项目",
            "20个",
            "年底前",
            "招商一局：12；经济发展局：8",
        ],
        &["1", "合同引资额", "25亿元", "尽快", "招商局"],
        &["2", "标准厂房", "建成投用", "10月之前", "规划建设局"],
        &["3.1", "工业投资", "15亿元", "2026年13月", "招商局:abc"],
        &["4", "资产负债率", "≤65%", "2027-03", "财政金融局"],
    ]);
    let r = upload(&app, ADMIN_TOKEN, json!({ "planId": plan }), file, "s.xlsx").await;
    assert_eq!(r["data"], Value::Null);
    let e = &r["errors"][0];
    assert_eq!(e["extensions"]["code"], "SHEET_INVALID");
    assert_eq!(
        e["message"],
        "the sheet has 7 problem(s) to fix; nothing was imported"
    );
    let problems: Vec<String> = e["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {}: {}",
                p["cell"].as_str().unwrap(),
                p["header"].as_str().unwrap(),
                p["code"].as_str().unwrap(),
                p["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            "E2 责任单位 UNKNOWN_UNIT: no unit is named 招商一局; did you mean 招商局?",
            "A3 序号 DUPLICATE_CODE: 序号 1 is used twice under the same heading (rows 2 and 3)",
            "D3 完成时限 INVALID_DATE: \"尽快\" is not a date this importer reads; write a date like 2025年10月底, 10月31日前 or 2025-10-31",
            "D4 完成时限 AMBIGUOUS_DATE: \"10月之前\" could mean the end of month 9 or of month 10; write 2026年10月底 or the day",
            "A5 序号 BAD_NUMBERING: 序号 3.1 comes after no goal numbered 3",
            "D5 完成时限 INVALID_DATE: \"2026年13月\" is not a real date; write a date like 2025年10月底, 10月31日前 or 2025-10-31",
            "E5 责任单位 UNREADABLE_VALUE: the share of 招商局 \"abc\" is not a number",
        ]
    );
    assert_eq!(counts(&app).await, before, "nothing was imported");

    // Fixed, except a deadline outside the plan year, which only the goal
    // rules catch: still all or nothing, and still named by its cell.
    let file = sheet_of(&[
        &["序号", "目标任务", "目标值", "完成时限", "责任单位"],
        &[
            "1",
            "签约项目",
            "20个",
            "年底前",
            "招商局：12；经济发展局：8",
        ],
        &["2", "资产负债率", "≤65%", "2027-03", "财政金融局"],
    ]);
    let r = upload(&app, ADMIN_TOKEN, json!({ "planId": plan }), file, "s.xlsx").await;
    let p = &r["errors"][0]["extensions"]["problems"];
    assert_eq!(p.as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(p[0]["cell"], "D3");
    assert_eq!(p[0]["code"], "DEADLINE_OUTSIDE_PLAN");
    assert_eq!(
        counts(&app).await,
        before,
        "the first goal was rolled back too"
    );
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing_and_units_are_made_only_when_asked() {
    let app = TestApp::spawn().await;
    let park = units(&app).await;
    let plan = app
        .create_plan("临港经济开发区2026年度目标任务", 2026, &park)
        .await;
    let file = sheet_of(&[
        &["序号", "目标任务", "目标值", "牵头单位", "完成时限"],
        &["1", "新增规上工业企业", "5家", "科技创新局", "年底前"],
        &["2", "资产负债率", "≤65%", "财政金融局", "年底前"],
    ]);
    let before = counts(&app).await;

    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "planId": plan, "dryRun": true, "createUnknownUnits": true }),
        file.clone(),
        "s.xlsx",
    )
    .await;
    let out = &r["data"]["importPlan"];
    assert_eq!(out["dryRun"], true, "{r:#}");
    assert_eq!(out["createdUnits"], json!(["科技创新局"]));
    assert_eq!(out["goalCount"], 2);
    // Without 责任单位 columns the lead unit carries each goal.
    assert_eq!(
        out["goals"][0]["shares"],
        json!([{"unit": "科技创新局", "targetValue": null}])
    );
    assert_eq!(out["goals"][1]["kind"], "RATE");
    assert_eq!(counts(&app).await, before, "a dry run writes nothing");

    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "planId": plan }),
        file.clone(),
        "s.xlsx",
    )
    .await;
    let p = &r["errors"][0]["extensions"]["problems"][0];
    assert_eq!(p["code"], "UNKNOWN_UNIT");
    assert_eq!(
        p["message"],
        "no unit is named 科技创新局; add the unit first, or import with createUnknownUnits"
    );

    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "planId": plan, "createUnknownUnits": true }),
        file.clone(),
        "s.xlsx",
    )
    .await;
    assert_eq!(r["data"]["importPlan"]["dryRun"], false, "{r:#}");
    assert_eq!(counts(&app).await, (before.0 + 2, before.1 + 1));
    let d = app
        .data("{ units { name parent { name } } }", json!({}))
        .await;
    let made = d["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "科技创新局")
        .unwrap();
    assert_eq!(made["parent"]["name"], "临港经济开发区");

    // A second import into the same plan would duplicate it.
    let r = upload(&app, ADMIN_TOKEN, json!({ "planId": plan }), file, "s.xlsx").await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "PLAN_NOT_EMPTY");
}

#[tokio::test]
async fn csv_in_gbk_with_unit_lists_imports_and_bad_requests_are_refused() {
    let app = TestApp::spawn().await;
    units(&app).await;
    let text = "序号,目标任务,目标值,完成时限,责任单位,分值\r\n\
                1,签约项目,20个以上,年底前,招商局:12；经济发展局:8,10\r\n\
                2,园区平台公司资产负债率,≤65%,年底前,财政金融局,5\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(text);
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "year": 2026, "planName": "临港经济开发区2026年度目标任务" }),
        gbk.to_vec(),
        "breakdown.csv",
    )
    .await;
    let out = &r["data"]["importPlan"];
    assert_eq!(out["sheetName"], "CSV", "{r:#}");
    assert_eq!(out["planName"], "临港经济开发区2026年度目标任务");
    assert_eq!(out["goals"][1]["kind"], "RATE");
    assert_eq!(out["goals"][1]["targetValue"], 65.0);
    let id = out["planId"].as_str().unwrap();
    let d = app
        .data(
            "query($id: ID!) { plan(id: $id) { goals { weight direction assignments { unit { name } targetValue } } } }",
            json!({ "id": id }),
        )
        .await;
    let goals = &d["plan"]["goals"];
    assert_eq!(goals[0]["weight"], 10.0);
    assert_eq!(goals[1]["direction"], "DECREASE");
    assert_eq!(goals[0]["assignments"][1]["unit"]["name"], "经济发展局");
    assert_eq!(goals[0]["assignments"][1]["targetValue"], 8.0);

    // A viewer may not import; neither planId nor year; not a spreadsheet.
    let viewer = app.issue_token("领导驾驶舱", "VIEWER", None).await;
    let r = upload(
        &app,
        &viewer,
        json!({ "year": 2026 }),
        b"x".to_vec(),
        "a.csv",
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let r = upload(&app, ADMIN_TOKEN, json!({}), b"x".to_vec(), "a.csv").await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "INVALID_VALUE");
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "year": 2027 }),
        b"\xD0\xCF\x11\xE0 old workbook".to_vec(),
        "a.xls",
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "UNREADABLE_FILE");
    assert_eq!(
        r["errors"][0]["message"],
        "this is an old .xls workbook; save it as .xlsx (Excel 2007 or later) and import that"
    );
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "year": 2027 }),
        b"\xFF\xFE\xFD".to_vec(),
        "a.csv",
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "UNREADABLE_FILE");
}

/// The owner unit of plan `id`.
async fn owner_of(app: &TestApp, id: i64) -> String {
    let d = app
        .data(
            "query($id: ID!) { plan(id: $id) { ownerUnit { id } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    d["plan"]["ownerUnit"]["id"].as_str().unwrap().to_string()
}

const PLAN_SHAPE: &str = r#"
query($id: ID!) {
  plan(id: $id) {
    allGoals {
      code title category kind measureUnit targetValue baselineValue direction weight deadline
      responsibleLeader responsiblePerson originalText
      parent { code }
      leadUnit { name }
      supportingUnits { name }
      assignments { unit { name } targetValue }
      milestones { title dueDate weight }
    }
  }
}"#;

#[tokio::test]
async fn an_exported_plan_reimports_as_the_same_goals_shares_and_milestones() {
    let app = TestApp::spawn().await;
    let demo = mubiao::demo::load(&app.db).await.unwrap();
    let (status, workbook) = {
        let resp = app
            .client
            .get(format!("/export/plans/{demo}?asOf=2025-10-31"))
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .send()
            .await;
        (
            resp.0.status().as_u16(),
            resp.0.into_body().into_vec().await.unwrap(),
        )
    };
    assert_eq!(status, 200);
    let owner = owner_of(&app, demo).await;
    let copy = app
        .create_plan("洞庭产业开发区2025年度目标任务（复制）", 2025, &owner)
        .await;
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "planId": copy }),
        workbook,
        "report.xlsx",
    )
    .await;
    assert_eq!(r["errors"], Value::Null, "{r:#}");
    assert_eq!(r["data"]["importPlan"]["sheetName"], "目标任务分解表");

    let shape = |id: String| {
        let app = &app;
        async move { app.data(PLAN_SHAPE, json!({ "id": id })).await["plan"]["allGoals"].clone() }
    };
    let original = shape(demo.to_string()).await;
    let copied = shape(copy).await;
    assert_eq!(original.as_array().unwrap().len(), 14);
    assert!(
        original
            .as_array()
            .unwrap()
            .iter()
            .any(|g| !g["milestones"].as_array().unwrap().is_empty())
    );
    assert_eq!(copied, original);
}

/// The demo is imported from the shipped sheet (into a new plan, by year);
/// `importPlan` of the same sheet into an existing plan makes the same goals.
#[tokio::test]
async fn the_shipped_demo_sheet_is_the_demo_plan() {
    let app = TestApp::spawn().await;
    let demo = mubiao::demo::load(&app.db).await.unwrap();
    let owner = owner_of(&app, demo).await;
    let copy = app
        .create_plan("洞庭产业开发区2025年度目标任务（导入）", 2025, &owner)
        .await;
    let sheet = include_bytes!("../demo/dongting-2025-breakdown.xlsx").to_vec();
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "planId": copy }),
        sheet,
        "demo.xlsx",
    )
    .await;
    assert_eq!(r["errors"], Value::Null, "{r:#}");
    let original = app
        .data(PLAN_SHAPE, json!({ "id": demo.to_string() }))
        .await;
    let imported = app.data(PLAN_SHAPE, json!({ "id": copy })).await;
    assert_eq!(
        imported, original,
        "importPlan and the demo loader read demo/dongting-2025-breakdown.xlsx differently"
    );
}

/// Two top-level units (a park and a unit an office made at the top by
/// mistake): a new year's plan asks which one owns it, naming both, and
/// with the one chosen (`ownerUnitId`) the sheet comes in.
#[tokio::test]
async fn a_new_plan_asks_which_park_owns_it() {
    let app = TestApp::spawn().await;
    let park = units(&app).await;
    app.create_unit("科技创新局", None).await;
    let file = sheet_of(&[
        &["序号", "目标任务", "目标值", "牵头单位", "完成时限"],
        &["1", "资产负债率", "≤65%", "财政金融局", "年底前"],
    ]);
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "year": 2027, "dryRun": true }),
        file.clone(),
        "s.xlsx",
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "INVALID_VALUE", "{r}");
    assert_eq!(
        r["errors"][0]["message"],
        "a new plan needs its owner unit (the park): 2 top-level units exist (临港经济开发区, 科技创新局); name one with ownerUnitId"
    );
    let r = upload(
        &app,
        ADMIN_TOKEN,
        json!({ "year": 2027, "dryRun": true, "ownerUnitId": park }),
        file,
        "s.xlsx",
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["importPlan"]["goalCount"], 1);
}

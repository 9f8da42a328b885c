//! A real office's 目标任务分解表 comes in right the first time (issue 14):
//! a merged title and two-row header, points in the headings, one column
//! per unit, targets in words of every class, 一票否决 items, a 其中 row,
//! 节点 rows, a 注 row, imported in one go into an empty database; then
//! the plan's completion and score as of a date equal the office's own
//! 100-point sheet, computed by hand below.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use serde_json::{Value, json};

const IMPORT: &str = r#"
mutation($input: ImportPlanInput!) {
  importPlan(input: $input) {
    dryRun planId planName planCreated createdUnits ignoredColumns usedColumns planRemarks
    goals {
      code parentCode title category kind targetValue measureUnit deadline leadUnit
      depth weight subset previousYearValue leadByDefault supportingText
      shares { unit targetValue }
      milestones { title dueDate weight }
    }
  }
}"#;

/// 鹤城高新区's sheet, the way the office lays it out. Columns: A 序号,
/// B 目标任务, C 2025年目标, D 分值, E 2024年完成, F 牵头单位, G 配合单位,
/// H–J 责任单位 (one per unit), K 完成时限, L 节点内容, M 节点时限, N 备注.
fn office_sheet() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("目标任务分解表").unwrap();
    let center = Format::new().set_align(FormatAlign::Center);
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 13, "鹤城高新区2025年目标任务分解表", &center)
        .unwrap();
    let tall = [
        (0, "序号"),
        (1, "目标任务"),
        (2, "2025年目标"),
        (3, "分值"),
        (4, "2024年完成"),
        (5, "牵头单位"),
        (6, "配合单位"),
        (10, "完成时限"),
        (11, "节点内容"),
        (12, "节点时限"),
        (13, "备注"),
    ];
    for (col, header) in tall {
        sheet.merge_range(1, col, 2, col, header, &center).unwrap();
    }
    sheet.merge_range(1, 7, 1, 9, "责任单位", &center).unwrap();
    for (col, unit) in [(7, "招商合作局"), (8, "经济发展局"), (9, "规划建设局")] {
        sheet.write_string(2, col, unit).unwrap();
    }
    let heading = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, text: &str| {
        sheet.merge_range(row, 0, row, 13, text, &plain).unwrap();
    };
    let rows: &[(u32, &[(u16, &str)])] = &[
        (
            4,
            &[
                (0, "1"),
                (1, "技工贸总收入"),
                (2, "160亿元，同比增长13%"),
                (3, "10"),
                (4, "141.7"),
                (5, "经济发展局"),
                (6, "区统计局"),
                (10, "年底前"),
                (13, "以统计部门反馈为准"),
            ],
        ),
        (
            5,
            &[
                (0, "2"),
                (1, "规模工业增加值增速"),
                (2, "同比增长10%以上"),
                (3, "10分"),
                (4, "19"),
                (5, "经济发展局"),
                (10, "年底"),
            ],
        ),
        (
            6,
            &[
                (0, "3"),
                (1, "固定资产投资"),
                (2, "完成固定资产投资17亿元"),
                (3, "10"),
                (4, "15.5"),
                (5, "规划建设局"),
                (6, "各局办"),
                (8, "7"),
                (9, "10"),
                (10, "持续推进"),
            ],
        ),
        (
            9,
            &[
                (0, "1"),
                (1, "签约项目"),
                (2, "签约项目12个以上"),
                (3, "15"),
                (4, "11"),
                (5, "招商合作局"),
                (6, "经济发展局"),
                (7, "8"),
                (8, "4"),
                (10, "年底前"),
            ],
        ),
        (10, &[(1, "其中：2亿元以上重大项目"), (2, "5个"), (4, "9")]),
        (
            11,
            &[
                (0, "2"),
                (1, "合同引资"),
                (2, "力争完成合同引资30亿元"),
                (3, "10"),
                (4, "29.2"),
                (5, "招商合作局"),
                (7, "20"),
                (8, "10"),
                (10, "年底前"),
            ],
        ),
        (
            13,
            &[
                (0, "1"),
                (1, "五好园区综合排名"),
                (2, "稳固全省30强"),
                (3, "15"),
                (5, "招商合作局"),
                (10, "年底"),
            ],
        ),
        (
            15,
            &[
                (0, "1"),
                (1, "五好园区建设项目"),
                (2, "建成投用"),
                (3, "10"),
                (5, "规划建设局"),
                (10, "2025年12月底"),
                (11, "主体厂房建设"),
                (12, "10月底"),
            ],
        ),
        (16, &[(11, "扫尾并投产"), (12, "12月31日前")]),
        (
            18,
            &[
                (0, "1"),
                (1, "处置低效用地"),
                (2, "250亩（动态清零）"),
                (3, "10"),
                (5, "规划建设局"),
                (9, "250"),
                (10, "三季度末"),
            ],
        ),
        (
            19,
            &[
                (0, "2"),
                (1, "腾出闲置厂房"),
                (2, "5万平方米"),
                (3, "10"),
                (5, "经济发展局"),
                (8, "5"),
                (10, "年底"),
            ],
        ),
        (
            21,
            &[
                (0, "1"),
                (1, "安全生产"),
                (2, "不发生较大及以上安全生产事故"),
                (3, "一票否决"),
                (5, "经济发展局"),
                (10, "年底"),
            ],
        ),
        (
            22,
            &[
                (0, "2"),
                (1, "生态环境"),
                (2, "无环保事件"),
                (3, "一票否决"),
                (5, "规划建设局"),
                (10, "年底"),
            ],
        ),
    ];
    heading(sheet, 3, "一、经济发展指标（30分）");
    heading(sheet, 7, "二、招商引资（40分）");
    // （一） comes as its own row: the items under it are numbered 1, 2.
    sheet.write_string(8, 0, "（一）").unwrap();
    sheet.write_string(8, 1, "项目签约（25分）").unwrap();
    sheet.write_string(12, 0, "（二）").unwrap();
    sheet.write_string(12, 1, "招商排名（15分）").unwrap();
    heading(sheet, 14, "三、园区建设（30分）");
    sheet.write_string(17, 0, "（一）").unwrap();
    sheet.write_string(17, 1, "低效用地处置（20分）").unwrap();
    heading(sheet, 20, "四、一票否决事项");
    for (row, cells) in rows {
        for (col, text) in cells.iter() {
            sheet.write_string(*row, *col, *text).unwrap();
        }
    }
    heading(
        sheet,
        23,
        "注：1.本表满分100分，一票否决事项不计分；2.各责任单位每月5日前报送上月进展。",
    );
    book.save_to_buffer().unwrap()
}

fn goal<'a>(goals: &'a [Value], title: &str) -> &'a Value {
    goals
        .iter()
        .find(|g| g["title"] == title)
        .unwrap_or_else(|| panic!("no goal {title}: {goals:#?}"))
}

/// (序号 of the parent, kind, target, measure unit, points, depth).
fn shape(g: &Value) -> (Value, &str, Value, Value, f64, i64) {
    (
        g["parentCode"].clone(),
        g["kind"].as_str().unwrap(),
        g["targetValue"].clone(),
        g["measureUnit"].clone(),
        g["weight"].as_f64().unwrap(),
        g["depth"].as_i64().unwrap(),
    )
}

fn shares(g: &Value) -> Vec<(String, Option<f64>)> {
    g["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["unit"].as_str().unwrap().to_string(),
                s["targetValue"].as_f64(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_office_sheet_imports_in_one_go_into_an_empty_database() {
    let app = TestApp::spawn().await;
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            json!({ "year": 2025, "createUnknownUnits": true }),
            office_sheet(),
            "hecheng-2025-breakdown.xlsx",
        )
        .await;
    assert!(body["errors"].is_null(), "{body:#}");
    let r = &body["data"]["importPlan"];
    assert_eq!(r["planName"], "鹤城高新区2025年目标任务");
    assert_eq!(
        r["createdUnits"],
        json!(["鹤城高新区", "经济发展局", "规划建设局", "招商合作局"])
    );
    assert_eq!(
        r["planRemarks"],
        "注：1.本表满分100分，一票否决事项不计分；2.各责任单位每月5日前报送上月进展。"
    );
    assert_eq!(r["ignoredColumns"], json!([]));
    let used = r["usedColumns"].as_array().unwrap();
    assert!(used.contains(&json!("C 2025年目标")), "{used:?}");
    assert!(used.contains(&json!("E 2024年完成")), "{used:?}");
    assert!(used.contains(&json!("N 备注")), "{used:?}");
    assert!(used.contains(&json!("H 招商合作局（单位）")), "{used:?}");

    let goals = r["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 19, "{goals:#?}");
    let null = Value::Null;
    // Headings: their points are their weight, their names the category.
    let economy = goal(goals, "经济发展指标");
    assert_eq!(
        shape(economy),
        (null.clone(), "GROUP", null.clone(), null.clone(), 30.0, 0)
    );
    assert_eq!(economy["category"], "经济发展指标");
    assert_eq!(shape(goal(goals, "招商引资")).4, 40.0);
    assert_eq!(
        shape(goal(goals, "项目签约")),
        (json!("二"), "GROUP", null.clone(), null.clone(), 25.0, 1)
    );
    assert_eq!(shape(goal(goals, "招商排名")).4, 15.0);
    assert_eq!(shape(goal(goals, "园区建设")).4, 30.0);
    // A heading without points over 一票否决 items only weighs 0.
    assert_eq!(shape(goal(goals, "一票否决事项")).4, 0.0);

    // Every wording class, read as the office means it.
    let income = goal(goals, "技工贸总收入");
    assert_eq!(
        shape(income),
        (
            json!("一"),
            "CUMULATIVE",
            json!(160.0),
            json!("亿元"),
            10.0,
            1
        )
    );
    assert_eq!(income["previousYearValue"], 141.7);
    assert_eq!(income["deadline"], "2025-12-31");
    // Not broken down: the lead unit carries it, and the import says so.
    assert_eq!(shares(income), vec![("经济发展局".into(), None)]);
    assert_eq!(income["leadByDefault"], true);
    // 区统计局 is no unit of the park: kept as words, never made a unit.
    assert_eq!(income["supportingText"], "区统计局");
    let growth = goal(goals, "规模工业增加值增速");
    assert_eq!(
        shape(growth),
        (json!("一"), "RATE", json!(10.0), json!("%"), 10.0, 1)
    );
    let investment = goal(goals, "固定资产投资");
    assert_eq!(
        shape(investment),
        (
            json!("一"),
            "CUMULATIVE",
            json!(17.0),
            json!("亿元"),
            10.0,
            1
        )
    );
    assert_eq!(
        shares(investment),
        vec![
            ("经济发展局".into(), Some(7.0)),
            ("规划建设局".into(), Some(10.0))
        ]
    );
    assert_eq!(investment["supportingText"], "全体局办");
    assert_eq!(investment["leadByDefault"], false);
    let signing = goal(goals, "签约项目");
    assert_eq!(
        shape(signing),
        (
            json!("(一)"),
            "CUMULATIVE",
            json!(12.0),
            json!("个"),
            15.0,
            2
        )
    );
    assert_eq!(
        shares(signing),
        vec![
            ("招商合作局".into(), Some(8.0)),
            ("经济发展局".into(), Some(4.0))
        ]
    );
    // 其中: under its goal, weighing 0, carried by its goal's lead unit.
    let big = goal(goals, "2亿元以上重大项目");
    assert_eq!(
        shape(big),
        (json!("1"), "CUMULATIVE", json!(5.0), json!("个"), 0.0, 3)
    );
    assert_eq!(big["subset"], true);
    assert_eq!(shares(big), vec![("招商合作局".into(), None)]);
    let contract = goal(goals, "合同引资");
    assert_eq!(
        shape(contract),
        (
            json!("(一)"),
            "CUMULATIVE",
            json!(30.0),
            json!("亿元"),
            10.0,
            2
        )
    );
    let rank = goal(goals, "五好园区综合排名");
    assert_eq!(
        shape(rank),
        (json!("(二)"), "RANK", json!(30.0), null.clone(), 15.0, 2)
    );
    let building = goal(goals, "五好园区建设项目");
    assert_eq!(
        shape(building),
        (
            json!("三"),
            "MILESTONE",
            null.clone(),
            null.clone(),
            10.0,
            1
        )
    );
    assert_eq!(
        building["milestones"],
        json!([
            { "title": "主体厂房建设", "dueDate": "2025-10-31", "weight": 1.0 },
            { "title": "扫尾并投产", "dueDate": "2025-12-31", "weight": 1.0 },
        ])
    );
    // （一） after item 1 under 三 is its sibling, not its child.
    assert_eq!(
        shape(goal(goals, "低效用地处置")),
        (json!("三"), "GROUP", null.clone(), null.clone(), 20.0, 1)
    );
    let land = goal(goals, "处置低效用地");
    assert_eq!(
        shape(land),
        (
            json!("(一)"),
            "CUMULATIVE",
            json!(250.0),
            json!("亩"),
            10.0,
            2
        )
    );
    assert_eq!(land["deadline"], "2025-09-30");
    assert_eq!(shape(goal(goals, "腾出闲置厂房")).3, json!("万平方米"));
    for title in ["安全生产", "生态环境"] {
        let veto = goal(goals, title);
        assert_eq!(
            shape(veto),
            (json!("四"), "VETO", json!(0.0), null.clone(), 0.0, 1),
            "{title}"
        );
    }
    // 其中 closed nothing: the goal after it is still under （一）.
    assert_eq!(contract["parentCode"], "(一)");
}

/// The plan's figures as of 2025-10-31 against the office's 100-point sheet.
#[tokio::test]
async fn the_score_is_the_offices_100_point_sheet() {
    let app = TestApp::spawn().await;
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            json!({ "year": 2025, "createUnknownUnits": true }),
            office_sheet(),
            "breakdown.xlsx",
        )
        .await;
    assert!(body["errors"].is_null(), "{body:#}");
    let plan = body["data"]["importPlan"]["planId"]
        .as_str()
        .unwrap()
        .to_string();
    let d = app
        .data(
            "mutation($id: ID!) { activatePlan(id: $id) { id } }",
            json!({ "id": plan }),
        )
        .await;
    assert!(d["activatePlan"]["id"].is_string());
    let tree = app
        .data(
            "query($id: ID!) { plan(id: $id) { allGoals { title milestones { id title } assignments { id unit { name } } } } }",
            json!({ "id": plan }),
        )
        .await;
    let goals = tree["plan"]["allGoals"].as_array().unwrap().clone();
    let assignment = |title: &str, unit: &str| -> String {
        goal(&goals, title)["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["unit"]["name"] == unit)
            .unwrap_or_else(|| panic!("{unit} carries no part of {title}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (title, unit, value) in [
        ("技工贸总收入", "经济发展局", 120.0),
        ("规模工业增加值增速", "经济发展局", 12.0),
        ("固定资产投资", "经济发展局", 5.0),
        ("固定资产投资", "规划建设局", 8.0),
        ("签约项目", "招商合作局", 7.0),
        ("签约项目", "经济发展局", 3.0),
        ("2亿元以上重大项目", "招商合作局", 4.0),
        ("合同引资", "招商合作局", 18.0),
        ("合同引资", "经济发展局", 6.0),
        ("五好园区综合排名", "招商合作局", 25.0),
        ("处置低效用地", "规划建设局", 200.0),
        ("腾出闲置厂房", "经济发展局", 3.0),
    ] {
        app.report(&assignment(title, unit), "2025-10-31", value)
            .await;
    }
    let first = goal(&goals, "五好园区建设项目")["milestones"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.complete_milestone(&first, "2025-10-20").await;

    let figures = app
        .data(
            "query($id: ID!) { plan(id: $id) {
                progress(asOf: \"2025-10-31\") { completionPercent }
                scorecard(asOf: \"2025-10-31\") { score maxScore vetoed goals { goal { title } weight score } }
                allGoals { title progress(asOf: \"2025-10-31\") { actual completionPercent } }
            } }",
            json!({ "id": plan }),
        )
        .await;
    let p = &figures["plan"];
    // By hand, groups over their items' capped completion weighted by points:
    //   一 经济发展指标 (30): 收入 120/160 = 75; 增速 12/10 = 120 → 100;
    //      投资 (5+8)/17 = 76.470588…  → (750 + 1000 + 764.705882…)/30 = 83.823529…
    //   二 招商引资 (40): （一） 签约 10/12 = 83.33… (15), 引资 24/30 = 80 (10)
    //      → 82; （二） 排名 25 ≤ 30 → 100 → (25×82 + 15×100)/40 = 88.75
    //   三 园区建设 (30): 建设项目 1 of 2 节点 = 50 (10); （一） 用地 200/250
    //      = 80, 厂房 3/5 = 60 → 70 (20) → (500 + 1400)/30 = 63.33…
    //   四 一票否决事项 (0): no incident, weighs nothing.
    //   plan = (30×83.823529… + 40×88.75 + 30×63.33…)/100 = 79.647058…
    let expected = (30.0 * (750.0 + 1000.0 + 13.0 / 17.0 * 1000.0) / 30.0
        + 40.0 * 88.75
        + 30.0 * 1900.0 / 30.0)
        / 100.0;
    let c = p["progress"]["completionPercent"].as_f64().unwrap();
    assert!((c - expected).abs() < 1e-9, "{c} vs {expected}");
    let card = &p["scorecard"];
    assert_eq!(card["maxScore"], 100.0);
    assert_eq!(card["vetoed"], false);
    let score = card["score"].as_f64().unwrap();
    assert!((score - expected).abs() < 1e-9, "{score} vs {expected}");
    let all = p["allGoals"].as_array().unwrap();
    // The 其中 row has its own figure and is not added into 签约项目.
    let big = goal(all, "2亿元以上重大项目");
    assert_eq!(big["progress"]["completionPercent"], 80.0);
    assert_eq!(goal(all, "签约项目")["progress"]["actual"], 10.0);
    assert_eq!(
        goal(all, "五好园区综合排名")["progress"]["completionPercent"],
        100.0
    );
}

/// The other layout offices use: one row per responsible unit under goal
/// cells merged down over them, the unit's part in words in a 分解任务 cell
/// (a figure, a deliverable, or 节点 with their dates), "（牵头）" after the
/// unit that leads.
const UNIT_ROWS: [[&str; 7]; 5] = [
    [
        "序号",
        "目标任务",
        "目标值",
        "分值",
        "责任单位",
        "分解任务",
        "完成时限",
    ],
    [
        "1",
        "签约项目",
        "20个以上",
        "20",
        "招商合作局（牵头）",
        "签约项目12个",
        "年底前",
    ],
    ["", "", "", "", "经济发展局", "签约项目8个", ""],
    [
        "2",
        "五好园区建设",
        "建成投用",
        "10",
        "规划建设局（牵头）",
        "3月底前完成方案编制；10月底前主体厂房完工",
        "年底前",
    ],
    ["", "", "", "", "经济发展局", "完成配套道路建设", ""],
];

fn unit_rows_sheet() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 6, "鹤城高新区2025年招商任务分解表", &plain)
        .unwrap();
    for (r, row) in UNIT_ROWS.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, text) in row.iter().enumerate() {
            let c = c as u16;
            let goal_cell = c <= 3 || c == 6;
            match (r, goal_cell) {
                // The goal's cells merged down over its two unit rows.
                (2 | 4, true) => {
                    sheet.merge_range(r, c, r + 1, c, text, &plain).unwrap();
                }
                (3 | 5, true) => {}
                _ => {
                    sheet.write_string(r, c, *text).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The same sheet saved as CSV by Chinese Excel: GBK, merged cells blank.
fn unit_rows_csv() -> Vec<u8> {
    let mut text = String::from("鹤城高新区2025年招商任务分解表,,,,,,\r\n");
    for row in UNIT_ROWS {
        text.push_str(&row.join(","));
        text.push_str("\r\n");
    }
    encoding_rs::GB18030.encode(&text).0.to_vec()
}

#[tokio::test]
async fn one_row_per_unit_with_words_reads_the_same_from_xlsx_and_gbk_csv() {
    for (file, name) in [
        (unit_rows_sheet(), "breakdown.xlsx"),
        (unit_rows_csv(), "breakdown.csv"),
    ] {
        let app = TestApp::spawn().await;
        let body = app
            .upload(
                ADMIN_TOKEN,
                IMPORT,
                json!({ "year": 2025, "createUnknownUnits": true, "dryRun": true }),
                file,
                name,
            )
            .await;
        assert!(body["errors"].is_null(), "{name}: {body:#}");
        let goals = body["data"]["importPlan"]["goals"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(goals.len(), 2, "{name}: {goals:#?}");
        let signing = goal(&goals, "签约项目");
        assert_eq!(signing["kind"], "CUMULATIVE", "{name}");
        assert_eq!(signing["leadUnit"], "招商合作局", "{name}");
        assert_eq!(
            shares(signing),
            vec![
                ("招商合作局".into(), Some(12.0)),
                ("经济发展局".into(), Some(8.0))
            ],
            "{name}"
        );
        let building = goal(&goals, "五好园区建设");
        assert_eq!(building["kind"], "MILESTONE", "{name}");
        assert_eq!(building["leadUnit"], "规划建设局", "{name}");
        assert_eq!(
            shares(building),
            vec![("规划建设局".into(), None), ("经济发展局".into(), None)],
            "{name}"
        );
        assert_eq!(
            building["milestones"],
            json!([
                { "title": "完成方案编制", "dueDate": "2025-03-31", "weight": 1.0 },
                { "title": "主体厂房完工", "dueDate": "2025-10-31", "weight": 1.0 },
            ]),
            "{name}"
        );
    }
}

/// From an outside probe: marks in the unit columns (★ leads, 配合 helps),
/// a heading without points weighing its items' sum, and a sheet with a
/// problem not burying it under the units `createUnknownUnits` would make.
#[tokio::test]
async fn unit_marks_heading_sums_and_problems_not_buried_under_units() {
    let sheet = |deadline: &str| {
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        let plain = Format::new();
        s.merge_range(0, 0, 0, 4, "鹤城高新区2025年目标任务分解表", &plain)
            .unwrap();
        s.merge_range(1, 0, 2, 0, "序号", &plain).unwrap();
        s.merge_range(1, 1, 2, 1, "目标任务", &plain).unwrap();
        s.merge_range(1, 2, 2, 2, "目标值", &plain).unwrap();
        s.merge_range(1, 3, 2, 3, "分值", &plain).unwrap();
        s.merge_range(1, 4, 2, 4, "完成时限", &plain).unwrap();
        s.merge_range(1, 5, 1, 6, "责任单位", &plain).unwrap();
        s.write_string(2, 5, "招商一局").unwrap();
        s.write_string(2, 6, "经济发展局").unwrap();
        let rows: [[&str; 7]; 3] = [
            ["（一）", "招商引资", "", "", "", "", ""],
            ["1", "签约项目", "20个以上", "10", deadline, "★", "配合"],
            ["2", "合同引资", "25亿元", "15", "年底前", "15", "10"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    s.write_string(r as u32 + 3, c as u16, *text).unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    };
    let app = TestApp::spawn().await;
    let input = json!({ "year": 2025, "createUnknownUnits": true, "dryRun": true });
    // One real problem, and nothing about the units that would be made.
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            input.clone(),
            sheet("尽快"),
            "breakdown.xlsx",
        )
        .await;
    let problems = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap();
    let codes: Vec<&str> = problems
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["INVALID_DATE"], "{problems:#?}");
    assert_eq!(problems[0]["cell"], "E5");

    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            input,
            sheet("年底前"),
            "breakdown.xlsx",
        )
        .await;
    assert!(body["errors"].is_null(), "{body:#}");
    let goals = body["data"]["importPlan"]["goals"].as_array().unwrap();
    // （一） has no points of its own: it weighs its items' 10 + 15.
    assert_eq!(goal(goals, "招商引资")["weight"], 25.0);
    let signing = goal(goals, "签约项目");
    assert_eq!(signing["leadUnit"], "招商一局");
    // ★ carries the whole target; 配合 helps and carries no part.
    assert_eq!(shares(signing), vec![("招商一局".into(), None)]);
    assert_eq!(signing["supportingText"], Value::Null);
    assert_eq!(
        shares(goal(goals, "合同引资")),
        vec![
            ("招商一局".into(), Some(15.0)),
            ("经济发展局".into(), Some(10.0))
        ]
    );
}

/// A list-layout sheet (责任单位 as a column of names) from the outside
/// probe: "区发改局" is the district's bureau, not a department of the park,
/// and "各局办" means every department. Neither may become a unit.
fn list_sheet(outside_lead: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let rows: [[&str; 7]; 7] = [
        [
            "序号",
            "目标任务",
            "目标值",
            "分值",
            "牵头单位",
            "责任单位",
            "完成时限",
        ],
        [
            "1",
            "签约项目",
            "20个",
            "10",
            "招商局",
            "招商局:12;经发局:8",
            "年底前",
        ],
        [
            "2",
            "安全生产",
            "不发生较大及以上安全生产事故",
            "一票否决",
            "各局办",
            "",
            "年底前",
        ],
        [
            "3",
            "争取上级资金",
            "5000万元",
            "5",
            outside_lead,
            "",
            "年底前",
        ],
        [
            "4",
            "标准厂房建设",
            "建成投用",
            "5",
            "",
            "规划局（牵头）",
            "6月底前",
        ],
        ["", "", "", "", "", "经发局", "9月底前"],
        ["", "节点：主体工程完工", "", "", "", "", "5月底前"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                s.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn bodies_outside_the_park_and_every_department_are_never_made_units() {
    const IMPORT_WITH_DATES: &str = r#"
mutation($input: ImportPlanInput!) {
  importPlan(input: $input) {
    createdUnits
    goals { title deadline leadUnit leadByDefault shares { unit targetValue deadline } milestones { title dueDate } }
  }
}"#;
    let app = TestApp::spawn().await;
    let input = json!({
        "year": 2025, "createUnknownUnits": true, "ownerName": "鹤城高新区"
    });
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT_WITH_DATES,
            input.clone(),
            list_sheet("区发改局"),
            "breakdown.xlsx",
        )
        .await;
    let problems = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{body:#}"));
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["cell"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("UNKNOWN_UNIT", "E4")], "{problems:#?}");
    let message = problems[0]["message"].as_str().unwrap();
    assert!(message.contains("区发改局"), "{message}");
    assert!(
        message.contains("so an import never creates it"),
        "{message}"
    );
    let units = app.gql("{ units { name } }", json!({})).await;
    assert_eq!(units["data"]["units"], json!([]), "nothing was made");

    // Named as a 配合 body instead, the sheet comes in.
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT_WITH_DATES,
            input,
            list_sheet("经发局"),
            "breakdown.xlsx",
        )
        .await;
    assert!(body["errors"].is_null(), "{body:#}");
    let result = &body["data"]["importPlan"];
    assert_eq!(
        result["createdUnits"],
        json!(["鹤城高新区", "招商局", "经发局", "规划局"])
    );
    let goals = result["goals"].as_array().unwrap();
    let safety = goal(goals, "安全生产");
    assert_eq!(safety["leadUnit"], Value::Null);
    assert_eq!(
        shares(safety),
        vec![
            ("招商局".into(), None),
            ("经发局".into(), None),
            ("规划局".into(), None)
        ],
        "各局办: every department of the park carries it"
    );
    let building = goal(goals, "标准厂房建设");
    assert_eq!(
        building["deadline"], "2025-09-30",
        "done when its last unit is"
    );
    assert_eq!(building["leadUnit"], "规划局");
    assert_eq!(
        building["shares"],
        json!([
            { "unit": "规划局", "targetValue": null, "deadline": "2025-06-30" },
            { "unit": "经发局", "targetValue": null, "deadline": null },
        ])
    );
    assert_eq!(
        building["milestones"],
        json!([{ "title": "主体工程完工", "dueDate": "2025-05-31" }])
    );
}

/// From the second outside probe: the office's own exported 分解表, 其中 row
/// included, comes back in as next year's plan.
#[tokio::test]
async fn an_exported_breakdown_with_a_subset_reimports_as_next_year() {
    let app = TestApp::spawn().await;
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            json!({ "year": 2025, "createUnknownUnits": true }),
            office_sheet(),
            "breakdown.xlsx",
        )
        .await;
    assert!(body["errors"].is_null(), "{body:#}");
    let plan = body["data"]["importPlan"]["planId"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = app
        .client
        .get(format!("/export/plans/{plan}?format=breakdown"))
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 200);
    let sheet = resp.0.into_body().into_vec().await.unwrap();
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            json!({ "year": 2026, "dryRun": true }),
            sheet,
            "breakdown.xlsx",
        )
        .await;
    assert!(body["errors"].is_null(), "{body:#}");
    let goals = body["data"]["importPlan"]["goals"].as_array().unwrap();
    let subsets: Vec<&str> = goals
        .iter()
        .filter(|g| g["subset"] == true)
        .map(|g| g["title"].as_str().unwrap())
        .collect();
    assert_eq!(subsets, ["2亿元以上重大项目"], "{goals:#?}");
}

/// A 各局办 column (or 牵头单位) on a figure target would hand every
/// department the whole figure: refused, with the units asked for.
#[tokio::test]
async fn every_department_cannot_carry_a_figure_target() {
    let app = TestApp::spawn().await;
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let rows: [[&str; 5]; 3] = [
        ["序号", "目标任务", "目标值", "牵头单位", "完成时限"],
        ["1", "技工贸总收入", "160亿元", "各局办", "年底前"],
        ["2", "经济运行", "160亿元", "经发局", "年底前"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            s.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    let body = app
        .upload(
            ADMIN_TOKEN,
            IMPORT,
            json!({ "year": 2025, "createUnknownUnits": true, "ownerName": "鹤城高新区", "dryRun": true }),
            book.save_to_buffer().unwrap(),
            "breakdown.xlsx",
        )
        .await;
    let problems = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{body:#}"));
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["cell"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("UNKNOWN_UNIT", "D2")], "{problems:#?}");
    assert!(
        problems[0]["message"].as_str().unwrap().contains("各局办"),
        "{problems:#?}"
    );
}

//! The 完成情况表: .xlsx and CSV downloads of a plan's judgement as of a date.
mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::example::worked_example;
use common::{ADMIN_TOKEN, TestApp};
use domain::Lang;
use mubiao::service::export;

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut req = app.client.get(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    (status, resp.0.into_body().into_vec().await.unwrap())
}

#[tokio::test]
async fn csv_is_the_first_sheet_with_a_bom() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let (status, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31&format=csv", ex.plan),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], export::headers(Lang::Zh).join(","));
    let signed = lines.iter().find(|l| l.contains(",签约项目,")).unwrap();
    let cells: Vec<&str> = signed.split(',').collect();
    // 类型, 计量单位, 分值, 目标值, 上年完成, 完成值, 完成率, 序时进度, 差距, 亮灯, 状态, 得分
    assert_eq!(
        &cells[3..15],
        [
            "累计",
            "个",
            "10",
            "20",
            "",
            "17",
            "85.0",
            "83.3",
            "1.7",
            "绿灯",
            "推进中",
            "8.50"
        ]
    );
    let fdi = lines.iter().find(|l| l.contains(",实际利用外资,")).unwrap();
    assert!(fdi.contains(",-33.3,红灯,"), "{fdi}");
    assert_eq!(
        lines.len(),
        1 + 14,
        "a header and every goal, sub-goals included"
    );
}

#[tokio::test]
async fn xlsx_has_four_sheets_of_numbers_and_the_breakdown() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let (status, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31", ex.plan),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "完成情况",
            "单位排名",
            "节点目标",
            "填报情况2025-10",
            "目标任务分解表"
        ]
    );
    // The fifth sheet is the plan's 分解表, as `importPlan` reads it: a
    // merged title over the header, then one row per goal.
    let breakdown = book.worksheet_range("目标任务分解表").unwrap();
    let rows: Vec<Vec<String>> = breakdown
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(rows[0][0].ends_with("分解表"), "{:?}", rows[0]);
    assert_eq!(rows[1], export::breakdown_headers(Lang::Zh));
    let signing = rows.iter().find(|r| r[2] == "签约项目").unwrap();
    assert_eq!(signing[3], "累计");
    assert_eq!(signing[4], "20");
    let goals = book.worksheet_range("完成情况").unwrap();
    let header: Vec<String> = goals
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, export::headers(Lang::Zh));
    let signed = goals
        .rows()
        .find(|r| r[2] == Data::String("签约项目".into()))
        .unwrap();
    // Numbers are numbers: targets and actuals as they are, percentages as fractions.
    assert_eq!(signed[5], Data::Float(10.0), "分值");
    assert_eq!(signed[6], Data::Float(20.0));
    assert_eq!(signed[7], Data::Empty, "上年完成 not given");
    assert_eq!(signed[8], Data::Float(17.0));
    assert!(
        matches!(signed[9], Data::Float(c) if (c - 0.85).abs() < 1e-9),
        "{:?}",
        signed[9]
    );
    assert_eq!(signed[12], Data::String("绿灯".into()));
    assert_eq!(signed[14], Data::Float(8.5), "得分");
    let units = book.worksheet_range("单位排名").unwrap();
    let bureau2 = units
        .rows()
        .find(|r| r[1] == Data::String("招商二局".into()))
        .unwrap();
    assert_eq!(
        (bureau2[5].clone(), bureau2[7].clone()),
        (Data::Float(1.0), Data::Float(1.0)),
        "one blue, one red"
    );
    let milestones = book.worksheet_range("节点目标").unwrap();
    let grid = milestones
        .rows()
        .find(|r| r[1] == Data::String("完成项目建设和并网运行".into()))
        .unwrap();
    assert_eq!(grid[5], Data::String("逾期完成".into()));
}

#[tokio::test]
async fn downloads_check_the_caller() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let path = format!("/export/plans/{}?asOf=2025-10-31&format=csv", ex.plan);
    assert_eq!(download(&app, &path, None).await.0, 401);
    assert_eq!(download(&app, &path, Some("mb_nope")).await.0, 401);
    let outsider = app.create_unit("园区外单位", None).await;
    let token = app
        .issue_token("外单位填报员", "REPORTER", Some(&outsider))
        .await;
    // A plan it takes no part in is as missing as one that does not exist.
    assert_eq!(download(&app, &path, Some(&token)).await.0, 404);
    let viewer = app.issue_token("大屏", "VIEWER", None).await;
    assert_eq!(download(&app, &path, Some(&viewer)).await.0, 200);
    let (status, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025/10/31", ex.plan),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("INVALID_DATE"));
    assert_eq!(
        download(&app, "/export/plans/999999", Some(ADMIN_TOKEN))
            .await
            .0,
        404
    );
}

/// LibreOffice must open the workbook: convert it to PDF. Skipped, with a
/// message, where LibreOffice is not installed (CI installs it).
#[tokio::test]
async fn libreoffice_renders_the_workbook() {
    let Some(office) = ["libreoffice", "soffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok()
    }) else {
        eprintln!("SKIPPED libreoffice_renders_the_workbook: LibreOffice is not installed here");
        return;
    };
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let (_, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31", ex.plan),
        Some(ADMIN_TOKEN),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("完成情况表.xlsx");
    std::fs::write(&file, body).unwrap();
    let out = std::process::Command::new(office)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&file)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(dir.path().join("完成情况表.pdf")).unwrap();
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 1000,
        "a real PDF: {} bytes",
        pdf.len()
    );
}

/// The rows of a sheet as text (numbers as calamine prints them).
fn sheet_rows(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    book.worksheet_range(name)
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect()
}

async fn workbook(app: &TestApp, plan: &str, as_of: &str) -> Xlsx<Cursor<Vec<u8>>> {
    let (status, body) = download(
        app,
        &format!("/export/plans/{plan}?asOf={as_of}"),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    Xlsx::new(Cursor::new(body)).unwrap()
}

#[tokio::test]
async fn the_goal_sheet_shows_points_score_leader_last_year_and_remarks() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    app.data(
        "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }",
        serde_json::json!({ "i": { "id": ex.signed, "responsibleLeader": "李明",
            "previousYearValue": 16, "remarks": "含续建项目" } }),
    )
    .await;
    app.data(
        "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }",
        serde_json::json!({ "i": { "id": ex.debt, "previousYearValue": 70.5 } }),
    )
    .await;
    let mut book = workbook(&app, &ex.plan, "2025-10-31").await;
    let rows = sheet_rows(&mut book, "完成情况");
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header[5..],
        [
            "分值",
            "目标值",
            "上年完成",
            "完成值",
            "完成率",
            "序时进度",
            "差距(百分点)",
            "亮灯",
            "状态",
            "得分",
            "牵头单位",
            "责任领导",
            "完成时限",
            "最新进展",
            "存在问题",
            "备注"
        ]
    );
    let row = |title: &str| {
        rows.iter()
            .find(|r| r[2] == Data::String(title.into()))
            .unwrap_or_else(|| panic!("no row {title}"))
            .clone()
    };
    let signed = row("签约项目");
    assert_eq!(
        (
            signed[5].clone(),
            signed[7].clone(),
            signed[14].clone(),
            signed[16].clone(),
            signed[20].clone()
        ),
        (
            Data::Float(10.0),
            Data::Float(16.0),
            Data::Float(8.5),
            Data::String("李明".into()),
            Data::String("含续建项目".into())
        )
    );
    // 资产负债率 67.2 % against ≤65 %: 96.73 % of its 10 points.
    let debt = row("资产负债率");
    assert_eq!(debt[7], Data::Float(70.5));
    assert!(
        matches!(debt[14], Data::Float(s) if (s - 9.673).abs() < 0.001),
        "{:?}",
        debt[14]
    );
    // The VETO item weighs 0 and scores 0; the GROUP heading scores its items.
    let safety = row("较大及以上安全生产事故");
    assert_eq!(
        (safety[5].clone(), safety[14].clone()),
        (Data::Float(0.0), Data::Float(0.0))
    );

    // The CSV has the same columns.
    let (_, body) = download(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31&format=csv", ex.plan),
        Some(ADMIN_TOKEN),
    )
    .await;
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let line = text.lines().find(|l| l.contains(",签约项目,")).unwrap();
    let cells: Vec<&str> = line.split(',').collect();
    assert_eq!(cells.len(), export::headers(Lang::Zh).len());
    assert_eq!(
        [cells[5], cells[7], cells[14], cells[16], cells[20]],
        ["10", "16", "8.50", "李明", "含续建项目"]
    );
}

/// The reporting sheet's rows under its header, as text.
fn reporting(book: &mut Xlsx<Cursor<Vec<u8>>>, month: &str) -> Vec<String> {
    sheet_rows(book, &format!("填报情况{month}"))
        .into_iter()
        .skip(1)
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[tokio::test]
async fn a_plan_filled_in_after_the_fact_says_why_its_months_cannot_be_judged() {
    let app = TestApp::spawn().await;
    // The worked example is entered on 1 November, reports of June to
    // October included: its assignments did not exist by September's due
    // day (5 October), so nobody owed September on time.
    let ex = worked_example(&app).await;
    let mut book = workbook(&app, &ex.plan, "2025-09-30").await;
    assert_eq!(
        reporting(&mut book, "2025-09"),
        [
            "说明：2025年9月的填报截止日为 2025-10-09，本计划的分解任务最早于 2025-11-01 才录入，当时已过截止日，无法判断当月是否按时填报；当月 6 份填报均于 2025-11-01 补录"
        ]
    );
    // October was due on 5 November, after they were made: judged as usual.
    let mut book = workbook(&app, &ex.plan, "2025-10-31").await;
    let october = reporting(&mut book, "2025-10");
    assert!(
        october.iter().all(|r| !r.starts_with("说明")),
        "{october:?}"
    );
    assert!(
        october.contains(&"招商一局|2|0|0|0|2025-11-05".to_string()),
        "{october:?}"
    );
}

#[tokio::test]
async fn a_plan_whose_reports_all_came_late_says_so_under_its_counts() {
    let app = TestApp::spawn().await;
    // Assigned in January, activated and first reported on 3 November.
    app.set_now("2025-01-10T01:00:00Z");
    let owner = app.create_unit("管委会", None).await;
    let bureau = app.create_unit("招商局", Some(&owner)).await;
    let d = app
        .data(
            "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }",
            serde_json::json!({ "i": { "name": "2025年度目标任务", "year": 2025, "ownerUnitId": owner } }),
        )
        .await;
    let plan = d["createPlan"]["id"].as_str().unwrap().to_string();
    let goal = app
        .create_goal(
            serde_json::json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE",
            "measureUnit": "个", "targetValue": 12 }),
        )
        .await;
    let share = app.assign(&goal, &bureau, None).await;
    // A draft takes no reports: its months cannot be judged.
    app.set_now("2025-03-20T01:00:00Z");
    let mut book = workbook(&app, &plan, "2025-02-28").await;
    let february = reporting(&mut book, "2025-02");
    assert_eq!(
        february.last().unwrap(),
        "说明：计划尚为草稿，启用后才接受填报；2025年2月无法判断是否按时填报"
    );
    app.set_now("2025-11-03T01:00:00Z");
    app.data(
        "mutation($id: ID!) { activatePlan(id: $id) { state } }",
        serde_json::json!({ "id": plan }),
    )
    .await;
    app.report(&share, "2025-09-30", 8.0).await;
    app.report(&share, "2025-10-31", 9.0).await;
    let mut book = workbook(&app, &plan, "2025-09-30").await;
    assert_eq!(
        reporting(&mut book, "2025-09"),
        [
            "招商局|0|1|0|0|2025-10-09",
            "说明：2025年9月的填报截止日（2025-10-09）前本计划尚无任何填报，首份填报于 2025-11-03 报送：如计划是事后补录或在此之后才启用的，当月的迟报、未报不能说明谁未按时填报"
        ]
    );
    // October's reports came in by its due day: nothing to explain.
    let mut book = workbook(&app, &plan, "2025-10-31").await;
    assert_eq!(
        reporting(&mut book, "2025-10"),
        ["招商局|1|0|0|0|2025-11-05"]
    );
    // A quarterly plan asks nothing in August.
    app.data(
        "mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { id } }",
        serde_json::json!({ "i": { "id": plan, "reportingCycle": "QUARTERLY" } }),
    )
    .await;
    let mut book = workbook(&app, &plan, "2025-08-31").await;
    assert_eq!(
        reporting(&mut book, "2025-08"),
        ["说明：本计划按季度填报，2025年8月不需填报"]
    );
}

/// A download as a reader of `lang` asks for it (`Accept-Language`).
async fn download_in(app: &TestApp, path: &str, lang: &str) -> Vec<u8> {
    let resp = app
        .client
        .get(path)
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .header("accept-language", lang)
        .send()
        .await;
    let status = resp.0.status().as_u16();
    let body = resp.0.into_body().into_vec().await.unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    body
}

fn texts(row: &[Data]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

#[tokio::test]
async fn an_english_reader_gets_english_sheets_headers_and_words() {
    let app = TestApp::spawn().await;
    let ex = worked_example(&app).await;
    let body = download_in(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31", ex.plan),
        "en-US,en;q=0.9",
    )
    .await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Completion",
            "Unit ranking",
            "Milestones",
            "Reporting 2025-10",
            "Breakdown (分解表)"
        ]
    );
    let goals = sheet_rows(&mut book, "Completion");
    assert_eq!(
        texts(&goals[0]),
        [
            "No.",
            "Category",
            "Goal",
            "Kind",
            "Measure unit",
            "Weight",
            "Target",
            "Last year",
            "Actual",
            "Completion %",
            "Expected %",
            "Gap (points)",
            "Light",
            "Status",
            "Score",
            "Lead unit",
            "Responsible leader",
            "Deadline",
            "Latest progress",
            "Problems",
            "Remarks"
        ]
    );
    // The plan's own words stay as the office wrote them.
    let fdi = goals
        .iter()
        .find(|r| r[2] == Data::String("实际利用外资".into()))
        .unwrap();
    assert_eq!(
        texts(&fdi[3..5]),
        ["Cumulative", "万美元"],
        "kind in English, measure unit as written"
    );
    assert_eq!(
        (fdi[12].clone(), fdi[13].clone()),
        (
            Data::String("Red".into()),
            Data::String("In progress".into())
        )
    );
    let signed = goals
        .iter()
        .find(|r| r[2] == Data::String("签约项目".into()))
        .unwrap();
    assert_eq!(signed[12], Data::String("Green".into()));
    let contract = goals
        .iter()
        .find(|r| r[2] == Data::String("合同引资额".into()))
        .unwrap();
    assert_eq!(contract[12], Data::String("Blue".into()));
    let debt = goals
        .iter()
        .find(|r| r[2] == Data::String("资产负债率".into()))
        .unwrap();
    assert_eq!(
        (debt[3].clone(), debt[12].clone()),
        (Data::String("Rate".into()), Data::String("Yellow".into()))
    );
    let solar = goals
        .iter()
        .find(|r| r[2] == Data::String("光伏二期并网".into()))
        .unwrap();
    assert_eq!(solar[13], Data::String("Completed".into()));

    let units = sheet_rows(&mut book, "Unit ranking");
    assert_eq!(
        texts(&units[0]),
        [
            "Rank",
            "Unit",
            "Completion %",
            "Score",
            "Green",
            "Blue",
            "Yellow",
            "Red"
        ]
    );
    let milestones = sheet_rows(&mut book, "Milestones");
    assert_eq!(
        texts(&milestones[0]),
        [
            "Goal",
            "Milestone",
            "Weight",
            "Due",
            "Completed on",
            "State"
        ]
    );
    let grid = milestones
        .iter()
        .find(|r| r[1] == Data::String("完成项目建设和并网运行".into()))
        .unwrap();
    assert_eq!(grid[5], Data::String("Completed late".into()));
    let reporting = sheet_rows(&mut book, "Reporting 2025-10");
    assert_eq!(
        texts(&reporting[0]),
        ["Unit", "Reported", "Late", "Missing", "Pending", "Due date"]
    );
    let breakdown = sheet_rows(&mut book, "Breakdown (分解表)");
    assert_eq!(
        texts(&breakdown[1]),
        [
            "No.",
            "Category",
            "Goal",
            "Kind",
            "Target",
            "Measure unit",
            "Baseline",
            "Direction",
            "Weight",
            "Lead unit",
            "Supporting units",
            "Responsible units",
            "Responsible leader",
            "Responsible person",
            "Deadline",
            "Milestone",
            "Milestone due",
            "Milestone weight",
            "Original text"
        ]
    );
    let debt = breakdown
        .iter()
        .find(|r| r[2] == Data::String("资产负债率".into()))
        .unwrap();
    assert_eq!(texts(&debt[3..8]), ["Rate", "65", "%", "", "Decrease"]);

    // The CSV: the same header and words.
    let body = download_in(
        &app,
        &format!("/export/plans/{}?asOf=2025-10-31&format=csv", ex.plan),
        "en",
    )
    .await;
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "No.,Category,Goal,Kind,Measure unit,Weight,Target,Last year,Actual,Completion %,\
         Expected %,Gap (points),Light,Status,Score,Lead unit,Responsible leader,Deadline,\
         Latest progress,Problems,Remarks"
    );
    let fdi = lines.iter().find(|l| l.contains(",实际利用外资,")).unwrap();
    assert!(
        fdi.contains(",Cumulative,万美元,10,3000,,1500,50.0,83.3,-33.3,Red,In progress,5.00,"),
        "{fdi}"
    );
}

#[tokio::test]
async fn an_english_reporting_sheet_explains_in_english() {
    let app = TestApp::spawn().await;
    // Entered on 1 November: September cannot be judged (see above).
    let ex = worked_example(&app).await;
    let body = download_in(
        &app,
        &format!("/export/plans/{}?asOf=2025-09-30", ex.plan),
        "en",
    )
    .await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    let rows: Vec<String> = sheet_rows(&mut book, "Reporting 2025-09")
        .into_iter()
        .skip(1)
        .map(|r| texts(&r).into_iter().filter(|c| !c.is_empty()).collect())
        .collect();
    assert_eq!(
        rows,
        [
            "Note: 2025-09 was due on 2025-10-09, but the plan's assignments were first made on 2025-11-01: nobody owed it on time, so it cannot be judged; its 6 reports were all entered on 2025-11-01"
        ]
    );
}

const IMPORT: &str = r#"
mutation($input: ImportPlanInput!) {
  importPlan(input: $input) { planName sheetName goalCount assignmentCount milestoneCount }
}"#;

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

/// The 分解表 is read back by `importPlan`: in English its headers are
/// ones the importer knows, its kind and direction words too, and its
/// sheet is still the one the importer picks from the whole workbook.
#[tokio::test]
async fn an_english_breakdown_reimports_as_the_same_plan() {
    let app = TestApp::spawn().await;
    let demo = mubiao::demo::load(&app.db).await.unwrap().to_string();
    let owner = app
        .data(
            "query($id: ID!) { plan(id: $id) { ownerUnit { id } } }",
            serde_json::json!({ "id": demo }),
        )
        .await["plan"]["ownerUnit"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let original = app
        .data(PLAN_SHAPE, serde_json::json!({ "id": demo }))
        .await;
    assert_eq!(original["plan"]["allGoals"].as_array().unwrap().len(), 14);
    for (format, name) in [
        ("format=breakdown", "（分解表）"),
        ("asOf=2025-10-31", "（完成情况表）"),
    ] {
        let workbook = download_in(&app, &format!("/export/plans/{demo}?{format}"), "en").await;
        let copy = app
            .create_plan(
                &format!("洞庭产业开发区2025年度目标任务{name}"),
                2025,
                &owner,
            )
            .await;
        let r = app
            .upload(
                ADMIN_TOKEN,
                IMPORT,
                serde_json::json!({ "planId": copy }),
                workbook,
                "breakdown.xlsx",
            )
            .await;
        assert_eq!(r["errors"], serde_json::Value::Null, "{format}: {r:#}");
        assert_eq!(
            r["data"]["importPlan"]["sheetName"], "Breakdown (分解表)",
            "{format}"
        );
        let copied = app
            .data(PLAN_SHAPE, serde_json::json!({ "id": copy }))
            .await;
        assert_eq!(copied, original, "{format}");
    }
}

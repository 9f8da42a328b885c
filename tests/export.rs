//! The 完成情况表: .xlsx and CSV downloads of a plan's judgement as of a date.
mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::example::worked_example;
use common::{ADMIN_TOKEN, TestApp};

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
    assert_eq!(lines[0], mubiao::service::export::HEADERS.join(","));
    let signed = lines.iter().find(|l| l.contains(",签约项目,")).unwrap();
    let cells: Vec<&str> = signed.split(',').collect();
    // 类型, 计量单位, 目标值, 完成值, 完成率, 序时进度, 差距, 亮灯, 状态
    assert_eq!(
        &cells[3..12],
        [
            "累计",
            "个",
            "20",
            "17",
            "85.0",
            "83.3",
            "1.7",
            "绿灯",
            "推进中"
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
    assert_eq!(rows[1], mubiao::service::export::BREAKDOWN_HEADERS);
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
    assert_eq!(header, mubiao::service::export::HEADERS);
    let signed = goals
        .rows()
        .find(|r| r[2] == Data::String("签约项目".into()))
        .unwrap();
    // Numbers are numbers: targets and actuals as they are, percentages as fractions.
    assert_eq!(signed[5], Data::Float(20.0));
    assert_eq!(signed[6], Data::Float(17.0));
    assert!(
        matches!(signed[7], Data::Float(c) if (c - 0.85).abs() < 1e-9),
        "{:?}",
        signed[7]
    );
    assert_eq!(signed[10], Data::String("绿灯".into()));
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

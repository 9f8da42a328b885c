//! An import is bounded (issue 12, finding 1): every hostile file in
//! `hostile` is refused with SHEET_TOO_LARGE naming the limit it ran into,
//! as a dry-run `importPlan`, writing nothing and leaving the server able to
//! import the next sheet; the demo sheet and a sheet just under every limit
//! still import. The last test sends them all to the real binary and
//! measures its answers and its peak memory.
mod common;
#[path = "hostile_sheets/mod.rs"]
mod hostile;

use std::io::Write;
use std::time::{Duration, Instant};

use common::binary::{BinaryDb, Server, exchange, http};
use common::{ADMIN_TOKEN, TestApp};
use hostile::{Book, Hostile, a1, merges, text_row};
use mubiao::config::LimitsConfig;
use serde_json::{Value, json};

const IMPORT: &str = r#"
mutation($input: ImportPlanInput!) {
  importPlan(input: $input) {
    dryRun goalCount assignmentCount milestoneCount ignoredColumns
    goals { row code title targetValue }
  }
}"#;

/// Uploads above the default 1 MiB body: the sheet limits, not the body
/// limit, must be what stops these files.
const BODY_LIMIT: usize = 16 << 20;

/// Sends `importPlan` as a multipart request (the GraphQL multipart spec).
async fn upload(app: &TestApp, input: Value, file: Vec<u8>, name: &str) -> Value {
    app.upload(ADMIN_TOKEN, IMPORT, input, file, name).await
}

/// An app that takes uploads up to 16 MiB, with a park and its units.
async fn app() -> TestApp {
    let app = TestApp::spawn_with(LimitsConfig {
        max_body_bytes: BODY_LIMIT,
        // Limits of size are what these tests are about; time limits are
        // generous so that a loaded machine cannot fail them.
        import_read_secs: 3600,
        import_wait_secs: 3600,
        ..Default::default()
    })
    .await;
    let park = app.create_unit("临港经济开发区", None).await;
    for name in ["招商局", "经济发展局"] {
        app.create_unit(name, Some(&park)).await;
    }
    app
}

/// Plans, goals and units, to see that nothing was written.
async fn counts(app: &TestApp) -> (usize, usize, usize) {
    let d = app
        .data("{ plans { id allGoals { id } } units { id } }", json!({}))
        .await;
    let plans = d["plans"].as_array().unwrap();
    let goals = plans
        .iter()
        .map(|p| p["allGoals"].as_array().unwrap().len())
        .sum();
    (plans.len(), goals, d["units"].as_array().unwrap().len())
}

/// A small, clean 分解表.
fn good_sheet() -> Vec<u8> {
    Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &hostile::HEADER)?;
                text_row(w, 1, &["1", "签约项目", "20个", "年底前", "招商局"])
            },
            "",
        )
        .finish()
}

/// The file is refused with SHEET_TOO_LARGE saying what it exceeded,
/// nothing is written, and the next sheet imports.
async fn refused(file: Hostile) {
    let app = app().await;
    let before = counts(&app).await;
    let body = upload(
        &app,
        json!({ "year": 2026, "dryRun": true }),
        file.bytes,
        file.filename,
    )
    .await;
    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "SHEET_TOO_LARGE",
        "{}: {body:#}",
        file.name
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(file.says),
        "{}: {message:?} should say {:?}",
        file.name,
        file.says
    );
    assert_eq!(body["data"], Value::Null, "{body:#}");
    assert_eq!(counts(&app).await, before, "{}: nothing written", file.name);
    let next = upload(
        &app,
        json!({ "year": 2026, "dryRun": true }),
        good_sheet(),
        "next.xlsx",
    )
    .await;
    assert_eq!(next["errors"], Value::Null, "{next:#}");
    assert_eq!(next["data"]["importPlan"]["goalCount"], 1);
}

/// Found by an outside probe after the first limits: calamine copies a
/// number format into each cell format that uses it.
#[tokio::test]
async fn a_long_number_format_in_many_cell_formats_is_refused() {
    refused(hostile::style_bomb()).await;
}

#[tokio::test]
async fn many_sheets_on_one_long_relationship_are_refused() {
    refused(hostile::sheets_bomb()).await;
}

#[tokio::test]
async fn too_many_cell_formats_are_refused() {
    refused(hostile::many_styles()).await;
}

#[tokio::test]
async fn cells_at_a1_and_xfd1048576_are_refused_at_the_far_cell() {
    refused(hostile::far_cell()).await;
}

#[tokio::test]
async fn a_merge_over_the_whole_sheet_is_refused() {
    refused(hostile::merge_everything()).await;
}

#[tokio::test]
async fn a_million_rows_of_csv_are_refused() {
    refused(hostile::million_rows_csv()).await;
}

#[tokio::test]
async fn a_million_rows_of_xlsx_are_refused_at_the_row_limit() {
    refused(hostile::million_rows_xlsx()).await;
}

#[tokio::test]
async fn a_million_identical_rows_deflated_tight_are_refused_by_their_ratio() {
    refused(hostile::million_rows_packed()).await;
}

#[tokio::test]
async fn a_zip_bomb_is_refused() {
    refused(hostile::zip_bomb()).await;
}

#[tokio::test]
async fn a_part_larger_than_it_declares_is_refused() {
    refused(hostile::lying_size()).await;
}

#[tokio::test]
async fn a_part_over_32_mib_is_refused() {
    refused(hostile::big_part()).await;
}

#[tokio::test]
async fn a_workbook_over_64_mib_in_all_is_refused() {
    refused(hostile::big_workbook()).await;
}

#[tokio::test]
async fn too_many_merged_regions_are_refused() {
    refused(hostile::many_merges()).await;
}

#[tokio::test]
async fn merges_over_too_many_cells_are_refused() {
    refused(hostile::merged_area()).await;
}

#[tokio::test]
async fn too_many_columns_are_refused() {
    refused(hostile::too_many_columns()).await;
}

#[tokio::test]
async fn too_many_cells_with_a_value_are_refused() {
    refused(hostile::too_many_cells()).await;
}

#[tokio::test]
async fn too_many_shared_strings_are_refused() {
    refused(hostile::many_shared_strings()).await;
}

#[tokio::test]
async fn shared_strings_declaring_trillions_are_refused_before_calamine_reserves_them() {
    refused(hostile::declared_shared_strings()).await;
}

#[tokio::test]
async fn shared_strings_over_16_mib_are_refused() {
    refused(hostile::big_shared_strings()).await;
}

#[tokio::test]
async fn one_long_string_in_many_cells_is_refused() {
    refused(hostile::repeated_text()).await;
}

#[tokio::test]
async fn one_long_cell_merged_over_many_is_refused() {
    refused(hostile::merged_text()).await;
}

/// A sheet at the edge of every limit: a goal on row 10,000, a header in
/// column IV (256), 199,560 cells with a value, 199,294 shared strings,
/// 9,999 merged regions covering 499,950 cells. It imports.
fn just_under_the_limits() -> Vec<u8> {
    const FILLER_ROWS: u32 = 794;
    let filler_columns = 5..256u32;
    let strings = FILLER_ROWS as usize * filler_columns.len();
    let regions: Vec<String> = (0..9_999u32)
        .map(|k| {
            let (block, band) = (k % 125, k / 125);
            let (c, r) = (5 + 2 * block, 800 + 25 * band);
            format!("{}:{}", a1(r, c), a1(r + 24, c + 1))
        })
        .collect();
    Book::new()
        .shared_strings(Some(strings as u64), |w| {
            for i in 0..strings {
                write!(w, "<si><t>v{i}</t></si>")?;
            }
            Ok(())
        })
        .sheet(
            |w| {
                let mut header: Vec<String> =
                    hostile::HEADER.iter().map(|h| h.to_string()).collect();
                header.extend(filler_columns.clone().map(|c| format!("备注{c}")));
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                text_row(w, 0, &header)?;
                let mut s = 0;
                for r in 1..=FILLER_ROWS {
                    write!(w, r#"<row r="{}">"#, r + 1)?;
                    if r == 1 {
                        for (c, text) in ["1", "签约项目", "20个", "年底前", "招商局"]
                            .iter()
                            .enumerate()
                        {
                            write!(
                                w,
                                r#"<c r="{}" t="inlineStr"><is><t>{text}</t></is></c>"#,
                                a1(r, c as u32)
                            )?;
                        }
                    }
                    for c in filler_columns.clone() {
                        write!(w, r#"<c r="{}" t="s"><v>{s}</v></c>"#, a1(r, c))?;
                        s += 1;
                    }
                    write!(w, "</row>")?;
                }
                text_row(w, 9_999, &["2", "合同引资额", "25亿元", "年底前", "招商局"])
            },
            &merges(&regions),
        )
        .finish()
}

#[tokio::test]
async fn a_sheet_just_under_every_limit_imports() {
    let app = app().await;
    let body = upload(
        &app,
        json!({ "year": 2026, "dryRun": true }),
        just_under_the_limits(),
        "edge.xlsx",
    )
    .await;
    assert_eq!(body["errors"], Value::Null, "{body:#}");
    let result = &body["data"]["importPlan"];
    assert_eq!(result["goalCount"], 2);
    assert_eq!(result["goals"][1]["row"], 10_000);
    assert_eq!(result["goals"][1]["targetValue"], 25.0);
    let ignored = result["ignoredColumns"].as_array().unwrap();
    assert_eq!(ignored.len(), 251);
    assert_eq!(ignored[250], "IV 备注255");
}

/// 300 rows with a 目标值 and no 目标任务: 300 problems, of which the first
/// 200 come back and the count of the rest.
#[tokio::test]
async fn the_problem_list_is_capped_with_the_count_of_the_rest() {
    let app = app().await;
    let mut csv = String::from("序号,目标任务,目标值\n");
    for _ in 0..300 {
        csv.push_str(",,5\n");
    }
    let body = upload(
        &app,
        json!({ "year": 2026, "dryRun": true }),
        csv.into_bytes(),
        "problems.csv",
    )
    .await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "SHEET_INVALID", "{body:#}");
    assert_eq!(
        error["message"],
        "the sheet has 300 problem(s) to fix; nothing was imported"
    );
    let problems = error["extensions"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 200);
    assert_eq!(problems[0]["cell"], "C2");
    assert_eq!(problems[199]["cell"], "C201");
    assert_eq!(problems[0]["code"], "MISSING_TITLE");
    assert_eq!(error["extensions"]["moreProblems"], 100);
}

const PLAN_SHAPE: &str = r#"
query($id: ID!) {
  plan(id: $id) {
    allGoals {
      code title category kind measureUnit targetValue baselineValue direction weight deadline
      responsibleLeader responsiblePerson originalText
      parent { code }
      leadUnit { name }
      assignments { unit { name } targetValue }
      milestones { title dueDate weight }
    }
  }
}"#;

#[tokio::test]
async fn the_demo_sheet_still_imports_unchanged() {
    let app = TestApp::spawn().await;
    let demo = mubiao::demo::load(&app.db).await.unwrap();
    let d = app
        .data(
            "query($id: ID!) { plan(id: $id) { ownerUnit { id } } }",
            json!({ "id": demo.to_string() }),
        )
        .await;
    let owner = d["plan"]["ownerUnit"]["id"].as_str().unwrap().to_string();
    let copy = app.create_plan("洞庭（导入）", 2025, &owner).await;
    let sheet = include_bytes!("../demo/dongting-2025-breakdown.xlsx").to_vec();
    let body = upload(&app, json!({ "planId": copy }), sheet, "demo.xlsx").await;
    assert_eq!(body["errors"], Value::Null, "{body:#}");
    assert_eq!(body["data"]["importPlan"]["goalCount"], 14);
    let original = app
        .data(PLAN_SHAPE, json!({ "id": demo.to_string() }))
        .await;
    let imported = app.data(PLAN_SHAPE, json!({ "id": copy })).await;
    assert_eq!(imported, original);
}

// ---- The real binary ---------------------------------------------------------

/// The operator's key of the spawned server (at least 32 characters).
const SERVER_KEY: &str = "import-limits-operator-key-0123456789";

fn graphql(port: u16, query: &str) -> Value {
    let body = json!({ "query": query }).to_string();
    let (status, payload) = http(port, "POST", "/graphql", Some(&body), Some(SERVER_KEY)).unwrap();
    assert_eq!(status, 200, "{payload}");
    serde_json::from_str(&payload).unwrap()
}

/// A dry-run importPlan of `file` as a multipart request.
fn import_over_http(port: u16, file: &Hostile) -> (u16, Value) {
    const BOUNDARY: &str = "mubiao-import-limits-boundary";
    let operations = json!({
        "query": "mutation($f: Upload!) { importPlan(input: { file: $f, year: 2026, dryRun: true }) { goalCount } }",
        "variables": { "f": null },
    });
    let mut body = Vec::with_capacity(file.bytes.len() + 1024);
    for (name, value) in [
        ("operations", operations.to_string()),
        ("map", json!({ "0": ["variables.f"] }).to_string()),
    ] {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        file.filename
    )
    .unwrap();
    body.extend_from_slice(&file.bytes);
    write!(body, "\r\n--{BOUNDARY}--\r\n").unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nAuthorization: Bearer {SERVER_KEY}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
    );
    let (status, payload) = exchange(port, &head, &body).unwrap();
    (
        status,
        serde_json::from_str(&payload).unwrap_or(Value::String(payload)),
    )
}

/// `mubiao serve` on a free port with a database of its own, taking
/// uploads up to 16 MiB, healthy, with a park and its 招商局.
fn serve(db: &BinaryDb) -> (Server, u16) {
    let limit = BODY_LIMIT.to_string();
    let (server, port) = db.serve_with_env(
        &[],
        &[
            ("MUBIAO_ADMIN_TOKEN", SERVER_KEY),
            ("MUBIAO_MAX_BODY_BYTES", &limit),
            ("MUBIAO_IMPORT_READ_SECS", "3600"),
            ("MUBIAO_IMPORT_WAIT_SECS", "3600"),
        ],
    );
    let park = graphql(
        port,
        r#"mutation { createUnit(input: { name: "临港经济开发区" }) { id } }"#,
    );
    let park = park["data"]["createUnit"]["id"].as_str().unwrap();
    graphql(
        port,
        &format!(
            r#"mutation {{ createUnit(input: {{ name: "招商局", parentId: "{park}" }}) {{ id }} }}"#
        ),
    );
    (server, port)
}

/// Every hostile file against `mubiao serve`: each answered (its time
/// printed) with SHEET_TOO_LARGE, the server healthy afterwards, its peak resident
/// memory under 600 MB; then a sheet just under every limit imports.
#[test]
fn the_binary_refuses_every_hostile_file_quickly_and_stays_small() {
    let files = hostile::all();
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "import_limits");
    let (server, port) = serve(&db);
    let mut slowest = (Duration::ZERO, "");
    for file in &files {
        let sent = Instant::now();
        let (status, body) = import_over_http(port, file);
        let took = sent.elapsed();
        assert_eq!(status, 200, "{}: {body}", file.name);
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "SHEET_TOO_LARGE",
            "{}: {body}",
            file.name
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(file.says), "{}: {message}", file.name);
        println!(
            "{:<45} {:>7} KB {:>6.2} s  {message}",
            file.name,
            file.bytes.len() / 1024,
            took.as_secs_f64()
        );
        if took > slowest.0 {
            slowest = (took, file.name);
        }
    }
    let (status, _) = http(port, "GET", "/healthz", None, None).unwrap();
    assert_eq!(status, 200);
    let hostile_peak = server.peak_mb();
    assert!(
        hostile_peak < 600.0,
        "peak resident memory {hostile_peak:.0} MB"
    );
    // A sheet at the edge of every limit still imports, as a dry run.
    let edge = Hostile {
        name: "just under every limit",
        filename: "edge.xlsx",
        bytes: just_under_the_limits(),
        says: "",
    };
    let sent = Instant::now();
    let (status, body) = import_over_http(port, &edge);
    let took = sent.elapsed();
    assert_eq!(status, 200);
    assert_eq!(body["errors"], Value::Null, "{body}");
    assert_eq!(body["data"]["importPlan"]["goalCount"], 2);
    println!(
        "{:<45} {:>7} KB {:>6.2} s  imported (dry run)",
        edge.name,
        edge.bytes.len() / 1024,
        took.as_secs_f64()
    );
    let (status, _) = http(port, "GET", "/healthz", None, None).unwrap();
    assert_eq!(status, 200);
    let peak = server.peak_mb();
    println!(
        "peak resident memory {hostile_peak:.0} MB after the hostile files, {peak:.0} MB after the edge sheet; slowest refusal {:.2} s ({})",
        slowest.0.as_secs_f64(),
        slowest.1
    );
    assert!(peak < 600.0, "peak resident memory {peak:.0} MB");
}

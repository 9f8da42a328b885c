//! No "-0" anywhere: a −0 typed by a client (a VETO limit, a weight, a
//! report of "-0"), a sum of nothing (an empty plan's scorecard) or a
//! figure that rounds to zero from below (a gap of −0.04 points) reads 0 in
//! every API field, CSV cell and workbook cell.
mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::{ADMIN_TOKEN, TestApp};
use serde_json::{Value, json};

/// Every place in `value` holding a negative zero, by its path.
fn negative_zeros(value: &Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Number(n) if n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) => {
            found.push(path.to_string());
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                negative_zeros(v, &format!("{path}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                negative_zeros(v, &format!("{path}.{k}"), found);
            }
        }
        _ => {}
    }
}

const FIGURES: &str =
    "progress(asOf: $d) { target actual completionPercent expectedPercent gap score }";
/// The figures of a watch list's entry (judged at the list's date).
const WATCHED: &str = "progress { target actual completionPercent expectedPercent gap score }";

fn everything() -> String {
    format!(
        r#"query($p: ID!, $empty: ID!, $d: Date!) {{
  plan(id: $p) {{
    scoreCap yellowGap redGap rateYellowFloor
    progress(asOf: $d) {{ completionPercent expectedPercent gap score }}
    categoryProgress(asOf: $d) {{ progress {{ completionPercent expectedPercent gap score }} }}
    unitProgress(asOf: $d) {{ progress {{ completionPercent expectedPercent gap score }} }}
    scorecard(asOf: $d) {{ score scoreBeforeVeto maxScore scoreCap goals {{ weight completionPercent countedPercent score }} }}
    trend(upTo: $d) {{ completionPercent expectedPercent gap }}
    allGoals {{
      title targetValue baselineValue weight monthlyPlan previousYearValue
      {FIGURES}
      trend(upTo: $d) {{ completionPercent expectedPercent gap }}
      assignments {{ targetValue {FIGURES} reports {{ value }} }}
      milestones {{ weight }}
    }}
  }}
  empty: plan(id: $empty) {{
    progress(asOf: $d) {{ completionPercent gap score }}
    scorecard(asOf: $d) {{ score scoreBeforeVeto maxScore }}
  }}
  warnings(asOf: $d, filter: {{ lights: [GREEN, BLUE, YELLOW, RED] }}) {{ goal {{ weight targetValue }} {WATCHED} }}
  overdue(asOf: "2026-01-05") {{ goals {{ {WATCHED} }} }}
  upcoming(asOf: $d, days: 90) {{ goals {{ {WATCHED} }} }}
  unitRanking(planId: $p, asOf: $d) {{ progress {{ completionPercent expectedPercent gap score }} }}
}}"#
    )
}

#[tokio::test]
async fn no_figure_reads_minus_zero() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("管委会", None).await;
    let safety = app.create_unit("安全环保局", Some(&owner)).await;
    let bureau = app.create_unit("招商局", Some(&owner)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let empty = app.create_plan("空白计划", 2025, &owner).await;

    // Typed as −0 by a client: a VETO limit and weight, its share's limit,
    // a report of "-0", last year's result, a baseline, a curve, a
    // milestone's weight.
    let veto = app
        .create_goal(
            json!({ "planId": plan, "title": "安全生产事故", "kind": "VETO",
                              "measureUnit": "起", "targetValue": -0.0, "weight": -0.0,
                              "previousYearValue": -0.0 }),
        )
        .await;
    let v = app.assign(&veto, &safety, Some(-0.0)).await;
    app.report(&v, "2025-09-30", -0.0).await;
    // 83.2933 against 83.3333 time progress: a gap of −0.04, "−0.0" at one decimal.
    let signed = app
        .create_goal(
            json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE",
                              "measureUnit": "个", "targetValue": 100, "weight": 10,
                              "baselineValue": -0.0 }),
        )
        .await;
    let s = app.assign(&signed, &bureau, None).await;
    app.report(&s, "2025-10-31", 83.293_333).await;
    let curve = app
        .create_goal(
            json!({ "planId": plan, "title": "腾出厂房", "kind": "CUMULATIVE",
                              "measureUnit": "万平方米", "targetValue": 12, "weight": 5,
                              "monthlyPlan": [-0.0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12] }),
        )
        .await;
    app.assign(&curve, &bureau, None).await;
    let works = app
        .create_goal(
            json!({ "planId": plan, "title": "标准厂房", "kind": "MILESTONE",
                              "weight": 5 }),
        )
        .await;
    app.add_milestone(&works, "完成立项", "2025-12-31", -0.0)
        .await;
    // A RATE at its baseline with the target below it: 0 / −3.
    let rate = app
        .create_goal(
            json!({ "planId": plan, "title": "资产负债率", "kind": "RATE",
                              "measureUnit": "%", "targetValue": 65, "baselineValue": 68,
                              "direction": "DECREASE", "weight": 5 }),
        )
        .await;
    let r = app.assign(&rate, &bureau, None).await;
    app.report(&r, "2025-10-31", 68.0).await;

    let d = app
        .data(
            &everything(),
            json!({ "p": plan, "empty": empty, "d": "2025-10-31" }),
        )
        .await;
    let mut found = Vec::new();
    negative_zeros(&d, "data", &mut found);
    assert!(found.is_empty(), "negative zeros at {found:#?}");
    // The selection reached what it was meant to.
    assert_eq!(d["empty"]["scorecard"]["maxScore"], json!(0.0));
    let signed_figures = d["plan"]["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["title"] == "签约项目")
        .unwrap()["progress"]
        .clone();
    let gap = signed_figures["gap"].as_f64().unwrap();
    assert!((gap + 0.04).abs() < 1e-3, "{signed_figures}");

    // The CSV: no cell reads -0 or -0.0 (the gap's cell reads 0.0).
    let resp = app
        .client
        .get(format!("/export/plans/{plan}?asOf=2025-10-31&format=csv"))
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send()
        .await;
    let body = resp.0.into_body().into_vec().await.unwrap();
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    for (i, line) in text.lines().enumerate() {
        for cell in line.split(',') {
            let minus_zero = cell.starts_with('-')
                && cell.len() > 1
                && cell[1..].bytes().all(|b| b == b'0' || b == b'.');
            assert!(!minus_zero, "line {i}: {line}");
        }
    }
    let signed_line = text.lines().find(|l| l.contains(",签约项目,")).unwrap();
    assert!(
        signed_line.contains(",83.293333,83.3,83.3,0.0,"),
        "{signed_line}"
    );
    let veto_line = text.lines().find(|l| l.contains(",安全生产事故,")).unwrap();
    assert!(veto_line.contains(",起,0,0,0,0,100.0,"), "{veto_line}");

    // The workbook: no number cell holds −0, and the gap's cell is 0.
    let resp = app
        .client
        .get(format!("/export/plans/{plan}?asOf=2025-10-31"))
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send()
        .await;
    let body = resp.0.into_body().into_vec().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Data::Float(f) = cell {
                    assert!(
                        !(*f == 0.0 && f.is_sign_negative()),
                        "{name} row {r} column {c}"
                    );
                }
            }
        }
    }
    let goals = book.worksheet_range("完成情况").unwrap();
    let row = goals
        .rows()
        .find(|r| r[2] == Data::String("签约项目".into()))
        .unwrap();
    assert_eq!(row[11], Data::Float(0.0), "差距 −0.04 is written as 0");
}

//! 问题台账 end to end: a problem through rectification, a failed recheck
//! and 销号; an escalation into a supervision item; who may do what; the
//! figures by hand.
mod common;

use common::TestApp;
use serde_json::{Value, json};

const PROBLEM: &str = "id state closedOn overdue category severity source unit { name } \
    escalatedItem { title state source leadUnit { name } deadline } events { kind content onDate actor }";

struct Park {
    plan: String,
    anquan: String,
    qiye: String,
}

async fn park(app: &TestApp) -> Park {
    let owner = app.create_unit("洞庭产业开发区管委会", None).await;
    let anquan = app.create_unit("安全环保局", Some(&owner)).await;
    let qiye = app.create_unit("企业服务中心", Some(&owner)).await;
    let plan = app
        .create_plan("洞庭产业开发区2025年度目标任务", 2025, &owner)
        .await;
    Park { plan, anquan, qiye }
}

async fn record(app: &TestApp, p: &Park, input: Value) -> Value {
    let mut i = json!({
        "planId": p.plan,
        "title": "危化品仓库未设置防爆照明",
        "description": "专项检查发现华鑫化工危化品仓库照明灯具不防爆",
        "category": "安全",
        "severity": "MAJOR",
        "source": "CHECK",
        "foundOn": "2025-10-20",
        "enterprise": "湖南华鑫化工有限公司",
        "location": "园区化工片区3号仓库",
        "unitId": p.anquan,
        "deadline": "2025-11-20",
        "measures": "更换防爆灯具，完善仓库电气检测",
    });
    for (k, v) in input.as_object().unwrap() {
        i[k] = v.clone();
    }
    app.data(
        &format!(
            "mutation($i: RecordProblemInput!) {{ recordProblem(input: $i) {{ {PROBLEM} }} }}"
        ),
        json!({ "i": i }),
    )
    .await["recordProblem"]
        .clone()
}

fn kinds(p: &Value) -> Vec<&str> {
    p["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_problem_is_rectified_rechecked_twice_and_closed() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let clerk = app
        .issue_token("安全环保局填报员", "REPORTER", Some(&p.anquan))
        .await;
    let found = record(&app, &p, json!({})).await;
    let id = found["id"].as_str().unwrap().to_string();
    assert_eq!(found["state"], "OPEN");
    assert_eq!(found["unit"]["name"], "安全环保局");
    let as_clerk = |query: String, vars: Value| {
        let clerk = clerk.clone();
        let app = &app;
        async move { app.gql_as(Some(&clerk), &query, vars).await.1 }
    };
    let body = as_clerk(
        format!("mutation($id: ID!) {{ startRectification(id: $id) {{ {PROBLEM} }} }}"),
        json!({ "id": id }),
    )
    .await;
    assert_eq!(body["data"]["startRectification"]["state"], "RECTIFYING");
    let submit = format!(
        "mutation($i: SubmitRectificationInput!) {{ submitRectification(input: $i) {{ {PROBLEM} }} }}"
    );
    app.set_now("2025-11-10T02:00:00Z");
    let body = as_clerk(
        submit.clone(),
        json!({ "i": { "problemId": id, "content": "已更换防爆灯具12套" } }),
    )
    .await;
    assert_eq!(body["data"]["submitRectification"]["state"], "RECHECK");
    // The clerk cannot recheck its own work.
    let recheck = format!(
        "mutation($i: RecheckProblemInput!) {{ recheckProblem(input: $i) {{ {PROBLEM} }} }}"
    );
    let body = as_clerk(
        recheck.clone(),
        json!({ "i": { "problemId": id, "passed": true } }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // Failed without saying why: refused, the unit would not know what to fix.
    assert_eq!(
        app.error_code(
            &recheck,
            json!({ "i": { "problemId": id, "passed": false, "note": " " } })
        )
        .await,
        "INVALID_VALUE"
    );
    // Failed: back to 整改中.
    let d = app
        .data(
            &recheck,
            json!({ "i": { "problemId": id, "passed": false, "note": "电气检测报告未提供" } }),
        )
        .await;
    assert_eq!(d["recheckProblem"]["state"], "RECTIFYING");
    // Rechecking what is not waiting for it: refused, nothing changes.
    assert_eq!(
        app.error_code(
            &recheck,
            json!({ "i": { "problemId": id, "passed": true } })
        )
        .await,
        "INVALID_TRANSITION"
    );
    app.set_now("2025-11-18T02:00:00Z");
    as_clerk(
        submit.clone(),
        json!({ "i": { "problemId": id, "content": "补充电气检测报告" } }),
    )
    .await;
    let d = app
        .data(
            &recheck,
            json!({ "i": { "problemId": id, "passed": true, "note": "复查合格，予以销号" } }),
        )
        .await;
    let closed = &d["recheckProblem"];
    assert_eq!(closed["state"], "CLOSED");
    assert_eq!(closed["closedOn"], "2025-11-18");
    assert_eq!(
        kinds(closed),
        [
            "RECORD",
            "START",
            "SUBMIT",
            "RECHECK_FAILED",
            "SUBMIT",
            "RECHECK_PASSED"
        ]
    );
    assert_eq!(closed["events"][3]["content"], "电气检测报告未提供");
    assert_eq!(closed["events"][2]["actor"], "安全环保局填报员");
    // Closed: nothing more.
    let body = as_clerk(
        submit,
        json!({ "i": { "problemId": id, "content": "再次提交" } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_TRANSITION"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "cannot submit a rectification of a problem that is closed"
    );
}

#[tokio::test]
async fn an_escalation_opens_a_supervision_item_once() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let found = record(
        &app,
        &p,
        json!({ "unitId": p.qiye, "category": "消防", "deadline": "2025-10-25" }),
    )
    .await;
    let id = found["id"].as_str().unwrap().to_string();
    // Today (11-01) is past the deadline: overdue, and the item gets 15 days.
    assert_eq!(found["overdue"], true);
    let escalate = format!("mutation($id: ID!) {{ escalateProblem(id: $id) {{ {PROBLEM} }} }}");
    let d = app.data(&escalate, json!({ "id": id })).await;
    let p1 = &d["escalateProblem"];
    assert_eq!(p1["state"], "OPEN");
    assert_eq!(
        p1["escalatedItem"],
        json!({ "title": "整改督办：危化品仓库未设置防爆照明", "state": "ASSIGNED", "source": "INSPECTION",
                "leadUnit": { "name": "企业服务中心" }, "deadline": "2025-11-16" })
    );
    assert_eq!(kinds(p1), ["RECORD", "ESCALATE"]);
    assert_eq!(
        app.error_code(&escalate, json!({ "id": id })).await,
        "INVALID_TRANSITION"
    );
    let items = app.data("{ supervisionItems { title } }", json!({})).await;
    assert_eq!(items["supervisionItems"].as_array().unwrap().len(), 1);
    // Both the problem and the item it became are in the audit log.
    let log = app
        .data("{ auditLog { operation objectType } }", json!({}))
        .await;
    let rows: Vec<(String, String)> = log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap().to_string(),
                r["objectType"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(op, _)| op == "escalateProblem")
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
}

#[tokio::test]
async fn who_may_see_and_do_what() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let found = record(&app, &p, json!({})).await;
    let id = found["id"].as_str().unwrap().to_string();
    let other = app
        .issue_token("企业服务中心填报员", "REPORTER", Some(&p.qiye))
        .await;
    let viewer = app.issue_token("园区领导", "VIEWER", None).await;
    let (_, body) = app
        .gql_as(
            Some(&other),
            "mutation($id: ID!) { startRectification(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let (_, body) = app
        .gql_as(Some(&other), "{ problems { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["problems"], json!([]));
    let (_, body) = app
        .gql_as(Some(&viewer), "{ problems { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["problems"], json!([{ "id": id }]));
    let (_, body) = app
        .gql_as(
            Some(&viewer),
            "mutation($id: ID!) { escalateProblem(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // Bad input changes nothing: found in the future, a deadline before
    // it was found, an empty category.
    for (input, code) in [
        (json!({ "foundOn": "2025-11-02" }), "INVALID_VALUE"),
        (json!({ "deadline": "2025-10-19" }), "INVALID_VALUE"),
        (json!({ "category": " " }), "INVALID_VALUE"),
    ] {
        let mut i = json!({ "planId": p.plan, "title": "x", "category": "安全", "severity": "GENERAL",
                            "source": "PATROL", "foundOn": "2025-10-20", "unitId": p.anquan, "deadline": "2025-12-31" });
        for (k, v) in input.as_object().unwrap() {
            i[k] = v.clone();
        }
        assert_eq!(
            app.error_code(
                "mutation($i: RecordProblemInput!) { recordProblem(input: $i) { id } }",
                json!({ "i": i })
            )
            .await,
            code,
            "{input}"
        );
    }
    let d = app.data("{ problems { id } }", json!({})).await;
    assert_eq!(d["problems"].as_array().unwrap().len(), 1);
}

/// Five problems: three of 安全环保局 (two 安全, one 环保), two of 企业服务中心
/// (消防); found in October but one found in September; two closed by
/// 11-30, one of them after the period's end.
#[tokio::test]
async fn the_ledger_figures_by_hand() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let a = record(&app, &p, json!({ "foundOn": "2025-10-05" })).await;
    let _b = record(
        &app,
        &p,
        json!({ "foundOn": "2025-10-12", "severity": "GENERAL" }),
    )
    .await;
    let c = record(
        &app,
        &p,
        json!({ "foundOn": "2025-10-15", "category": "环保", "severity": "SERIOUS" }),
    )
    .await;
    let _d = record(
        &app,
        &p,
        json!({ "foundOn": "2025-10-28", "unitId": p.qiye, "category": "消防" }),
    )
    .await;
    let _e = record(
        &app,
        &p,
        json!({ "foundOn": "2025-09-20", "unitId": p.qiye, "category": "消防" }),
    )
    .await;
    let close = |id: Value, instant: &'static str| {
        let app = &app;
        async move {
            app.set_now(instant);
            app.data(
                "mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { id } }",
                json!({ "i": { "problemId": id, "content": "已整改" } }),
            )
            .await;
            app.data(
                "mutation($i: RecheckProblemInput!) { recheckProblem(input: $i) { state } }",
                json!({ "i": { "problemId": id, "passed": true } }),
            )
            .await;
        }
    };
    close(a["id"].clone(), "2025-11-10T02:00:00Z").await;
    close(c["id"].clone(), "2025-12-05T02:00:00Z").await;
    let stats = app
        .data(
            r#"query($p: ID!) { problemStats(planId: $p, from: "2025-10-01", to: "2025-11-30") {
                 total { found closed closureRate }
                 byUnit { unit { name } found closed closureRate }
                 byCategory { key found closed closureRate }
                 bySeverity { key found closed } } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    // October's four (the September one is outside); a closed by 11-30, c
    // closed 12-05 (after) → 1 of 4 = 25%.
    assert_eq!(
        stats["problemStats"],
        json!({
            "total": { "found": 4, "closed": 1, "closureRate": 25.0 },
            "byUnit": [
                { "unit": { "name": "安全环保局" }, "found": 3, "closed": 1, "closureRate": 1.0 / 3.0 * 100.0 },
                { "unit": { "name": "企业服务中心" }, "found": 1, "closed": 0, "closureRate": 0.0 },
            ],
            "byCategory": [
                { "key": "安全", "found": 2, "closed": 1, "closureRate": 50.0 },
                { "key": "环保", "found": 1, "closed": 0, "closureRate": 0.0 },
                { "key": "消防", "found": 1, "closed": 0, "closureRate": 0.0 },
            ],
            "bySeverity": [
                { "key": "MAJOR", "found": 2, "closed": 1 },
                { "key": "GENERAL", "found": 1, "closed": 0 },
                { "key": "SERIOUS", "found": 1, "closed": 0 },
            ],
        })
    );
}

/// The 台账 downloads: the problem ledger and the supervision ledger as
/// .xlsx as of a date, in Chinese by default, with only what the caller
/// may read.
#[tokio::test]
async fn the_ledgers_download_as_sheets() {
    use calamine::{Reader, Xlsx};
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let first = record(&app, &p, json!({ "deadline": "2025-10-31" })).await;
    record(&app, &p, json!({ "title": "消防通道堆放杂物", "category": "消防", "unitId": p.qiye, "severity": "GENERAL" })).await;
    app.data(
        "mutation($id: ID!) { escalateProblem(id: $id) { id } }",
        json!({ "id": first["id"] }),
    )
    .await;
    let fetch = |path: String, token: String| {
        let app = &app;
        async move {
            let resp = app
                .client
                .get(&path)
                .header("authorization", format!("Bearer {token}"))
                .send()
                .await;
            let status = resp.0.status().as_u16();
            (status, resp.0.into_body().into_vec().await.unwrap())
        }
    };
    let rows = |bytes: Vec<u8>, sheet: &str| -> Vec<Vec<String>> {
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        book.worksheet_range(sheet)
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let (status, bytes) = fetch(
        format!("/export/plans/{}?format=problems&asOf=2025-11-15", p.plan),
        common::ADMIN_TOKEN.into(),
    )
    .await;
    assert_eq!(status, 200);
    let sheet = rows(bytes, "问题台账");
    assert_eq!(
        sheet[0][0],
        "洞庭产业开发区2025年度目标任务 问题台账（截至 2025-11-15）"
    );
    assert_eq!(&sheet[1][..4], ["序号", "问题", "类别", "严重程度"]);
    assert_eq!(&sheet[1][12..15], ["是否逾期", "销号日期", "按期销号"]);
    assert_eq!(sheet.len(), 4);
    // The first: 安全, 较大, overdue (due 10-31), escalated.
    assert_eq!(
        &sheet[2][1..13],
        [
            "危化品仓库未设置防爆照明",
            "安全",
            "较大",
            "检查",
            "2025-10-20",
            "湖南华鑫化工有限公司",
            "园区化工片区3号仓库",
            "安全环保局",
            "2025-10-31",
            "更换防爆灯具，完善仓库电气检测",
            "待整改",
            "是"
        ]
    );
    assert_eq!(sheet[3][1], "消防通道堆放杂物");
    assert_eq!(sheet[3][12], "否");

    let (_, bytes) = fetch(
        format!(
            "/export/plans/{}?format=supervision&asOf=2025-11-15",
            p.plan
        ),
        common::ADMIN_TOKEN.into(),
    )
    .await;
    let sheet = rows(bytes, "督办台账");
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[2][1], "整改督办：危化品仓库未设置防爆照明");
    // Escalated on 11-01 past the problem's deadline: due 11-16, so blue
    // on 11-15.
    assert_eq!(
        &sheet[2][8..13],
        ["2025-11-16", "2025-11-16", "已交办", "蓝", "否"]
    );

    // A unit's clerk (of a unit with a share in the plan, so it reads the
    // plan) downloads its own problems only.
    let goal = app
        .create_goal(json!({ "planId": p.plan, "title": "腾出闲置厂房", "kind": "CUMULATIVE", "targetValue": 5.0 }))
        .await;
    app.assign(&goal, &p.qiye, Some(5.0)).await;
    let clerk = app
        .issue_token("企业服务中心填报员", "REPORTER", Some(&p.qiye))
        .await;
    let (status, bytes) = fetch(
        format!("/export/plans/{}?format=problems&asOf=2025-11-15", p.plan),
        clerk,
    )
    .await;
    assert_eq!(status, 200);
    let sheet = rows(bytes, "问题台账");
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[2][1], "消防通道堆放杂物");
}

/// A 问题清单 as a safety office writes it: a title merged across, a
/// header with notes in brackets, section rows naming the category, dates
/// as dates and as words, 立行立改, a 合计 row.
fn problem_list(rows: &[[&str; 8]]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("隐患问题清单").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            7,
            "洞庭产业开发区2025年安全生产隐患排查问题清单",
            &Format::new(),
        )
        .unwrap();
    let header = [
        "序号",
        "存在问题",
        "企业名称",
        "隐患等级",
        "问题来源",
        "整改责任单位",
        "发现时间",
        "整改时限\n（完成时间）",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        if row[1].is_empty() && !row[0].is_empty() && row[0].contains('、') {
            sheet
                .merge_range(r, 0, r, 7, row[0], &Format::new())
                .unwrap();
            continue;
        }
        for (c, text) in row.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => {
                    let when = ExcelDateTime::parse_from_str(&d.to_string()).unwrap();
                    sheet
                        .write_datetime_with_format(r, c as u16, &when, &date)
                        .unwrap();
                }
                Err(_) => {
                    sheet.write_string(r, c as u16, *text).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const IMPORT_PROBLEMS: &str = "mutation($input: ImportProblemsInput!) { importProblems(input: $input) \
    { dryRun count imported { title category severity source foundOn deadline enterprise unit { name } state } \
      preview { row title deadline notes } } }";

#[tokio::test]
async fn a_problem_list_is_imported_all_or_nothing() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let good = problem_list(&[
        ["一、危化品安全（2项）", "", "", "", "", "", "", ""],
        [
            "1",
            "危化品仓库未设置防爆照明",
            "湖南华鑫化工有限公司",
            "较大",
            "专项检查",
            "安全环保局",
            "2025-10-20",
            "11月底前",
        ],
        [
            "2",
            "消防通道堆放杂物",
            "洞庭精密制造有限公司",
            "",
            "",
            "企业服务中心",
            "2025-10-21",
            "立行立改",
        ],
        ["二、环境保护（1项）", "", "", "", "", "", "", ""],
        [
            "3",
            "雨污管网混接",
            "",
            "一般",
            "群众信访",
            "安全环保局",
            "2025年10月8日",
            "2025年12月31日",
        ],
        ["合计", "3项", "", "", "", "", "", ""],
    ]);
    let good_again = good.clone();
    let dry = app
        .upload(
            common::ADMIN_TOKEN,
            IMPORT_PROBLEMS,
            json!({ "planId": p.plan, "dryRun": true }),
            good.clone(),
            "qingdan.xlsx",
        )
        .await;
    assert_eq!(dry["data"]["importProblems"]["count"], 3, "{dry}");
    assert_eq!(dry["data"]["importProblems"]["imported"], json!([]));
    // What was read by a rule is said, for the office to check first.
    assert_eq!(
        dry["data"]["importProblems"]["preview"],
        json!([
            { "row": 4, "title": "危化品仓库未设置防爆照明", "deadline": "2025-11-30",
              "notes": ["整改时限 \"11月底前\" read as 2025-11-30"] },
            { "row": 5, "title": "消防通道堆放杂物", "deadline": "2025-10-21",
              "notes": ["整改时限 \"立行立改\" read as the day found (2025-10-21)", "no severity: GENERAL", "no source: CHECK"] },
            { "row": 7, "title": "雨污管网混接", "deadline": "2025-12-31", "notes": [] },
        ])
    );
    let listed = "query($p: ID!) { problems(planId: $p) { id } }";
    assert_eq!(
        app.data(listed, json!({ "p": p.plan })).await["problems"],
        json!([]),
        "a dry run writes nothing"
    );

    let done = app
        .upload(
            common::ADMIN_TOKEN,
            IMPORT_PROBLEMS,
            json!({ "planId": p.plan }),
            good,
            "qingdan.xlsx",
        )
        .await;
    let imported = &done["data"]["importProblems"]["imported"];
    assert_eq!(
        imported,
        &json!([
            { "title": "危化品仓库未设置防爆照明", "category": "危化品安全", "severity": "MAJOR", "source": "CHECK",
              "foundOn": "2025-10-20", "deadline": "2025-11-30", "enterprise": "湖南华鑫化工有限公司",
              "unit": { "name": "安全环保局" }, "state": "OPEN" },
            { "title": "消防通道堆放杂物", "category": "危化品安全", "severity": "GENERAL", "source": "CHECK",
              "foundOn": "2025-10-21", "deadline": "2025-10-21", "enterprise": "洞庭精密制造有限公司",
              "unit": { "name": "企业服务中心" }, "state": "OPEN" },
            { "title": "雨污管网混接", "category": "环境保护", "severity": "GENERAL", "source": "PETITION",
              "foundOn": "2025-10-08", "deadline": "2025-12-31", "enterprise": null,
              "unit": { "name": "安全环保局" }, "state": "OPEN" },
        ]),
        "{done}"
    );

    // The same list again: every row is one the plan has.
    let again = app
        .upload(
            common::ADMIN_TOKEN,
            IMPORT_PROBLEMS,
            json!({ "planId": p.plan }),
            good_again,
            "qingdan.xlsx",
        )
        .await;
    let dups: Vec<String> = again["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["cell"].as_str().unwrap(),
                p["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        dups,
        ["B4 DUPLICATE", "B5 DUPLICATE", "B7 DUPLICATE"],
        "{again}"
    );

    // Bad cells: each named, nothing written.
    let bad = problem_list(&[
        [
            "1",
            "配电房未配备绝缘垫",
            "",
            "很严重",
            "检查",
            "安全环保局",
            "2025-10-20",
            "2025-11-30",
        ],
        [
            "2",
            "应急预案未备案",
            "",
            "一般",
            "自查",
            "应急管理办",
            "2025-10-20",
            "下个月",
        ],
        [
            "3",
            "特种设备未年检",
            "",
            "一般",
            "检查",
            "安全环保局",
            "2025-10-20",
            "2025-10-01",
        ],
    ]);
    let refused = app
        .upload(
            common::ADMIN_TOKEN,
            IMPORT_PROBLEMS,
            json!({ "planId": p.plan }),
            bad,
            "qingdan.xlsx",
        )
        .await;
    let e = &refused["errors"][0];
    assert_eq!(e["extensions"]["code"], "SHEET_INVALID", "{refused}");
    let found: Vec<String> = e["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["cell"].as_str().unwrap_or(&format!("row {}", p["row"])),
                p["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "D3 UNREADABLE_VALUE",
            "F4 UNKNOWN_UNIT",
            "H4 INVALID_DATE",
            "H5 INVALID_VALUE"
        ],
        "{refused}"
    );
    assert_eq!(
        app.data(listed, json!({ "p": p.plan })).await["problems"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "the refused sheet wrote nothing"
    );
}

/// Probe: a problem found in year 1 or due in year 9999 is a typing slip;
/// figures from a day after their end are no period.
#[tokio::test]
async fn a_problems_dates_must_be_near_its_plan() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let (_, reversed) = app
        .gql_as(
            Some(common::ADMIN_TOKEN),
            r#"query($p: ID!) { problemStats(planId: $p, from: "2026-01-01", to: "2025-01-01") { total { found } } }"#,
            json!({ "p": p.plan }),
        )
        .await;
    assert_eq!(
        reversed["errors"][0]["extensions"]["code"], "INVALID_VALUE",
        "{reversed}"
    );
    let recorded = "mutation($i: RecordProblemInput!) { recordProblem(input: $i) { id } }";
    let base = json!({ "planId": p.plan, "title": "危化品仓库未设置防爆照明", "category": "安全",
        "severity": "MAJOR", "source": "CHECK", "unitId": p.anquan });
    for (found, due, said) in [
        (
            "0001-01-01",
            "2025-11-30",
            "foundOn 0001-01-01 is before 2015-01-01; check it",
        ),
        (
            "2025-10-20",
            "9999-12-31",
            "deadline 9999-12-31 is after 2028-12-31; check it",
        ),
    ] {
        let mut input = base.clone();
        input["foundOn"] = json!(found);
        input["deadline"] = json!(due);
        let (_, body) = app
            .gql_as(Some(common::ADMIN_TOKEN), recorded, json!({ "i": input }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "INVALID_VALUE",
            "{body}"
        );
        assert_eq!(body["errors"][0]["message"], said);
    }
    assert_eq!(
        app.data(
            "query($p: ID!) { problems(planId: $p) { id } }",
            json!({ "p": p.plan })
        )
        .await["problems"],
        json!([])
    );
}

/// Probe: a workbook whose first sheet is a hidden 说明 imports its
/// visible 问题清单 without naming the sheet.
#[tokio::test]
async fn a_hidden_first_sheet_is_not_the_list() {
    use rust_xlsxwriter::Workbook;
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes
        .write_string(0, 0, "填表说明：发现时间、整改时限请填写具体日期")
        .unwrap();
    notes.set_hidden(true);
    let list = book.add_worksheet();
    list.set_name("问题清单").unwrap();
    list.set_active(true);
    for (c, h) in ["问题", "责任单位", "发现时间", "整改时限"]
        .iter()
        .enumerate()
    {
        list.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "配电房未配备绝缘垫",
        "安全环保局",
        "2025年10月20日",
        "2025年11月30日",
    ]
    .iter()
    .enumerate()
    {
        list.write_string(1, c as u16, *v).unwrap();
    }
    let file = book.save_to_buffer().unwrap();
    let done = app
        .upload(
            common::ADMIN_TOKEN,
            IMPORT_PROBLEMS,
            json!({ "planId": p.plan }),
            file,
            "list.xlsx",
        )
        .await;
    assert_eq!(done["data"]["importProblems"]["count"], 1, "{done}");
    assert_eq!(
        done["data"]["importProblems"]["preview"][0]["notes"],
        json!([
            "no severity: GENERAL",
            "no source: CHECK",
            "no category: 其他"
        ])
    );
}

/// The ledger and its figures cost the same statements for 3 problems as
/// for 30, their histories and files included: the problems (one), their
/// events and their files (one each), units (cached per request).
#[tokio::test]
async fn the_ledger_costs_the_same_for_3_or_30_problems() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let list = format!(
        r#"{{ problems(planId: "{plan}") {{ {PROBLEM} attachments {{ name }} events {{ attachments {{ name }} }} }}
             problemStats(planId: "{plan}", from: "2025-01-01", to: "2025-12-31") {{ total {{ found closed }} byUnit {{ unit {{ name }} found }} }} }}"#,
        plan = p.plan
    );
    let mut counts = Vec::new();
    for total in [3, 30] {
        while app
            .data(
                "query($p: ID!) { problems(planId: $p) { id } }",
                json!({ "p": p.plan }),
            )
            .await["problems"]
            .as_array()
            .unwrap()
            .len()
            < total
        {
            record(&app, &p, json!({})).await;
        }
        app.reset_statements();
        let d = app.data(&list, json!({})).await;
        counts.push(app.statements());
        assert_eq!(d["problems"].as_array().unwrap().len(), total);
        assert_eq!(d["problemStats"]["total"]["found"], total);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(counts[1] <= 12, "{counts:?}");
    eprintln!("problems + problemStats: {} statements", counts[1]);
}

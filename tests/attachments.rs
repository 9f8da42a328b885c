//! 佐证材料 end to end: uploaded, cited by a feedback, a rectification and
//! a monthly report, downloaded by those who may read what they prove and
//! by nobody else; files that are no evidence, too large or cited twice
//! are refused and change nothing.
mod common;

use common::{ADMIN_TOKEN, TestApp};
use mubiao::config::LimitsConfig;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const UPLOAD: &str = "mutation($file: Upload!) { uploadAttachment(file: $file) \
    { id name size contentType sha256 uploadedBy url } }";

/// A small PDF, as a scanner writes them.
fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\n%%EOF\n").into_bytes()
}

/// The start of a JPEG from a phone camera.
fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10];
    bytes.extend_from_slice(b"Exif\0\0 photo of the new lamps");
    bytes
}

struct Park {
    plan: String,
    zhaoshang: String,
    anquan: String,
}

async fn park(app: &TestApp) -> Park {
    let owner = app.create_unit("洞庭产业开发区管委会", None).await;
    let zhaoshang = app.create_unit("招商合作局", Some(&owner)).await;
    let anquan = app.create_unit("安全环保局", Some(&owner)).await;
    let plan = app
        .create_plan("洞庭产业开发区2025年度目标任务", 2025, &owner)
        .await;
    Park {
        plan,
        zhaoshang,
        anquan,
    }
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, name: &str) -> Value {
    app.upload_file(token, UPLOAD, bytes, name).await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn item(app: &TestApp, p: &Park) -> String {
    app.data(
        "mutation($i: CreateSupervisionItemInput!) { createSupervisionItem(input: $i) { id } }",
        json!({ "i": {
            "planId": p.plan,
            "title": "加快浩源冷链项目签约落地",
            "source": "LEADER_INSTRUCTION",
            "leadUnitId": p.zhaoshang,
            "deadline": "2025-11-30",
        } }),
    )
    .await["createSupervisionItem"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn attachment_count(app: &TestApp) -> i64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entity::attachment::Entity::find()
        .count(&app.db)
        .await
        .unwrap() as i64
}

#[tokio::test]
async fn a_feedbacks_evidence_is_downloaded_only_by_those_who_may_read_the_item() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let clerk = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.zhaoshang))
        .await;
    let other = app
        .issue_token("安全环保局填报员", "REPORTER", Some(&p.anquan))
        .await;
    let viewer = app.issue_token("管委会领导", "VIEWER", None).await;
    let id = item(&app, &p).await;

    let contract = pdf("浩源冷链项目投资合同");
    let sent = upload(
        &app,
        &clerk,
        contract.clone(),
        "C:\\fakepath\\浩源冷链 合同.pdf",
    )
    .await;
    let file = &sent["data"]["uploadAttachment"];
    assert_eq!(file["name"], "浩源冷链 合同.pdf", "{sent}");
    assert_eq!(file["size"], contract.len());
    assert_eq!(file["contentType"], "application/pdf");
    assert_eq!(file["uploadedBy"], "招商合作局填报员");
    let digest: String = Sha256::digest(&contract)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(file["sha256"], digest.as_str());
    let file_id = file["id"].as_str().unwrap().to_string();
    let url = file["url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("/attachments/{file_id}"));

    // Cited by nothing yet: only its uploader sees it.
    assert_eq!(app.download(&url, Some(&clerk)).await.0, 200);
    assert_eq!(app.download(&url, Some(&other)).await.0, 404);
    assert_eq!(app.download(&url, Some(ADMIN_TOKEN)).await.0, 404);

    let step = |query: &'static str, vars: Value| {
        let app = &app;
        let clerk = clerk.clone();
        async move { app.gql_as(Some(&clerk), query, vars).await.1 }
    };
    step(
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    let fed = step(
        "mutation($i: SupervisionFeedbackInput!) { addSupervisionFeedback(input: $i) { state \
            attachments { name } events { kind attachments { id name size } } } }",
        json!({ "i": { "itemId": id, "content": "已完成合同文本会签，附合同扫描件", "attachmentIds": [file_id] } }),
    )
    .await;
    let fed = &fed["data"]["addSupervisionFeedback"];
    assert_eq!(fed["state"], "IN_PROGRESS", "{fed}");
    assert_eq!(fed["attachments"], json!([{ "name": "浩源冷链 合同.pdf" }]));
    let events = fed["events"].as_array().unwrap();
    assert_eq!(events[2]["kind"], "FEEDBACK");
    assert_eq!(
        events[2]["attachments"],
        json!([{ "id": file_id, "name": "浩源冷链 合同.pdf", "size": contract.len() }])
    );
    assert_eq!(events[1]["attachments"], json!([]));

    // Cited: whoever may read the item downloads it, byte for byte.
    let (status, headers, body) = app.download(&url, Some(&clerk)).await;
    assert_eq!(status, 200);
    assert_eq!(body, contract);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"____ __.pdf\"; \
         filename*=UTF-8''%E6%B5%A9%E6%BA%90%E5%86%B7%E9%93%BE%20%E5%90%88%E5%90%8C%2Epdf"
    );
    assert_eq!(app.download(&url, Some(&viewer)).await.0, 200);
    assert_eq!(app.download(&url, Some(ADMIN_TOKEN)).await.0, 200);
    // Another unit's clerk: as missing as a file that does not exist.
    let (status, _, body) = app.download(&url, Some(&other)).await;
    assert_eq!(status, 404);
    assert!(!body.windows(4).any(|w| w == b"%PDF"));
    assert_eq!(
        app.download("/attachments/999999", Some(&clerk)).await.0,
        404
    );
    assert_eq!(app.download(&url, None).await.0, 401);
    // A link opened in a browser tab: the page, not a JSON refusal.
    let tab = app
        .client
        .get("/attachments/999999")
        .header("authorization", format!("Bearer {clerk}"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await;
    assert_eq!(tab.0.status().as_u16(), 404);
    let page = String::from_utf8(tab.0.into_body().into_vec().await.unwrap()).unwrap();
    assert!(page.contains("页面不存在"), "{page}");
    // Nor may anyone upload without signing in: refused before the body.
    let anonymous = app
        .client
        .post("/graphql")
        .header("content-type", "multipart/form-data; boundary=x")
        .body(vec![b'x'; 1 << 20])
        .send()
        .await;
    assert_eq!(anonymous.0.status().as_u16(), 401);
    // The other clerk does not even see it listed.
    let (_, seen) = app
        .gql_as(
            Some(&other),
            "query($id: ID!) { supervisionItem(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&seen), "NOT_FOUND");

    // The same file cited again, by a closure request: refused, nothing moves.
    let again = step(
        "mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { state } }",
        json!({ "i": { "itemId": id, "summary": "合同已签订", "attachmentIds": [file_id] } }),
    )
    .await;
    assert_eq!(code(&again), "INVALID_VALUE", "{again}");
    // A colleague's upload is not the clerk's to cite.
    let colleague = app
        .issue_token("招商合作局 王敏", "REPORTER", Some(&p.zhaoshang))
        .await;
    let theirs = upload(&app, &colleague, pdf("签约仪式照片说明"), "说明.pdf").await;
    let theirs = theirs["data"]["uploadAttachment"]["id"].clone();
    let stolen = step(
        "mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { state } }",
        json!({ "i": { "itemId": id, "summary": "合同已签订", "attachmentIds": [theirs] } }),
    )
    .await;
    // As missing as a file that does not exist: no name told.
    assert_eq!(code(&stolen), "NOT_FOUND", "{stolen}");
    assert!(!stolen.to_string().contains("说明.pdf"), "{stolen}");
    let now = app
        .data(
            "query($id: ID!) { supervisionItem(id: $id) { state events { kind } attachments { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["supervisionItem"]["state"], "IN_PROGRESS");
    assert_eq!(
        now["supervisionItem"]["events"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        now["supervisionItem"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A scan of 3 MB passes, though a query's body may hold only 1 MB.
    let scan = pdf(&"扫".repeat(1 << 20));
    let sent = upload(&app, &clerk, scan.clone(), "签约仪式现场.pdf").await;
    assert_eq!(
        sent["data"]["uploadAttachment"]["size"],
        scan.len(),
        "{sent}"
    );
}

#[tokio::test]
async fn files_that_are_no_evidence_or_too_large_are_refused_and_kept_nowhere() {
    let app = TestApp::spawn_with(LimitsConfig {
        max_attachment_bytes: 4096,
        max_attachments_per_item: 2,
        ..Default::default()
    })
    .await;
    let p = park(&app).await;
    let clerk = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.zhaoshang))
        .await;
    let viewer = app.issue_token("管委会领导", "VIEWER", None).await;

    let page = b"<!DOCTYPE html><html><script>fetch('/graphql')</script></html>".to_vec();
    let refused = upload(&app, &clerk, page, "整改报告.pdf").await;
    assert_eq!(code(&refused), "ATTACHMENT_TYPE_NOT_ALLOWED", "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("只接受 PDF/OFD、图片"),
        "{refused}"
    );
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    assert_eq!(
        code(&upload(&app, &clerk, svg, "现场.png").await),
        "ATTACHMENT_TYPE_NOT_ALLOWED"
    );
    let named_wrong = upload(&app, &clerk, pdf("x"), "现场照片.jpg").await;
    assert_eq!(code(&named_wrong), "ATTACHMENT_TYPE_NOT_ALLOWED");
    assert_eq!(
        named_wrong["errors"][0]["message"],
        "“现场照片.jpg”的扩展名是 .jpg，内容却是PDF 文件；请改正文件名后再上传"
    );
    let big = pdf(&"图".repeat(2000));
    let too_big = upload(&app, &clerk, big, "扫描件.pdf").await;
    assert_eq!(code(&too_big), "ATTACHMENT_TOO_LARGE", "{too_big}");
    assert_eq!(
        code(&upload(&app, &viewer, pdf("x"), "a.pdf").await),
        "FORBIDDEN"
    );
    assert_eq!(attachment_count(&app).await, 0);

    // Two files per item at most here: the third is refused with its step.
    let id = item(&app, &p).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let sent = upload(&app, &clerk, jpeg(), &format!("现场{n}.jpg")).await;
        ids.push(sent["data"]["uploadAttachment"]["id"].clone());
    }
    // Two uncited uploads are all one clerk may hold here.
    assert_eq!(ids[2], Value::Null);
    app.gql_as(
        Some(&clerk),
        "mutation($id: ID!) { acceptSupervisionItem(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    let feedback =
        "mutation($i: SupervisionFeedbackInput!) { addSupervisionFeedback(input: $i) { state } }";
    let (_, first) = app
        .gql_as(
            Some(&clerk),
            feedback,
            json!({ "i": { "itemId": id, "content": "现场照片两张", "attachmentIds": [ids[0], ids[1]] } }),
        )
        .await;
    assert_eq!(
        first["data"]["addSupervisionFeedback"]["state"],
        "IN_PROGRESS"
    );
    // Cited, they no longer count: a third may be uploaded.
    let sent = upload(&app, &clerk, jpeg(), "现场2.jpg").await;
    ids[2] = sent["data"]["uploadAttachment"]["id"].clone();
    assert!(ids[2].is_string(), "{sent}");
    let (_, third) = app
        .gql_as(
            Some(&clerk),
            feedback,
            json!({ "i": { "itemId": id, "content": "再补一张", "attachmentIds": [ids[2]] } }),
        )
        .await;
    assert_eq!(code(&third), "ATTACHMENT_TOO_LARGE", "{third}");
    assert_eq!(
        third["errors"][0]["message"],
        // (gql_as reads English.)
        "at most 2 attachments per item; it holds 2 and this adds 1"
    );
    let events = app
        .data(
            "query($id: ID!) { supervisionItem(id: $id) { events { kind } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        events["supervisionItem"]["events"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "the refused feedback left no event"
    );
}

#[tokio::test]
async fn a_rectification_and_a_monthly_report_carry_their_evidence() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let anquan = app
        .issue_token("安全环保局填报员", "REPORTER", Some(&p.anquan))
        .await;
    let zhaoshang = app
        .issue_token("招商合作局填报员", "REPORTER", Some(&p.zhaoshang))
        .await;

    // A problem of 安全环保局, rectified with a photo.
    let problem = app
        .data(
            "mutation($i: RecordProblemInput!) { recordProblem(input: $i) { id } }",
            json!({ "i": {
                "planId": p.plan, "title": "危化品仓库未设置防爆照明", "category": "安全",
                "severity": "MAJOR", "source": "CHECK", "foundOn": "2025-10-20",
                "unitId": p.anquan, "deadline": "2025-11-20",
            } }),
        )
        .await["recordProblem"]["id"]
        .clone();
    let photo = upload(&app, &anquan, jpeg(), "防爆灯具更换后.JPG").await;
    let photo = &photo["data"]["uploadAttachment"];
    assert_eq!(photo["name"], "防爆灯具更换后.jpg");
    assert_eq!(photo["contentType"], "image/jpeg");
    app.gql_as(
        Some(&anquan),
        "mutation($id: ID!) { startRectification(id: $id) { state } }",
        json!({ "id": problem }),
    )
    .await;
    let (_, done) = app
        .gql_as(
            Some(&anquan),
            "mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { state \
                attachments { name } events { kind attachments { name } } } }",
            json!({ "i": { "problemId": problem, "content": "已更换防爆灯具12套", "attachmentIds": [photo["id"]] } }),
        )
        .await;
    let done = &done["data"]["submitRectification"];
    assert_eq!(done["state"], "RECHECK", "{done}");
    assert_eq!(
        done["attachments"],
        json!([{ "name": "防爆灯具更换后.jpg" }])
    );
    assert_eq!(done["events"][2]["kind"], "SUBMIT");
    assert_eq!(
        done["events"][2]["attachments"],
        json!([{ "name": "防爆灯具更换后.jpg" }])
    );
    let photo_url = photo["url"].as_str().unwrap();
    assert_eq!(app.download(photo_url, Some(&anquan)).await.0, 200);
    assert_eq!(app.download(photo_url, Some(&zhaoshang)).await.0, 404);

    // A monthly report of 招商合作局 with the signed contract.
    let goal = app
        .create_goal(json!({ "planId": p.plan, "title": "合同引进省外境内资金", "kind": "CUMULATIVE", "targetValue": 25.0, "measureUnit": "亿元", "leadUnitId": p.zhaoshang }))
        .await;
    let share = app.assign(&goal, &p.zhaoshang, Some(25.0)).await;
    let contract = upload(&app, &zhaoshang, pdf("合同"), "浩源冷链合同.pdf").await;
    let contract_id = contract["data"]["uploadAttachment"]["id"].clone();
    let (_, filed) = app
        .gql_as(
            Some(&zhaoshang),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id value attachments { name contentType } } }",
            json!({ "i": { "assignmentId": share, "asOf": "2025-10-31", "value": 13.5, "attachmentIds": [contract_id] } }),
        )
        .await;
    let filed = &filed["data"]["submitReport"];
    assert_eq!(
        filed["attachments"],
        json!([{ "name": "浩源冷链合同.pdf", "contentType": "application/pdf" }]),
        "{filed}"
    );
    let reports =
        "query($id: ID!) { assignment(id: $id) { reports { value attachments { name } } } }";
    let (_, own) = app
        .gql_as(Some(&zhaoshang), reports, json!({ "id": share }))
        .await;
    assert_eq!(
        own["data"]["assignment"]["reports"][0]["attachments"],
        json!([{ "name": "浩源冷链合同.pdf" }])
    );
    let (_, others) = app
        .gql_as(Some(&anquan), reports, json!({ "id": share }))
        .await;
    if let Some(listed) = others["data"]["assignment"]["reports"].as_array() {
        assert!(
            listed.iter().all(|r| r["attachments"] == json!([])),
            "{others}"
        );
    }
    let url = format!(
        "/attachments/{}",
        contract["data"]["uploadAttachment"]["id"].as_str().unwrap()
    );
    assert_eq!(app.download(&url, Some(&zhaoshang)).await.0, 200);
    assert_eq!(app.download(&url, Some(&anquan)).await.0, 404);

    // A report whose file is refused is not filed.
    let (_, refused) = app
        .gql_as(
            Some(&zhaoshang),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
            json!({ "i": { "assignmentId": share, "asOf": "2025-10-31", "value": 14.0, "attachmentIds": [contract_id] } }),
        )
        .await;
    assert_eq!(code(&refused), "INVALID_VALUE", "{refused}");
    let (_, after) = app
        .gql_as(Some(&zhaoshang), reports, json!({ "id": share }))
        .await;
    assert_eq!(
        after["data"]["assignment"]["reports"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Probe: ownership went by the name shown, which any token may share. A
/// second token named like the uploader (another unit's) neither reads
/// nor cites the file; uploads not cited within a day are removed.
#[tokio::test]
async fn a_file_is_its_uploaders_own_not_its_names() {
    let app = TestApp::spawn().await;
    let p = park(&app).await;
    let clerk = app
        .issue_token("招商合作局 填报员", "REPORTER", Some(&p.zhaoshang))
        .await;
    let namesake = app
        .issue_token("招商合作局 填报员", "REPORTER", Some(&p.anquan))
        .await;
    let sent = upload(&app, &clerk, pdf("合同"), "合同.pdf").await;
    let file_id = sent["data"]["uploadAttachment"]["id"].clone();
    let url = format!("/attachments/{}", file_id.as_str().unwrap());
    assert_eq!(app.download(&url, Some(&clerk)).await.0, 200);
    assert_eq!(app.download(&url, Some(&namesake)).await.0, 404);

    let problem = app
        .data(
            "mutation($i: RecordProblemInput!) { recordProblem(input: $i) { id } }",
            json!({ "i": {
                "planId": p.plan, "title": "危化品仓库未设置防爆照明", "category": "安全",
                "severity": "MAJOR", "source": "CHECK", "foundOn": "2025-10-20",
                "unitId": p.anquan, "deadline": "2025-11-20",
            } }),
        )
        .await["recordProblem"]["id"]
        .clone();
    let (_, taken) = app
        .gql_as(
            Some(&namesake),
            "mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { state } }",
            json!({ "i": { "problemId": problem, "content": "引用别人的文件", "attachmentIds": [file_id] } }),
        )
        .await;
    assert_eq!(code(&taken), "NOT_FOUND", "{taken}");
    // Nor may the namesake discard it; its uploader may discard its own.
    let (_, discard) = app
        .gql_as(
            Some(&namesake),
            "mutation($id: ID!) { discardAttachment(id: $id) }",
            json!({ "id": file_id }),
        )
        .await;
    assert_eq!(code(&discard), "NOT_FOUND", "{discard}");
    assert_eq!(
        app.download(&url, Some(&clerk)).await.0,
        200,
        "still the clerk's"
    );
    let spare = upload(&app, &clerk, pdf("草稿"), "草稿.pdf").await;
    let spare = spare["data"]["uploadAttachment"]["id"].clone();
    let (_, gone) = app
        .gql_as(
            Some(&clerk),
            "mutation($id: ID!) { discardAttachment(id: $id) }",
            json!({ "id": spare }),
        )
        .await;
    assert_eq!(gone["data"]["discardAttachment"], spare, "{gone}");

    // A day and a bit later, the daily job removes it, bytes and all.
    let later = common::test_now() + chrono::Duration::hours(25);
    let gone = mubiao::service::attachments::purge_unlinked(&app.db, 1, later)
        .await
        .unwrap();
    assert_eq!(gone, 1);
    assert_eq!(attachment_count(&app).await, 0);
    assert_eq!(app.download(&url, Some(&clerk)).await.0, 404);
}

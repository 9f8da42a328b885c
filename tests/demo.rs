//! The demo's figures, pinned. The demo is data (`demo/`: the units, the
//! 分解表 imported as any other, the monthly reports and milestone
//! completions submitted through the services); these are the figures its
//! dashboard showed when the demo was still built in code, and must keep
//! showing.
mod common;

use common::{TestApp, assert_close};
use serde_json::{Value, json};

const DASHBOARD: &str = r#"
query($id: ID!) {
  units { name parent { name } }
  plan(id: $id) {
    name year state
    ownerUnit { name }
    progress(asOf: "2025-10-31") { completionPercent expectedPercent gap light score }
    scorecard(asOf: "2025-10-31") { score maxScore vetoed }
    allGoals {
      code title
      progress(asOf: "2025-10-31") { actual completionPercent light status }
      assignments { unit { name } targetValue responsiblePerson reports { asOf } }
      milestones { title completedOn completedLate }
    }
    unitProgress(asOf: "2025-10-31") {
      rank unit { name parent { name } } lights { green blue yellow red }
      progress { completionPercent }
    }
  }
  reportingCalendar(planId: $id, month: "2025-10") {
    assignments { unit { name } goal { code } state firstSubmittedOn }
  }
}"#;

fn goal<'a>(plan: &'a Value, code: &str) -> &'a Value {
    plan["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("no goal {code}"))
}

/// Goal codes showing `light` as of 2025-10-31.
fn lit(plan: &Value, light: &str) -> Vec<String> {
    plan["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["progress"]["light"] == light)
        .map(|g| g["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_demo_dashboard_shows_its_pinned_figures() {
    let app = TestApp::spawn().await;
    // 20 November: the October reports are in, or late, or missing.
    app.set_now("2025-11-20T02:00:00Z");
    let id = mubiao::demo::load(&app.db).await.unwrap();
    let d = app.data(DASHBOARD, json!({ "id": id.to_string() })).await;
    let plan = &d["plan"];

    assert_eq!(plan["name"], "洞庭产业开发区2025年度目标任务");
    assert_eq!(
        (&plan["year"], &plan["state"]),
        (&json!(2025), &json!("ACTIVE"))
    );
    assert_eq!(plan["ownerUnit"]["name"], "洞庭产业开发区管委会");

    // The units and their tree.
    let units = d["units"].as_array().unwrap();
    assert_eq!(units.len(), 10);
    let parent =
        |name: &str| units.iter().find(|u| u["name"] == name).unwrap()["parent"]["name"].clone();
    assert_eq!(parent("招商一局"), "招商合作局");
    assert_eq!(parent("招商合作局"), "洞庭产业开发区管委会");
    assert_eq!(parent("洞庭产业开发区管委会"), Value::Null);

    // The plan as of 2025-10-31.
    assert_close(&plan["progress"]["completionPercent"], 73.65);
    assert_close(&plan["progress"]["expectedPercent"], 80.0);
    assert_close(&plan["progress"]["gap"], -6.35);
    assert_eq!(plan["progress"]["light"], "BLUE");
    assert_close(&plan["progress"]["score"], 66.29);
    assert_close(&plan["scorecard"]["score"], 66.29);
    assert_close(&plan["scorecard"]["maxScore"], 90.0);
    assert_eq!(plan["scorecard"]["vetoed"], false);

    // Goals, shares, reports and milestones.
    assert_eq!(plan["allGoals"].as_array().unwrap().len(), 14);
    let shares: usize = plan["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["assignments"].as_array().unwrap().len())
        .sum();
    let reports: usize = plan["allGoals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["assignments"].as_array().unwrap())
        .map(|a| a["reports"].as_array().unwrap().len())
        .sum();
    assert_eq!((shares, reports), (14, 27));

    let signed = goal(plan, "1");
    assert_eq!(signed["title"], "签约项目");
    assert_close(&signed["progress"]["actual"], 17.0);
    assert_close(&signed["progress"]["completionPercent"], 85.0);
    assert_eq!(signed["progress"]["light"], "GREEN");
    assert_eq!(
        signed["assignments"][0],
        json!({
            "unit": { "name": "招商一局" }, "targetValue": 10.0, "responsiblePerson": "王立",
            "reports": [
                { "asOf": "2025-03-31" }, { "asOf": "2025-06-30" }, { "asOf": "2025-09-30" },
                { "asOf": "2025-10-31" }, { "asOf": "2025-10-31" }
            ]
        })
    );
    let contract = goal(plan, "2");
    assert_close(&contract["progress"]["actual"], 19.6);
    assert_close(&contract["progress"]["completionPercent"], 78.4);
    assert_eq!(contract["progress"]["light"], "BLUE");
    let land = goal(plan, "4");
    assert_close(&land["progress"]["actual"], 566.75);
    assert_close(&land["progress"]["completionPercent"], 47.23);
    let debt = goal(plan, "8");
    assert_close(&debt["progress"]["actual"], 67.2);
    assert_close(&debt["progress"]["completionPercent"], 96.73);
    let solar = goal(plan, "6");
    assert_eq!(solar["progress"]["status"], "COMPLETED");
    assert_eq!(
        solar["milestones"],
        json!([{ "title": "完成项目建设和并网运行", "completedOn": "2025-04-18", "completedLate": true }])
    );
    assert_close(&goal(plan, "5.1")["progress"]["completionPercent"], 60.0);

    // The lights.
    assert_eq!(lit(plan, "RED"), ["3", "4", "4.2", "4.3"]);
    assert_eq!(lit(plan, "YELLOW"), ["4.1", "5.2", "7", "8"]);
    assert_eq!(lit(plan, "BLUE"), ["2"]);
    assert_eq!(lit(plan, "GREEN").len(), 5);

    // The unit ranking.
    let ranking = plan["unitProgress"].as_array().unwrap();
    let names: Vec<&str> = ranking
        .iter()
        .map(|u| u["unit"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "财政金融局",
            "招商一局",
            "规划建设局",
            "招商二局",
            "经济发展局",
            "企业服务中心",
            "自然资源分局",
            // Only 一票否决 items, which weigh nothing: nothing of it counts,
            // so it has no completion and comes after the ranked units.
            "安全环保局",
        ]
    );
    assert_eq!(ranking[7]["rank"], Value::Null);
    assert_eq!(ranking[7]["progress"]["completionPercent"], Value::Null);
    assert_eq!(ranking[6]["rank"], 7);
    assert_eq!(
        ranking[6]["lights"],
        json!({ "green": 0, "blue": 0, "yellow": 1, "red": 2 })
    );

    // October's reporting calendar on 20 November: 招商二局 filed its
    // 合同引资额 on 8 November, after the 5th.
    let october = d["reportingCalendar"]["assignments"].as_array().unwrap();
    let state = |unit: &str, code: &str| {
        let e = october
            .iter()
            .find(|e| e["unit"]["name"] == unit && e["goal"]["code"] == code)
            .unwrap();
        (e["state"].clone(), e["firstSubmittedOn"].clone())
    };
    assert_eq!(state("招商二局", "2"), (json!("LATE"), json!("2025-11-08")));
    assert_eq!(
        state("招商一局", "1"),
        (json!("REPORTED"), json!("2025-11-03"))
    );
    assert_eq!(state("企业服务中心", "3"), (json!("MISSING"), Value::Null));
    let count = |s: &str| october.iter().filter(|e| e["state"] == s).count();
    assert_eq!(
        (count("REPORTED"), count("LATE"), count("MISSING")),
        (3, 1, 8)
    );
}

/// The demo's 督办 items, one in each state, with the light each shows as
/// of 2025-10-31 (worked by hand from `demo/dongting-2025-supervision.csv`).
#[tokio::test]
async fn the_demo_has_supervision_items_in_every_state() {
    let app = TestApp::spawn().await;
    mubiao::demo::load(&app.db).await.unwrap();
    let d = app
        .data(
            r#"{ supervisionItems(asOf: "2025-10-31") { title state light(asOf: "2025-10-31") overdue(asOf: "2025-10-31")
                  deadlineInForce(asOf: "2025-10-31") closedOnTime leadUnit { name } } }"#,
            serde_json::json!({}),
        )
        .await;
    let rows: Vec<String> = d["supervisionItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {} {} {} {} {} {}",
                i["title"].as_str().unwrap(),
                i["state"].as_str().unwrap(),
                i["light"].as_str().unwrap_or("-"),
                i["overdue"],
                i["deadlineInForce"].as_str().unwrap(),
                i["closedOnTime"],
                i["leadUnit"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // Handed over 09-15, fed back 10-28, due 11-30.
            "加快浩源冷链项目签约落地 IN_PROGRESS GREEN false 2025-11-30 null 招商一局",
            // Due 09-30, urged, still open.
            "闲置土地处置攻坚 IN_PROGRESS RED true 2025-09-30 null 自然资源分局",
            // Closed 04-22, due 04-30.
            "屋顶分布式光伏二期并网督查 CLOSED - false 2025-04-30 true 经济发展局",
            // Handed over 10-20, due 12-31.
            "低效企业厂房腾退谈判 ASSIGNED GREEN false 2025-12-31 null 企业服务中心",
            // Extended from 10-15 to 10-31, closure asked 10-29: due today.
            "高新技术企业申报 CLOSURE_REQUESTED BLUE false 2025-10-31 null 经济发展局",
        ]
    );
}

/// The demo's 问题台账: a problem in every state (one failed its first
/// recheck), worked by hand from `demo/dongting-2025-problems.csv`, and
/// the figures of October.
#[tokio::test]
async fn the_demo_has_problems_in_every_state() {
    let app = TestApp::spawn().await;
    mubiao::demo::load(&app.db).await.unwrap();
    let d = app
        .data(
            r#"{ plans { id } problems { title state closedOnTime category severity source unit { name } events { kind } } }"#,
            serde_json::json!({}),
        )
        .await;
    let rows: Vec<String> = d["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {} {} {} {}",
                p["title"].as_str().unwrap(),
                p["state"].as_str().unwrap(),
                p["category"].as_str().unwrap(),
                p["severity"].as_str().unwrap(),
                p["source"].as_str().unwrap(),
                p["unit"]["name"].as_str().unwrap(),
                p["events"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "危化品仓库未设置防爆照明 CLOSED 安全 MAJOR CHECK 安全环保局 6",
            "雨污管网混接 RECTIFYING 环保 GENERAL PETITION 安全环保局 2",
            "消防通道堆放杂物 RECHECK 消防 GENERAL PATROL 企业服务中心 2",
            "特种设备未按期检验 OPEN 安全 SERIOUS HIGHER_INSPECTION 安全环保局 1",
            "入园企业环评手续不全 OPEN 环保 MAJOR SELF_CHECK 企业服务中心 1",
        ]
    );
    // Closed on 11-03, three days after its 10-31 deadline: not on time.
    assert_eq!(d["problems"][0]["closedOnTime"], false);
    assert_eq!(d["problems"][1]["closedOnTime"], serde_json::Value::Null);
    // Found in September and October: 1 in September, 4 in October; the
    // September one closed on 11-03, so none of October's closed by 10-31.
    let plan = d["plans"][0]["id"].clone();
    let stats = app
        .data(
            r#"query($p: ID!) { problemStats(planId: $p, from: "2025-10-01", to: "2025-10-31") { total { found closed } } }"#,
            serde_json::json!({ "p": plan }),
        )
        .await;
    assert_eq!(
        stats["problemStats"]["total"],
        serde_json::json!({ "found": 4, "closed": 0 })
    );
}

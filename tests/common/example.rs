//! The worked example of the rules page (a 2025 plan, as of 2025-10-31),
//! built through the API, plus goals that exercise sub-goals, GROUP and VETO.
use serde_json::json;

use super::TestApp;

pub struct Example {
    pub plan: String,
    pub signed: String,
    pub contract: String,
    pub factories: String,
    pub fdi: String,
    pub debt: String,
    pub solar: String,
    pub land: String,
    pub five_good: String,
    pub safety: String,
    pub s1: String,
    pub s2: String,
    pub bureau1: String,
    pub bureau2: String,
    /// 安全环保局's share of the VETO goal.
    pub safety_share: String,
    /// The 光伏二期 milestone (due 03-31, completed 04-18).
    pub grid: String,
    /// 主体厂房 of 五好园区 (due 10-31, completed 10-28).
    pub main_works: String,
}

pub async fn worked_example(app: &TestApp) -> Example {
    let committee = app.create_unit("管委会", None).await;
    let bureau1 = app.create_unit("招商一局", Some(&committee)).await;
    let bureau2 = app.create_unit("招商二局", Some(&committee)).await;
    let construction = app.create_unit("规划建设局", Some(&committee)).await;
    let finance = app.create_unit("财政金融局", Some(&committee)).await;
    let land_office = app.create_unit("自然资源分局", Some(&committee)).await;
    let safety_office = app.create_unit("安全环保局", Some(&committee)).await;
    let plan = app.create_plan("2025年度目标任务", 2025, &committee).await;

    let goal = |title: &str,
                category: &str,
                kind: &str,
                unit: Option<&str>,
                target: Option<f64>,
                weight: f64| {
        json!({ "planId": plan, "title": title, "category": category, "kind": kind,
                "measureUnit": unit, "targetValue": target, "weight": weight, "deadline": "2025-12-31" })
    };

    let signed = app
        .create_goal(goal(
            "签约项目",
            "招商引资",
            "CUMULATIVE",
            Some("个"),
            Some(20.0),
            10.0,
        ))
        .await;
    let s1 = app.assign(&signed, &bureau1, Some(10.0)).await;
    let s2 = app.assign(&signed, &bureau2, Some(10.0)).await;
    app.report(&s1, "2025-06-30", 5.0).await;
    app.report(&s1, "2025-10-31", 9.0).await;
    app.report(&s2, "2025-09-30", 8.0).await;

    let contract = app
        .create_goal(goal(
            "合同引资额",
            "招商引资",
            "CUMULATIVE",
            Some("亿元"),
            Some(25.0),
            10.0,
        ))
        .await;
    let c1 = app.assign(&contract, &bureau1, Some(15.0)).await;
    app.report(&c1, "2025-10-31", 19.6).await;

    let factories = app
        .create_goal(goal(
            "新建标准厂房",
            "项目建设",
            "CUMULATIVE",
            Some("万平方米"),
            Some(10.0),
            10.0,
        ))
        .await;
    let f1 = app.assign(&factories, &construction, None).await;
    app.report(&f1, "2025-10-20", 6.0).await;

    let fdi = app
        .create_goal(goal(
            "实际利用外资",
            "招商引资",
            "CUMULATIVE",
            Some("万美元"),
            Some(3000.0),
            10.0,
        ))
        .await;
    let x1 = app.assign(&fdi, &bureau2, None).await;
    app.report(&x1, "2025-10-31", 1500.0).await;

    let mut debt_input = goal(
        "资产负债率",
        "防范风险",
        "RATE",
        Some("%"),
        Some(65.0),
        10.0,
    );
    debt_input["direction"] = json!("DECREASE");
    let debt = app.create_goal(debt_input).await;
    let d1 = app.assign(&debt, &finance, None).await;
    app.report(&d1, "2025-09-30", 69.0).await;
    app.report(&d1, "2025-10-31", 67.2).await;

    let mut solar_input = goal("光伏二期并网", "项目建设", "MILESTONE", None, None, 10.0);
    solar_input["deadline"] = json!("2025-03-31");
    let solar = app.create_goal(solar_input).await;
    app.assign(&solar, &construction, None).await;
    let grid = app
        .add_milestone(&solar, "完成项目建设和并网运行", "2025-03-31", 1.0)
        .await;
    app.complete_milestone(&grid, "2025-04-18").await;

    // Not in the worked example's table: they exercise sub-goals, GROUP and VETO.
    let land = app
        .create_goal(goal(
            "处置三类低效用地",
            "资源配置",
            "CUMULATIVE",
            Some("亩"),
            Some(1200.0),
            0.0,
        ))
        .await;
    for (title, target, value) in [
        ("批而未供", 500.0, 320.5),
        ("闲置土地", 300.0, 96.0),
        ("低效用地", 400.0, 150.25),
    ] {
        let mut sub = goal(
            title,
            "资源配置",
            "CUMULATIVE",
            Some("亩"),
            Some(target),
            1.0,
        );
        sub["parentId"] = json!(land);
        let id = app.create_goal(sub).await;
        let a = app.assign(&id, &land_office, None).await;
        app.report(&a, "2025-09-30", value).await;
    }
    let five_good = app
        .create_goal(goal("五好园区建设", "项目建设", "GROUP", None, None, 0.0))
        .await;
    let mut building = goal("五好园区建设项目", "项目建设", "MILESTONE", None, None, 3.0);
    building["parentId"] = json!(five_good);
    let building = app.create_goal(building).await;
    let m1 = app
        .add_milestone(&building, "完成主体厂房建设", "2025-10-31", 6.0)
        .await;
    app.add_milestone(&building, "扫尾工程并投产运营", "2025-12-31", 4.0)
        .await;
    app.complete_milestone(&m1, "2025-10-28").await;
    let mut share = goal(
        "高新技术产业增加值占比",
        "项目建设",
        "RATE",
        Some("%"),
        Some(60.0),
        1.0,
    );
    share["parentId"] = json!(five_good);
    let share = app.create_goal(share).await;
    let sh = app.assign(&share, &finance, None).await;
    app.report(&sh, "2025-09-30", 72.0).await;

    let safety = app
        .create_goal(goal(
            "较大及以上安全生产事故",
            "防范风险",
            "VETO",
            Some("起"),
            Some(0.0),
            0.0,
        ))
        .await;
    let v1 = app.assign(&safety, &safety_office, None).await;
    app.report(&v1, "2025-08-31", 0.0).await;

    Example {
        plan,
        signed,
        contract,
        factories,
        fdi,
        debt,
        solar,
        land,
        five_good,
        safety,
        s1,
        s2,
        bureau1,
        bureau2,
        safety_share: v1,
        grid,
        main_works: m1,
    }
}

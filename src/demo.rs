//! The demo: a 2025 plan of a development zone, built from the targets its
//! 2024 work report set for 2025 (签约项目20个以上, 合同引资额25亿元以上, 腾出厂房
//! 5万平方米以上, 处置三类低效用地, the 五好园区 building, 屋顶光伏二期 by March…),
//! broken down to its bureaus, with reports through October. Everything goes
//! through the services, so the demo obeys the same rules as any client.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;

use crate::db::audit::{self, Audit};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::{assignments, goals, milestones, plans, reports, tokens, units};
use domain::PlanState;
use domain::access::Role;
use domain::{Direction, GoalKind};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("demo dates are valid")
}

/// Clerks file a month's report a few days after it, at 09:00 in Shanghai.
fn submitted_after(as_of: &str, days: u64) -> DateTime<Utc> {
    let day = d(as_of) + chrono::Days::new(days);
    day.and_hms_opt(1, 0, 0).expect("valid time").and_utc()
}

/// The demo's well-known read-only token, which GraphiQL sends when the
/// server runs with `--demo`. Never load the demo into a real database.
pub const VIEWER_TOKEN: &str = "demo-viewer";

/// Loads the demo unless some plan already exists; returns the new plan's id.
pub async fn load_if_empty(db: &DatabaseConnection) -> AppResult<Option<i64>> {
    if !plans::list(db).await?.is_empty() {
        return Ok(None);
    }
    load(db).await.map(Some)
}

struct Goal<'a> {
    code: &'a str,
    title: &'a str,
    category: &'a str,
    kind: GoalKind,
    measure_unit: Option<&'a str>,
    target: Option<f64>,
    direction: Direction,
    weight: f64,
    deadline: Option<&'a str>,
    lead: i64,
    leader: &'a str,
    original: &'a str,
}

async fn goal(
    db: &DatabaseConnection,
    plan_id: i64,
    parent: Option<i64>,
    g: Goal<'_>,
) -> AppResult<i64> {
    let created = goals::create(
        db,
        goals::NewGoal {
            plan_id,
            parent_id: parent,
            code: Some(g.code.into()),
            title: g.title.into(),
            category: Some(g.category.into()),
            kind: g.kind,
            measure_unit: g.measure_unit.map(Into::into),
            target_value: g.target,
            baseline_value: None,
            direction: Some(g.direction),
            weight: Some(g.weight),
            deadline: g.deadline.map(d),
            monthly_plan: None,
            lead_unit_id: Some(g.lead),
            supporting_unit_ids: vec![],
            responsible_leader: Some(g.leader.into()),
            responsible_person: None,
            original_text: Some(g.original.into()),
        },
    )
    .await?;
    Ok(created.id)
}

async fn assign(
    db: &DatabaseConnection,
    goal_id: i64,
    unit_id: i64,
    target: Option<f64>,
    person: &str,
) -> AppResult<i64> {
    Ok(assignments::create(
        db,
        assignments::NewAssignment {
            goal_id,
            unit_id,
            target_value: target,
            deadline: None,
            responsible_person: Some(person.into()),
            created_at: d("2025-01-10")
                .and_hms_opt(1, 0, 0)
                .expect("valid time")
                .and_utc(),
        },
    )
    .await?
    .id)
}

async fn report(
    db: &DatabaseConnection,
    assignment_id: i64,
    as_of: &str,
    value: f64,
    note: &str,
    problems: Option<&str>,
) -> AppResult<()> {
    report_filed(db, assignment_id, as_of, value, note, problems, 3).await
}

/// A report filed `days_after` its asOf date (the due day is the 5th).
async fn report_filed(
    db: &DatabaseConnection,
    assignment_id: i64,
    as_of: &str,
    value: f64,
    note: &str,
    problems: Option<&str>,
    days_after: u64,
) -> AppResult<()> {
    reports::submit(
        db,
        reports::NewReport {
            assignment_id,
            as_of: d(as_of),
            value,
            note: Some(note.into()),
            problems: problems.map(Into::into),
            next_steps: None,
            submitted_at: submitted_after(as_of, days_after),
            submitted_by: Some("填报员".into()),
            idempotency: None,
        },
    )
    .await?;
    Ok(())
}

async fn unit(db: &DatabaseConnection, name: &str, parent: Option<i64>) -> AppResult<i64> {
    Ok(units::create(
        db,
        units::NewUnit {
            name: name.into(),
            parent_id: parent,
        },
    )
    .await?
    .id)
}

/// Loads the demo plan and returns its id; the audit log names "demo" as
/// the author of everything it creates.
pub async fn load(db: &DatabaseConnection) -> AppResult<i64> {
    let author = Audit {
        actor_name: "demo".into(),
        actor_role: "ADMIN".into(),
        operation: "demo".into(),
        input: serde_json::Value::Null,
        at: Utc::now(),
    };
    audit::scoped(author, load_demo(db)).await
}

async fn load_demo(db: &DatabaseConnection) -> AppResult<i64> {
    let committee = unit(db, "洞庭产业开发区管委会", None).await.map_err(|e| {
        if e.code() == ErrorCode::Duplicate {
            AppError::rejected(
                ErrorCode::Duplicate,
                "the demo plan is already loaded in this database",
            )
        } else {
            e
        }
    })?;
    let investment = unit(db, "招商合作局", Some(committee)).await?;
    let bureau1 = unit(db, "招商一局", Some(investment)).await?;
    let bureau2 = unit(db, "招商二局", Some(investment)).await?;
    let construction = unit(db, "规划建设局", Some(committee)).await?;
    let land = unit(db, "自然资源分局", Some(committee)).await?;
    let economy = unit(db, "经济发展局", Some(committee)).await?;
    let finance = unit(db, "财政金融局", Some(committee)).await?;
    let safety = unit(db, "安全环保局", Some(committee)).await?;
    let service_centre = unit(db, "企业服务中心", Some(committee)).await?;

    let plan = plans::create(
        db,
        plans::NewPlan {
            name: "洞庭产业开发区2025年度目标任务".into(),
            year: 2025,
            owner_unit_id: committee,
            start_date: None,
            end_date: None,
            time_zone: None,
            score_cap: None,
            settings: Default::default(),
        },
    )
    .await?
    .id;
    // The demo's year is under way: the plan is ACTIVE, so units report.
    plans::transition(db, plan, PlanState::Draft, PlanState::Active, Utc::now()).await?;
    let base = |code, title, category, kind, lead| Goal {
        code,
        title,
        category,
        kind,
        measure_unit: None,
        target: None,
        direction: Direction::Increase,
        weight: 10.0,
        deadline: Some("2025-12-31"),
        lead,
        leader: "李建华",
        original: title,
    };

    // 一、招商引资
    let signed = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("个"),
            target: Some(20.0),
            weight: 15.0,
            original: "力争年内完成签约项目20个以上",
            ..base(
                "1",
                "签约项目",
                "招商引资",
                GoalKind::Cumulative,
                investment,
            )
        },
    )
    .await?;
    let s1 = assign(db, signed, bureau1, Some(10.0), "王立").await?;
    let s2 = assign(db, signed, bureau2, Some(10.0), "陈静").await?;
    for (a, rows) in [
        (
            s1,
            [
                ("2025-03-31", 2.0),
                ("2025-06-30", 5.0),
                ("2025-09-30", 8.0),
                ("2025-10-31", 9.0),
            ],
        ),
        (
            s2,
            [
                ("2025-03-31", 1.0),
                ("2025-06-30", 4.0),
                ("2025-09-30", 7.0),
                ("2025-10-31", 8.0),
            ],
        ),
    ] {
        for (as_of, v) in rows {
            report(
                db,
                a,
                as_of,
                v,
                "聚焦食品加工、电子信息“一主一特”开展产业链招商",
                None,
            )
            .await?;
        }
    }
    report(
        db,
        s1,
        "2025-10-31",
        9.0,
        "新签约千喜鹤冷链物流二期、吉泰未来食品2个项目",
        Some("部分意向项目受用地指标制约，落地周期偏长"),
    )
    .await?;

    let contract = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("亿元"),
            target: Some(25.0),
            weight: 15.0,
            original: "合同引资额25亿元以上",
            ..base(
                "2",
                "合同引资额",
                "招商引资",
                GoalKind::Cumulative,
                investment,
            )
        },
    )
    .await?;
    let c1 = assign(db, contract, bureau1, Some(15.0), "王立").await?;
    let c2 = assign(db, contract, bureau2, Some(10.0), "陈静").await?;
    report(
        db,
        c1,
        "2025-06-30",
        6.8,
        "以商招商引进吉兴生物质能源加工项目",
        None,
    )
    .await?;
    report(db, c1, "2025-10-31", 12.1, "浩源冷链项目完成合同签订", None).await?;
    report(
        db,
        c2,
        "2025-06-30",
        3.2,
        "长三角驻点招商对接包装材料项目",
        None,
    )
    .await?;
    // 招商二局 filed October on 8 November, after the 5th: a 迟报 in the calendar.
    report_filed(
        db,
        c2,
        "2025-10-31",
        7.5,
        "兴农食品项目签约",
        Some("个别项目资金到位慢"),
        8,
    )
    .await?;

    // 二、资源配置
    let factories = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("万平方米"),
            target: Some(5.0),
            original: "腾出厂房面积5万平方米以上",
            ..base(
                "3",
                "腾出闲置厂房",
                "资源配置",
                GoalKind::Cumulative,
                service_centre,
            )
        },
    )
    .await?;
    let f1 = assign(db, factories, service_centre, None, "刘洋").await?;
    report(
        db,
        f1,
        "2025-06-30",
        1.2,
        "清退相思海纳等“僵尸企业”，实现“腾笼换鸟”",
        None,
    )
    .await?;
    report(
        db,
        f1,
        "2025-09-30",
        2.6,
        "标准化厂房四期闲置厂房完成腾退",
        Some("个别企业搬迁补偿未谈妥"),
    )
    .await?;

    let land_goal = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("亩"),
            target: Some(1200.0),
            original: "圆满处置“三类低效用地”",
            ..base(
                "4",
                "处置三类低效用地",
                "资源配置",
                GoalKind::Cumulative,
                land,
            )
        },
    )
    .await?;
    for (code, title, target, rows) in [
        (
            "4.1",
            "批而未供用地处置",
            500.0,
            vec![("2025-06-30", 180.0), ("2025-09-30", 320.5)],
        ),
        (
            "4.2",
            "闲置土地处置",
            300.0,
            vec![("2025-06-30", 40.0), ("2025-09-30", 96.0)],
        ),
        ("4.3", "低效用地处置", 400.0, vec![("2025-09-30", 150.25)]),
    ] {
        let sub = goal(
            db,
            plan,
            Some(land_goal),
            Goal {
                measure_unit: Some("亩"),
                target: Some(target),
                weight: target / 100.0,
                original: title,
                ..base(code, title, "资源配置", GoalKind::Cumulative, land)
            },
        )
        .await?;
        let a = assign(db, sub, land, None, "赵敏").await?;
        for (as_of, v) in rows {
            report(db, a, as_of, v, "按宗地建立处置台账，逐宗销号", None).await?;
        }
    }

    // 三、项目建设
    let five_good = goal(
        db,
        plan,
        None,
        Goal {
            weight: 15.0,
            deadline: None,
            original: "锚定“五好”园区目标，全力推动“五好园区”建设项目建设运营",
            ..base(
                "5",
                "五好园区建设",
                "项目建设",
                GoalKind::Group,
                construction,
            )
        },
    )
    .await?;
    let building = goal(
        db,
        plan,
        Some(five_good),
        Goal {
            weight: 3.0,
            original: "2025年10月之前完成主体厂房建设，年底之前完成扫尾工程并投产运营",
            ..base(
                "5.1",
                "五好园区建设项目",
                "项目建设",
                GoalKind::Milestone,
                construction,
            )
        },
    )
    .await?;
    assign(db, building, construction, None, "周涛").await?;
    let main_works = milestones::create(
        db,
        milestones::NewMilestone {
            goal_id: building,
            title: "完成主体厂房建设".into(),
            due_date: d("2025-10-31"),
            weight: Some(6.0),
        },
    )
    .await?;
    milestones::complete(db, main_works.id, d("2025-10-28")).await?;
    milestones::create(
        db,
        milestones::NewMilestone {
            goal_id: building,
            title: "完成扫尾工程并投产运营".into(),
            due_date: d("2025-12-31"),
            weight: Some(4.0),
        },
    )
    .await?;
    let hightech = goal(
        db,
        plan,
        Some(five_good),
        Goal {
            measure_unit: Some("%"),
            target: Some(60.0),
            weight: 2.0,
            original: "高新技术产业增加值占比达60%以上",
            ..base(
                "5.2",
                "高新技术产业增加值占比",
                "项目建设",
                GoalKind::Rate,
                economy,
            )
        },
    )
    .await?;
    let h = assign(db, hightech, economy, None, "孙丽").await?;
    report(db, h, "2025-06-30", 55.2, "4家企业创建高新技术企业", None).await?;
    report(
        db,
        h,
        "2025-09-30",
        57.8,
        "推动万雨合业等企业研发投入加计扣除",
        None,
    )
    .await?;

    let solar = goal(
        db,
        plan,
        None,
        Goal {
            weight: 5.0,
            deadline: Some("2025-03-31"),
            original: "加快完成屋顶分布式光伏二期项目，力争2025年3月份之前完成项目建设和并网运行",
            ..base(
                "6",
                "屋顶分布式光伏二期",
                "项目建设",
                GoalKind::Milestone,
                construction,
            )
        },
    )
    .await?;
    assign(db, solar, construction, None, "周涛").await?;
    let grid = milestones::create(
        db,
        milestones::NewMilestone {
            goal_id: solar,
            title: "完成项目建设和并网运行".into(),
            due_date: d("2025-03-31"),
            weight: None,
        },
    )
    .await?;
    milestones::complete(db, grid.id, d("2025-04-18")).await?;

    let new_firms = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("家"),
            target: Some(5.0),
            original: "推动中小企业做大做强，新增规模工业企业5家",
            ..base(
                "7",
                "新增规模工业企业",
                "经济运行",
                GoalKind::Cumulative,
                economy,
            )
        },
    )
    .await?;
    let n = assign(db, new_firms, economy, None, "孙丽").await?;
    report(db, n, "2025-06-30", 1.0, "天香中药申报规上企业获批", None).await?;
    report(db, n, "2025-09-30", 3.0, "言科电子、路飞电子纳入规上", None).await?;

    // 四、防范风险
    let debt = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("%"),
            target: Some(65.0),
            direction: Direction::Decrease,
            original: "确保园区负债率下降，资产负债率控制在65%以内",
            ..base(
                "8",
                "园区平台公司资产负债率",
                "防范风险",
                GoalKind::Rate,
                finance,
            )
        },
    )
    .await?;
    let dr = assign(db, debt, finance, None, "吴芳").await?;
    report(
        db,
        dr,
        "2025-06-30",
        68.5,
        "压减存量债务，置换高息贷款",
        Some("标准化厂房建设融资需求大"),
    )
    .await?;
    report(db, dr, "2025-09-30", 67.2, "完成两笔高息贷款置换", None).await?;

    let accidents = goal(
        db,
        plan,
        None,
        Goal {
            measure_unit: Some("起"),
            target: Some(0.0),
            weight: 0.0,
            original: "无环保事件和安全生产事故（一票否决）",
            ..base(
                "9",
                "较大及以上安全生产和环境事故",
                "防范风险",
                GoalKind::Veto,
                safety,
            )
        },
    )
    .await?;
    let acc = assign(db, accidents, safety, None, "郑强").await?;
    report(
        db,
        acc,
        "2025-09-30",
        0.0,
        "开展安全隐患排查专项行动29次，排除一般风险238条",
        None,
    )
    .await?;

    tokens::create_known(
        db,
        tokens::NewToken {
            name: "演示大屏（只读）".into(),
            role: Role::Viewer,
            unit_id: None,
            expires_at: None,
        },
        VIEWER_TOKEN,
        Utc::now(),
    )
    .await?;

    Ok(plan)
}

//! Deterministic synthetic plans for benchmarks: a park's units, goals of
//! every kind, assignments, milestones and monthly reports with corrections
//! and returned reports, written with bulk inserts in one transaction per
//! park; a province is many parks.
use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::{assignment, goal, milestone, plan, report, unit};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use crate::db::{begin_write, settle};
use crate::error::AppResult;
use domain::{
    Direction, GoalKind, PlanState, ReportingCycle, ReviewState, TimeProgressMode, schedule,
};

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub year: i32,
    pub units: usize,
    pub goals: usize,
    /// Months of reports from January.
    pub months: u32,
    /// Units each goal is broken down to.
    pub units_per_goal: usize,
    pub seed: u64,
}

/// A small, fast, deterministic generator (xorshift64*): the same seed
/// always gives the same plan, on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A float in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const BUREAUS: [&str; 10] = [
    "招商合作局",
    "规划建设局",
    "自然资源分局",
    "经济发展局",
    "财政金融局",
    "安全环保局",
    "企业服务中心",
    "科技创新局",
    "党政办",
    "社会事务局",
];
const CATEGORIES: [&str; 5] = ["招商引资", "项目建设", "资源配置", "经济运行", "防范风险"];
const TITLES: [&str; 8] = [
    "签约项目",
    "合同引资额",
    "腾出闲置厂房",
    "处置低效用地",
    "新增规模工业企业",
    "固定资产投资",
    "技工贸总收入",
    "高新技术企业认定",
];

fn month_end(year: i32, month: u32) -> NaiveDate {
    schedule::month_end(NaiveDate::from_ymd_opt(year, month, 1).expect("valid month"))
}

/// The instant a month's report was filed: a few days into the next month.
fn filed(as_of: NaiveDate, days_late: u64) -> DateTime<Utc> {
    (as_of + Days::new(days_late))
        .and_hms_opt(2, 0, 0)
        .expect("valid time")
        .and_utc()
}

/// Generates one plan under a new root unit named `park`; returns its id.
pub async fn generate_plan(db: &DatabaseConnection, park: &str, spec: Spec) -> AppResult<i64> {
    let mut rng = Rng::new(spec.seed);
    let created: DateTime<Utc> = NaiveDate::from_ymd_opt(spec.year, 1, 5)
        .expect("valid year")
        .and_hms_opt(1, 0, 0)
        .expect("valid time")
        .and_utc();
    let (start, end) = domain::dates::calendar_year(spec.year).expect("valid year");
    let txn = begin_write(db).await?;
    let result: AppResult<plan::Model> = async {
        let root = unit::ActiveModel {
            parent_id: Set(None),
            name: Set(format!("{park}管委会")),
            archived_at: Set(None),
            created_at: Set(created),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut unit_ids = Vec::with_capacity(spec.units);
        for i in 0..spec.units.max(1) {
            let name = match i / BUREAUS.len() {
                0 => BUREAUS[i].to_string(),
                n => format!("{}{}科", BUREAUS[i % BUREAUS.len()], n),
            };
            let u = unit::ActiveModel {
                parent_id: Set(Some(root.id)),
                name: Set(name),
                archived_at: Set(None),
                created_at: Set(created),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            unit_ids.push(u.id);
        }
        let plan = plan::ActiveModel {
            owner_unit_id: Set(root.id),
            name: Set(format!("{park}{}年度目标任务", spec.year)),
            year: Set(spec.year),
            start_date: Set(start),
            end_date: Set(end),
            time_zone: Set(domain::dates::DEFAULT_TIME_ZONE.into()),
            score_cap: Set(1.0),
            state: Set(PlanState::Active.into()),
            time_progress_mode: Set(TimeProgressMode::Monthly.into()),
            yellow_gap: Set(10.0),
            red_gap: Set(30.0),
            rate_yellow_floor: Set(80.0),
            reporting_cycle: Set(ReportingCycle::Monthly.into()),
            report_due_day: Set(5),
            require_approval: Set(false),
            archived_at: Set(None),
            created_at: Set(created),
            updated_at: Set(created),
            ..Default::default()
        }
        .insert(&txn)
        .await?;

        let mut milestones = Vec::new();
        let mut reports = Vec::new();
        for g in 0..spec.goals {
            // Mostly cumulative targets, as in real 分解表s, with every kind present.
            let kind = match g % 20 {
                0..=12 => GoalKind::Cumulative,
                13 | 14 => GoalKind::Rate,
                15..=17 => GoalKind::Milestone,
                _ => GoalKind::Veto,
            };
            let target = match kind {
                GoalKind::Cumulative => Some((rng.unit() * 95.0 + 5.0).round()),
                GoalKind::Rate => Some(60.0),
                GoalKind::Veto => Some(0.0),
                _ => None,
            };
            let lead = unit_ids[g % unit_ids.len()];
            let row = goal::ActiveModel {
                plan_id: Set(plan.id),
                parent_id: Set(None),
                position: Set(g as i32),
                code: Set(Some((g + 1).to_string())),
                title: Set(format!("{}（{}）", TITLES[g % TITLES.len()], g + 1)),
                category: Set(Some(CATEGORIES[g % CATEGORIES.len()].into())),
                kind: Set(kind.into()),
                measure_unit: Set(Some("个".into())),
                target_value: Set(target),
                baseline_value: Set(None),
                direction: Set(Direction::Increase.into()),
                weight: Set(if kind == GoalKind::Veto {
                    0.0
                } else {
                    (1 + g % 4) as f64
                }),
                deadline: Set(Some(if g % 7 == 0 {
                    month_end(spec.year, 6)
                } else {
                    end
                })),
                monthly_plan: Set(None),
                lead_unit_id: Set(Some(lead)),
                responsible_leader: Set(None),
                responsible_person: Set(None),
                original_text: Set(None),
                archived_at: Set(None),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            if kind == GoalKind::Milestone {
                for (i, month) in [3u32, 8, 12].into_iter().enumerate() {
                    let due = month_end(spec.year, month);
                    let done = (month <= spec.months && rng.unit() < 0.7)
                        .then(|| due + Days::new((rng.unit() * 20.0) as u64));
                    milestones.push(milestone::ActiveModel {
                        plan_id: Set(plan.id),
                        goal_id: Set(row.id),
                        position: Set(i as i32),
                        title: Set(format!("节点{}", i + 1)),
                        due_date: Set(due),
                        weight: Set(1.0 + i as f64),
                        completed_on: Set(done),
                        archived_at: Set(None),
                        created_at: Set(created),
                        ..Default::default()
                    });
                }
            }
            let unit_target = target.map(|t| (t / spec.units_per_goal as f64).max(1.0));
            for k in 0..spec.units_per_goal.min(unit_ids.len()) {
                let unit_id = unit_ids[(g + k * 7) % unit_ids.len()];
                let a = assignment::ActiveModel {
                    plan_id: Set(plan.id),
                    goal_id: Set(row.id),
                    unit_id: Set(unit_id),
                    target_value: Set(if kind == GoalKind::Cumulative {
                        unit_target
                    } else {
                        None
                    }),
                    deadline: Set(None),
                    responsible_person: Set(None),
                    archived_at: Set(None),
                    created_at: Set(created),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                if !kind.takes_reports() {
                    continue;
                }
                // Each unit moves at its own pace; some months are skipped or
                // filed late, and one report in ten is corrected the same day.
                let pace = 0.6 + rng.unit() * 0.6;
                for month in 1..=spec.months.min(12) {
                    if rng.unit() < 0.08 {
                        continue;
                    }
                    let as_of = month_end(spec.year, month);
                    let value = match kind {
                        GoalKind::Cumulative => {
                            (unit_target.unwrap_or(1.0) * pace * f64::from(month) / 12.0 * 10.0)
                                .round()
                                / 10.0
                        }
                        GoalKind::Rate => 50.0 + rng.unit() * 15.0,
                        _ => f64::from(u8::from(rng.unit() < 0.01)),
                    };
                    let late = if rng.unit() < 0.15 {
                        6 + (rng.unit() * 10.0) as u64
                    } else {
                        2
                    };
                    // One report in thirty is returned by the office and filed again.
                    if rng.unit() < 0.033 {
                        let mut returned =
                            report_row(plan.id, a.id, as_of, value * 0.5, filed(as_of, late));
                        returned.status = Set(ReviewState::Returned.into());
                        returned.reviewed_by = Set(Some("目标办".into()));
                        returned.reviewed_at = Set(Some(filed(as_of, late + 1)));
                        returned.review_reason = Set(Some("数据口径有误，请核实后重报".into()));
                        reports.push(returned);
                    }
                    reports.push(report_row(plan.id, a.id, as_of, value, filed(as_of, late)));
                    if rng.unit() < 0.1 {
                        reports.push(report_row(
                            plan.id,
                            a.id,
                            as_of,
                            value * 1.05,
                            filed(as_of, late + 1),
                        ));
                    }
                }
            }
        }
        // Bulk inserts in chunks that stay under every driver's bind limit.
        for chunk in milestones.chunks(500) {
            milestone::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        for chunk in reports.chunks(500) {
            report::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        Ok(plan)
    }
    .await;
    // Generated data for benchmarks has no author and no audit row: the
    // one write that says so, by settling instead of finishing.
    Ok(settle(txn, result).await?.id)
}

fn report_row(
    plan_id: i64,
    assignment_id: i64,
    as_of: NaiveDate,
    value: f64,
    at: DateTime<Utc>,
) -> report::ActiveModel {
    report::ActiveModel {
        plan_id: Set(plan_id),
        assignment_id: Set(assignment_id),
        as_of: Set(as_of),
        value: Set(value),
        note: Set(Some("按月推进".into())),
        problems: Set(None),
        next_steps: Set(None),
        submitted_at: Set(at),
        status: Set(ReviewState::Submitted.into()),
        submitted_by: Set(Some("填报员".into())),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        review_reason: Set(None),
        ..Default::default()
    }
}

/// The places a province's parks are named after (×5 kinds of park = 150).
const PLACES: [&str; 30] = [
    "洞庭",
    "湘江",
    "岳麓",
    "浏阳",
    "宁乡",
    "望城",
    "株洲",
    "湘潭",
    "衡阳",
    "邵阳",
    "岳阳",
    "常德",
    "益阳",
    "郴州",
    "永州",
    "怀化",
    "娄底",
    "吉首",
    "醴陵",
    "汨罗",
    "临湘",
    "津市",
    "沅江",
    "耒阳",
    "常宁",
    "武冈",
    "洪江",
    "资兴",
    "涟源",
    "冷水江",
];
const PARK_KINDS: [&str; 5] = [
    "经济开发区",
    "高新技术产业开发区",
    "产业开发区",
    "工业集中区",
    "现代服务业园区",
];

/// The name of the province's `i`-th park: 洞庭经济开发区, 湘江经济开发区, …
pub fn park_name(i: usize) -> String {
    let place = PLACES[i % PLACES.len()];
    let kind = PARK_KINDS[(i / PLACES.len()) % PARK_KINDS.len()];
    match i / (PLACES.len() * PARK_KINDS.len()) {
        0 => format!("{place}{kind}"),
        n => format!("{place}{kind}{}", n + 1),
    }
}

/// Generates `parks` plans, one per park, each from its own seed derived
/// from `spec.seed`, so park 17 is the same whatever the province's size.
/// Calls `progress` after each park with its index and plan ID.
pub async fn generate_province(
    db: &DatabaseConnection,
    parks: usize,
    spec: Spec,
    mut progress: impl FnMut(usize, i64),
) -> AppResult<Vec<i64>> {
    let mut plans = Vec::with_capacity(parks);
    for i in 0..parks {
        let park_spec = Spec {
            seed: spec.seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
            ..spec
        };
        let id = generate_plan(db, &park_name(i), park_spec).await?;
        progress(i, id);
        plans.push(id);
    }
    Ok(plans)
}

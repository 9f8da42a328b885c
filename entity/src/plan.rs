use sea_orm::entity::prelude::*;

use crate::enums::{PlanState, ReportingCycle, TimeProgressMode};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_unit_id: i64,
    pub name: String,
    pub year: i32,
    pub start_date: Date,
    pub end_date: Date,
    /// IANA zone that decides "today" for asOf defaults (Asia/Shanghai).
    pub time_zone: String,
    /// Score cap as a fraction: 1.0 caps every goal at 100 % in roll-ups.
    pub score_cap: f64,
    /// MONTHLY or DAILY time progress.
    pub time_progress_mode: TimeProgressMode,
    /// Gap (points below time progress) where BLUE turns YELLOW.
    pub yellow_gap: f64,
    /// Gap where YELLOW turns RED.
    pub red_gap: f64,
    /// RATE goals at or above this completion are YELLOW rather than RED.
    pub rate_yellow_floor: f64,
    /// MONTHLY or QUARTERLY reports.
    pub reporting_cycle: ReportingCycle,
    /// Day of the following month by which a report is due.
    pub report_due_day: i32,
    /// DRAFT (targets being set), ACTIVE (reports accepted) or CLOSED (settled).
    pub state: PlanState,
    /// Whether reports count only once approved (otherwise from submission).
    pub require_approval: bool,
    /// Bumped by every change to the plan or its goals, shares, milestones
    /// or reports (and to any unit); cached snapshots are keyed by it.
    pub data_version: i64,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The 注 rows under a 分解表 (how it is scored, who checks), kept as text.
    pub remarks: Option<String>,
    /// 遇节假日顺延: a due day on a weekend or holiday moves to the next
    /// working day (on unless the plan says otherwise).
    pub report_due_postponed: bool,
}

impl ActiveModelBehavior for ActiveModel {}

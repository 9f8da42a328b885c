use async_graphql::{ID, InputObject, MaybeUndefined};

use super::enums::{Direction, GoalKind, ReportingCycle, Role, TimeProgressMode};
pub use super::ids::{parse_id, parse_ids, parse_opt_id};
use super::scalars::Date;
use crate::error::AppResult;
use crate::service::plans::JudgementSettings;

/// `MaybeUndefined` → "keep" (None), "clear" (Some(None)) or "set".
pub fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

pub fn change_id(
    entity: &'static str,
    value: MaybeUndefined<ID>,
) -> AppResult<Option<Option<i64>>> {
    change(value)
        .map(|v| v.map(|id| parse_id(entity, &id)).transpose())
        .transpose()
}

#[derive(InputObject)]
pub struct CreateUnitInput {
    pub name: String,
    pub parent_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateUnitInput {
    pub id: ID,
    pub name: Option<String>,
    /// null moves the unit to the top of the tree.
    pub parent_id: MaybeUndefined<ID>,
}

#[derive(InputObject)]
pub struct CreatePlanInput {
    pub name: String,
    pub year: i32,
    pub owner_unit_id: ID,
    /// Defaults to 1 January of `year`.
    pub start_date: Option<Date>,
    /// Defaults to 31 December of `year`.
    pub end_date: Option<Date>,
    /// IANA zone for "today"; defaults to Asia/Shanghai.
    pub time_zone: Option<String>,
    /// Cap on each goal's completion in roll-ups, as a fraction (default 1.0).
    pub score_cap: Option<f64>,
    /// The judgement settings, as fields of this input.
    #[graphql(flatten)]
    pub settings: PlanSettingsInput,
    /// The 注 rows under the plan's 分解表 (how it is scored, who checks).
    pub remarks: Option<String>,
}

#[derive(InputObject)]
pub struct UpdatePlanInput {
    pub id: ID,
    pub name: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub time_zone: Option<String>,
    pub score_cap: Option<f64>,
    /// The judgement settings, as fields of this input.
    #[graphql(flatten)]
    pub settings: PlanSettingsInput,
    /// null clears them.
    pub remarks: MaybeUndefined<String>,
}

/// Next year's plan from this one (`copyPlan`).
#[derive(InputObject)]
pub struct CopyPlanInput {
    /// The plan to copy (any state; its reports stay behind).
    pub plan_id: ID,
    /// The new plan's year, 2000–2100.
    pub year: i32,
    /// Defaults to the plan's name with its year replaced
    /// (洞庭产业开发区2025年目标任务 → 洞庭产业开发区2026年目标任务), or the year
    /// put in front of a name without one.
    pub name: Option<String>,
}

/// The settings that judge a plan's progress and set its reporting calendar.
#[derive(InputObject, Default)]
pub struct PlanSettingsInput {
    /// MONTHLY (default) or DAILY time progress.
    pub time_progress_mode: Option<TimeProgressMode>,
    /// Points below time progress where BLUE turns YELLOW (default 10).
    pub yellow_gap: Option<f64>,
    /// Points below time progress beyond which YELLOW turns RED (default 30).
    pub red_gap: Option<f64>,
    /// RATE goals at or above this completion are YELLOW, below RED (default 80).
    pub rate_yellow_floor: Option<f64>,
    /// MONTHLY (default) or QUARTERLY reports.
    pub reporting_cycle: Option<ReportingCycle>,
    /// The day of the following month by which a report is due (default 5).
    pub report_due_day: Option<i32>,
    /// 遇节假日顺延: a due day on a weekend or 法定节假日 moves to the next
    /// working day (default true).
    pub report_due_postponed: Option<bool>,
    /// Whether reports count only once an ADMIN approves them (default false).
    pub require_approval: Option<bool>,
}

impl From<PlanSettingsInput> for JudgementSettings {
    fn from(s: PlanSettingsInput) -> Self {
        JudgementSettings {
            time_progress_mode: s.time_progress_mode.map(Into::into),
            yellow_gap: s.yellow_gap,
            red_gap: s.red_gap,
            rate_yellow_floor: s.rate_yellow_floor,
            reporting_cycle: s.reporting_cycle.map(Into::into),
            report_due_day: s.report_due_day,
            report_due_postponed: s.report_due_postponed,
            require_approval: s.require_approval,
        }
    }
}

#[derive(InputObject)]
pub struct CreateGoalInput {
    pub plan_id: ID,
    pub parent_id: Option<ID>,
    /// The 序号 as printed, e.g. "3.1".
    pub code: Option<String>,
    pub title: String,
    /// Defaults to the parent's category for sub-goals.
    pub category: Option<String>,
    pub kind: GoalKind,
    pub measure_unit: Option<String>,
    pub target_value: Option<f64>,
    pub baseline_value: Option<f64>,
    /// INCREASE unless given; DECREASE only for RATE goals.
    pub direction: Option<Direction>,
    /// Points out of the plan total; default 1.
    pub weight: Option<f64>,
    pub deadline: Option<Date>,
    /// Planned cumulative values, one per month of the plan (12 for a
    /// calendar year); replaces linear time progress. CUMULATIVE goals only.
    pub monthly_plan: Option<Vec<f64>>,
    pub lead_unit_id: Option<ID>,
    #[graphql(default)]
    pub supporting_unit_ids: Vec<ID>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    /// The target as worded in the 责任书.
    pub original_text: Option<String>,
    /// A 其中 row of its parent (default false): shown on its own, never
    /// added into the parent; its weight defaults to 0.
    pub subset: Option<bool>,
    /// Last year's result (上年完成).
    pub previous_year_value: Option<f64>,
    /// 备注.
    pub remarks: Option<String>,
    /// 配合单位 written as words that name no unit ("各局办").
    pub supporting_text: Option<String>,
    /// The work goes on all year (持续推进; default false): due at the
    /// plan's end, so no other deadline.
    pub ongoing: Option<bool>,
}

#[derive(InputObject)]
pub struct UpdateGoalInput {
    pub id: ID,
    pub parent_id: MaybeUndefined<ID>,
    pub code: MaybeUndefined<String>,
    pub title: Option<String>,
    pub category: MaybeUndefined<String>,
    pub measure_unit: MaybeUndefined<String>,
    pub target_value: MaybeUndefined<f64>,
    pub baseline_value: MaybeUndefined<f64>,
    pub direction: Option<Direction>,
    pub weight: Option<f64>,
    pub deadline: MaybeUndefined<Date>,
    /// null drops the curve and returns to linear time progress.
    pub monthly_plan: MaybeUndefined<Vec<f64>>,
    pub lead_unit_id: MaybeUndefined<ID>,
    pub supporting_unit_ids: Option<Vec<ID>>,
    pub responsible_leader: MaybeUndefined<String>,
    pub responsible_person: MaybeUndefined<String>,
    pub original_text: MaybeUndefined<String>,
    pub subset: Option<bool>,
    pub previous_year_value: MaybeUndefined<f64>,
    pub remarks: MaybeUndefined<String>,
    pub supporting_text: MaybeUndefined<String>,
    pub ongoing: Option<bool>,
}

#[derive(InputObject)]
pub struct AssignGoalInput {
    pub goal_id: ID,
    pub unit_id: ID,
    /// The unit's assignment; defaults to the goal's target.
    pub target_value: Option<f64>,
    /// Defaults to the goal's deadline.
    pub deadline: Option<Date>,
    pub responsible_person: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateAssignmentInput {
    pub id: ID,
    pub target_value: MaybeUndefined<f64>,
    pub deadline: MaybeUndefined<Date>,
    pub responsible_person: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct AddMilestoneInput {
    pub goal_id: ID,
    pub title: String,
    pub due_date: Date,
    /// Default 1.
    pub weight: Option<f64>,
}

#[derive(InputObject)]
pub struct UpdateMilestoneInput {
    pub id: ID,
    pub title: Option<String>,
    pub due_date: Option<Date>,
    pub weight: Option<f64>,
    /// null undoes a completion entered by mistake.
    pub completed_on: MaybeUndefined<Date>,
}

#[derive(InputObject)]
pub struct CompleteMilestoneInput {
    pub milestone_id: ID,
    pub completed_on: Date,
}

#[derive(InputObject)]
pub struct SubmitReportInput {
    pub assignment_id: ID,
    /// The date the cumulative value stands at (usually a month end).
    pub as_of: Date,
    /// Cumulative since the plan start (or the indicator's current level).
    pub value: f64,
    /// 进展: progress notes.
    pub note: Option<String>,
    /// 问题: problems met.
    pub problems: Option<String>,
    /// 下一步: next steps.
    pub next_steps: Option<String>,
    /// Makes a retry safe: the same key from the same token within 24 hours
    /// answers the first report and files nothing new (a clerk pressing
    /// 提交 again on a flaky connection). Any string up to 100 characters,
    /// new for each report, e.g. a UUID the form made when it opened.
    pub idempotency_key: Option<String>,
    /// 佐证材料 (from `uploadAttachment`) the report cites.
    #[graphql(default)]
    pub attachment_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct CreateTokenInput {
    /// Who holds it, e.g. "招商合作局 填报员".
    pub name: String,
    pub role: Role,
    /// Required for a REPORTER: the unit it reports for (and the units below).
    pub unit_id: Option<ID>,
    /// RFC 3339 instant after which the token no longer works.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(InputObject)]
pub struct ReturnReportInput {
    pub report_id: ID,
    /// What the unit must correct (退回原因).
    pub reason: String,
}

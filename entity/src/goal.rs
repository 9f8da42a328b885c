use sea_orm::entity::prelude::*;

use crate::enums::{Direction, GoalKind};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "goal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    /// Order among siblings (序号); new goals go last.
    pub position: i32,
    /// The 序号 as printed in the 分解表, e.g. "3.1".
    pub code: Option<String>,
    pub title: String,
    pub category: Option<String>,
    /// CUMULATIVE, RATE, MILESTONE, VETO or GROUP.
    pub kind: GoalKind,
    pub measure_unit: Option<String>,
    pub target_value: Option<f64>,
    pub baseline_value: Option<f64>,
    /// INCREASE or DECREASE.
    pub direction: Direction,
    pub weight: f64,
    pub deadline: Option<Date>,
    /// Planned cumulative values for the plan's months, a JSON array of numbers.
    pub monthly_plan: Option<Json>,
    pub lead_unit_id: Option<i64>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    /// The target as worded in the 责任书, e.g. "力争年内完成签约项目20个以上".
    pub original_text: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// A 其中 row ("其中：2亿元以上重大项目"): shown under its goal with its
    /// own progress, never added into it; weighs 0 unless the sheet scores it.
    pub subset: bool,
    /// Last year's result (上年完成), shown beside this year's target.
    pub previous_year_value: Option<f64>,
    /// 备注 as the 分解表 gives it.
    pub remarks: Option<String>,
    /// 配合单位 written as words that name no unit ("各局办", "潇湘科技要素大市场").
    pub supporting_text: Option<String>,
    /// The deadline is the plan's end because the work goes on all year
    /// (持续推进, 常态化).
    pub ongoing: bool,
}

impl ActiveModelBehavior for ActiveModel {}

//! What reading a sheet produces: goals with their assignments and milestones,
//! units still as names, every value with the cell it came from.
use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{Direction, GoalKind};

/// Where a value was read: 0-based row and column of the sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct At {
    pub row: u32,
    pub column: u32,
}

/// A unit named in a cell.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitName {
    pub name: String,
    pub at: At,
}

/// One unit's assignment of a goal; `value: None` means the goal's whole target.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftAssignment {
    pub unit: UnitName,
    pub value: Option<f64>,
    /// The unit's own 完成时限, when it differs from the goal's (one row
    /// per unit, each with its date).
    pub deadline: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftMilestone {
    pub at: At,
    pub title: String,
    pub due: NaiveDate,
    pub weight: Option<f64>,
}

/// The cells a goal's fields came from, so a rule the service applies later
/// (a deadline outside the plan, DECREASE on a CUMULATIVE goal) can still
/// point at the right cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GoalCells {
    pub code: Option<At>,
    pub title: Option<At>,
    pub kind: Option<At>,
    pub target: Option<At>,
    pub measure_unit: Option<At>,
    pub baseline: Option<At>,
    pub direction: Option<At>,
    pub weight: Option<At>,
    pub deadline: Option<At>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftGoal {
    /// 0-based row of the goal's first line.
    pub row: u32,
    /// Index of the parent in `Draft::goals` (always an earlier goal).
    pub parent: Option<usize>,
    pub code: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub kind: GoalKind,
    pub measure_unit: Option<String>,
    pub target: Option<f64>,
    pub baseline: Option<f64>,
    pub direction: Direction,
    pub weight: Option<f64>,
    pub deadline: Option<NaiveDate>,
    pub lead_unit: Option<UnitName>,
    pub supporting_units: Vec<UnitName>,
    pub leader: Option<String>,
    pub person: Option<String>,
    /// The target as worded, when it was words rather than a bare number.
    pub original_text: Option<String>,
    pub assignments: Vec<DraftAssignment>,
    pub milestones: Vec<DraftMilestone>,
    pub cells: GoalCells,
    /// A 其中 row: part of the goal above, never added into it.
    pub subset: bool,
    /// Points from the heading ("经济发展指标（30分）"), which its items'
    /// points must add up to.
    pub heading_points: Option<f64>,
    /// 上年完成.
    pub previous_year: Option<f64>,
    /// 备注.
    pub remarks: Option<String>,
    /// The deadline means "all year" (持续推进, 常态化).
    pub ongoing: bool,
    /// No unit carries a part of it, so its 牵头单位 carries the whole
    /// target: the dry run says so.
    pub lead_by_default: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    /// The title above the header ("洞庭产业开发区2026年度目标任务分解表").
    pub title: Option<String>,
    pub goals: Vec<DraftGoal>,
    /// Columns read as nothing, named for the report ("K 备注").
    pub ignored_columns: Vec<String>,
    /// The headers by column, for messages about cells found later.
    pub headers: HashMap<u32, String>,
    /// Columns read, as "C 目标值 → 目标值".
    pub used_columns: Vec<String>,
    /// 注 rows under the table (how it is scored, who checks), in order.
    pub remarks: Vec<String>,
}

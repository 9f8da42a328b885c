//! The inputs of the judgement, loaded by the service layer in a fixed number
//! of queries per plan. Archived rows are never part of the facts.
use chrono::{DateTime, NaiveDate, Utc};

use super::judgement::Thresholds;
use super::kinds::{Direction, GoalKind, TimeProgressMode};

/// One report: a cumulative value (or current level) as of a date.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportFact {
    pub id: i64,
    pub as_of: NaiveDate,
    pub value: f64,
    pub submitted_at: DateTime<Utc>,
}

/// Anything that is a report: what decides which one stands on a date.
pub trait Dated {
    /// The date the figure stands at.
    fn as_of(&self) -> NaiveDate;
    /// Reports are ordered by the date they stand at, then by submission, so
    /// that among reports with the same asOf the one submitted last wins.
    fn order_key(&self) -> (NaiveDate, DateTime<Utc>, i64);
}

impl Dated for ReportFact {
    fn as_of(&self) -> NaiveDate {
        self.as_of
    }
    fn order_key(&self) -> (NaiveDate, DateTime<Utc>, i64) {
        (self.as_of, self.submitted_at, self.id)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AssignmentFacts {
    pub id: i64,
    pub unit_id: i64,
    /// The unit's own target; `None` means the goal's target.
    pub target: Option<f64>,
    pub deadline: Option<NaiveDate>,
    pub reports: Vec<ReportFact>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MilestoneFacts {
    pub id: i64,
    pub due: NaiveDate,
    pub weight: f64,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GoalFacts {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub category: Option<String>,
    pub kind: GoalKind,
    pub direction: Direction,
    pub target: Option<f64>,
    pub baseline: Option<f64>,
    pub weight: f64,
    pub deadline: Option<NaiveDate>,
    /// Planned cumulative values for the plan's months 1..12; replaces
    /// linear time progress when present.
    pub monthly_plan: Option<Vec<f64>>,
    /// A 其中 row: a part of its parent shown with its own figures (其中：
    /// 工业投资 under 固定资产投资), never added into the parent's actual,
    /// and in weighted roll-ups (its parent GROUP, the plan, units) only
    /// when the sheet gave it points of its own (weight > 0).
    pub subset: bool,
    pub assignments: Vec<AssignmentFacts>,
    pub milestones: Vec<MilestoneFacts>,
}

/// A plan's active goals in display order, with everything that judges them.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanFacts {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Score cap as a fraction (1.0 = 100 %).
    pub score_cap: f64,
    pub time_progress_mode: TimeProgressMode,
    pub thresholds: Thresholds,
    pub goals: Vec<GoalFacts>,
}

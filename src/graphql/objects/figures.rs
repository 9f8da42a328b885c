//! The figures of anything judged: progress, lights, trends, scorecard.
use super::*;

/// The judgement of anything that is judged, as of a date.
#[derive(SimpleObject, Clone, Copy)]
pub struct Progress {
    /// The target in the goal's measure unit; null where not applicable.
    pub target: Option<f64>,
    /// What counts as done as of the date; null when nothing counts yet.
    pub actual: Option<f64>,
    /// c in percent, uncapped and unrounded (show one decimal).
    pub completion_percent: f64,
    /// 序时进度 e in percent; null for RATE and VETO.
    pub expected_percent: Option<f64>,
    /// c − e in percentage points; null where e is null.
    pub gap: Option<f64>,
    pub light: Light,
    pub status: ProgressStatus,
    /// A goal's weight × capped c / 100; the sum for plans, categories and units.
    pub score: Option<f64>,
}

impl From<domain::Progress> for Progress {
    /// Every figure as the API shows it (`Progress::shown`): finite, no −0
    /// (a target or report stored as −0 before inputs were normalised).
    fn from(p: domain::Progress) -> Self {
        let p = p.shown();
        Progress {
            target: p.target,
            actual: p.actual,
            completion_percent: p.completion_percent,
            expected_percent: p.expected_percent,
            gap: p.gap,
            light: p.light.into(),
            status: p.status.into(),
            score: p.score,
        }
    }
}

/// How many of a unit's assignments show each light.
#[derive(SimpleObject, Clone, Copy)]
pub struct LightCounts {
    pub green: u32,
    pub blue: u32,
    pub yellow: u32,
    pub red: u32,
}

impl From<domain::LightCounts> for LightCounts {
    fn from(c: domain::LightCounts) -> Self {
        LightCounts {
            green: c.green,
            blue: c.blue,
            yellow: c.yellow,
            red: c.red,
        }
    }
}

/// A unit's figures over its assignments. Nothing is judged until
/// something of the unit counts (a weighted assignment with a counting
/// report or a completed 节点): until then completion, light and score are
/// null, not 0 % and not GREEN.
#[derive(SimpleObject, Clone, Copy)]
pub struct UnitFigures {
    /// c over the unit's weighted assignments, each capped; null while
    /// nothing of the unit counts.
    pub completion_percent: Option<f64>,
    pub expected_percent: Option<f64>,
    pub gap: Option<f64>,
    pub light: Option<Light>,
    pub status: ProgressStatus,
    pub score: Option<f64>,
}

impl From<domain::UnitProgress> for UnitFigures {
    fn from(p: domain::UnitProgress) -> Self {
        let shown = domain::completion::shown;
        UnitFigures {
            completion_percent: p.completion_percent.map(shown),
            expected_percent: p.expected_percent.map(shown),
            gap: p.gap.map(shown),
            light: p.light.map(Into::into),
            status: p.status.into(),
            score: p.score.map(shown),
        }
    }
}

#[derive(SimpleObject)]
pub struct UnitProgress {
    /// 1 for the highest completion; null for a unit with nothing counted
    /// yet, listed after the ranked ones.
    pub rank: Option<usize>,
    pub unit: Unit,
    pub progress: UnitFigures,
    pub lights: LightCounts,
    /// 督办: the items the unit leads (those the caller may read), as of
    /// the same date; zeros with none. Loaded only when selected.
    pub supervision: crate::graphql::supervision::SupervisionFigures,
}

impl UnitProgress {
    /// Ranked rows for the judged units the plan snapshot knows.
    pub fn ranked(data: &PlanData, units: &[domain::UnitJudgement]) -> Vec<UnitProgress> {
        units
            .iter()
            .filter_map(|u| Some((data.unit(u.unit_id)?.clone(), u)))
            .enumerate()
            .map(|(i, (unit, u))| UnitProgress {
                rank: u.progress.completion_percent.map(|_| i + 1),
                unit: Unit(unit),
                progress: u.progress.into(),
                lights: u.lights.into(),
                supervision: Default::default(),
            })
            .collect()
    }
}

/// One point of a trend line, at a month end.
#[derive(SimpleObject)]
pub struct TrendPoint {
    pub date: Date,
    pub completion_percent: f64,
    pub expected_percent: Option<f64>,
    pub gap: Option<f64>,
    pub light: Light,
}

impl TrendPoint {
    fn new(date: NaiveDate, p: domain::Progress) -> Self {
        let p = p.shown();
        TrendPoint {
            date: Date(date),
            completion_percent: p.completion_percent,
            expected_percent: p.expected_percent,
            gap: p.gap,
            light: p.light.into(),
        }
    }
}

/// The series at each month end of the plan period up to `up_to` (default
/// today), every point computed from `data`, a snapshot with the report
/// history (one load for all the points).
pub(super) async fn trend(
    ctx: &Context<'_>,
    data: &PlanData,
    up_to: Option<Date>,
    pick: impl Fn(&Evaluation) -> Option<domain::Progress>,
) -> Result<Vec<TrendPoint>> {
    let rc = RequestContext::of(ctx)?;
    let up_to = up_to
        .map(|d| d.0)
        .unwrap_or_else(|| rc.today_for(&data.plan));
    let mut points = Vec::new();
    for date in domain::schedule::month_ends(data.plan.start_date, data.plan.end_date, up_to) {
        if let Some(p) = pick(&*data.evaluation(date)?) {
            points.push(TrendPoint::new(date, p));
        }
    }
    Ok(points)
}

/// One goal's part in the year-end score.
#[derive(SimpleObject)]
pub struct GoalScore {
    pub goal: Goal,
    pub weight: f64,
    pub completion_percent: f64,
    /// c after the plan's cap: what the score counts.
    pub counted_percent: f64,
    pub score: f64,
}

/// The year-end view (年终考核) as of a date.
#[derive(SimpleObject)]
pub struct Scorecard {
    pub as_of: Date,
    /// Σ of the top-level goals' scores, or 0 when vetoed.
    pub score: f64,
    /// What the score would be without the veto.
    pub score_before_veto: f64,
    /// The most the plan can score: Σ weights × the cap.
    pub max_score: f64,
    pub score_cap: f64,
    pub vetoed: bool,
    /// The VETO goals that failed.
    pub vetoed_by: Vec<Goal>,
    /// The top-level goals in plan order.
    pub goals: Vec<GoalScore>,
}

#[derive(SimpleObject)]
pub struct CategoryProgress {
    pub category: String,
    pub progress: Progress,
}

//! Deciding what a goal is from its wording, once the whole sheet is read
//! (a goal's sub-goals and 节点 rows come after it): its kind (累计, 比率,
//! 节点, 一票否决, 分组), target, measure unit and direction.
use domain::wording::{self, Bound, TargetReading, WordedKind, WordingError};
use domain::{Direction, GoalKind};

use super::SheetReader;
use super::draft::{At, DraftAssignment, DraftGoal, DraftMilestone};
use super::headers::header_key;
use crate::error::ErrorCode;

/// Reads a 类型 cell.
pub(super) fn parse_kind(text: &str) -> Option<GoalKind> {
    let k = header_key(text);
    let kind = match k.as_str() {
        "累计" | "累计值" | "累计型" | "总量" | "数量" | "cumulative" => {
            GoalKind::Cumulative
        }
        "比率" | "比例" | "比率型" | "水平" | "rate" => GoalKind::Rate,
        "节点" | "节点型" | "里程碑" | "milestone" => GoalKind::Milestone,
        "一票否决" | "否决" | "否决项" | "veto" => GoalKind::Veto,
        "排名" | "排位" | "名次" | "rank" => GoalKind::Rank,
        "分组" | "分类" | "group" => GoalKind::Group,
        _ => return None,
    };
    Some(kind)
}

/// Reads a 方向 cell.
pub(super) fn parse_direction(text: &str) -> Option<Direction> {
    let k = header_key(text);
    match k.as_str() {
        "正向" | "增加" | "提高" | "上升" | "越高越好" | "increase" | "↑" => {
            Some(Direction::Increase)
        }
        "反向" | "降低" | "下降" | "减少" | "越低越好" | "decrease" | "↓" => {
            Some(Direction::Decrease)
        }
        _ => None,
    }
}

/// The target as read from its cell, judged once the goal's kind is known.
#[derive(Clone, Debug, Default)]
pub(super) struct RawTarget {
    pub(super) text: Option<String>,
    pub(super) number: Option<f64>,
    pub(super) explicit_kind: Option<GoalKind>,
    pub(super) explicit_direction: Option<Direction>,
    pub(super) has_children: bool,
    /// 分值 says 一票否决: a VETO goal that weighs 0.
    pub(super) veto_points: bool,
}

/// A target cell read: `None` when blank, an error when it cannot be a
/// target at all (a number too large to be one).
type Parsed = Option<Result<TargetReading, WordingError>>;

impl RawTarget {
    /// A number stored as one is taken as it is; words go through the
    /// wording rules ("签约项目12个以上", "同比增长10%", "稳固全省30强").
    fn parse(&self) -> Parsed {
        self.text.as_deref().map(|text| match self.number {
            Some(n) => Ok(TargetReading {
                kind: WordedKind::Cumulative,
                value: Some(n),
                measure_unit: None,
                bound: Bound::Exact,
                direction: None,
                qualifier: None,
            }),
            None => wording::read_target(text),
        })
    }
}

/// Whether a reading is words with no target number (a deliverable).
fn is_deliverable(parsed: &Parsed) -> bool {
    matches!(parsed, Some(Ok(t)) if t.kind == WordedKind::Milestone)
}

impl SheetReader<'_> {
    /// Decides each goal's kind, target, measure unit and direction once its
    /// sub-goals and milestones are known.
    pub(super) fn settle_kinds(&mut self) {
        for i in 0..self.draft.goals.len() {
            let raw = self.raw_targets[i].clone();
            self.settle_goal(i, &raw);
        }
    }

    /// Settles goal `i`. A problem found on the way leaves the rest of the
    /// goal as read: the sheet will not be imported anyway.
    fn settle_goal(&mut self, i: usize, raw: &RawTarget) {
        let parsed = raw.parse();
        let Some(kind) = self.decide_kind(i, raw, &parsed) else {
            return;
        };
        let unreadable = match &parsed {
            Some(Err(e)) => Some(e.message().clone()),
            // Words with no number where the kind needs one (类型 says 累计).
            Some(Ok(t)) if kind.has_target() && t.value.is_none() && kind != GoalKind::Veto => {
                let text = raw.text.clone().unwrap_or_default();
                Some(domain::Message::new(
                    format!("目标值“{text}”中没有可读的数字"),
                    format!("目标值 {text:?} has no number to read as a target"),
                ))
            }
            _ => None,
        };
        if let Some(message) = unreadable {
            let goal = &self.draft.goals[i];
            let at = goal.cells.target.unwrap_or(At {
                row: goal.row,
                column: 0,
            });
            self.problem(at, ErrorCode::UnreadableValue, message.zh, message.en);
            return;
        }
        let target = parsed
            .as_ref()
            .and_then(|p| p.as_ref().ok())
            .filter(|_| kind.has_target());
        let unit_from_text = target
            .and_then(|t| t.measure_unit.clone())
            .filter(|_| kind != GoalKind::Rank);
        let goal = &mut self.draft.goals[i];
        add_deliverable(goal, kind, raw, &parsed);
        keep_wording(goal, raw, &parsed);
        if self.measure_units_disagree(i, unit_from_text.as_deref()) {
            return;
        }
        let hint = self.columns.measure_unit_hint.clone();
        let goal = &mut self.draft.goals[i];
        let measure_unit = goal.measure_unit.clone().or(unit_from_text).or(hint);
        goal.kind = kind;
        // A 一票否决 item with no number ("不发生较大及以上安全生产事故"
        // worded in its title) allows no incident at all.
        goal.target = match target.and_then(|t| t.value) {
            None if kind == GoalKind::Veto => Some(0.0),
            value => value,
        };
        goal.measure_unit =
            measure_unit.filter(|_| !matches!(kind, GoalKind::Group | GoalKind::Rank));
        goal.direction = direction(
            raw.explicit_direction.or(target.and_then(|t| t.direction)),
            target.map(|t| t.bound),
            kind,
        );
        // A top-level grouping row is the category of what it groups.
        if kind == GoalKind::Group && goal.parent.is_none() && goal.category.is_none() {
            goal.category = Some(goal.title.clone());
        }
    }

    /// Once kinds are known: a 其中 row weighs 0 unless the sheet scores it;
    /// every goal someone must report on or complete has a unit — with no
    /// part given to any unit, its 牵头单位 (a 其中 row's: its parent's)
    /// carries the whole target, and the dry run says so; a heading's
    /// points must be its items' sum.
    pub(super) fn settle_responsibility_and_points(&mut self) {
        // A heading without points weighs what its items do when each has
        // points of its own ("（一）主要经济指标" over items of 10 + 10 + 10,
        // 一票否决事项 over items of 0); children come after their parents,
        // so walk back and inner headings are settled first.
        for i in (0..self.draft.goals.len()).rev() {
            let items: Vec<Option<f64>> = self
                .draft
                .goals
                .iter()
                .filter(|g| g.parent == Some(i) && !(g.subset && g.cells.weight.is_none()))
                .map(|g| g.weight)
                .collect();
            let sum = (!items.is_empty() && items.iter().all(Option::is_some))
                .then(|| items.iter().flatten().sum::<f64>());
            let goal = &mut self.draft.goals[i];
            if goal.kind == GoalKind::Group && goal.weight.is_none() {
                goal.weight = sum;
            }
        }
        for i in 0..self.draft.goals.len() {
            let has_own_children = self
                .draft
                .goals
                .iter()
                .any(|g| g.parent == Some(i) && !g.subset);
            let goal = &self.draft.goals[i];
            let parent_lead = goal
                .parent
                .filter(|_| goal.subset)
                .and_then(|p| self.draft.goals[p].lead_unit.clone());
            let goal = &mut self.draft.goals[i];
            // A 其中 row without points of its own, and a 一票否决 item
            // however it was recognised, weigh nothing: the veto is its force.
            let weightless = goal.subset || goal.kind == GoalKind::Veto;
            if weightless && goal.weight.is_none() {
                goal.weight = Some(0.0);
            }
            if goal.kind == GoalKind::Group || has_own_children || !goal.assignments.is_empty() {
                continue;
            }
            if let Some(lead) = goal.lead_unit.clone().or(parent_lead) {
                goal.assignments.push(DraftAssignment {
                    unit: lead,
                    value: None,
                    deadline: None,
                });
                goal.lead_by_default = true;
            }
        }
        self.check_heading_points();
    }

    /// "经济发展指标（30分）" over items scored 10 + 10 + 8: a slip the clerk
    /// must see, named at the heading with both figures.
    fn check_heading_points(&mut self) {
        for i in 0..self.draft.goals.len() {
            let Some(heading) = self.draft.goals[i].heading_points else {
                continue;
            };
            let items: Vec<&DraftGoal> = self
                .draft
                .goals
                .iter()
                .filter(|g| g.parent == Some(i) && !(g.subset && g.cells.weight.is_none()))
                .collect();
            // Items without points of their own say nothing about the sum.
            if items.is_empty() || items.iter().all(|g| g.weight.is_none()) {
                continue;
            }
            let points: Vec<f64> = items.iter().map(|g| g.weight.unwrap_or(0.0)).collect();
            if let Err(refusal) = domain::validation::heading_points(heading, &points) {
                let goal = &self.draft.goals[i];
                let at = goal.cells.title.or(goal.cells.code).unwrap_or(At {
                    row: goal.row,
                    column: 0,
                });
                let m = refusal.message;
                self.problem(
                    at,
                    ErrorCode::InvalidValue,
                    format!("“{}”{}", goal.title, m.zh),
                    format!("{:?}: {}", goal.title, m.en),
                );
            }
        }
    }

    /// The kind the sheet states, or the one the goal's wording implies;
    /// `None` after noting a goal that gives nothing to judge by.
    fn decide_kind(&mut self, i: usize, raw: &RawTarget, parsed: &Parsed) -> Option<GoalKind> {
        if let Some(kind) = raw.explicit_kind {
            return Some(kind);
        }
        let goal = &self.draft.goals[i];
        let percent_column = goal.measure_unit.as_deref() == Some("%");
        let kind = match parsed {
            // 分值 一票否决: whatever the words, the goal only vetoes.
            _ if raw.veto_points => GoalKind::Veto,
            _ if !goal.milestones.is_empty() => GoalKind::Milestone,
            Some(Ok(t)) if t.kind == WordedKind::Cumulative && percent_column => GoalKind::Rate,
            // Words for a target ("建成投用"), a number, a rate, a rank, a
            // veto: as the wording says.
            Some(Ok(t)) => t.kind.goal_kind(),
            Some(Err(_)) => GoalKind::Cumulative,
            None if raw.has_children => GoalKind::Group,
            None => {
                let at = goal.cells.target.or(goal.cells.title).unwrap_or(At {
                    row: goal.row,
                    column: 0,
                });
                self.problem(
                    at,
                    ErrorCode::InvalidTarget,
                    "没有目标值：请填写数值、添加节点行，或把类型设为分组",
                    "no 目标值: write a number, add 节点 rows, or set 类型 to 分组",
                );
                return None;
            }
        };
        Some(kind)
    }

    /// Whether the 计量单位 column and the unit in the target's wording
    /// differ (noted as a problem): neither can be chosen over the other.
    fn measure_units_disagree(&mut self, i: usize, unit_from_text: Option<&str>) -> bool {
        let goal = &self.draft.goals[i];
        let (Some(column), Some(text)) = (goal.measure_unit.as_deref(), unit_from_text) else {
            return false;
        };
        if column == text {
            return false;
        }
        let at = goal.cells.measure_unit.or(goal.cells.target);
        if let Some(at) = at {
            self.problem(
                at,
                ErrorCode::MeasureUnitMismatch,
                format!("目标值的单位是“{text}”，计量单位却是“{column}”，请改为一致"),
                format!("目标值 is in {text} but 计量单位 says {column}; make them agree"),
            );
        }
        true
    }
}

/// A MILESTONE goal worded as its deliverable becomes one milestone due on
/// the goal's deadline.
fn add_deliverable(goal: &mut DraftGoal, kind: GoalKind, raw: &RawTarget, parsed: &Parsed) {
    if kind != GoalKind::Milestone || !goal.milestones.is_empty() {
        return;
    }
    let deliverable = raw.text.clone().filter(|_| is_deliverable(parsed));
    if let (Some(text), Some(due), Some(at)) = (deliverable, goal.deadline, goal.cells.target) {
        goal.milestones.push(DraftMilestone {
            at,
            title: text,
            due,
            weight: None,
        });
    }
}

/// The target's wording is kept unless the sheet has a 目标原文: words
/// around a number ("20个以上"), or words with no number at all.
fn keep_wording(goal: &mut DraftGoal, raw: &RawTarget, parsed: &Parsed) {
    if goal.original_text.is_some() {
        return;
    }
    if raw.number.is_none() && parsed.as_ref().is_some_and(|p| p.is_ok()) {
        let text = raw.text.clone().unwrap_or_default();
        if text.parse::<f64>().is_err() {
            goal.original_text = Some(text);
        }
    }
}

/// The direction the sheet states; otherwise an upper bound ("≤65%")
/// means lower is better. Not for VETO or RANK: their limit is an upper
/// bound by nature, and DECREASE is refused on any kind but RATE.
fn direction(explicit: Option<Direction>, bound: Option<Bound>, kind: GoalKind) -> Direction {
    match explicit {
        Some(d) => d,
        // A RANK target ("前20位") is an upper bound by nature too: its
        // completion rule already reads lower as better.
        None if bound == Some(Bound::AtMost)
            && !matches!(kind, GoalKind::Veto | GoalKind::Rank) =>
        {
            Direction::Decrease
        }
        None => Direction::Increase,
    }
}

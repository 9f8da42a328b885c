//! Turning a row into the draft: a row with a 序号 or 目标任务 is a goal;
//! its assignments (a 责任单位 list, one unit with its 分解值, or one column per
//! unit) and 节点 are read from its row and from the rows under it that
//! carry nothing else.
use domain::wording::{self, AssignmentWords, Points};
use domain::{Direction, GoalKind, Message};

use super::SheetReader;
use super::cells::split_list;
use super::draft::{At, DraftAssignment, DraftGoal, DraftMilestone, GoalCells, UnitName};
use super::headers::Field;
use super::kinds::{RawTarget, parse_direction, parse_kind};
use super::numbering::{Outline, Placement, split_numbering};
use super::unit_key;
use crate::error::ErrorCode;
use crate::import::grid::Cell;

/// The name of a 其中 row ("其中：2亿元以上重大项目" → "2亿元以上重大项目"),
/// or `None` for a row that is not one.
fn subset_title(title: &str) -> Option<String> {
    let rest = title.trim().strip_prefix("其中")?;
    let name = rest
        .trim_start_matches([':', '：', ',', '，', ' ', '　'])
        .trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// A unit's name without a "（牵头）" mark, and whether it had one.
fn lead_mark(name: &str) -> (String, bool) {
    let normal = wording::normalise(name);
    for mark in ["(牵头)", "(牵头单位)", "牵头"] {
        if let Some(rest) = normal.strip_suffix(mark).filter(|r| !r.is_empty()) {
            return (rest.to_string(), true);
        }
    }
    (name.trim().to_string(), false)
}

/// How a problem names a unit's part of a goal.
fn share_of(unit: &str) -> Message {
    Message::new(format!("{unit}的分解值"), format!("the share of {unit}"))
}

fn milestone_weight() -> Message {
    Message::new("节点权重", "节点权重 (milestone weight)")
}

/// The 节点 of a row written "节点：主体工程完工" in the 目标任务 column.
pub(super) fn titled_milestone(title: &str) -> Option<String> {
    let title = title.trim();
    let rest = ["节点", "节点目标", "时间节点", "节点任务"]
        .iter()
        .find_map(|p| title.strip_prefix(p))?;
    let rest = rest.strip_prefix([':', '：'])?.trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

/// Marks that put a unit in a per-unit column without a value of its own.
const TICKS: [&str; 5] = ["√", "✓", "✔", "是", "●"];

/// Marks in a per-unit column for the unit that leads (and carries) a goal.
const LEAD_MARKS: [&str; 4] = ["★", "牵头", "主责", "▲"];

/// Marks in a per-unit column for a unit that only helps (配合).
const SUPPORT_MARKS: [&str; 4] = ["☆", "配合", "协办", "△"];

impl<'a> SheetReader<'a> {
    /// Reads the goal that starts on `row` (`section`: a row merged across
    /// the sheet), with the assignments and 节点 on its row: its index in the
    /// draft, or `None` when it has no 目标任务.
    pub(super) fn read_goal(
        &mut self,
        row: u32,
        section: bool,
        outline: &mut Outline,
        pending_category: Option<&String>,
    ) -> Option<usize> {
        let code_at = self.value(row, Field::Code).map(|(_, at)| at);
        let title_at = self
            .value(row, Field::Title)
            .map(|(_, at)| at)
            .or_else(|| self.column(Field::Title).map(|column| At { row, column }));
        let (code, title) = self.code_and_title(row, section);
        // "经济发展指标（30分）": the points are the heading's, not its name.
        let (title, heading_points) = match title {
            Some(t) => {
                let (name, points) = wording::split_heading_points(&t);
                (Some(name), points)
            }
            None => (None, None),
        };
        // "其中：2亿元以上重大项目" with a blank 序号: part of the goal above.
        let subset_title = title
            .as_deref()
            .filter(|_| code.is_none())
            .and_then(subset_title);
        let subset = subset_title.is_some();
        let title = subset_title.or(title);
        let Some(title) = title.filter(|t| !t.is_empty()) else {
            let at = title_at.unwrap_or(At { row, column: 0 });
            self.problem(
                at,
                ErrorCode::MissingTitle,
                format!("序号 {} 没有目标任务", code.as_deref().unwrap_or_default()),
                format!(
                    "序号 {} has no 目标任务",
                    code.as_deref().unwrap_or_default()
                ),
            );
            return None;
        };

        let index = self.draft.goals.len();
        let (placement, problems) = if subset {
            let parent = outline.subset_parent();
            if parent.is_none() {
                let at = title_at.unwrap_or(At { row, column: 0 });
                self.problem(
                    at,
                    ErrorCode::BadNumbering,
                    "“其中”行上方没有它所属的目标任务",
                    "a 其中 row with no goal above it to belong to",
                );
            }
            let placement = Placement { code: None, parent };
            (placement, Vec::new())
        } else {
            outline.place(code.as_deref(), index, row)
        };
        let numbering_at = code_at.unwrap_or(At { row, column: 0 });
        for (code, message) in problems {
            let p = self.draft.problem_at(numbering_at, code, message);
            self.problems.push(p);
        }
        let cells = GoalCells {
            code: code_at,
            title: title_at,
            ..GoalCells::default()
        };
        let (mut goal, raw_target) =
            self.read_goal_fields(row, placement, title, cells, pending_category);
        goal.subset = subset;
        goal.heading_points = heading_points;
        // A heading's points are its weight unless a 分值 cell says otherwise.
        if goal.weight.is_none() {
            goal.weight = heading_points;
        }
        if let Some(p) = goal.parent {
            self.raw_targets[p].has_children = true;
        }
        self.raw_targets.push(raw_target);
        self.draft.goals.push(goal);
        self.read_assignments_and_milestones(row, index);
        Some(index)
    }

    /// The 序号 and 目标任务 of a goal row. A section row holds both in one
    /// merged cell ("一、招商引资"); a title may begin with its numbering
    /// when the 序号 cell is blank.
    fn code_and_title(&self, row: u32, section: bool) -> (Option<String>, Option<String>) {
        let code = self.text(row, Field::Code).filter(|c| !c.is_empty());
        if section {
            let text = code.unwrap_or_default();
            return match split_numbering(&text) {
                Some((code, title)) => (Some(code), Some(title)),
                None => (None, Some(text)),
            };
        }
        let title = self.text(row, Field::Title);
        // "一、经济发展指标（30分）" alone in the 序号 cell: a heading that was
        // merged across the sheet before it was saved as CSV.
        if title.as_deref().is_none_or(str::is_empty)
            && let Some((code, title)) = code.as_deref().and_then(split_numbering)
        {
            return (Some(code), Some(title));
        }
        if code.is_none()
            && let Some((code, title)) = title.as_deref().and_then(split_numbering)
        {
            return (Some(code), Some(title));
        }
        (code, title)
    }

    /// What the row states about the goal's kind, direction and target,
    /// kept to be judged once the sheet is read (`settle_kinds`).
    fn read_stated_target(&mut self, row: u32, cells: &mut GoalCells) -> RawTarget {
        let explicit_kind = self.read_field(row, Field::Kind, &mut cells.kind, Self::stated_kind);
        let explicit_direction = self.read_field(
            row,
            Field::Direction,
            &mut cells.direction,
            Self::stated_direction,
        );
        let target = self.read_field(row, Field::Target, &mut cells.target, |_, cell, _| {
            Some((cell.text.trim().to_string(), cell.number))
        });
        let (text, number) = target.map_or((None, None), |(text, number)| (Some(text), number));
        RawTarget {
            text,
            number,
            explicit_kind,
            explicit_direction,
            has_children: false,
            veto_points: false,
        }
    }

    /// The goal on `row` as written, and what it states about its kind
    /// and target; its kind, target, measure unit and direction are settled
    /// once the sheet is read.
    fn read_goal_fields(
        &mut self,
        row: u32,
        placement: Placement,
        title: String,
        mut cells: GoalCells,
        pending_category: Option<&String>,
    ) -> (DraftGoal, RawTarget) {
        let mut raw_target = self.read_stated_target(row, &mut cells);
        let measure_unit = self.read_field(
            row,
            Field::MeasureUnit,
            &mut cells.measure_unit,
            |_, cell, _| Some(wording::normalise(&cell.text)),
        );
        let baseline = self.read_field(row, Field::Baseline, &mut cells.baseline, |r, cell, at| {
            r.number(cell, at, Message::new("基数", "基数 (baseline)"))
        });
        let points = self.read_field(row, Field::Weight, &mut cells.weight, Self::points);
        raw_target.veto_points = points == Some(Points::Veto);
        let weight = points.map(|p| match p {
            Points::Score(n) => n,
            Points::Veto => 0.0,
        });
        let deadline = self.read_field(row, Field::Deadline, &mut cells.deadline, Self::deadline);
        let ongoing = deadline.is_some_and(|d| d.ongoing);
        let deadline = deadline.map(|d| d.date);
        let previous_year = self.value(row, Field::PreviousYear).and_then(|(cell, at)| {
            self.number(
                cell,
                at,
                Message::new("上年完成", "上年完成 (last year's result)"),
            )
        });
        let remarks = self.text(row, Field::Remarks).filter(|r| !r.is_empty());
        let lead_unit = self
            .value(row, Field::Lead)
            .and_then(|(cell, at)| self.unit_names(cell, at).into_iter().next());
        let supporting_units = self
            .value(row, Field::Supporting)
            .map(|(cell, at)| self.unit_names(cell, at))
            .unwrap_or_default();
        let category = self
            .text(row, Field::Category)
            .map(|c| wording::split_heading_points(&c).0)
            .or_else(|| pending_category.cloned());
        let goal = DraftGoal {
            row,
            parent: placement.parent,
            code: placement.code,
            title,
            category,
            kind: raw_target.explicit_kind.unwrap_or(GoalKind::Cumulative),
            measure_unit,
            target: None,
            baseline,
            direction: raw_target.explicit_direction.unwrap_or_default(),
            weight,
            deadline,
            lead_unit,
            supporting_units,
            leader: self.text(row, Field::Leader),
            person: self.text(row, Field::Person),
            original_text: self.text(row, Field::OriginalText),
            assignments: Vec::new(),
            milestones: Vec::new(),
            cells,
            subset: false,
            heading_points: None,
            previous_year,
            remarks,
            ongoing,
            lead_by_default: false,
        };
        (goal, raw_target)
    }

    /// Reads `field` on `row` with `read`, noting the cell it came from in
    /// `cell_at` even when its value cannot be read (the problem names it).
    fn read_field<T>(
        &mut self,
        row: u32,
        field: Field,
        cell_at: &mut Option<At>,
        read: impl FnOnce(&mut Self, &'a Cell, At) -> Option<T>,
    ) -> Option<T> {
        let (cell, at) = self.value(row, field)?;
        *cell_at = Some(at);
        read(self, cell, at)
    }

    /// A 分值 cell: points, or 一票否决; anything else is a problem.
    fn points(&mut self, cell: &Cell, at: At) -> Option<Points> {
        if let Some(n) = cell.number {
            return Some(Points::Score(n));
        }
        match wording::read_points(&cell.text) {
            Ok(points) => Some(points),
            Err(e) => {
                let m = e.message().clone();
                self.problem(at, ErrorCode::UnreadableValue, m.zh, m.en);
                None
            }
        }
    }

    /// A 类型 cell; one that names no kind is a problem.
    fn stated_kind(&mut self, cell: &Cell, at: At) -> Option<GoalKind> {
        let kind = parse_kind(&cell.text);
        if kind.is_none() {
            self.problem(
                at,
                ErrorCode::UnreadableValue,
                format!(
                    "类型“{}”不是累计、比率、节点、排名、一票否决、分组之一",
                    cell.text.trim()
                ),
                format!(
                    "类型 {:?} is not one of 累计, 比率, 节点, 排名, 一票否决, 分组",
                    cell.text.trim()
                ),
            );
        }
        kind
    }

    /// A 方向 cell; one that names no direction is a problem.
    fn stated_direction(&mut self, cell: &Cell, at: At) -> Option<Direction> {
        let direction = parse_direction(&cell.text);
        if direction.is_none() {
            self.problem(
                at,
                ErrorCode::UnreadableValue,
                format!("方向“{}”应为正向或反向", cell.text.trim()),
                format!("方向 {:?} is not 正向 or 反向", cell.text.trim()),
            );
        }
        direction
    }

    /// The assignments and 节点 first written on `row`, added to goal `goal`
    /// (the goal that starts on the row, or the one above a continuation).
    pub(super) fn read_assignments_and_milestones(&mut self, row: u32, goal: usize) {
        self.read_unit_list(row, goal);
        self.read_unit_columns(row, goal);
        self.read_milestone(row, goal);
    }

    /// 责任单位: "招商局:10;经发局:5", or one unit with its 分解值 beside it.
    fn read_unit_list(&mut self, row: u32, goal: usize) {
        let Some((cell, at)) = self.fresh(row, Field::Units) else {
            return;
        };
        let assignment_beside = self.fresh(row, Field::AssignmentContext);
        // One row per unit: the unit's own 完成时限 on its row (on the
        // goal's row, the goal's); the goal's is settled from them.
        let row_deadline = match self.fresh(row, Field::Deadline) {
            Some(_) if self.draft.goals[goal].row == row => self.draft.goals[goal].deadline,
            Some((cell, at)) => self.deadline(cell, at).map(|d| d.date),
            None => None,
        };
        for item in split_list(&cell.text) {
            let (name, value_text) = match item.split_once(':') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (item.clone(), None),
            };
            // "招商合作局（牵头）": the unit leads the goal as well.
            let (name, leads) = lead_mark(&name);
            if leads && self.draft.goals[goal].lead_unit.is_none() {
                self.draft.goals[goal].lead_unit = Some(UnitName {
                    name: name.clone(),
                    at,
                });
            }
            let value = match (value_text, assignment_beside) {
                (Some(v), _) => self.number(
                    &Cell {
                        text: v,
                        ..Cell::default()
                    },
                    at,
                    share_of(&name),
                ),
                (None, Some((assignment_cell, assignment_at))) => {
                    self.assignment_words(goal, assignment_cell, assignment_at)
                }
                (None, None) => None,
            };
            self.draft.goals[goal].assignments.push(DraftAssignment {
                unit: UnitName { name, at },
                value,
                deadline: row_deadline,
            });
        }
    }

    /// A unit's part in a 分解任务 cell: a number, or words — a figure
    /// ("签约项目5个", "12亿元"), a deliverable ("完成方案编制": the unit
    /// carries the goal without a figure of its own), or dated 节点 ("3月底前
    /// 完成方案编制；6月底前通过验收"), which become the goal's milestones.
    fn assignment_words(&mut self, goal: usize, cell: &'a Cell, at: At) -> Option<f64> {
        if let Some(n) = cell.number {
            return Some(n);
        }
        match wording::read_assignment_cell(&cell.text, self.plan_year) {
            Ok(AssignmentWords::Amount { value, .. }) => Some(value),
            Ok(AssignmentWords::Deliverable(_)) => None,
            Ok(AssignmentWords::Milestones(dated)) => {
                let milestones = &mut self.draft.goals[goal].milestones;
                for (due, title) in dated {
                    if !milestones.iter().any(|m| m.title == title && m.due == due) {
                        milestones.push(DraftMilestone {
                            at,
                            title,
                            due,
                            weight: None,
                        });
                    }
                }
                None
            }
            Err(e) => {
                let m = e.message().clone();
                self.problem(at, ErrorCode::UnreadableValue, m.zh, m.en);
                None
            }
        }
    }

    /// One column per unit: a number is the unit's assignment, a tick gives it
    /// the whole target.
    fn read_unit_columns(&mut self, row: u32, goal: usize) {
        for (column, unit) in self.columns.unit_columns.clone() {
            let Some((cell, at)) = self.fresh_at(row, column) else {
                continue;
            };
            let mark = cell.text.trim();
            let name = UnitName {
                name: unit_key(&unit),
                at,
            };
            // ★ / 牵头: the unit leads the goal and carries it; ☆ / 配合:
            // it helps (a supporting unit), carrying no part.
            if LEAD_MARKS.contains(&mark) {
                let goal = &mut self.draft.goals[goal];
                if goal.lead_unit.is_none() {
                    goal.lead_unit = Some(name.clone());
                }
            } else if SUPPORT_MARKS.contains(&mark) {
                self.draft.goals[goal].supporting_units.push(name);
                continue;
            }
            let value = if TICKS.contains(&mark) || LEAD_MARKS.contains(&mark) {
                None
            } else {
                self.number(cell, at, share_of(&unit))
            };
            self.draft.goals[goal].assignments.push(DraftAssignment {
                unit: name,
                value,
                deadline: None,
            });
        }
    }

    /// 节点 / 节点时限 / 节点权重.
    fn read_milestone(&mut self, row: u32, goal: usize) {
        let milestone = self.fresh(row, Field::Milestone);
        let due = self.fresh(row, Field::MilestoneDue);
        let weight = self.fresh(row, Field::MilestoneWeight);
        match (milestone, due) {
            // "3月底前完成方案编制；6月底前开工；年底前通过验收" in one 节点 cell
            // with no 节点时限 of its own: one 节点 per dated part.
            (Some((cell, at)), None)
                if let Ok(dated) = wording::read_inline_milestones(&cell.text, self.plan_year)
                    && dated.len() > 1 =>
            {
                self.add_dated_milestones(goal, at, dated, None);
            }
            (Some((cell, at)), due) => {
                let due = match (due, self.own_deadline(row, goal)) {
                    (Some((due_cell, due_at)), _) => self.date(due_cell, due_at),
                    (None, Some((due_cell, due_at))) => self.date(due_cell, due_at),
                    (None, None) => self.due_by_deadline(row, goal, cell, at),
                };
                let weight = weight.and_then(|(w, w_at)| self.number(w, w_at, milestone_weight()));
                if let Some(due) = due {
                    self.draft.goals[goal].milestones.push(DraftMilestone {
                        at,
                        title: cell.text.trim().to_string(),
                        due,
                        weight,
                    });
                }
            }
            (None, Some((_, at))) => self.problem(
                at,
                ErrorCode::MissingTitle,
                "有节点时限却没有节点内容，请写明节点",
                "a 节点时限 without a 节点; name the milestone",
            ),
            (None, None) => {}
        }
    }

    /// 节点 read from words ("3月底前完成方案编制；6月底前开工"), each due on
    /// its own date, all named at the cell they came from.
    fn add_dated_milestones(
        &mut self,
        goal: usize,
        at: At,
        dated: Vec<(chrono::NaiveDate, String)>,
        weight: Option<f64>,
    ) {
        let milestones = &mut self.draft.goals[goal].milestones;
        milestones.extend(dated.into_iter().map(|(due, title)| DraftMilestone {
            at,
            title,
            due,
            weight,
        }));
    }

    /// A 完成时限 written on a row under its goal (not the goal's own).
    fn own_deadline(&self, row: u32, goal: usize) -> Option<(&'a Cell, At)> {
        (self.draft.goals[goal].row != row)
            .then(|| self.fresh(row, Field::Deadline))
            .flatten()
    }

    /// "节点：主体工程完工" written in the 目标任务 column with no 序号: a
    /// 节点 of the goal above, due on its row's 节点时限 or 完成时限, on a
    /// date in its words ("节点：10月底前主体完工"), or on the goal's.
    pub(super) fn read_titled_milestone(&mut self, row: u32, goal: usize, title: String, at: At) {
        let weight = self
            .fresh(row, Field::MilestoneWeight)
            .and_then(|(w, w_at)| self.number(w, w_at, milestone_weight()));
        let stated = self
            .fresh(row, Field::MilestoneDue)
            .or_else(|| self.own_deadline(row, goal));
        let due = match stated {
            Some((due_cell, due_at)) => self.date(due_cell, due_at),
            None => match wording::read_inline_milestones(&title, self.plan_year) {
                Ok(dated) if !dated.is_empty() => {
                    self.add_dated_milestones(goal, at, dated, weight);
                    return;
                }
                _ => {
                    let words = Cell {
                        text: title.clone(),
                        ..Cell::default()
                    };
                    self.due_by_deadline(row, goal, &words, at)
                }
            },
        };
        if let Some(due) = due {
            self.draft.goals[goal].milestones.push(DraftMilestone {
                at,
                title,
                due,
                weight,
            });
        }
    }

    /// One row per unit, each with its 完成时限: the goal is done when its
    /// last unit is, and a unit keeps its own date only where it differs.
    pub(super) fn settle_assignment_deadlines(&mut self) {
        for goal in &mut self.draft.goals {
            let latest = goal
                .assignments
                .iter()
                .filter_map(|a| a.deadline)
                .chain(goal.deadline)
                .max();
            goal.deadline = latest;
            for a in &mut goal.assignments {
                if a.deadline == latest {
                    a.deadline = None;
                }
            }
        }
    }

    /// A 节点 with no 节点时限 is due on its goal's 完成时限; with neither,
    /// the missing 节点时限 is a problem.
    fn due_by_deadline(
        &mut self,
        row: u32,
        goal: usize,
        milestone: &Cell,
        at: At,
    ) -> Option<chrono::NaiveDate> {
        let goal_deadline = self.draft.goals[goal].deadline;
        if goal_deadline.is_none() {
            let column = self.column(Field::MilestoneDue).unwrap_or(at.column);
            self.problem(
                At { row, column },
                ErrorCode::InvalidDate,
                format!("节点“{}”没有节点时限", milestone.text.trim()),
                format!("节点 {:?} has no 节点时限", milestone.text.trim()),
            );
        }
        goal_deadline
    }
}

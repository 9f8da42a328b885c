//! Reads a 目标任务分解表 grid into a draft of goals, assignments and milestones.
//! Pure: no database. Units stay names here (the service resolves them);
//! every value remembers its cell, so a problem found now or later names
//! the cell a clerk must fix.
//!
//! What it reads:
//! - a header row (within the first rows, after any title rows) whose cells
//!   carry the usual Chinese headers or English equivalents; a header merged
//!   over several columns with a second header row below it (节点目标 over
//!   节点 / 节点时限, or 分解值 over one column per unit);
//! - goals numbered 一、/ (一) / 1 / 1.1 / (1) / ①, nested by that numbering;
//!   a row merged across the sheet ("一、招商引资") is a grouping goal;
//! - assignments as "单位:值" lists in 责任单位, one column per unit, or one unit
//!   and its 分解值 per row under a goal merged over several rows;
//! - milestones in 节点 / 节点时限 / 节点权重 columns, on the goal's row and
//!   the rows under it.
//!
//! The reading goes in two passes because a goal's kind depends on what
//! comes after it (its sub-goals, its 节点 rows): `read_rows` takes each row
//! as it comes, `settle_kinds` then judges every goal's kind and target.
use std::collections::HashSet;

use super::grid::Grid;
use crate::error::{ErrorCode, Problem};

/// Which cell holds a row's value, read as text, a number, a date or units.
mod cells;
/// What a read produces: the draft goals, assignments and milestones.
mod draft;
/// The header row, and what each column holds.
mod headers;
/// A goal's kind, target, measure unit and direction, judged from wording.
mod kinds;
/// 序号 numbering styles, and the nesting they decide.
mod numbering;
/// Problems named by their cell, and their order.
mod problems;
/// A row as a goal, or as assignments and 节点 of the goal above.
mod rows;

pub use draft::{At, Draft, DraftAssignment, DraftGoal, DraftMilestone, GoalCells, UnitName};
pub use problems::{cell_label, sort_problems};

use headers::{Columns, Field, find_columns};
use kinds::RawTarget;
use numbering::Outline;

/// Unit names compare as the API compares them (`text::key`): without
/// blanks or invisible characters, full-width forms folded, so a sheet's
/// "经济发展局（开发区）" or a name with a stray soft hyphen finds its unit.
pub fn unit_key(name: &str) -> String {
    domain::text::key(name)
}

/// Reads the sheet: the draft, and every problem found in it (the draft is
/// only fit to import when there are none; it is returned anyway so the
/// caller can add the problems it finds, such as unknown units, and report
/// them all at once). `known_units` (normalised with [`unit_key`]) lets
/// per-unit columns be told from columns to ignore.
pub fn read(grid: &Grid, plan_year: i32, known_units: &HashSet<String>) -> (Draft, Vec<Problem>) {
    let restored = headers::restore_flattened_header(grid);
    let grid = restored.as_ref().unwrap_or(grid);
    let columns = match find_columns(grid, known_units) {
        Ok(columns) => columns,
        Err(problem) => return (Draft::default(), vec![problem]),
    };
    let mut reader = SheetReader {
        grid,
        plan_year,
        draft: Draft {
            title: columns.title.clone(),
            goals: Vec::new(),
            ignored_columns: columns.ignored.clone(),
            headers: columns.headers.clone(),
            used_columns: columns.used(),
            remarks: Vec::new(),
        },
        columns,
        problems: Vec::new(),
        raw_targets: Vec::new(),
    };
    reader.read_rows();
    reader.settle_assignment_deadlines();
    reader.settle_kinds();
    reader.settle_responsibility_and_points();
    (reader.draft, reader.problems)
}

/// One read of one sheet: what has been read so far, and what is wrong.
struct SheetReader<'a> {
    grid: &'a Grid,
    plan_year: i32,
    columns: Columns,
    draft: Draft,
    problems: Vec<Problem>,
    /// Parallel to `draft.goals`.
    raw_targets: Vec<RawTarget>,
}

/// The fields whose cells, alone on a row, continue the goal above it.
const CONTINUATION_FIELDS: [Field; 5] = [
    Field::Units,
    Field::AssignmentContext,
    Field::Milestone,
    Field::MilestoneDue,
    Field::MilestoneWeight,
];

impl SheetReader<'_> {
    /// Reads the rows under the header in order: a row with a 序号 or
    /// 目标任务 starts a goal; one with only assignments or 节点 continues the
    /// goal above it; one with only a 类别 heads the goals below it.
    fn read_rows(&mut self) {
        let mut outline = Outline::default();
        let mut current: Option<usize> = None;
        let mut pending_category: Option<String> = None;
        for row in self.columns.data_start..self.grid.row_count() {
            // 注 rows close the table: they and every row after them are the
            // plan's remarks (how it is scored, who checks), never goals.
            if !self.draft.remarks.is_empty() || self.remark(row).is_some() {
                if let Some(text) = self.row_text(row) {
                    self.draft.remarks.push(text);
                }
                continue;
            }
            if let Some((title, at)) = self.milestone_row(row) {
                match current {
                    Some(goal) => self.read_titled_milestone(row, goal, title, at),
                    None => self.problem(
                        at,
                        ErrorCode::MissingTitle,
                        "这一行的节点上方没有目标任务，请放到所属目标任务之下",
                        "a 节点 with no goal above it; put it under its 目标任务",
                    ),
                }
                continue;
            }
            if self.starts_goal(row) {
                let section = self.is_section(row);
                current = self.read_goal(row, section, &mut outline, pending_category.as_ref());
                continue;
            }
            let own = self.own_values(row);
            if self.continues_goal(row) {
                match current {
                    Some(goal) => self.read_assignments_and_milestones(row, goal),
                    None => {
                        let at = own
                            .first()
                            .map(|(_, at)| *at)
                            .unwrap_or(At { row, column: 0 });
                        self.problem(
                            at,
                            ErrorCode::MissingTitle,
                            "这一行的分解或节点上方没有目标任务，请放到所属目标任务之下",
                            "a share or 节点 with no goal above it; put it under its 目标任务",
                        );
                    }
                }
            } else if own.len() == 1 && own[0].0 == Field::Category {
                // A row that only names a category heads the goals below it.
                pending_category = self.text(row, Field::Category);
            } else if let Some(&(_, at)) = own.first() {
                self.problem(
                    at,
                    ErrorCode::MissingTitle,
                    "这一行有内容，但没有序号或目标任务；请填写目标任务或清空这一行",
                    "this row has values but no 序号 or 目标任务; give it a 目标任务 or clear it",
                );
            }
        }
    }

    /// A row with no 序号 whose 目标任务 reads "节点：…": a 节点, not a goal.
    fn milestone_row(&self, row: u32) -> Option<(String, At)> {
        if self.fresh(row, Field::Code).is_some() {
            return None;
        }
        let (cell, at) = self.fresh(row, Field::Title)?;
        rows::titled_milestone(&cell.text).map(|title| (title, at))
    }

    fn starts_goal(&self, row: u32) -> bool {
        self.fresh(row, Field::Code).is_some() || self.fresh(row, Field::Title).is_some()
    }

    /// The text of a 注 row ("注：1.本表分值合计100分…", "说明：…").
    fn remark(&self, row: u32) -> Option<String> {
        let text = self.row_text(row)?;
        let rest = text
            .strip_prefix("注")
            .or_else(|| text.strip_prefix("备注"))
            .or_else(|| text.strip_prefix("说明"))?;
        rest.starts_with([':', '：', '1', '１', '一', '(', '（', '、', ' '])
            .then_some(text)
    }

    /// A row's words, its cells joined (copies of a merge once).
    fn row_text(&self, row: u32) -> Option<String> {
        let parts: Vec<String> = (0..self.grid.column_count())
            .map(|c| self.grid.cell(row, c))
            .filter(|cell| cell.merged_from.is_none() && !cell.is_blank())
            .map(|cell| cell.text.trim().to_string())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// A row merged across the sheet from its 序号: "一、招商引资".
    fn is_section(&self, row: u32) -> bool {
        match (self.column(Field::Code), self.column(Field::Title)) {
            (Some(cc), Some(tc)) => {
                self.grid.cell(row, tc).merged_from == Some((row, cc))
                    && !self.grid.cell(row, cc).is_blank()
            }
            _ => false,
        }
    }

    /// Whether `row` holds an assignment or 节点 of its own.
    fn continues_goal(&self, row: u32) -> bool {
        CONTINUATION_FIELDS
            .iter()
            .any(|f| self.fresh(row, *f).is_some())
            || self
                .columns
                .unit_columns
                .iter()
                .any(|(c, _)| self.fresh_at(row, *c).is_some())
    }

    /// The fields with a value first written on `row`, and their cells.
    fn own_values(&self, row: u32) -> Vec<(Field, At)> {
        self.columns
            .fields
            .iter()
            .filter_map(|(f, c)| self.fresh_at(row, *c).map(|(_, at)| (*f, at)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::import::grid::Cell;
    use domain::{Direction, GoalKind};

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid::from_rows(
            "分解表",
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|t| Cell {
                            text: t.to_string(),
                            ..Cell::default()
                        })
                        .collect()
                })
                .collect(),
        )
    }

    fn units(names: &[&str]) -> HashSet<String> {
        names.iter().map(|n| unit_key(n)).collect()
    }

    #[test]
    fn dated_parts_in_one_milestone_cell_are_one_milestone_each() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "牵头单位", "完成时限", "节点"],
            &[
                "1",
                "五好园区建设",
                "建成投用",
                "规划局",
                "年底前",
                "3月底前完成方案编制；6月底前开工；年底前通过验收",
            ],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        let milestones: Vec<(String, String)> = draft.goals[0]
            .milestones
            .iter()
            .map(|m| (m.due.to_string(), m.title.clone()))
            .collect();
        assert_eq!(
            milestones,
            [
                ("2025-03-31".to_string(), "完成方案编制".to_string()),
                ("2025-06-30".to_string(), "开工".to_string()),
                ("2025-12-31".to_string(), "通过验收".to_string()),
            ]
        );
    }

    #[test]
    fn a_milestone_written_as_a_titled_row_belongs_to_the_goal_above() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "牵头单位", "完成时限"],
            &["1", "五好园区建设", "建成投用", "规划局", "12月底前"],
            &["", "节点：主体工程完工", "", "", "10月底前"],
            &["", "节点:投入运营", "", "", ""],
            &["2", "签约项目", "20个", "招商局", "年底前"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        assert_eq!(draft.goals.len(), 2, "{:#?}", draft.goals);
        let milestones: Vec<(String, String)> = draft.goals[0]
            .milestones
            .iter()
            .map(|m| (m.due.to_string(), m.title.clone()))
            .collect();
        assert_eq!(
            milestones,
            [
                ("2025-10-31".to_string(), "主体工程完工".to_string()),
                ("2025-12-31".to_string(), "投入运营".to_string()),
            ]
        );
        assert_eq!(draft.goals[1].parent, None);
    }

    #[test]
    fn a_two_row_header_saved_as_csv_reads_as_when_merged() {
        // Chinese Excel's CSV: the title and the merges are gone, their
        // cells blank; 责任单位 spans three unit columns named one row below.
        let g = grid(&[
            &["鹤城高新区2025年目标任务分解表", "", "", "", "", "", ""],
            &["序号", "目标任务", "2025年目标", "责任单位", "", "", "分值"],
            &["", "", "", "招商局", "经发局", "规划局", ""],
            &["1", "签约项目", "20个", "12", "8", "", "10"],
            &["2", "处置低效用地", "250亩", "", "", "250", "5"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        assert_eq!(draft.goals.len(), 2);
        let parts: Vec<(&str, Option<f64>)> = draft.goals[0]
            .assignments
            .iter()
            .map(|a| (a.unit.name.as_str(), a.value))
            .collect();
        assert_eq!(parts, [("招商局", Some(12.0)), ("经发局", Some(8.0))]);
        assert_eq!(draft.goals[1].assignments[0].unit.name, "规划局");
        assert_eq!(draft.goals[1].weight, Some(5.0));
        assert_eq!(draft.ignored_columns, Vec::<String>::new());
    }

    #[test]
    fn each_unit_row_keeps_its_own_deadline() {
        let g = grid(&[
            &[
                "序号",
                "目标任务",
                "目标值",
                "责任单位",
                "分解任务",
                "完成时限",
            ],
            &[
                "1",
                "标准厂房建设",
                "建成投用",
                "规划局（牵头）",
                "完成方案编制",
                "6月底前",
            ],
            &["", "", "", "经发局", "完成资金筹措", "9月底前"],
            &["", "", "", "招商局", "完成招租", "年底前"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        let goal = &draft.goals[0];
        // The goal is done when its last unit is.
        assert_eq!(
            goal.deadline.map(|d| d.to_string()).as_deref(),
            Some("2025-12-31")
        );
        let parts: Vec<(&str, Option<String>)> = goal
            .assignments
            .iter()
            .map(|a| (a.unit.name.as_str(), a.deadline.map(|d| d.to_string())))
            .collect();
        assert_eq!(
            parts,
            [
                ("规划局", Some("2025-06-30".to_string())),
                ("经发局", Some("2025-09-30".to_string())),
                ("招商局", None),
            ]
        );
    }

    #[test]
    fn an_english_problem_names_a_units_share_in_english() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "责任单位"],
            &["1", "签约项目", "20个", "招商局:很多"],
        ]);
        let (_, problems) = read(&g, 2025, &HashSet::new());
        let lines: Vec<String> = problems
            .iter()
            .map(|p| p.describe(domain::Lang::En))
            .collect();
        assert_eq!(
            lines,
            ["D2 (责任单位): the share of 招商局 \"很多\" is not a number"]
        );
    }

    #[test]
    fn a_veto_item_weighs_nothing_without_points() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "牵头单位"],
            &["1", "安全生产", "不发生较大及以上安全生产事故", "应急局"],
            &["2", "签约项目", "20个", "招商局"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        assert_eq!(draft.goals[0].kind, GoalKind::Veto);
        assert_eq!(draft.goals[0].weight, Some(0.0));
        assert_eq!(draft.goals[1].weight, None, "the service's default");
    }

    #[test]
    fn headings_saved_as_csv_read_as_when_merged() {
        // The heading "一、经济发展指标（30分）" was merged across the sheet;
        // in the CSV it sits alone in the 序号 cell.
        let g = grid(&[
            &["序号", "目标任务", "目标值", "分值", "牵头单位"],
            &["一、经济发展指标（30分）", "", "", "", ""],
            &["1", "技工贸总收入", "160亿元", "30", "经发局"],
            &["（一）招商引资", "", "", "", ""],
            &["1", "签约项目", "20个", "", "招商局"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        let shape: Vec<(Option<&str>, &str, Option<usize>)> = draft
            .goals
            .iter()
            .map(|g| (g.code.as_deref(), g.title.as_str(), g.parent))
            .collect();
        assert_eq!(
            shape,
            [
                (Some("一"), "经济发展指标", None),
                (Some("1"), "技工贸总收入", Some(0)),
                (Some("(一)"), "招商引资", Some(0)),
                (Some("1"), "签约项目", Some(2)),
            ]
        );
        assert_eq!(draft.goals[0].weight, Some(30.0));
    }

    #[test]
    fn a_second_title_column_named_target_is_the_target() {
        let g = grid(&[
            &["序号", "指标名称", "目标任务", "牵头单位"],
            &["1", "签约项目", "12个以上", "招商局"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        assert_eq!(draft.goals[0].title, "签约项目");
        assert_eq!(draft.goals[0].target, Some(12.0));
    }

    #[test]
    fn a_date_that_does_not_exist_says_how_to_write_one() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "牵头单位", "完成时限"],
            &["1", "签约项目", "20个", "招商局", "6月31日"],
        ]);
        let (_, problems) = read(&g, 2025, &HashSet::new());
        let lines: Vec<String> = problems
            .iter()
            .map(|p| p.describe(domain::Lang::Zh))
            .collect();
        assert_eq!(
            lines,
            [
                "E2（完成时限）：“6月31日”不是一个真实的日期，请写成 2025年10月底、10月31日前 或 2025-10-31"
            ]
        );
    }

    #[test]
    fn a_headings_points_must_be_its_items_sum() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "分值", "牵头单位"],
            &["一、", "经济发展指标（30分）", "", "", ""],
            &["1", "技工贸总收入", "160亿元", "10", "经发局"],
            &["2", "固定资产投资", "17亿元", "8", "经发局"],
            &["二、", "园区建设（20分）", "", "", ""],
            &["1", "处置低效用地", "250亩", "20", "规划局"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        let lines: Vec<String> = problems
            .iter()
            .map(|p| p.describe(domain::Lang::Zh))
            .collect();
        assert_eq!(
            lines,
            ["B2（目标任务）：“经济发展指标”标题分值 30 分与其下各项分值合计 18 分不符"],
            "{lines:#?}"
        );
        assert_eq!(draft.goals[0].title, "经济发展指标");
        assert_eq!(draft.goals[0].weight, Some(30.0));
        assert_eq!(draft.goals[3].weight, Some(20.0));
    }

    #[test]
    fn nesting_follows_the_numbering() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "责任单位"],
            &["一、", "招商引资", "", ""],
            &["1", "签约项目", "20个以上", "招商局:12;经发局:8"],
            &["2", "合同投资", "≥25亿元", "招商局"],
            &["2.1", "工业项目投资", "15亿元", "招商局"],
            &["二、", "资源利用", "", ""],
            &["1", "盘活闲置厂房", "5万平方米", "规划建设局"],
            &["(一)", "负债率", "≤65%", "财政局"],
        ]);
        let (draft, problems) = read(&g, 2025, &HashSet::new());
        assert_eq!(problems, vec![]);
        let shape: Vec<(Option<&str>, Option<usize>, GoalKind)> = draft
            .goals
            .iter()
            .map(|g| (g.code.as_deref(), g.parent, g.kind))
            .collect();
        assert_eq!(
            shape,
            vec![
                (Some("一"), None, GoalKind::Group),
                (Some("1"), Some(0), GoalKind::Cumulative),
                (Some("2"), Some(0), GoalKind::Cumulative),
                (Some("2.1"), Some(2), GoalKind::Cumulative),
                (Some("二"), None, GoalKind::Group),
                (Some("1"), Some(4), GoalKind::Cumulative),
                // （一） after item 1 is its sibling under 二, whatever came first.
                (Some("(一)"), Some(4), GoalKind::Rate),
            ]
        );
        let signing = &draft.goals[1];
        assert_eq!(signing.target, Some(20.0));
        assert_eq!(signing.measure_unit.as_deref(), Some("个"));
        assert_eq!(signing.original_text.as_deref(), Some("20个以上"));
        assert_eq!(signing.category.as_deref(), None);
        let assignments: Vec<(&str, Option<f64>)> = signing
            .assignments
            .iter()
            .map(|s| (s.unit.name.as_str(), s.value))
            .collect();
        assert_eq!(
            assignments,
            vec![("招商局", Some(12.0)), ("经发局", Some(8.0))]
        );
        assert_eq!(draft.goals[0].category.as_deref(), Some("招商引资"));
        assert_eq!(draft.goals[6].direction, Direction::Decrease);
        assert_eq!(draft.goals[6].target, Some(65.0));
    }

    #[test]
    fn unit_columns_and_milestone_rows() {
        let g = grid(&[
            &[
                "序号",
                "目标任务",
                "目标值",
                "完成时限",
                "节点",
                "节点时限",
                "招商局",
                "经发局",
                "备注",
            ],
            &["1", "签约项目", "20", "年底前", "", "", "12", "8", ""],
            &[
                "2",
                "五好园区建设",
                "",
                "12月底",
                "主体完工",
                "10月底",
                "√",
                "",
                "重点",
            ],
            &["", "", "", "", "投入运营", "12月31日", "", "", ""],
        ]);
        let (draft, problems) = read(&g, 2025, &units(&["招商局", "经发局"]));
        assert_eq!(problems, vec![]);
        assert_eq!(draft.ignored_columns, Vec::<String>::new());
        assert!(draft.used_columns.contains(&"I 备注".to_string()));
        assert_eq!(draft.goals.len(), 2);
        assert_eq!(draft.goals[0].assignments.len(), 2);
        let building = &draft.goals[1];
        assert_eq!(building.kind, GoalKind::Milestone);
        let due: Vec<String> = building
            .milestones
            .iter()
            .map(|m| m.due.to_string())
            .collect();
        assert_eq!(due, vec!["2025-10-31", "2025-12-31"]);
        assert_eq!(building.assignments[0].value, None);
    }

    #[test]
    fn every_problem_is_reported_with_its_cell() {
        let g = grid(&[
            &["序号", "目标任务", "目标值", "完成时限"],
            &["1", "签约项目", "20个", "10月之前"],
            &["1", "合同投资", "25亿元", "年底"],
            &["3.1", "工业投资", "圆满", "尽快"],
        ]);
        let (_, mut problems) = read(&g, 2025, &HashSet::new());
        sort_problems(&mut problems);
        let lines: Vec<String> = problems
            .iter()
            .map(|p| p.describe(domain::Lang::En))
            .collect();
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(lines[0].starts_with("D2 (完成时限):"), "{lines:#?}");
        assert_eq!(problems[0].code, ErrorCode::AmbiguousDate);
        assert_eq!(
            lines[1],
            "A3 (序号): 序号 1 is used twice under the same heading (rows 2 and 3)"
        );
        assert_eq!(problems[1].code, ErrorCode::DuplicateCode);
        assert_eq!(problems[2].code, ErrorCode::BadNumbering);
        assert_eq!(
            lines[2],
            "A4 (序号): 序号 3.1 comes after no goal numbered 3"
        );
        assert_eq!(problems[3].code, ErrorCode::InvalidDate);
    }
}

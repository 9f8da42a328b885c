//! Every word an export writes that is not the plan's own data, in Chinese
//! and in English: one table. The plan's own words (titles, categories,
//! units, notes) are written as the office typed them in either language.
//!
//! The 分解表's words are read back by `mubiao import`/`importPlan`: its
//! English headers, kinds and directions are among the importer's English
//! equivalents (`import::breakdown::headers`, `kinds`), and the English
//! sheet name keeps "分解", which the importer looks for when no sheet is
//! named (tests/export.rs re-imports an English export).
use chrono::{Datelike, NaiveDate};
use domain::{Direction, GoalKind, Label, Lang, Light, Status};

/// The sheets of the workbook.
pub const GOALS_SHEET: Label = Label::new("完成情况", "Completion");
pub const UNITS_SHEET: Label = Label::new("单位排名", "Unit ranking");
pub const MILESTONES_SHEET: Label = Label::new("节点目标", "Milestones");
pub const BREAKDOWN_SHEET: Label = Label::new("目标任务分解表", "Breakdown (分解表)");

/// The reporting sheet of a month: "填报情况2025-10", "Reporting 2025-10".
pub fn reporting_sheet(month: NaiveDate, lang: Lang) -> String {
    let month = format!("{:04}-{:02}", month.year(), month.month());
    match lang {
        Lang::Zh => format!("填报情况{month}"),
        Lang::En => format!("Reporting {month}"),
    }
}

/// The columns of the 完成情况 sheet and of the CSV.
pub const GOAL_HEADERS: [Label; 21] = [
    Label::new("序号", "No."),
    Label::new("类别", "Category"),
    Label::new("目标任务", "Goal"),
    Label::new("类型", "Kind"),
    Label::new("计量单位", "Measure unit"),
    Label::new("分值", "Weight"),
    Label::new("目标值", "Target"),
    Label::new("上年完成", "Last year"),
    Label::new("完成值", "Actual"),
    Label::new("完成率", "Completion %"),
    Label::new("序时进度", "Expected %"),
    Label::new("差距(百分点)", "Gap (points)"),
    Label::new("亮灯", "Light"),
    Label::new("状态", "Status"),
    Label::new("得分", "Score"),
    Label::new("牵头单位", "Lead unit"),
    Label::new("责任领导", "Responsible leader"),
    Label::new("完成时限", "Deadline"),
    Label::new("最新进展", "Latest progress"),
    Label::new("存在问题", "Problems"),
    Label::new("备注", "Remarks"),
];

/// The columns of the 单位排名 sheet; the last four are the lights' words.
pub const UNIT_HEADERS: [Label; 8] = [
    Label::new("排名", "Rank"),
    Label::new("单位", "Unit"),
    Label::new("完成率", "Completion %"),
    Label::new("得分", "Score"),
    light(Light::Green),
    light(Light::Blue),
    light(Light::Yellow),
    light(Light::Red),
];

/// A unit with nothing counted yet, in the 完成率 column of the ranking.
pub const NOTHING_COUNTED: Label = Label::new("暂无", "none yet");

/// The columns of the 节点目标 sheet.
pub const MILESTONE_HEADERS: [Label; 6] = [
    Label::new("目标任务", "Goal"),
    Label::new("节点", "Milestone"),
    Label::new("权重", "Weight"),
    Label::new("计划完成", "Due"),
    Label::new("实际完成", "Completed on"),
    Label::new("完成情况", "State"),
];

/// The columns of the 填报情况 sheet.
pub const REPORTING_HEADERS: [Label; 6] = [
    Label::new("单位", "Unit"),
    Label::new("已报", "Reported"),
    Label::new("迟报", "Late"),
    Label::new("未报", "Missing"),
    Label::new("待报", "Pending"),
    Label::new("截止日期", "Due date"),
];

/// Before the reason a month cannot be judged, in the 填报情况 sheet.
pub const NOTE: Label = Label::new("说明：", "Note: ");

/// The columns of the 目标任务分解表, in the order the sheet has them.
pub const BREAKDOWN_HEADERS: [Label; 19] = [
    Label::new("序号", "No."),
    Label::new("类别", "Category"),
    Label::new("目标任务", "Goal"),
    Label::new("类型", "Kind"),
    Label::new("目标值", "Target"),
    Label::new("计量单位", "Measure unit"),
    Label::new("基数", "Baseline"),
    Label::new("方向", "Direction"),
    Label::new("分值", "Weight"),
    Label::new("牵头单位", "Lead unit"),
    Label::new("配合单位", "Supporting units"),
    Label::new("责任单位", "Responsible units"),
    Label::new("责任领导", "Responsible leader"),
    Label::new("责任人", "Responsible person"),
    Label::new("完成时限", "Deadline"),
    Label::new("节点", "Milestone"),
    Label::new("节点时限", "Milestone due"),
    Label::new("节点权重", "Milestone weight"),
    Label::new("目标原文", "Original text"),
];

/// Each label of a row in `lang`.
pub fn row<const N: usize>(labels: &[Label; N], lang: Lang) -> [&'static str; N] {
    labels.map(|l| l.get(lang))
}

pub const fn light(light: Light) -> Label {
    match light {
        Light::Green => Label::new("绿灯", "Green"),
        Light::Blue => Label::new("蓝灯", "Blue"),
        Light::Yellow => Label::new("黄灯", "Yellow"),
        Light::Red => Label::new("红灯", "Red"),
    }
}

pub const fn status(status: Status) -> Label {
    match status {
        Status::NotStarted => Label::new("未启动", "Not started"),
        Status::InProgress => Label::new("推进中", "In progress"),
        Status::Completed => Label::new("已完成", "Completed"),
        Status::Overdue => Label::new("逾期", "Overdue"),
    }
}

/// The 类型 column's words; the importer reads both back.
pub const fn kind(kind: GoalKind) -> Label {
    match kind {
        GoalKind::Cumulative => Label::new("累计", "Cumulative"),
        GoalKind::Rate => Label::new("比率", "Rate"),
        GoalKind::Milestone => Label::new("节点", "Milestone"),
        GoalKind::Veto => Label::new("一票否决", "Veto"),
        GoalKind::Group => Label::new("分组", "Group"),
        GoalKind::Rank => Label::new("排名", "Rank"),
    }
}

/// The 方向 column's words; the importer reads both back.
pub const fn direction(direction: Direction) -> Label {
    match direction {
        Direction::Increase => Label::new("正向", "Increase"),
        Direction::Decrease => Label::new("反向", "Decrease"),
    }
}

/// Where a milestone stands as of the export's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MilestoneState {
    CompletedLate,
    CompletedOnTime,
    Overdue,
    NotYetDue,
}

pub const fn milestone_state(state: MilestoneState) -> Label {
    match state {
        MilestoneState::CompletedLate => Label::new("逾期完成", "Completed late"),
        MilestoneState::CompletedOnTime => Label::new("按期完成", "Completed on time"),
        MilestoneState::Overdue => Label::new("逾期未完成", "Overdue"),
        MilestoneState::NotYetDue => Label::new("未到期", "Not yet due"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet's name must fit Excel's rules in both languages: at most 31
    /// characters, none of []:*?/\.
    #[test]
    fn sheet_names_are_names_excel_takes() {
        let month = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        for lang in [Lang::Zh, Lang::En] {
            for name in [
                GOALS_SHEET.get(lang).to_string(),
                UNITS_SHEET.get(lang).to_string(),
                MILESTONES_SHEET.get(lang).to_string(),
                BREAKDOWN_SHEET.get(lang).to_string(),
                reporting_sheet(month, lang),
            ] {
                assert!(name.chars().count() <= 31, "{name}");
                assert!(
                    !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                    "{name}"
                );
            }
        }
        assert_eq!(reporting_sheet(month, Lang::Zh), "填报情况2025-10");
        assert_eq!(reporting_sheet(month, Lang::En), "Reporting 2025-10");
    }
}

//! Reads a 目标任务分解表 grid into a draft of goals, shares and milestones.
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
//! - shares as "单位:值" lists in 责任单位, one column per unit, or one unit
//!   and its 分解值 per row under a goal merged over several rows;
//! - milestones in 节点 / 节点时限 / 节点权重 columns, on the goal's row and
//!   the rows under it.
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::grid::{Cell, Grid, cell_name, column_name};
use crate::error::ErrorCode;
use domain::wording::{self, Bound, WordingError};
use domain::{Direction, GoalKind};

/// Where a value was read: 0-based row and column of the sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct At {
    pub row: u32,
    pub column: u32,
}

/// Something a clerk must fix before the sheet can be imported.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// 1-based, as the spreadsheet shows it.
    pub row: u32,
    /// Column letters ("C"), when the problem is in one cell.
    pub column: Option<String>,
    /// The column's header as written ("目标值").
    pub header: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl Problem {
    /// "C5 (目标值): …" or "row 5: …", one line for a CLI or a log.
    pub fn describe(&self) -> String {
        match (&self.column, &self.header) {
            (Some(c), Some(h)) => format!("{c}{} ({h}): {}", self.row, self.message),
            (Some(c), None) => format!("{c}{}: {}", self.row, self.message),
            _ => format!("row {}: {}", self.row, self.message),
        }
    }
}

/// A unit named in a cell.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitName {
    pub name: String,
    pub at: At,
}

/// One unit's share of a goal; `value: None` means the goal's whole target.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftShare {
    pub unit: UnitName,
    pub value: Option<f64>,
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
    pub shares: Vec<DraftShare>,
    pub milestones: Vec<DraftMilestone>,
    pub cells: GoalCells,
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
}

impl Draft {
    /// A problem at a cell, with the column's header.
    pub fn problem_at(&self, at: At, code: ErrorCode, message: impl Into<String>) -> Problem {
        Problem {
            row: at.row + 1,
            column: Some(column_name(at.column)),
            header: self.headers.get(&at.column).cloned(),
            code,
            message: message.into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    Code,
    Category,
    Title,
    Kind,
    Target,
    MeasureUnit,
    Baseline,
    Direction,
    Weight,
    Lead,
    Supporting,
    Units,
    Share,
    Leader,
    Person,
    Deadline,
    Milestone,
    MilestoneDue,
    MilestoneWeight,
    OriginalText,
}

/// Headers as park offices write them, normalised (no spaces, half-width,
/// lower-case Latin). The first list that holds a header wins.
const ALIASES: &[(Field, &[&str])] = &[
    (Field::Code, &["序号", "编号", "no", "no.", "code"]),
    (
        Field::Category,
        &[
            "类别",
            "分类",
            "指标类别",
            "目标类别",
            "任务类别",
            "category",
        ],
    ),
    (
        Field::Title,
        &[
            "目标任务",
            "目标任务名称",
            "任务名称",
            "指标名称",
            "工作任务",
            "目标内容",
            "任务内容",
            "主要目标",
            "title",
            "goal",
        ],
    ),
    (
        Field::Kind,
        &["类型", "目标类型", "指标类型", "考核类型", "kind", "type"],
    ),
    (
        Field::Target,
        &[
            "目标值",
            "年度目标",
            "年度目标值",
            "目标",
            "target",
            "targetvalue",
        ],
    ),
    (
        Field::MeasureUnit,
        &["计量单位", "单位", "measureunit", "unitofmeasure"],
    ),
    (
        Field::Baseline,
        &["基数", "基期值", "上年基数", "baseline", "baselinevalue"],
    ),
    (Field::Direction, &["方向", "指标方向", "direction"]),
    (
        Field::Weight,
        &["分值", "权重", "分值/权重", "分值权重", "weight", "points"],
    ),
    (Field::Lead, &["牵头单位", "牵头部门", "lead", "leadunit"]),
    (
        Field::Supporting,
        &[
            "配合单位",
            "配合部门",
            "协办单位",
            "supporting",
            "supportingunits",
        ],
    ),
    (
        Field::Units,
        &[
            "责任单位",
            "责任部门",
            "责任单位及分解值",
            "分解到单位",
            "units",
            "assignments",
            "responsibleunits",
        ],
    ),
    (
        Field::Share,
        &["分解值", "分解目标", "分解任务", "任务分解", "share"],
    ),
    (
        Field::Leader,
        &["责任领导", "分管领导", "leader", "responsibleleader"],
    ),
    (
        Field::Person,
        &["责任人", "联系人", "person", "responsibleperson"],
    ),
    (
        Field::Deadline,
        &["完成时限", "时限", "完成时间", "时限要求", "deadline"],
    ),
    (
        Field::Milestone,
        &["节点", "节点目标", "节点任务", "节点名称", "milestone"],
    ),
    (
        Field::MilestoneDue,
        &[
            "节点时限",
            "节点时间",
            "节点完成时限",
            "milestonedue",
            "due",
        ],
    ),
    (Field::MilestoneWeight, &["节点权重", "milestoneweight"]),
    (
        Field::OriginalText,
        &["目标原文", "原文", "责任书原文", "originaltext"],
    ),
];

/// How many rows from the top are searched for the header.
const HEADER_SEARCH_ROWS: u32 = 15;

fn header_key(text: &str) -> String {
    wording::normalise(text)
        .to_lowercase()
        .replace(['*', '_', '-'], "")
}

/// The field a header names, with the hint in its brackets ("目标值(亿元)").
fn recognise(text: &str) -> Option<(Field, Option<String>)> {
    let key = header_key(text);
    let find = |k: &str| {
        ALIASES
            .iter()
            .find(|(_, names)| names.contains(&k))
            .map(|(f, _)| *f)
    };
    if let Some(f) = find(&key) {
        return Some((f, None));
    }
    let (base, rest) = key.split_once('(')?;
    let hint = rest.strip_suffix(')')?;
    find(base).map(|f| (f, (!hint.is_empty()).then(|| hint.to_string())))
}

/// Unit names compare as the API compares them (`text::key`): without
/// blanks or invisible characters, full-width forms folded, so a sheet's
/// "经济发展局（开发区）" or a name with a stray soft hyphen finds its unit.
pub fn unit_key(name: &str) -> String {
    domain::text::key(name)
}

/// The numbering of a 序号, which decides nesting.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Style {
    /// 一、
    Chinese,
    /// (一)
    ChineseParen,
    /// 1, 1.2, 1.2.3: the depth is the number of parts.
    Arabic(usize),
    /// (1)
    ArabicParen,
    /// ①
    Circled,
    /// Anything else: a flat label.
    Label,
}

const CHINESE_DIGITS: &str = "一二三四五六七八九十百零〇";

fn is_chinese_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CHINESE_DIGITS.contains(c))
}

fn is_arabic_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads a whole 序号 cell: its style and the code to store ("一", "(一)",
/// "3.1").
fn numbering(code: &str) -> (Style, String) {
    let s = wording::normalise(code);
    let bare = s.trim_end_matches(['、', '.', ',']);
    if let Some(inner) = bare.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        if is_chinese_number(inner) {
            return (Style::ChineseParen, format!("({inner})"));
        }
        if inner.bytes().all(|b| b.is_ascii_digit()) && !inner.is_empty() {
            return (Style::ArabicParen, format!("({inner})"));
        }
    }
    if is_chinese_number(bare) {
        return (Style::Chinese, bare.to_string());
    }
    if is_arabic_path(bare) {
        return (Style::Arabic(bare.split('.').count()), bare.to_string());
    }
    if bare.chars().count() == 1 && bare.chars().all(|c| ('①'..='⑳').contains(&c)) {
        return (Style::Circled, bare.to_string());
    }
    (Style::Label, s)
}

/// A numbering written at the start of a title ("一、招商引资",
/// "(二)项目建设", "3、低效用地"): the code and the rest. A bare number
/// followed by text is not split: "1200亩" is a title, not item 1200.
fn split_numbering(title: &str) -> Option<(String, String)> {
    let s = wording::normalise(title);
    if let Some(rest) = s.strip_prefix('(') {
        let (inner, after) = rest.split_once(')')?;
        let (style, code) = numbering(&format!("({inner})"));
        return matches!(style, Style::ChineseParen | Style::ArabicParen)
            .then(|| (code, after.trim_start_matches(['、', '.']).to_string()))
            .filter(|(_, t)| !t.is_empty());
    }
    let (head, after) = s.split_once('、')?;
    let (style, code) = numbering(head);
    matches!(style, Style::Chinese | Style::Arabic(1))
        .then_some((code, after.to_string()))
        .filter(|(_, t)| !t.is_empty())
}

/// Reads a 类型 cell.
fn parse_kind(text: &str) -> Option<GoalKind> {
    let k = header_key(text);
    let kind = match k.as_str() {
        "累计" | "累计值" | "累计型" | "总量" | "数量" | "cumulative" => {
            GoalKind::Cumulative
        }
        "比率" | "比例" | "比率型" | "水平" | "rate" => GoalKind::Rate,
        "节点" | "节点型" | "里程碑" | "milestone" => GoalKind::Milestone,
        "一票否决" | "否决" | "否决项" | "veto" => GoalKind::Veto,
        "分组" | "分类" | "group" => GoalKind::Group,
        _ => return None,
    };
    Some(kind)
}

fn parse_direction(text: &str) -> Option<Direction> {
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

/// Marks that put a unit in a per-unit column without a value of its own.
const TICKS: [&str; 5] = ["√", "✓", "✔", "是", "●"];

/// The columns of a sheet, found from its header.
struct Columns {
    fields: HashMap<Field, u32>,
    /// Columns whose header is a unit's name: the unit's share of each goal.
    unit_columns: Vec<(u32, String)>,
    /// A measure unit written in the target header's brackets: 目标值(亿元).
    measure_unit_hint: Option<String>,
    headers: HashMap<u32, String>,
    ignored: Vec<String>,
    title: Option<String>,
    data_start: u32,
}

/// The first column of a horizontal merge that holds `(row, column)`.
fn merge_origin_column(grid: &Grid, row: u32, column: u32) -> u32 {
    match grid.cell(row, column).merged_from {
        Some((r, c)) if r == row => c,
        _ => column,
    }
}

fn spans_columns(grid: &Grid, row: u32, column: u32) -> bool {
    let origin = merge_origin_column(grid, row, column);
    origin != column || grid.cell(row, column + 1).merged_from == Some((row, column))
}

fn find_columns(grid: &Grid, known_units: &HashSet<String>) -> Result<Columns, Problem> {
    let width = grid.column_count();
    let header_row = (0..grid.row_count().min(HEADER_SEARCH_ROWS)).find(|&r| {
        let fields: HashSet<Field> = (0..width)
            .filter_map(|c| recognise(&grid.cell(r, c).text).map(|(f, _)| f))
            .collect();
        fields.contains(&Field::Title) && fields.len() >= 2
    });
    let Some(h) = header_row else {
        return Err(Problem {
            row: 1,
            column: None,
            header: None,
            code: ErrorCode::MissingColumn,
            message: format!(
                "no header row with 目标任务 in the first {HEADER_SEARCH_ROWS} rows of sheet {:?}; the header needs 目标任务 and columns such as 序号, 目标值, 责任单位, 完成时限",
                grid.sheet_name
            ),
        });
    };
    let title = (0..h)
        .flat_map(|r| (0..width).map(move |c| (r, c)))
        .map(|(r, c)| grid.cell(r, c))
        .find(|cell| !cell.is_blank() && cell.merged_from.is_none())
        .map(|cell| cell.text.trim().to_string());

    // A second header row sits under headers merged across columns.
    let sub = h + 1;
    let two_rows = (0..width).any(|c| {
        spans_columns(grid, h, c) && {
            let below = grid.cell(sub, c);
            !below.is_blank() && below.merged_from.is_none()
        }
    });
    let mut columns = Columns {
        fields: HashMap::new(),
        unit_columns: Vec::new(),
        measure_unit_hint: None,
        headers: HashMap::new(),
        ignored: Vec::new(),
        title,
        data_start: if two_rows { h + 2 } else { h + 1 },
    };
    for c in 0..width {
        let top = grid.cell(h, c);
        let top_field = recognise(&top.text);
        let under_merge = two_rows && spans_columns(grid, h, c);
        let below = grid.cell(sub, c);
        let (text, found) = if under_merge && !below.is_blank() && below.merged_from.is_none() {
            (below.text.trim().to_string(), recognise(&below.text))
        } else {
            (top.text.trim().to_string(), top_field.clone())
        };
        if text.is_empty() {
            continue;
        }
        let block = matches!(top_field, Some((Field::Units | Field::Share, _)));
        match found {
            Some((field, hint)) if !(under_merge && block && found_is_unit(&text, known_units)) => {
                if columns.fields.contains_key(&field) {
                    columns.ignored.push(format!(
                        "{} {text} (a second {text} column)",
                        column_name(c)
                    ));
                    continue;
                }
                if field == Field::Target {
                    columns.measure_unit_hint = hint;
                }
                columns.fields.insert(field, c);
                columns.headers.insert(c, text);
            }
            _ if (under_merge && block) || known_units.contains(&unit_key(&text)) => {
                columns.unit_columns.push((c, text.clone()));
                columns.headers.insert(c, text);
            }
            _ => columns.ignored.push(format!("{} {text}", column_name(c))),
        }
    }
    if !columns.fields.contains_key(&Field::Title) {
        return Err(Problem {
            row: h + 1,
            column: None,
            header: None,
            code: ErrorCode::MissingColumn,
            message: "the header has no 目标任务 column".into(),
        });
    }
    Ok(columns)
}

/// A header under a 分解值 block that happens to be spelled like a field
/// ("单位") is still a unit when such a unit exists.
fn found_is_unit(text: &str, known_units: &HashSet<String>) -> bool {
    known_units.contains(&unit_key(text))
}

/// Reads the sheet: the draft, and every problem found in it (the draft is
/// only fit to import when there are none; it is returned anyway so the
/// caller can add the problems it finds, such as unknown units, and report
/// them all at once). `known_units` (normalised with [`unit_key`]) lets
/// per-unit columns be told from columns to ignore.
pub fn read(grid: &Grid, plan_year: i32, known_units: &HashSet<String>) -> (Draft, Vec<Problem>) {
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
        },
        columns,
        problems: Vec::new(),
        raw_targets: Vec::new(),
    };
    reader.read_rows();
    reader.settle_kinds();
    (reader.draft, reader.problems)
}

/// Problems in the order a clerk works through a sheet: by row, then column.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        let column = |p: &Problem| {
            p.column
                .as_ref()
                .map(|c| (c.len(), c.clone()))
                .unwrap_or_default()
        };
        (a.row, column(a)).cmp(&(b.row, column(b)))
    });
}

/// The target as read from its cell, judged once the goal's kind is known.
#[derive(Clone, Debug, Default)]
struct RawTarget {
    text: Option<String>,
    number: Option<f64>,
    explicit_kind: Option<GoalKind>,
    explicit_direction: Option<Direction>,
    has_children: bool,
}

struct SheetReader<'a> {
    grid: &'a Grid,
    plan_year: i32,
    columns: Columns,
    draft: Draft,
    problems: Vec<Problem>,
    /// Parallel to `draft.goals`.
    raw_targets: Vec<RawTarget>,
}

impl<'a> SheetReader<'a> {
    fn problem(&mut self, at: At, code: ErrorCode, message: impl Into<String>) {
        let p = self.draft.problem_at(at, code, message);
        self.problems.push(p);
    }

    fn has_share_columns(&self) -> bool {
        self.column(Field::Units).is_some()
            || self.column(Field::Share).is_some()
            || !self.columns.unit_columns.is_empty()
    }

    fn column(&self, field: Field) -> Option<u32> {
        self.columns.fields.get(&field).copied()
    }

    /// The cell of `field` in `row` when it holds a value for that column:
    /// its own, or one merged down from above (类别 over several goals);
    /// never a copy of a cell merged across from another column.
    fn value(&self, row: u32, field: Field) -> Option<(&'a Cell, At)> {
        let column = self.column(field)?;
        self.value_at(row, column)
    }

    fn value_at(&self, row: u32, column: u32) -> Option<(&'a Cell, At)> {
        let cell = self.grid.cell(row, column);
        let vertical_or_own = cell.merged_from.is_none_or(|(_, c)| c == column);
        (!cell.is_blank() && vertical_or_own).then_some((cell, At { row, column }))
    }

    /// Like `value`, but only a value first written on this row.
    fn fresh(&self, row: u32, field: Field) -> Option<(&'a Cell, At)> {
        let column = self.column(field)?;
        self.fresh_at(row, column)
    }

    fn fresh_at(&self, row: u32, column: u32) -> Option<(&'a Cell, At)> {
        self.value_at(row, column)
            .filter(|(cell, _)| cell.own_in_row(row))
    }

    fn text(&self, row: u32, field: Field) -> Option<String> {
        self.value(row, field)
            .map(|(cell, _)| cell.text.trim().to_string())
    }

    fn number(&mut self, cell: &Cell, at: At, what: &str) -> Option<f64> {
        if let Some(n) = cell.number {
            return Some(n);
        }
        match wording::parse_target(&cell.text) {
            Ok(t) => Some(t.value),
            Err(_) => {
                self.problem(
                    at,
                    ErrorCode::UnreadableValue,
                    format!("{what} {:?} is not a number", cell.text.trim()),
                );
                None
            }
        }
    }

    fn date(&mut self, cell: &Cell, at: At) -> Option<NaiveDate> {
        if let Some(d) = cell.date {
            return Some(d);
        }
        if let Some(n) = cell.number.filter(|n| n.fract() != 0.0) {
            // 2025.10 typed into a number cell shows as 2025.1.
            self.problem(
                at,
                ErrorCode::AmbiguousDate,
                format!(
                    "{n} is a number, so a trailing 0 may be lost (2025.1 or 2025.10?); write the date as text, like 2025年10月底"
                ),
            );
            return None;
        }
        match wording::parse_deadline(&cell.text, self.plan_year) {
            Ok(d) => Some(d),
            Err(WordingError::Ambiguous(message)) => {
                self.problem(at, ErrorCode::AmbiguousDate, message);
                None
            }
            Err(WordingError::Unreadable(message)) => {
                self.problem(
                    at,
                    ErrorCode::InvalidDate,
                    format!("{message}; write a date like 2025年10月底, 10月31日前 or 2025-10-31"),
                );
                None
            }
        }
    }

    fn unit_names(&self, cell: &Cell, at: At) -> Vec<UnitName> {
        split_list(&cell.text)
            .into_iter()
            .map(|name| UnitName { name, at })
            .collect()
    }

    fn read_rows(&mut self) {
        let mut stack: Vec<(Style, usize, String)> = Vec::new();
        let mut codes_seen: HashMap<(Option<usize>, String), u32> = HashMap::new();
        let mut current: Option<usize> = None;
        let mut pending_category: Option<String> = None;
        for row in self.columns.data_start..self.grid.row_count() {
            let code_cell = self.fresh(row, Field::Code);
            let title_cell = self.fresh(row, Field::Title);
            // A row merged across the sheet: "一、招商引资".
            let section = match (self.column(Field::Code), self.column(Field::Title)) {
                (Some(cc), Some(tc)) => {
                    self.grid.cell(row, tc).merged_from == Some((row, cc))
                        && !self.grid.cell(row, cc).is_blank()
                }
                _ => false,
            };
            if code_cell.is_some() || title_cell.is_some() {
                let index = self.read_goal(
                    row,
                    section,
                    &mut stack,
                    &mut codes_seen,
                    pending_category.as_ref(),
                );
                current = index;
                continue;
            }
            let continuation_fields = [
                Field::Units,
                Field::Share,
                Field::Milestone,
                Field::MilestoneDue,
                Field::MilestoneWeight,
            ];
            let continues = continuation_fields
                .iter()
                .any(|f| self.fresh(row, *f).is_some())
                || self
                    .columns
                    .unit_columns
                    .iter()
                    .any(|(c, _)| self.fresh_at(row, *c).is_some());
            let own: Vec<(Field, At)> = self
                .columns
                .fields
                .iter()
                .filter_map(|(f, c)| self.fresh_at(row, *c).map(|(_, at)| (*f, at)))
                .collect();
            if continues {
                match current {
                    Some(goal) => self.read_shares_and_milestones(row, goal),
                    None => {
                        let at = own
                            .first()
                            .map(|(_, at)| *at)
                            .unwrap_or(At { row, column: 0 });
                        self.problem(
                            at,
                            ErrorCode::MissingTitle,
                            "a share or 节点 with no goal above it; put it under its 目标任务",
                        );
                    }
                }
            } else if own.len() == 1 && own[0].0 == Field::Category {
                // A row that only names a category heads the goals below it.
                pending_category = self.text(row, Field::Category);
            } else if let Some((_, at)) = own.first() {
                let at = *at;
                self.problem(
                    at,
                    ErrorCode::MissingTitle,
                    "this row has values but no 序号 or 目标任务; give it a 目标任务 or clear it",
                );
            }
        }
    }

    fn read_goal(
        &mut self,
        row: u32,
        section: bool,
        stack: &mut Vec<(Style, usize, String)>,
        codes_seen: &mut HashMap<(Option<usize>, String), u32>,
        pending_category: Option<&String>,
    ) -> Option<usize> {
        let code_at = self.value(row, Field::Code).map(|(_, at)| at);
        let title_at = self
            .value(row, Field::Title)
            .map(|(_, at)| at)
            .or_else(|| self.column(Field::Title).map(|column| At { row, column }));
        let mut code = self.text(row, Field::Code).filter(|c| !c.is_empty());
        let mut title = if section {
            None
        } else {
            self.text(row, Field::Title)
        };
        if section {
            let text = code.take().unwrap_or_default();
            match split_numbering(&text) {
                Some((c, t)) => {
                    code = Some(c);
                    title = Some(t);
                }
                None => title = Some(text),
            }
        } else if code.is_none()
            && let Some((c, t)) = title.as_deref().and_then(split_numbering)
        {
            code = Some(c);
            title = Some(t);
        }
        let Some(title) = title.filter(|t| !t.is_empty()) else {
            let at = title_at.unwrap_or(At { row, column: 0 });
            self.problem(
                at,
                ErrorCode::MissingTitle,
                format!(
                    "序号 {} has no 目标任务",
                    code.as_deref().unwrap_or_default()
                ),
            );
            return None;
        };

        // Nesting from the numbering.
        let (style, key) = match &code {
            Some(c) => {
                let (style, key) = numbering(c);
                (Some(style), Some(key))
            }
            None => (None, None),
        };
        // Stored as read: "一、" is kept as 一, "（一）" as (一), "3." as 3.
        let code = key.clone();
        let index = self.draft.goals.len();
        let parent = match (&style, &key) {
            (Some(Style::Arabic(depth)), Some(key)) if *depth >= 2 => {
                let parent_key = key.rsplit_once('.').map(|(p, _)| p).unwrap_or_default();
                match stack
                    .iter()
                    .rposition(|(s, _, k)| *s == Style::Arabic(depth - 1) && k == parent_key)
                {
                    Some(pos) => {
                        stack.truncate(pos + 1);
                        Some(stack[pos].1)
                    }
                    None => {
                        let at = code_at.unwrap_or(At { row, column: 0 });
                        self.problem(
                            at,
                            ErrorCode::BadNumbering,
                            format!("序号 {key} comes after no goal numbered {parent_key}"),
                        );
                        None
                    }
                }
            }
            (Some(style), _) => {
                if let Some(pos) = stack.iter().position(|(s, _, _)| s == style) {
                    stack.truncate(pos);
                }
                stack.last().map(|(_, i, _)| *i)
            }
            (None, _) => {
                stack.clear();
                None
            }
        };
        if let (Some(style), Some(key)) = (style, key.clone()) {
            if let Some(first) = codes_seen.insert((parent, key.clone()), row) {
                let at = code_at.unwrap_or(At { row, column: 0 });
                self.problem(
                    at,
                    ErrorCode::DuplicateCode,
                    format!(
                        "序号 {key} is used twice under the same heading (rows {} and {})",
                        first + 1,
                        row + 1
                    ),
                );
            }
            stack.push((style, index, key));
        }

        let mut cells = GoalCells {
            code: code_at,
            title: title_at,
            ..GoalCells::default()
        };
        let kind = match self.value(row, Field::Kind) {
            Some((cell, at)) => {
                cells.kind = Some(at);
                let kind = parse_kind(&cell.text);
                if kind.is_none() {
                    self.problem(
                        at,
                        ErrorCode::UnreadableValue,
                        format!(
                            "类型 {:?} is not one of 累计, 比率, 节点, 一票否决, 分组",
                            cell.text.trim()
                        ),
                    );
                }
                kind
            }
            None => None,
        };
        let direction = match self.value(row, Field::Direction) {
            Some((cell, at)) => {
                cells.direction = Some(at);
                let d = parse_direction(&cell.text);
                if d.is_none() {
                    self.problem(
                        at,
                        ErrorCode::UnreadableValue,
                        format!("方向 {:?} is not 正向 or 反向", cell.text.trim()),
                    );
                }
                d
            }
            None => None,
        };
        let raw_target = match self.value(row, Field::Target) {
            Some((cell, at)) => {
                cells.target = Some(at);
                RawTarget {
                    text: Some(cell.text.trim().to_string()),
                    number: cell.number,
                    ..RawTarget::default()
                }
            }
            None => RawTarget::default(),
        };
        let measure_unit = self.value(row, Field::MeasureUnit).map(|(cell, at)| {
            cells.measure_unit = Some(at);
            wording::normalise(&cell.text)
        });
        let baseline = match self.value(row, Field::Baseline) {
            Some((cell, at)) => {
                cells.baseline = Some(at);
                self.number(cell, at, "基数")
            }
            None => None,
        };
        let weight = match self.value(row, Field::Weight) {
            Some((cell, at)) => {
                cells.weight = Some(at);
                self.number(cell, at, "分值")
            }
            None => None,
        };
        let deadline = match self.value(row, Field::Deadline) {
            Some((cell, at)) => {
                cells.deadline = Some(at);
                self.date(cell, at)
            }
            None => None,
        };
        let lead_unit = self
            .value(row, Field::Lead)
            .and_then(|(cell, at)| self.unit_names(cell, at).into_iter().next());
        let supporting_units = self
            .value(row, Field::Supporting)
            .map(|(cell, at)| self.unit_names(cell, at))
            .unwrap_or_default();
        let category = self
            .text(row, Field::Category)
            .or_else(|| pending_category.cloned());

        if let Some(p) = parent {
            self.raw_targets[p].has_children = true;
        }
        self.raw_targets.push(RawTarget {
            explicit_kind: kind,
            explicit_direction: direction,
            ..raw_target
        });
        self.draft.goals.push(DraftGoal {
            row,
            parent,
            code,
            title,
            category,
            kind: kind.unwrap_or(GoalKind::Cumulative),
            measure_unit,
            target: None,
            baseline,
            direction: direction.unwrap_or_default(),
            weight,
            deadline,
            lead_unit,
            supporting_units,
            leader: self.text(row, Field::Leader),
            person: self.text(row, Field::Person),
            original_text: self.text(row, Field::OriginalText),
            shares: Vec::new(),
            milestones: Vec::new(),
            cells,
        });
        self.read_shares_and_milestones(row, index);
        Some(index)
    }

    fn read_shares_and_milestones(&mut self, row: u32, goal: usize) {
        // 责任单位: "招商局:10;经发局:5", or one unit with its 分解值 beside it.
        if let Some((cell, at)) = self.fresh(row, Field::Units) {
            let items = split_list(&cell.text);
            let share_beside = self.fresh(row, Field::Share);
            for item in items {
                let (name, value_text) = match item.split_once(':') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (item.clone(), None),
                };
                let value = match (value_text, share_beside) {
                    (Some(v), _) => self.number(
                        &Cell {
                            text: v,
                            ..Cell::default()
                        },
                        at,
                        &format!("the share of {name}"),
                    ),
                    (None, Some((share_cell, share_at))) => {
                        self.number(share_cell, share_at, "分解值")
                    }
                    (None, None) => None,
                };
                self.draft.goals[goal].shares.push(DraftShare {
                    unit: UnitName { name, at },
                    value,
                });
            }
        }
        // One column per unit.
        for (column, unit) in self.columns.unit_columns.clone() {
            let Some((cell, at)) = self.fresh_at(row, column) else {
                continue;
            };
            let value = if TICKS.contains(&cell.text.trim()) {
                None
            } else {
                self.number(cell, at, &format!("the share of {unit}"))
            };
            self.draft.goals[goal].shares.push(DraftShare {
                unit: UnitName {
                    name: unit_key(&unit),
                    at,
                },
                value,
            });
        }
        // 节点 / 节点时限 / 节点权重.
        let milestone = self.fresh(row, Field::Milestone);
        let due = self.fresh(row, Field::MilestoneDue);
        let weight = self.fresh(row, Field::MilestoneWeight);
        match (milestone, due) {
            (Some((cell, at)), due) => {
                let due = match due {
                    Some((due_cell, due_at)) => self.date(due_cell, due_at),
                    None => {
                        let goal_deadline = self.draft.goals[goal].deadline;
                        if goal_deadline.is_none() {
                            let column = self.column(Field::MilestoneDue).unwrap_or(at.column);
                            self.problem(
                                At { row, column },
                                ErrorCode::InvalidDate,
                                format!("节点 {:?} has no 节点时限", cell.text.trim()),
                            );
                        }
                        goal_deadline
                    }
                };
                let weight = weight.and_then(|(w, w_at)| self.number(w, w_at, "节点权重"));
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
                "a 节点时限 without a 节点; name the milestone",
            ),
            (None, None) => {}
        }
    }

    /// Decides each goal's kind, target, measure unit and direction once its
    /// sub-goals and milestones are known.
    fn settle_kinds(&mut self) {
        let has_share_columns = self.has_share_columns();
        for i in 0..self.draft.goals.len() {
            let raw = self.raw_targets[i].clone();
            let goal = &self.draft.goals[i];
            let target_at = goal.cells.target;
            let parsed = raw.text.as_deref().map(|text| match raw.number {
                Some(n) => Ok(wording::ParsedTarget {
                    value: n,
                    measure_unit: None,
                    bound: Bound::Exact,
                }),
                None => wording::parse_target(text),
            });
            let has_milestones = !goal.milestones.is_empty();
            let kind = match raw.explicit_kind {
                Some(k) => k,
                None => match &parsed {
                    _ if has_milestones => GoalKind::Milestone,
                    Some(Ok(t)) if t.measure_unit.as_deref() == Some("%") => GoalKind::Rate,
                    Some(Ok(_)) => GoalKind::Cumulative,
                    // Words for a target ("建成投用"): a dated deliverable.
                    Some(Err(_)) => GoalKind::Milestone,
                    None if raw.has_children => GoalKind::Group,
                    None => {
                        let at = target_at.or(goal.cells.title).unwrap_or(At {
                            row: goal.row,
                            column: 0,
                        });
                        self.problem(
                            at,
                            ErrorCode::InvalidTarget,
                            "no 目标值: write a number, add 节点 rows, or set 类型 to 分组",
                        );
                        continue;
                    }
                },
            };
            let mut target = None;
            let mut unit_from_text = None;
            let mut bound = Bound::Exact;
            match (&parsed, kind.has_target()) {
                (Some(Ok(t)), true) => {
                    target = Some(t.value);
                    unit_from_text = t.measure_unit.clone();
                    bound = t.bound;
                }
                (Some(Err(_)), true) => {
                    self.problem(
                        target_at.unwrap_or(At {
                            row: goal.row,
                            column: 0,
                        }),
                        ErrorCode::UnreadableValue,
                        format!(
                            "目标值 {:?} has no number to read as a target",
                            raw.text.clone().unwrap_or_default()
                        ),
                    );
                    continue;
                }
                _ => {}
            }
            let goal = &mut self.draft.goals[i];
            // A MILESTONE goal worded as its deliverable becomes one milestone
            // due on the goal's deadline.
            if kind == GoalKind::Milestone && goal.milestones.is_empty() {
                let deliverable = raw.text.clone().filter(|_| matches!(parsed, Some(Err(_))));
                if let (Some(text), Some(due), Some(at)) = (deliverable, goal.deadline, target_at) {
                    goal.milestones.push(DraftMilestone {
                        at,
                        title: text,
                        due,
                        weight: None,
                    });
                }
            }
            // The target's wording is kept unless the sheet has a 目标原文.
            if goal.original_text.is_none() {
                if raw.number.is_none() && parsed.as_ref().is_some_and(|p| p.is_ok()) {
                    let text = raw.text.clone().unwrap_or_default();
                    if text.parse::<f64>().is_err() {
                        goal.original_text = Some(text);
                    }
                } else if matches!(parsed, Some(Err(_))) {
                    goal.original_text = raw.text.clone();
                }
            }
            let measure_unit = match (goal.measure_unit.clone(), unit_from_text) {
                (Some(column), Some(text)) if column != text => {
                    let at = goal.cells.measure_unit.or(target_at);
                    let message =
                        format!("目标值 is in {text} but 计量单位 says {column}; make them agree");
                    if let Some(at) = at {
                        self.problem(at, ErrorCode::MeasureUnitMismatch, message);
                    }
                    continue;
                }
                (Some(column), _) => Some(column),
                (None, Some(text)) => Some(text),
                (None, None) => self.columns.measure_unit_hint.clone(),
            };
            let goal = &mut self.draft.goals[i];
            goal.kind = kind;
            goal.target = target;
            goal.measure_unit = measure_unit.filter(|_| kind != GoalKind::Group);
            goal.direction = match raw.explicit_direction {
                Some(d) => d,
                None if bound == Bound::AtMost && kind != GoalKind::Veto => Direction::Decrease,
                None => Direction::Increase,
            };
            // A top-level grouping row is the category of what it groups.
            if kind == GoalKind::Group && goal.parent.is_none() && goal.category.is_none() {
                goal.category = Some(goal.title.clone());
            }
            // A sheet with no 责任单位 or 分解值 at all: the lead unit carries
            // each goal that is not broken down, or nobody could report on it.
            if !has_share_columns
                && kind != GoalKind::Group
                && !raw.has_children
                && let Some(lead) = goal.lead_unit.clone()
            {
                goal.shares.push(DraftShare {
                    unit: lead,
                    value: None,
                });
            }
        }
    }
}

/// Splits "招商局:10;经发局:5" or "招商局、经发局" into items, each
/// normalised (half-width, no spaces).
fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', ';', '；', ',', '，', '、', '/'])
        .map(unit_key)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The problem for a cell, named the way a clerk finds it: "C5".
pub fn cell_label(at: At) -> String {
    cell_name(at.row, at.column)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn numbering_styles_are_recognised() {
        assert_eq!(numbering("一、"), (Style::Chinese, "一".into()));
        assert_eq!(numbering("（二）"), (Style::ChineseParen, "(二)".into()));
        assert_eq!(numbering("3"), (Style::Arabic(1), "3".into()));
        assert_eq!(numbering("3."), (Style::Arabic(1), "3".into()));
        assert_eq!(numbering("3.1"), (Style::Arabic(2), "3.1".into()));
        assert_eq!(numbering("３．２"), (Style::Arabic(2), "3.2".into()));
        assert_eq!(numbering("(1)"), (Style::ArabicParen, "(1)".into()));
        assert_eq!(numbering("②"), (Style::Circled, "②".into()));
        assert_eq!(numbering("A-1"), (Style::Label, "A-1".into()));
        assert_eq!(
            split_numbering("一、招商引资"),
            Some(("一".into(), "招商引资".into()))
        );
        assert_eq!(
            split_numbering("（二）项目建设"),
            Some(("(二)".into(), "项目建设".into()))
        );
        assert_eq!(split_numbering("1200亩低效用地"), None);
    }

    #[test]
    fn headers_in_chinese_and_english_with_hints() {
        assert_eq!(recognise("目标任务"), Some((Field::Title, None)));
        assert_eq!(recognise(" 序 号 "), Some((Field::Code, None)));
        assert_eq!(
            recognise("目标值（亿元）"),
            Some((Field::Target, Some("亿元".into())))
        );
        assert_eq!(recognise("Lead Unit"), Some((Field::Lead, None)));
        assert_eq!(recognise("备注"), None);
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
                (Some("(一)"), Some(5), GoalKind::Rate),
            ]
        );
        let signing = &draft.goals[1];
        assert_eq!(signing.target, Some(20.0));
        assert_eq!(signing.measure_unit.as_deref(), Some("个"));
        assert_eq!(signing.original_text.as_deref(), Some("20个以上"));
        assert_eq!(signing.category.as_deref(), None);
        let shares: Vec<(&str, Option<f64>)> = signing
            .shares
            .iter()
            .map(|s| (s.unit.name.as_str(), s.value))
            .collect();
        assert_eq!(shares, vec![("招商局", Some(12.0)), ("经发局", Some(8.0))]);
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
        assert_eq!(draft.ignored_columns, vec!["I 备注".to_string()]);
        assert_eq!(draft.goals.len(), 2);
        assert_eq!(draft.goals[0].shares.len(), 2);
        let building = &draft.goals[1];
        assert_eq!(building.kind, GoalKind::Milestone);
        let due: Vec<String> = building
            .milestones
            .iter()
            .map(|m| m.due.to_string())
            .collect();
        assert_eq!(due, vec!["2025-10-31", "2025-12-31"]);
        assert_eq!(building.shares[0].value, None);
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
        let lines: Vec<String> = problems.iter().map(Problem::describe).collect();
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

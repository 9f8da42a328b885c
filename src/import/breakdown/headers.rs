//! Finding the header: which row holds it (after any title rows), which
//! field each column is, which columns are units' assignments, and which are
//! ignored. A header merged over several columns has a second header row
//! under it (节点目标 over 节点 / 节点时限, 分解值 over one column per unit).
use std::collections::{HashMap, HashSet};

use super::unit_key;
use crate::error::{ErrorCode, Problem};
use crate::import::grid::{Cell, Grid, column_name};
use domain::{Message, wording};

/// What a column holds, whatever its header's wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Field {
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
    AssignmentContext,
    Leader,
    Person,
    Deadline,
    Milestone,
    MilestoneDue,
    MilestoneWeight,
    OriginalText,
    PreviousYear,
    Remarks,
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
            "目标任务值",
            "年度任务",
            "年度任务目标",
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
        Field::AssignmentContext,
        &[
            "分解值",
            "分解目标",
            "分解任务",
            "任务分解",
            "具体任务",
            "责任分工",
            "任务分工",
            "工作任务分解",
            "share",
        ],
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
        &[
            "节点",
            "节点目标",
            "节点任务",
            "节点名称",
            "节点内容",
            "节点安排",
            "milestone",
        ],
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
    (
        Field::PreviousYear,
        &[
            "上年完成",
            "上年完成值",
            "上年完成情况",
            "上年实际",
            "上年度完成",
            "previousyear",
            "previousyearvalue",
        ],
    ),
    (Field::Remarks, &["备注", "说明", "remarks", "note"]),
];

/// Headers that carry a year: "2025年目标" / "2025年度目标值" is the year's
/// target, "2024年完成" / "2024年实际完成" last year's result.
fn recognise_dated(key: &str) -> Option<Field> {
    let digits = key.bytes().take_while(u8::is_ascii_digit).count();
    if digits != 4 {
        return None;
    }
    let rest = key[digits..].strip_prefix('年')?;
    let rest = rest.strip_prefix('度').unwrap_or(rest);
    match rest {
        "目标" | "目标值" | "目标任务" | "计划" | "任务目标" => Some(Field::Target),
        "完成" | "完成值" | "完成情况" | "实际完成" | "实际" => {
            Some(Field::PreviousYear)
        }
        _ => None,
    }
}

/// How many rows from the top are searched for the header.
const HEADER_SEARCH_ROWS: u32 = 15;

/// A header or a cell's word as compared: normalised (no spaces,
/// half-width), lower-case, without the `*`, `_` and `-` some offices add.
pub(super) fn header_key(text: &str) -> String {
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
    if let Some(f) = find(&key).or_else(|| recognise_dated(&key)) {
        return Some((f, None));
    }
    let (base, rest) = key.split_once('(')?;
    let hint = rest.strip_suffix(')')?;
    find(base)
        .or_else(|| recognise_dated(base))
        .map(|f| (f, (!hint.is_empty()).then(|| hint.to_string())))
}

/// The columns of a sheet, found from its header.
pub(super) struct Columns {
    pub(super) fields: HashMap<Field, u32>,
    /// Columns whose header is a unit's name: the unit's assignment of each goal.
    pub(super) unit_columns: Vec<(u32, String)>,
    /// A measure unit written in the target header's brackets: 目标值(亿元).
    pub(super) measure_unit_hint: Option<String>,
    pub(super) headers: HashMap<u32, String>,
    pub(super) ignored: Vec<String>,
    pub(super) title: Option<String>,
    /// The first row under the header.
    pub(super) data_start: u32,
    /// A second 目标任务-like column ("指标名称" then "目标任务"): the
    /// target's, when no other column is.
    spare_title: Option<(u32, String)>,
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

/// A cell of the second header row that names a column of its own.
fn is_sub_header(cell: &Cell) -> bool {
    !cell.is_blank() && cell.merged_from.is_none()
}

/// Finds the header row and reads what each column holds. The problem is a
/// sheet with no header to read (no 目标任务 column).
pub(super) fn find_columns(grid: &Grid, known_units: &HashSet<String>) -> Result<Columns, Problem> {
    let Some(h) = find_header_row(grid) else {
        return Err(no_header_row(grid));
    };
    let two_rows = has_second_header_row(grid, h);
    let mut columns = Columns {
        fields: HashMap::new(),
        unit_columns: Vec::new(),
        measure_unit_hint: None,
        headers: HashMap::new(),
        ignored: Vec::new(),
        title: title_above(grid, h),
        data_start: if two_rows { h + 2 } else { h + 1 },
        spare_title: None,
    };
    for c in 0..grid.column_count() {
        columns.read_header(grid, h, two_rows, c, known_units);
    }
    if let Some((c, text)) = columns.spare_title.take() {
        if columns.fields.contains_key(&Field::Target) {
            columns.ignored.push(format!(
                "{} {text} (a second {text} column)",
                column_name(c)
            ));
        } else {
            columns.add_field(c, Field::Target, None, text);
        }
    }
    if !columns.fields.contains_key(&Field::Title) {
        return Err(Problem {
            row: h + 1,
            column: None,
            header: None,
            code: ErrorCode::MissingColumn,
            message: Message::new(
                "表头中没有“目标任务”列",
                "the header has no 目标任务 column",
            ),
        });
    }
    Ok(columns)
}

/// The first row, near the top, that names a 目标任务 column and at least
/// one other field: a title row above it names none.
fn find_header_row(grid: &Grid) -> Option<u32> {
    (0..grid.row_count().min(HEADER_SEARCH_ROWS)).find(|&r| {
        let fields: HashSet<Field> = (0..grid.column_count())
            .filter_map(|c| recognise(&grid.cell(r, c).text).map(|(f, _)| f))
            .collect();
        fields.contains(&Field::Title) && fields.len() >= 2
    })
}

fn no_header_row(grid: &Grid) -> Problem {
    Problem {
        row: 1,
        column: None,
        header: None,
        code: ErrorCode::MissingColumn,
        message: Message::new(
            format!(
                "工作表“{}”的前 {HEADER_SEARCH_ROWS} 行中找不到含“目标任务”的表头；表头需要目标任务，以及序号、目标值、责任单位、完成时限等列",
                grid.sheet_name
            ),
            format!(
                "no header row with 目标任务 in the first {HEADER_SEARCH_ROWS} rows of sheet {:?}; the header needs 目标任务 and columns such as 序号, 目标值, 责任单位, 完成时限",
                grid.sheet_name
            ),
        ),
    }
}

/// The sheet's title: the first value above the header row that is not a
/// copy of a merge.
fn title_above(grid: &Grid, header_row: u32) -> Option<String> {
    let width = grid.column_count();
    (0..header_row)
        .flat_map(|r| (0..width).map(move |c| (r, c)))
        .map(|(r, c)| grid.cell(r, c))
        .find(|cell| !cell.is_blank() && cell.merged_from.is_none())
        .map(|cell| cell.text.trim().to_string())
}

/// A two-row header saved as CSV by Excel has lost its merges: 责任单位
/// over three unit columns became "责任单位", "", "" with the units named in
/// the row below. Returns the grid with those header merges put back, or
/// `None` when there is nothing to restore. The row below must be a
/// header row (a blank 目标任务) whose every value sits under such a span,
/// so a first data row is never taken for one.
pub(super) fn restore_flattened_header(grid: &Grid) -> Option<Grid> {
    let h = find_header_row(grid)?;
    let below = h + 1;
    let width = grid.column_count();
    let merged = |r: u32| (0..width).any(|c| grid.cell(r, c).merged_from.is_some());
    if merged(h) || merged(below) {
        return None;
    }
    let title = (0..width)
        .find(|&c| recognise(&grid.cell(h, c).text).is_some_and(|(f, _)| f == Field::Title))?;
    if !grid.cell(below, title).is_blank() {
        return None;
    }
    let mut spans = Vec::new();
    let mut c = 0;
    while c < width {
        let mut last = c;
        if !grid.cell(h, c).is_blank() && !grid.cell(below, c).is_blank() {
            while last + 1 < width
                && grid.cell(h, last + 1).is_blank()
                && !grid.cell(below, last + 1).is_blank()
            {
                last += 1;
            }
            if last > c {
                spans.push((c, last));
            }
        }
        c = last + 1;
    }
    let inside = |c: u32| spans.iter().any(|&(a, b)| a <= c && c <= b);
    if spans.is_empty() || (0..width).any(|c| !grid.cell(below, c).is_blank() && !inside(c)) {
        return None;
    }
    let mut restored = grid.clone();
    for (first, last) in spans {
        restored.merge_across(h, first, last);
    }
    Some(restored)
}

/// A second header row sits under headers merged across columns.
fn has_second_header_row(grid: &Grid, header_row: u32) -> bool {
    (0..grid.column_count())
        .any(|c| spans_columns(grid, header_row, c) && is_sub_header(grid.cell(header_row + 1, c)))
}

impl Columns {
    /// Reads column `c`'s header (under a merged header, the second row's)
    /// as a field, a unit's assignment column, or a column to ignore.
    fn read_header(
        &mut self,
        grid: &Grid,
        header_row: u32,
        two_rows: bool,
        c: u32,
        known_units: &HashSet<String>,
    ) {
        let top = grid.cell(header_row, c);
        let top_field = recognise(&top.text);
        let under_merge = two_rows && spans_columns(grid, header_row, c);
        let below = grid.cell(header_row + 1, c);
        let (text, found) = if under_merge && is_sub_header(below) {
            (below.text.trim().to_string(), recognise(&below.text))
        } else {
            (top.text.trim().to_string(), top_field.clone())
        };
        if text.is_empty() {
            return;
        }
        // Under 责任单位 or 分解值 merged over several columns, the second
        // row names units, unless a header there names a field and no unit.
        let block = matches!(
            top_field,
            Some((Field::Units | Field::AssignmentContext, _))
        );
        match found {
            Some((field, hint)) if !(under_merge && block && found_is_unit(&text, known_units)) => {
                self.add_field(c, field, hint, text);
            }
            _ if (under_merge && block) || known_units.contains(&unit_key(&text)) => {
                self.unit_columns.push((c, text.clone()));
                self.headers.insert(c, text);
            }
            _ => self.ignored.push(format!("{} {text}", column_name(c))),
        }
    }

    /// The columns read, in sheet order: "C 目标值", "H 招商局（单位）".
    pub(super) fn used(&self) -> Vec<String> {
        let mut used: Vec<(u32, String)> = self
            .fields
            .values()
            .map(|c| (*c, self.headers.get(c).cloned().unwrap_or_default()))
            .chain(
                self.unit_columns
                    .iter()
                    .map(|(c, unit)| (*c, format!("{unit}（单位）"))),
            )
            .collect();
        used.sort();
        used.into_iter()
            .map(|(c, text)| format!("{} {text}", column_name(c)))
            .collect()
    }

    /// The first column of a field counts; a second is ignored, and said so.
    fn add_field(&mut self, c: u32, field: Field, hint: Option<String>, text: String) {
        if field == Field::Title && self.fields.contains_key(&field) && self.spare_title.is_none() {
            self.spare_title = Some((c, text));
            return;
        }
        if self.fields.contains_key(&field) {
            self.ignored.push(format!(
                "{} {text} (a second {text} column)",
                column_name(c)
            ));
            return;
        }
        if field == Field::Target {
            self.measure_unit_hint = hint;
        }
        self.fields.insert(field, c);
        self.headers.insert(c, text);
    }
}

/// A header under a 分解值 block that happens to be spelled like a field
/// ("单位") is still a unit when such a unit exists.
fn found_is_unit(text: &str, known_units: &HashSet<String>) -> bool {
    known_units.contains(&unit_key(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_chinese_and_english_with_hints() {
        assert_eq!(recognise("目标任务"), Some((Field::Title, None)));
        assert_eq!(recognise(" 序 号 "), Some((Field::Code, None)));
        assert_eq!(
            recognise("目标值（亿元）"),
            Some((Field::Target, Some("亿元".into())))
        );
        assert_eq!(recognise("Lead Unit"), Some((Field::Lead, None)));
        assert_eq!(recognise("备注"), Some((Field::Remarks, None)));
        assert_eq!(recognise("2025年目标"), Some((Field::Target, None)));
        assert_eq!(recognise("2025年度目标值"), Some((Field::Target, None)));
        assert_eq!(recognise("目标任务值"), Some((Field::Target, None)));
        assert_eq!(recognise("2024年完成"), Some((Field::PreviousYear, None)));
        assert_eq!(recognise("上年完成"), Some((Field::PreviousYear, None)));
        assert_eq!(recognise("节点内容"), Some((Field::Milestone, None)));
        assert_eq!(recognise("联络员"), None);
    }
}

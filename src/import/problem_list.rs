//! The 问题清单 (a list of problems found: 隐患排查, 专项检查, 信访件) read
//! from a sheet the way offices write it: a header row somewhere in the
//! first rows (问题/存在问题, 类别, 严重程度, 来源, 发现时间, 企业名称, 位置,
//! 责任单位, 整改时限, 整改措施, in any order, extra columns ignored),
//! section rows ("一、安全生产类") that name the category of the rows
//! below them, and a 合计 row at the end. Every value that cannot be read
//! is a problem at its cell; `service::problems::import_list` resolves the
//! units and writes all or nothing.
use std::collections::HashMap;

use chrono::NaiveDate;

use super::grid::{Cell, Grid, column_name};
use crate::error::{ErrorCode, Problem};
use domain::Message;
use domain::supervision::{ProblemSeverity, ProblemSource};
use domain::wording::{self, WordingError};

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Title,
    Description,
    Category,
    Severity,
    Source,
    FoundOn,
    Enterprise,
    Location,
    Unit,
    Deadline,
    Measures,
}

/// Headers as offices write them, by column; the first list that holds a
/// header's words decides. Compared without spaces and bracketed notes.
const HEADERS: [(Column, &[&str]); 11] = [
    (
        Column::Title,
        &[
            "问题",
            "存在问题",
            "问题名称",
            "发现问题",
            "隐患",
            "隐患问题",
            "问题隐患",
            "存在的问题",
            "问题及隐患",
            "隐患内容",
            "问题内容",
        ],
    ),
    (
        Column::Description,
        &[
            "问题描述",
            "具体情况",
            "详细情况",
            "情况说明",
            "问题详情",
            "隐患描述",
        ],
    ),
    (
        Column::Category,
        &[
            "类别",
            "问题类别",
            "问题类型",
            "类型",
            "隐患类别",
            "隐患类型",
            "领域",
        ],
    ),
    (
        Column::Severity,
        &[
            "严重程度",
            "问题等级",
            "等级",
            "隐患等级",
            "风险等级",
            "问题级别",
            "级别",
        ],
    ),
    (
        Column::Source,
        &["来源", "问题来源", "发现途径", "发现方式", "线索来源"],
    ),
    (
        Column::FoundOn,
        &[
            "发现时间",
            "发现日期",
            "检查时间",
            "检查日期",
            "排查时间",
            "排查日期",
        ],
    ),
    (
        Column::Enterprise,
        &[
            "企业",
            "企业名称",
            "涉及企业",
            "所属企业",
            "检查对象",
            "被检查单位",
            "企业（单位）名称",
        ],
    ),
    (
        Column::Location,
        &[
            "地点",
            "位置",
            "具体位置",
            "所在位置",
            "问题地点",
            "隐患部位",
            "部位",
        ],
    ),
    (
        Column::Unit,
        &[
            "责任单位",
            "整改责任单位",
            "牵头单位",
            "责任部门",
            "整改单位",
            "责任科室",
        ],
    ),
    (
        Column::Deadline,
        &[
            "整改时限",
            "整改期限",
            "完成时限",
            "整改完成时限",
            "整改时间",
            "限期",
            "完成时间",
            "整改完成时间",
        ],
    ),
    (
        Column::Measures,
        &["整改措施", "整改要求", "措施", "整改意见"],
    ),
];

/// A problem as the sheet gives it, units still by name.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftProblem {
    /// 0-based.
    pub row: u32,
    /// The columns of the 问题 and 整改时限 cells, for problems the service
    /// finds (a duplicate, a deadline before the day found).
    pub title_column: u32,
    pub deadline_column: u32,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub severity: ProblemSeverity,
    pub source: ProblemSource,
    pub found_on: NaiveDate,
    pub enterprise: Option<String>,
    pub location: Option<String>,
    pub unit_id: i64,
    pub deadline: NaiveDate,
    pub measures: Option<String>,
    /// What was read by a rule rather than as written (a blank severity
    /// taken as 一般, "11月底前" as 2025-11-30), for the office to check.
    pub notes: Vec<Message>,
}

/// The problems of a list, and every problem found in reading it. `units`
/// maps the active units' names (`domain::text::key`) to their IDs.
pub fn read(
    grid: &Grid,
    plan_year: i32,
    units: &HashMap<String, i64>,
) -> (Vec<DraftProblem>, Vec<Problem>) {
    let Some((header_row, columns, headers)) = find_header(grid) else {
        return (
            Vec::new(),
            vec![Problem {
                row: 1,
                column: None,
                header: None,
                code: ErrorCode::MissingColumn,
                message: Message::new(
                    "前 10 行中找不到问题清单的表头：需要“问题”（或“存在问题”）和“责任单位”两列，以及“发现时间”“整改时限”",
                    "no header row in the first 10 rows: a problem list needs 问题 and 责任单位 columns, and 发现时间 and 整改时限",
                ),
            }],
        );
    };
    let mut reader = Reader {
        grid,
        columns,
        headers,
        plan_year,
        units,
        problems: Vec::new(),
    };
    for (column, header) in [
        (Column::FoundOn, "发现时间"),
        (Column::Deadline, "整改时限"),
    ] {
        if !reader.columns.contains_key(&column) {
            reader.problems.push(Problem {
                row: header_row + 1,
                column: None,
                header: None,
                code: ErrorCode::MissingColumn,
                message: Message::new(
                    format!("表头中没有“{header}”列"),
                    format!("the header row has no {header} column"),
                ),
            });
        }
    }
    if !reader.problems.is_empty() {
        return (Vec::new(), reader.problems);
    }
    let mut drafts = Vec::new();
    let mut section_category: Option<String> = None;
    for row in header_row + 1..grid.row_count() {
        if let Some(heading) = reader.section_heading(row) {
            section_category = Some(heading);
            continue;
        }
        if let Some(draft) = reader.row(row, section_category.as_deref()) {
            drafts.push(draft);
        }
    }
    (drafts, reader.problems)
}

/// A header compared as written, without blanks and bracketed notes:
/// "整改时限\n（完成时间）" → "整改时限".
fn header_key(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            c if depth == 0 && !c.is_whitespace() && c != '*' && c != '＊' => out.push(c),
            _ => {}
        }
    }
    out
}

type Columns = HashMap<Column, u32>;

/// The first row (of ten) naming a title and a unit column.
fn find_header(grid: &Grid) -> Option<(u32, Columns, HashMap<u32, String>)> {
    for row in 0..grid.row_count().min(10) {
        let mut columns = Columns::new();
        let mut headers = HashMap::new();
        for column in 0..grid.column_count() {
            let cell = grid.cell(row, column);
            if cell.is_blank() {
                continue;
            }
            let key = header_key(&cell.text);
            if let Some((field, _)) = HEADERS
                .iter()
                .find(|(_, words)| words.contains(&key.as_str()))
            {
                columns.entry(*field).or_insert(column);
                headers.insert(column, cell.text.trim().to_string());
            }
        }
        if columns.contains_key(&Column::Title) && columns.contains_key(&Column::Unit) {
            return Some((row, columns, headers));
        }
        // A description column alone serves as the title.
        if let (false, Some(&description), true) = (
            columns.contains_key(&Column::Title),
            columns.get(&Column::Description),
            columns.contains_key(&Column::Unit),
        ) {
            columns.remove(&Column::Description);
            columns.insert(Column::Title, description);
            return Some((row, columns, headers));
        }
    }
    None
}

struct Reader<'a> {
    grid: &'a Grid,
    columns: Columns,
    headers: HashMap<u32, String>,
    plan_year: i32,
    units: &'a HashMap<String, i64>,
    problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    /// The cell of `column` in `row` when it holds a value of that column:
    /// its own, or one merged down from above (one 责任单位 over several
    /// problems), never a copy of a cell merged across (a section heading).
    fn cell(&self, row: u32, column: Column) -> Option<(&'a Cell, u32)> {
        let at = *self.columns.get(&column)?;
        self.value_at(row, at).map(|cell| (cell, at))
    }

    fn value_at(&self, row: u32, column: u32) -> Option<&'a Cell> {
        let cell = self.grid.cell(row, column);
        let vertical_or_own = cell.merged_from.is_none_or(|(_, c)| c == column);
        (!cell.is_blank() && vertical_or_own).then_some(cell)
    }

    fn text(&self, row: u32, column: Column) -> Option<String> {
        self.cell(row, column)
            .map(|(c, _)| c.text.trim().to_string())
    }

    fn problem(&mut self, row: u32, column: u32, code: ErrorCode, zh: String, en: String) {
        self.problems.push(Problem {
            row: row + 1,
            column: Some(column_name(column)),
            header: self.headers.get(&column).cloned(),
            code,
            message: Message::new(zh, en),
        });
    }

    /// `Some(category)` for a row that only heads a section, numbered the
    /// way offices number them ("一、危化品安全（12项）", "（四）消防安全隐患",
    /// "第六类：用电安全"), usually merged across the sheet: its words are
    /// the category of the rows below, as the office wrote them. `None`
    /// for any other row (a note in one cell is then a row without a
    /// problem, and said).
    fn section_heading(&self, row: u32) -> Option<String> {
        let filled: Vec<&Cell> = (0..self.grid.column_count())
            .map(|c| self.grid.cell(row, c))
            .filter(|cell| !cell.is_blank() && cell.merged_from.is_none())
            .collect();
        match filled.as_slice() {
            [cell] if self.cell(row, Column::Unit).is_none() => heading_words(&cell.text),
            _ => None,
        }
    }

    fn row(&mut self, row: u32, section_category: Option<&str>) -> Option<DraftProblem> {
        let title = self.text(row, Column::Title);
        let any_value = self
            .columns
            .values()
            .any(|&c| self.value_at(row, c).is_some());
        let Some(title) = title else {
            if any_value {
                let column = self.columns[&Column::Title];
                self.problem(
                    row,
                    column,
                    ErrorCode::MissingTitle,
                    "这一行有内容，但“问题”一栏是空的".into(),
                    "this row has values but no problem".into(),
                );
            }
            return None;
        };
        // A totals row: 合计 in its first filled cell (序号 or 问题).
        let first = (0..self.grid.column_count())
            .find_map(|c| self.value_at(row, c))
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default();
        if ["合计", "总计", "小计"]
            .iter()
            .any(|w| first.starts_with(w) || title.starts_with(w))
        {
            return None;
        }
        let before = self.problems.len();
        let mut notes = Vec::new();
        let unit = match self.cell(row, Column::Unit) {
            Some((cell, column)) => {
                let names = split_units(&cell.text);
                if names.len() > 1 {
                    self.problem(
                        row,
                        column,
                        ErrorCode::UnreadableValue,
                        format!(
                            "一个问题只能有一个整改责任单位，这里写了 {} 个（{}）；请只填牵头单位，配合单位写进整改措施",
                            names.len(),
                            names.join("、")
                        ),
                        format!(
                            "a problem has one responsible unit; this names {} ({})",
                            names.len(),
                            names.join(", ")
                        ),
                    );
                }
                let first = names.into_iter().next()?;
                let id = self.units.get(&domain::text::key(&first)).copied();
                if id.is_none() {
                    self.problem(
                        row,
                        column,
                        ErrorCode::UnknownUnit,
                        format!("系统里没有“{first}”这个单位；请先在单位管理中添加，或改成已有的单位名称"),
                        format!("no unit is named {first:?}; add it first or use an existing name"),
                    );
                }
                id
            }
            None => {
                let column = self.columns[&Column::Unit];
                self.problem(
                    row,
                    column,
                    ErrorCode::UnknownUnit,
                    "没有填写整改责任单位".into(),
                    "no responsible unit".into(),
                );
                None
            }
        };
        let found_on = self.date(row, Column::FoundOn, "发现时间", None, &mut notes);
        let deadline = self.date(row, Column::Deadline, "整改时限", found_on, &mut notes);
        let severity = self.worded(
            row,
            Column::Severity,
            (
                ProblemSeverity::General,
                Message::new("严重程度空白，按“一般”登记", "no severity: GENERAL"),
            ),
            severity_of,
            |text| {
                Message::new(
                    format!("严重程度“{text}”读不懂，请填 一般、较大 或 重大"),
                    format!("severity {text:?} is not 一般, 较大 or 重大"),
                )
            },
            &mut notes,
        );
        let source = self.worded(
            row,
            Column::Source,
            (
                ProblemSource::Check,
                Message::new("问题来源空白，按“检查”登记", "no source: CHECK"),
            ),
            source_of,
            |text| {
                Message::new(
                    format!("问题来源“{text}”读不懂，请填 检查、巡查、信访、上级督查 或 自查"),
                    format!("source {text:?} is not 检查, 巡查, 信访, 上级督查 or 自查"),
                )
            },
            &mut notes,
        );
        let category = match self
            .text(row, Column::Category)
            .or_else(|| section_category.map(str::to_string))
        {
            Some(category) => category,
            None => {
                notes.push(Message::new("类别空白，按“其他”登记", "no category: 其他"));
                "其他".into()
            }
        };
        if self.problems.len() > before {
            return None;
        }
        Some(DraftProblem {
            row,
            title_column: self.columns[&Column::Title],
            deadline_column: self.columns[&Column::Deadline],
            title,
            description: self.text(row, Column::Description),
            category,
            severity: severity?,
            source: source?,
            found_on: found_on?,
            enterprise: self.text(row, Column::Enterprise),
            location: self.text(row, Column::Location),
            unit_id: unit?,
            deadline: deadline?,
            measures: self.text(row, Column::Measures),
            notes,
        })
    }

    /// A value read from the words of its cell (严重程度, 问题来源): the
    /// default, noted, when the cell is blank or the column absent; a
    /// problem at the cell when its words read as none.
    fn worded<T>(
        &mut self,
        row: u32,
        column: Column,
        (default, blank): (T, Message),
        read: impl Fn(&str) -> Option<T>,
        unreadable: impl Fn(&str) -> Message,
        notes: &mut Vec<Message>,
    ) -> Option<T> {
        let Some((cell, at)) = self.cell(row, column) else {
            notes.push(blank);
            return Some(default);
        };
        let value = read(&cell.text);
        if value.is_none() {
            let said = unreadable(cell.text.trim());
            self.problem(row, at, ErrorCode::UnreadableValue, said.zh, said.en);
        }
        value
    }

    /// A date stored as one or worded ("2025年10月20日", "11月底前"); a
    /// deadline of 立行立改 is the day the problem was found.
    fn date(
        &mut self,
        row: u32,
        column: Column,
        name: &str,
        found_on: Option<NaiveDate>,
        notes: &mut Vec<Message>,
    ) -> Option<NaiveDate> {
        let at = *self.columns.get(&column)?;
        let Some((cell, _)) = self.cell(row, column) else {
            self.problem(
                row,
                at,
                ErrorCode::InvalidDate,
                format!("没有填写{name}"),
                format!("no {name}"),
            );
            return None;
        };
        if let Some(date) = cell.date {
            return Some(date);
        }
        let text = cell.text.trim().to_string();
        if ["立行立改", "立即整改", "即知即改", "立查立改"].contains(&text.as_str())
        {
            if let Some(day) = found_on {
                notes.push(Message::new(
                    format!("{name}“{text}”按发现当天（{day}）登记"),
                    format!("{name} {text:?} read as the day found ({day})"),
                ));
            }
            return found_on;
        }
        match wording::read_deadline(&text, self.plan_year) {
            Ok(reading) => {
                // Words that name no exact day ("11月底前", "长期坚持"):
                // say which day they were read as.
                if reading.ongoing || !exact_day(&text) {
                    notes.push(Message::new(
                        format!("{name}“{text}”按 {} 登记", reading.date),
                        format!("{name} {text:?} read as {}", reading.date),
                    ));
                }
                Some(reading.date)
            }
            Err(WordingError::Ambiguous(m)) => {
                self.problem(row, at, ErrorCode::AmbiguousDate, m.zh, m.en);
                None
            }
            Err(WordingError::Unreadable(_)) => {
                self.problem(
                    row,
                    at,
                    ErrorCode::InvalidDate,
                    format!("{name}“{text}”读不懂，请写成 2025-10-20、2025年10月20日 或 11月底前"),
                    format!("{name} {text:?} is not a date; write 2025-10-20 or 2025年10月20日"),
                );
                None
            }
        }
    }
}

/// Whether a date's words name one day outright: a year and a day
/// ("2025年10月20日", "2025-10-20", "2025.10.20"), nothing to interpret.
fn exact_day(text: &str) -> bool {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '/'));
    let worded = text.contains('年') && (text.ends_with('日') || text.ends_with('号'));
    digits.len() >= 6 && (numeric || worded)
}

/// "安全环保局、企业服务中心" → both; "安全环保局" → one.
fn split_units(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', '；', ';', '/', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The words of a numbered section heading, numbering and count gone:
/// "一、危化品安全（2项）" → "危化品安全", "（四）消防安全隐患" → "消防安全隐患",
/// "第六类：用电安全" → "用电安全"; `None` for text that is not numbered so.
fn heading_words(text: &str) -> Option<String> {
    const NUMERALS: &str = "一二三四五六七八九十";
    let text = text.trim();
    let rest = if let Some(rest) = text.strip_prefix('第') {
        let after = rest.trim_start_matches(|c: char| NUMERALS.contains(c) || c.is_ascii_digit());
        (after.len() < rest.len())
            .then_some(after)?
            .strip_prefix(['类', '部', '项'])?
    } else if let Some(rest) = text.strip_prefix(['（', '(']) {
        let after = rest.trim_start_matches(|c: char| NUMERALS.contains(c));
        (after.len() < rest.len())
            .then_some(after)?
            .strip_prefix(['）', ')'])?
    } else {
        let after = text.trim_start_matches(|c: char| NUMERALS.contains(c));
        (after.len() < text.len())
            .then_some(after)?
            .strip_prefix(['、', '.', '．'])?
    };
    let words = rest
        .trim_start_matches(['：', ':', ' ', '、'])
        .split(['（', '('])
        .next()
        .unwrap_or_default()
        .trim();
    (!words.is_empty()).then(|| words.to_string())
}

fn severity_of(text: &str) -> Option<ProblemSeverity> {
    let text = text.trim();
    if text.contains("重大") {
        Some(ProblemSeverity::Serious)
    } else if text.contains("较大") {
        Some(ProblemSeverity::Major)
    } else if text.contains("一般") || text.contains("轻微") {
        Some(ProblemSeverity::General)
    } else {
        None
    }
}

fn source_of(text: &str) -> Option<ProblemSource> {
    let text = text.trim();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["信访", "投诉", "举报", "12345"]) {
        Some(ProblemSource::Petition)
    } else if has(&["自查"]) {
        Some(ProblemSource::SelfCheck)
    } else if has(&["上级", "督查", "督察", "省", "市"]) {
        Some(ProblemSource::HigherInspection)
    } else if has(&["巡查"]) {
        Some(ProblemSource::Patrol)
    } else if has(&["检查", "排查", "执法", "专项", "暗访"]) {
        Some(ProblemSource::Check)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid::from_rows(
            "问题清单",
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|t| Cell {
                            text: t.to_string(),
                            ..Default::default()
                        })
                        .collect()
                })
                .collect(),
        )
    }

    fn units() -> HashMap<String, i64> {
        HashMap::from([
            ("安全环保局".to_string(), 1),
            ("企业服务中心".to_string(), 2),
        ])
    }

    #[test]
    fn a_list_as_offices_write_it() {
        let g = grid(&[
            &["洞庭产业开发区安全生产隐患排查问题清单", "", "", "", "", ""],
            &[
                "序号",
                "存在问题",
                "企业名称",
                "隐患等级",
                "整改责任单位",
                "发现时间",
                "整改时限\n（完成时间）",
            ],
            &["一、危化品安全（2项）", "", "", "", "", "", ""],
            &[
                "1",
                "危化品仓库未设置防爆照明",
                "湖南华鑫化工有限公司",
                "较大",
                "安全环保局",
                "2025年10月20日",
                "11月底前",
            ],
            &[
                "2",
                "消防通道堆放杂物",
                "",
                "",
                "企业服务中心",
                "2025-10-21",
                "立行立改",
            ],
            &["合计", "2项", "", "", "", "", ""],
        ]);
        let (drafts, problems) = read(&g, 2025, &units());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].title, "危化品仓库未设置防爆照明");
        assert_eq!(drafts[0].category, "危化品安全");
        assert_eq!(
            drafts[0]
                .notes
                .iter()
                .map(|n| n.zh.as_str())
                .collect::<Vec<_>>(),
            [
                "整改时限“11月底前”按 2025-11-30 登记",
                "问题来源空白，按“检查”登记"
            ]
        );
        assert_eq!(drafts[0].severity, ProblemSeverity::Major);
        assert_eq!(drafts[0].source, ProblemSource::Check);
        assert_eq!(
            drafts[0].enterprise.as_deref(),
            Some("湖南华鑫化工有限公司")
        );
        assert_eq!(
            drafts[0].found_on,
            NaiveDate::from_ymd_opt(2025, 10, 20).unwrap()
        );
        assert_eq!(
            drafts[0].deadline,
            NaiveDate::from_ymd_opt(2025, 11, 30).unwrap()
        );
        assert_eq!(drafts[1].severity, ProblemSeverity::General);
        assert_eq!(drafts[1].deadline, drafts[1].found_on, "立行立改");
        assert_eq!(drafts[1].unit_id, 2);
    }

    #[test]
    fn section_headings_as_offices_number_them() {
        assert_eq!(
            heading_words("一、危化品安全（2项）").as_deref(),
            Some("危化品安全")
        );
        assert_eq!(
            heading_words("（四）消防安全隐患").as_deref(),
            Some("消防安全隐患")
        );
        assert_eq!(
            heading_words("第六类：用电安全").as_deref(),
            Some("用电安全")
        );
        assert_eq!(heading_words("这一行是备注：以下为复查发现"), None);
        assert_eq!(heading_words("一般"), None);
    }

    #[test]
    fn every_bad_cell_is_named() {
        let g = grid(&[
            &[
                "问题",
                "责任单位",
                "严重程度",
                "来源",
                "发现时间",
                "整改时限",
            ],
            &[
                "危化品仓库未设置防爆照明",
                "安全环保局、企业服务中心",
                "很严重",
                "路过",
                "上周",
                "11月底",
            ],
            &[
                "应急预案未备案",
                "应急管理办",
                "",
                "",
                "2025-10-20",
                "2025-11-30",
            ],
            &["", "安全环保局", "", "", "2025-10-20", "2025-11-30"],
        ]);
        let (drafts, problems) = read(&g, 2025, &units());
        assert!(drafts.is_empty());
        let at: Vec<String> = problems
            .iter()
            .map(|p| format!("{}{}", p.column.clone().unwrap_or_default(), p.row))
            .collect();
        assert_eq!(at, ["B2", "E2", "C2", "D2", "B3", "A4"]);
        assert_eq!(
            problems[2].message.zh,
            "严重程度“很严重”读不懂，请填 一般、较大 或 重大"
        );
        assert_eq!(problems[4].code, ErrorCode::UnknownUnit);
        assert_eq!(problems[5].code, ErrorCode::MissingTitle);
    }

    #[test]
    fn a_sheet_without_the_columns_says_which() {
        let (_, problems) = read(&grid(&[&["序号", "目标任务", "责任单位"]]), 2025, &units());
        assert_eq!(problems[0].code, ErrorCode::MissingColumn);
        let (_, problems) = read(&grid(&[&["问题", "责任单位", "整改时限"]]), 2025, &units());
        assert_eq!(problems[0].message.zh, "表头中没有“发现时间”列");
    }
}

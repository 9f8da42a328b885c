//! The 完成情况表: a plan's judgement as of a date, as an .xlsx workbook for
//! the 调度会 papers (five sheets) or as CSV (the first sheet, UTF-8 with a
//! BOM so Excel shows the Chinese). Figures come from the same evaluation
//! as the API; this module only lays them out. Sheet names, headers and
//! words are in the reader's language (`labels`, Chinese by default); the
//! plan's own words are written as the office typed them.
use domain::workdays::Workdays;
use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::PlanData;
use super::watch::{self, WatchFilter};
use crate::error::{AppError, AppResult};
use domain::completion::unsigned_zero;
use domain::{Evaluation, GoalKind, Label, Lang, Light, Status, text};
use labels::MilestoneState;

/// The 目标任务分解表 sheet (and file).
mod breakdown;
/// Every word an export writes, in both languages.
pub mod labels;
/// The 问题台账 and the 督办台账 as .xlsx.
pub mod ledger;

pub use breakdown::{breakdown_headers, breakdown_xlsx};

/// One line of the first sheet: a goal and its judgement.
pub struct GoalLine {
    pub code: String,
    pub category: String,
    pub title: String,
    pub kind: GoalKind,
    pub measure_unit: String,
    /// 分值: the goal's weight (its points on a 100-point sheet).
    pub weight: f64,
    pub target: Option<f64>,
    /// 上年完成: last year's result.
    pub previous_year: Option<f64>,
    pub actual: Option<f64>,
    pub completion_percent: f64,
    pub expected_percent: Option<f64>,
    pub gap: Option<f64>,
    pub light: Light,
    pub status: Status,
    /// 得分: weight × capped completion / 100.
    pub score: Option<f64>,
    pub lead_unit: String,
    /// 责任领导.
    pub leader: String,
    pub deadline: String,
    /// 进展 and 问题 of the latest counting report among the goal's assignments.
    pub note: String,
    pub problems: String,
    /// 备注.
    pub remarks: String,
}

/// The 完成情况 sheet's (and the CSV's) header row in `lang`.
pub fn headers(lang: Lang) -> [&'static str; 21] {
    labels::row(&labels::GOAL_HEADERS, lang)
}

/// One line per goal of the first sheet, in 分解表 order.
pub fn goal_lines(data: &PlanData, eval: &Evaluation) -> AppResult<Vec<GoalLine>> {
    data.goals_in_order()
        .into_iter()
        .filter_map(|g| {
            let p = eval.goal(g.id)?;
            // The latest counting report among the goal's assignments, for its notes.
            let latest = match data
                .latest_counting_report(data.assignments_of(g.id).map(|a| a.id), eval.as_of)
            {
                Ok(latest) => latest,
                Err(err) => return Some(Err(err)),
            };
            Some(Ok(GoalLine {
                code: g.code.clone().unwrap_or_default(),
                category: g.category.clone().unwrap_or_default(),
                title: g.title.clone(),
                kind: g.kind.into(),
                measure_unit: g.measure_unit.clone().unwrap_or_default(),
                weight: g.weight,
                target: p.target,
                previous_year: g.previous_year_value,
                actual: p.actual,
                completion_percent: p.completion_percent,
                expected_percent: p.expected_percent,
                gap: p.gap,
                light: p.light,
                status: p.status,
                score: p.score,
                lead_unit: g
                    .lead_unit_id
                    .and_then(|u| data.unit(u))
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                leader: g.responsible_leader.clone().unwrap_or_default(),
                deadline: domain::deadlines::due_by(g.deadline, data.plan.end_date).to_string(),
                note: latest.and_then(|r| r.note.clone()).unwrap_or_default(),
                problems: latest.and_then(|r| r.problems.clone()).unwrap_or_default(),
                remarks: g.remarks.clone().unwrap_or_default(),
            }))
        })
        .collect()
}

/// CSV of the first sheet: UTF-8 with a BOM, percentages as numbers in
/// percent (85.0), one decimal as the office reads them. Quoting is the
/// `csv` crate's; what a spreadsheet would run is neutralised first.
pub fn csv(data: &PlanData, eval: &Evaluation, lang: Lang) -> AppResult<String> {
    let field = |s: &str| neutralised(&cell(s)).into_owned();
    let num = |v: Option<f64>| v.map(|v| rounded(v, 1)).unwrap_or_default();
    let exact = |v: Option<f64>| v.map(|v| unsigned_zero(v).to_string()).unwrap_or_default();
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{FEFF}".as_bytes().to_vec());
    let mut write = |record: &[String]| {
        // Writing to memory cannot fail.
        out.write_record(record).expect("a CSV record in memory");
    };
    write(&headers(lang).map(String::from));
    for l in goal_lines(data, eval)? {
        write(&[
            field(&l.code),
            field(&l.category),
            field(&l.title),
            labels::kind(l.kind).get(lang).to_string(),
            field(&l.measure_unit),
            exact(Some(l.weight)),
            exact(l.target),
            exact(l.previous_year),
            exact(l.actual),
            num(Some(l.completion_percent)),
            num(l.expected_percent),
            num(l.gap),
            labels::light(l.light).get(lang).to_string(),
            labels::status(l.status).get(lang).to_string(),
            l.score.map(|v| rounded(v, 2)).unwrap_or_default(),
            field(&l.lead_unit),
            field(&l.leader),
            l.deadline.clone(),
            field(&l.note),
            field(&l.problems),
            field(&l.remarks),
        ]);
    }
    let bytes = out.into_inner().expect("a CSV written to memory");
    // Every field came from a &str.
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8"))
}

/// `v` with `places` decimals, as the office reads it: a figure that
/// rounds to zero reads 0.0, never "-0.0" (a gap of −0.04 points).
fn rounded(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    match text.strip_prefix('-') {
        Some(digits) if digits.bytes().all(|b| b == b'0' || b == b'.') => digits.to_string(),
        _ => text,
    }
}

/// `v` for a cell whose format shows `places` decimals: a figure the
/// format would show as "-0.0" (Excel keeps the sign of −0.04) is written
/// as 0; any other is written as it is, every digit kept.
fn cell_number(v: f64, places: i32) -> f64 {
    if (v * 10f64.powi(places)).round() == 0.0 {
        0.0
    } else {
        v
    }
}

/// The most characters Excel keeps in a cell.
const EXCEL_CELL_CHARS: usize = 32_767;

/// Text written into a cell: stored text older than the field limits (or
/// changed by hand) may be longer than a cell holds, and the whole
/// workbook would fail for it; it is cut with a mark instead.
fn cell(text: impl AsRef<str>) -> String {
    text::fit(text.as_ref(), EXCEL_CELL_CHARS).into_owned()
}

/// Text people typed, as a CSV field: a spreadsheet opening the file runs
/// a cell that starts with = + - @ (or a tab or CR before one) as a
/// formula, so such text gets a leading apostrophe, as OWASP recommends;
/// figures are written by the caller as numbers and never come here.
fn neutralised(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn xlsx_error(err: XlsxError) -> AppError {
    AppError::internal(err.to_string())
}

fn light_fill(light: Light) -> Color {
    match light {
        Light::Green => Color::RGB(0xC6EFCE),
        Light::Blue => Color::RGB(0xBDD7EE),
        Light::Yellow => Color::RGB(0xFFEB9C),
        Light::Red => Color::RGB(0xFFC7CE),
    }
}

fn header_row<const N: usize>(
    sheet: &mut Worksheet,
    headers: &[Label; N],
    lang: Lang,
    widths: &[f64; N],
) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    for (col, (h, w)) in headers.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, col as u16, h.get(lang), &bold)?;
        sheet.set_column_width(col as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    print_wide(sheet);
    Ok(())
}

/// Prints landscape, every column on one page width (for the 调度会 papers).
fn print_wide(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0).ok();
}

/// The workbook: 完成情况 (goals), 单位排名 (units), 节点目标 (milestones),
/// the reporting calendar of `as_of`'s month, and the plan's 目标任务分解表
/// (which `mubiao import` reads back), in `lang`.
pub fn xlsx(
    data: &PlanData,
    eval: &Evaluation,
    today: NaiveDate,
    workdays: &Workdays,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let lines = goal_lines(data, eval)?;
    build_xlsx(data, eval, &lines, today, workdays, lang).map_err(xlsx_error)?
}

fn build_xlsx(
    data: &PlanData,
    eval: &Evaluation,
    lines: &[GoalLine],
    today: NaiveDate,
    workdays: &Workdays,
    lang: Lang,
) -> Result<AppResult<Vec<u8>>, XlsxError> {
    let mut book = Workbook::new();
    let percent = Format::new().set_num_format("0.0%");
    let number = Format::new().set_num_format("0.0#");
    let points = Format::new().set_num_format("+0.0;-0.0;0.0");

    let sheet = book.add_worksheet();
    sheet.set_name(labels::GOALS_SHEET.get(lang))?;
    header_row(
        sheet,
        &labels::GOAL_HEADERS,
        lang,
        &[
            6.0, 10.0, 28.0, 8.0, 9.0, 6.0, 10.0, 10.0, 10.0, 9.0, 9.0, 11.0, 7.0, 8.0, 8.0, 14.0,
            10.0, 12.0, 36.0, 28.0, 20.0,
        ],
    )?;
    for (i, l) in lines.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_string(r, 0, cell(&l.code))?;
        sheet.write_string(r, 1, cell(&l.category))?;
        sheet.write_string(r, 2, cell(&l.title))?;
        sheet.write_string(r, 3, labels::kind(l.kind).get(lang))?;
        sheet.write_string(r, 4, cell(&l.measure_unit))?;
        sheet.write_number_with_format(r, 5, cell_number(l.weight, 2), &number)?;
        if let Some(t) = l.target {
            sheet.write_number_with_format(r, 6, cell_number(t, 2), &number)?;
        }
        if let Some(p) = l.previous_year {
            sheet.write_number_with_format(r, 7, cell_number(p, 2), &number)?;
        }
        if let Some(a) = l.actual {
            sheet.write_number_with_format(r, 8, cell_number(a, 2), &number)?;
        }
        sheet.write_number_with_format(
            r,
            9,
            cell_number(l.completion_percent / 100.0, 3),
            &percent,
        )?;
        if let Some(e) = l.expected_percent {
            sheet.write_number_with_format(r, 10, cell_number(e / 100.0, 3), &percent)?;
        }
        if let Some(g) = l.gap {
            sheet.write_number_with_format(r, 11, cell_number(g, 1), &points)?;
        }
        let fill = Format::new()
            .set_background_color(light_fill(l.light))
            .set_align(FormatAlign::Center);
        sheet.write_string_with_format(r, 12, labels::light(l.light).get(lang), &fill)?;
        sheet.write_string(r, 13, labels::status(l.status).get(lang))?;
        if let Some(score) = l.score {
            sheet.write_number_with_format(r, 14, cell_number(score, 2), &number)?;
        }
        sheet.write_string(r, 15, cell(&l.lead_unit))?;
        sheet.write_string(r, 16, cell(&l.leader))?;
        sheet.write_string(r, 17, &l.deadline)?;
        sheet.write_string(r, 18, cell(&l.note))?;
        sheet.write_string(r, 19, cell(&l.problems))?;
        sheet.write_string(r, 20, cell(&l.remarks))?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name(labels::UNITS_SHEET.get(lang))?;
    header_row(
        sheet,
        &labels::UNIT_HEADERS,
        lang,
        &[6.0, 16.0, 9.0, 8.0, 6.0, 6.0, 6.0, 6.0],
    )?;
    for (i, u) in eval.units().iter().enumerate() {
        let r = (i + 1) as u32;
        // A unit with nothing counted yet has no rank, completion or score:
        // blank cells, listed after the ranked units.
        if u.progress.completion_percent.is_some() {
            sheet.write_number(r, 0, (i + 1) as f64)?;
        }
        sheet.write_string(
            r,
            1,
            cell(
                data.unit(u.unit_id)
                    .map(|x| x.name.as_str())
                    .unwrap_or_default(),
            ),
        )?;
        if let Some(c) = u.progress.completion_percent {
            sheet.write_number_with_format(r, 2, cell_number(c / 100.0, 3), &percent)?;
        } else {
            sheet.write_string(r, 2, labels::NOTHING_COUNTED.get(lang))?;
        }
        if let Some(score) = u.progress.score {
            sheet.write_number_with_format(r, 3, cell_number(score, 2), &number)?;
        }
        for (c, light) in [Light::Green, Light::Blue, Light::Yellow, Light::Red]
            .into_iter()
            .enumerate()
        {
            sheet.write_number(r, 4 + c as u16, f64::from(u.lights.of(light)))?;
        }
    }

    let sheet = book.add_worksheet();
    sheet.set_name(labels::MILESTONES_SHEET.get(lang))?;
    header_row(
        sheet,
        &labels::MILESTONE_HEADERS,
        lang,
        &[28.0, 24.0, 6.0, 12.0, 12.0, 10.0],
    )?;
    let mut r = 1;
    for g in data.goals() {
        for m in data.milestones_of(g.id) {
            sheet.write_string(r, 0, cell(&g.title))?;
            sheet.write_string(r, 1, cell(&m.title))?;
            sheet.write_number(r, 2, unsigned_zero(m.weight))?;
            sheet.write_string(r, 3, m.due_date.to_string())?;
            let done = m.completed_on.filter(|d| *d <= eval.as_of);
            sheet.write_string(r, 4, done.map(|d| d.to_string()).unwrap_or_default())?;
            let state = match done {
                Some(d) if d > m.due_date => MilestoneState::CompletedLate,
                Some(_) => MilestoneState::CompletedOnTime,
                None if eval.as_of > m.due_date => MilestoneState::Overdue,
                None => MilestoneState::NotYetDue,
            };
            sheet.write_string(r, 5, labels::milestone_state(state).get(lang))?;
            r += 1;
        }
    }

    let month = eval.as_of.with_day0(0).unwrap_or(eval.as_of);
    let calendar = match watch::calendar(data, month, today, &WatchFilter::default(), workdays) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let sheet = book.add_worksheet();
    sheet.set_name(labels::reporting_sheet(month, lang))?;
    header_row(
        sheet,
        &labels::REPORTING_HEADERS,
        lang,
        &[16.0, 6.0, 6.0, 6.0, 6.0, 12.0],
    )?;
    for (i, u) in calendar.units.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_string(
            r,
            0,
            cell(
                data.unit(u.unit_id)
                    .map(|x| x.name.as_str())
                    .unwrap_or_default(),
            ),
        )?;
        for (c, n) in [u.reported, u.late, u.missing, u.pending]
            .into_iter()
            .enumerate()
        {
            sheet.write_number(r, 1 + c as u16, f64::from(n))?;
        }
        sheet.write_string(r, 5, calendar.due_date.to_string())?;
    }
    // A month the calendar cannot judge says why in a row of its own
    // (a plan filled in after the fact would otherwise show an empty sheet,
    // or every report late).
    if let Some(why) = &calendar.unjudged {
        let r = (calendar.units.len() + 1) as u32;
        let note = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xFFF2CC));
        let text = format!(
            "{}{}",
            labels::NOTE.get(lang),
            why.message(calendar.month, calendar.due_date).get(lang)
        );
        sheet.merge_range(r, 0, r, 5, &cell(text), &note)?;
        sheet.set_row_height(r, 60)?;
    }
    breakdown::breakdown_sheet(&mut book, data, lang)?;
    Ok(Ok(book.save_to_buffer()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One field as the export writes it.
    fn csv_field(text: &str) -> String {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        out.write_record([neutralised(text).as_ref(), "x"]).unwrap();
        let line = String::from_utf8(out.into_inner().unwrap()).unwrap();
        line.strip_suffix(",x\r\n").unwrap().to_string()
    }

    #[test]
    fn csv_text_that_a_spreadsheet_would_run_is_neutralised() {
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\t=1"), "'\t=1");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"详情\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"详情\"\")\""
        );
        assert_eq!(csv_field("签约项目"), "签约项目");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    #[test]
    fn figures_that_round_to_zero_never_read_minus_zero() {
        assert_eq!(rounded(-0.04, 1), "0.0");
        assert_eq!(rounded(-0.0, 1), "0.0");
        assert_eq!(rounded(-0.004, 2), "0.00");
        assert_eq!(rounded(-0.05, 1), "-0.1");
        assert_eq!(rounded(-33.33, 1), "-33.3");
        assert_eq!(rounded(85.0, 1), "85.0");
        assert!(cell_number(-0.04, 1).is_sign_positive());
        assert!(cell_number(-0.0004, 3).is_sign_positive());
        assert_eq!(cell_number(-0.06, 1), -0.06);
        assert_eq!(cell_number(0.851234, 3), 0.851234);
    }

    #[test]
    fn cells_are_cut_to_what_excel_keeps() {
        let long = "进".repeat(EXCEL_CELL_CHARS + 10);
        let written = cell(&long);
        assert_eq!(written.chars().count(), EXCEL_CELL_CHARS);
        assert!(written.ends_with(text::TRUNCATION_MARK));
        assert_eq!(cell("进展"), "进展");
    }
}

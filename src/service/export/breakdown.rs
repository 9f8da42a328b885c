//! The 目标任务分解表: the plan's targets as a target office hands them out,
//! the last sheet of the workbook or a file of its own, laid out as
//! `mubiao import` and `importPlan` read it back.
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{PlanData, cell, labels, print_wide, xlsx_error};
use crate::error::AppResult;
use domain::completion::unsigned_zero;
use domain::{Direction, Lang};

/// The plan's targets alone, as the one-sheet 目标任务分解表 a target office
/// hands out and `mubiao import` reads.
pub fn breakdown_xlsx(data: &PlanData, lang: Lang) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    breakdown_sheet(&mut book, data, lang).map_err(xlsx_error)?;
    book.save_to_buffer().map_err(xlsx_error)
}

/// The 分解表's header row in `lang`.
pub fn breakdown_headers(lang: Lang) -> [&'static str; 19] {
    labels::row(&labels::BREAKDOWN_HEADERS, lang)
}

/// The 序号 a goal is written with: its own, or for a goal without one a
/// dotted number under its parent's, so the nesting survives a re-import.
fn written_codes(data: &PlanData) -> std::collections::HashMap<i64, String> {
    let mut codes = std::collections::HashMap::new();
    let mut counters: std::collections::HashMap<Option<i64>, usize> =
        std::collections::HashMap::new();
    for g in data.goals_in_order() {
        // A 其中 row is written without a 序号 ("其中：…" says what it is).
        if g.subset {
            continue;
        }
        let n = counters.entry(g.parent_id).or_default();
        *n += 1;
        let code = match (&g.code, g.parent_id.and_then(|p| codes.get(&p))) {
            (Some(code), _) => code.clone(),
            (None, Some(parent)) => format!("{parent}.{n}"),
            (None, None) => n.to_string(),
        };
        codes.insert(g.id, code);
    }
    codes
}

/// A date as offices write deadlines, "10月31日", when the plan lies in one
/// calendar year (so the sheet can seed next year's plan); else 2025-10-31.
fn deadline_text(plan: &entity::plan::Model, date: NaiveDate) -> String {
    let one_year = plan.start_date.year() == plan.end_date.year();
    if one_year && date.year() == plan.start_date.year() {
        format!("{}月{}日", date.month(), date.day())
    } else {
        date.to_string()
    }
}

/// The 分解表 sheet. Its headers and its kind and direction words are in
/// `lang`, all of them words the importer reads; the title row stays
/// "<plan>分解表" in both languages, as the importer names a new plan (and,
/// on an empty database, its park) from it, and deadlines stay "10月31日",
/// which the importer reads without a year.
pub(super) fn breakdown_sheet(
    book: &mut Workbook,
    data: &PlanData,
    lang: Lang,
) -> Result<(), XlsxError> {
    let number = Format::new().set_num_format("0.##");
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let sheet = book.add_worksheet();
    sheet.set_name(labels::BREAKDOWN_SHEET.get(lang))?;
    let headers = breakdown_headers(lang);
    let last = (headers.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &cell(format!("{}分解表", data.plan.name)),
        &title,
    )?;
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let widths = [
        6.0, 10.0, 28.0, 8.0, 9.0, 9.0, 8.0, 6.0, 6.0, 14.0, 16.0, 24.0, 10.0, 10.0, 12.0, 18.0,
        12.0, 8.0, 24.0,
    ];
    for (col, (h, w)) in headers.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(1, col as u16, *h, &bold)?;
        sheet.set_column_width(col as u16, w)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    print_wide(sheet);
    sheet.set_repeat_rows(1, 1)?;

    let codes = written_codes(data);
    let unit_name = |id: i64| data.unit(id).map(|u| u.name.clone()).unwrap_or_default();
    let mut r: u32 = 2;
    // 类别 runs are merged down the sheet, as offices lay them out.
    let mut category_run: Option<(u32, String)> = None;
    let close_run = |sheet: &mut Worksheet, run: Option<(u32, String)>, end: u32| match run {
        Some((start, text)) if end > start + 1 => sheet
            .merge_range(start, 1, end - 1, 1, &cell(&text), &wrap)
            .map(|_| ()),
        Some((start, text)) => sheet.write_string(start, 1, cell(&text)).map(|_| ()),
        None => Ok(()),
    };
    for g in data.goals_in_order() {
        let category = g.category.clone().unwrap_or_default();
        if category_run.as_ref().map(|(_, c)| c) != Some(&category) {
            close_run(sheet, category_run.take(), r)?;
            if !category.is_empty() {
                category_run = Some((r, category));
            }
        }
        sheet.write_string(r, 0, cell(codes.get(&g.id).cloned().unwrap_or_default()))?;
        // "其中：…" with a blank 序号 is how the importer knows a subset.
        let title = if g.subset {
            format!("其中：{}", g.title)
        } else {
            g.title.clone()
        };
        sheet.write_string(r, 2, cell(&title))?;
        sheet.write_string(r, 3, labels::kind(g.kind.into()).get(lang))?;
        if let Some(t) = g.target_value {
            sheet.write_number_with_format(r, 4, unsigned_zero(t), &number)?;
        }
        sheet.write_string(r, 5, cell(g.measure_unit.clone().unwrap_or_default()))?;
        if let Some(b) = g.baseline_value {
            sheet.write_number_with_format(r, 6, unsigned_zero(b), &number)?;
        }
        let direction = labels::direction(Direction::from(g.direction));
        sheet.write_string(r, 7, direction.get(lang))?;
        sheet.write_number_with_format(r, 8, unsigned_zero(g.weight), &number)?;
        sheet.write_string(
            r,
            9,
            cell(g.lead_unit_id.map(unit_name).unwrap_or_default()),
        )?;
        let supporting: Vec<String> = data
            .supporting_unit_ids(g.id)
            .into_iter()
            .map(unit_name)
            .collect();
        sheet.write_string(r, 10, cell(supporting.join("、")))?;
        let assignments: Vec<String> = data
            .assignments_of(g.id)
            .map(|a| match a.target_value {
                Some(v) => format!("{}:{}", unit_name(a.unit_id), unsigned_zero(v)),
                None => unit_name(a.unit_id),
            })
            .collect();
        sheet.write_string_with_format(r, 11, cell(assignments.join("；")), &wrap)?;
        sheet.write_string(
            r,
            12,
            cell(g.responsible_leader.clone().unwrap_or_default()),
        )?;
        sheet.write_string(
            r,
            13,
            cell(g.responsible_person.clone().unwrap_or_default()),
        )?;
        let deadline = g.deadline.map(|d| deadline_text(&data.plan, d));
        sheet.write_string(r, 14, deadline.unwrap_or_default())?;
        sheet.write_string(r, 18, cell(g.original_text.clone().unwrap_or_default()))?;
        let mut milestones = data.milestones_of(g.id).peekable();
        if milestones.peek().is_none() {
            r += 1;
        }
        for m in milestones {
            sheet.write_string(r, 15, cell(&m.title))?;
            sheet.write_string(r, 16, deadline_text(&data.plan, m.due_date))?;
            sheet.write_number_with_format(r, 17, unsigned_zero(m.weight), &number)?;
            r += 1;
        }
    }
    close_run(sheet, category_run.take(), r)?;
    Ok(())
}

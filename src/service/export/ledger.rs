//! The 台账 as .xlsx: the problem ledger (问题台账) or the supervision
//! ledger (督办台账) of a plan as of a date, with state, light, dates and
//! the last word on each (the latest feedback or rectification). Lights,
//! overdue and on-time are `domain::supervision`'s; this only lays them out.
use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{problem, problem_event, supervision_item, unit};
use rust_xlsxwriter::{Format, Workbook};

use super::xlsx_error;
use crate::error::AppResult;
use crate::service::supervision::ItemDetails;
use domain::Lang;
use domain::supervision::{
    ItemLevel, ItemLightRules, ItemSource, ItemState, ProblemSeverity, ProblemSource, ProblemState,
    item_light,
};

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn yes_no(lang: Lang, value: bool) -> &'static str {
    match (lang, value) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Writes a header row and rows of text under a title line.
fn sheet(name: &str, title: &str, headers: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(name).map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, title, &bold)
        .map_err(xlsx_error)?;
    for (c, h) in headers.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(1, col, *h, &bold)
            .map_err(xlsx_error)?;
        ws.set_column_width(col, if c == 1 { 32 } else { 14 })
            .map_err(xlsx_error)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line = u32::try_from(r + 2).unwrap_or(u32::MAX);
        for (c, text) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string(line, col, text).map_err(xlsx_error)?;
        }
    }
    book.save_to_buffer().map_err(xlsx_error)
}

fn state_word(lang: Lang, state: ProblemState) -> &'static str {
    match lang {
        Lang::Zh => state.zh_name(),
        Lang::En => state.as_str(),
    }
}

fn severity_word(lang: Lang, s: ProblemSeverity) -> &'static str {
    match s {
        ProblemSeverity::General => pick(lang, "一般", "general"),
        ProblemSeverity::Major => pick(lang, "较大", "major"),
        ProblemSeverity::Serious => pick(lang, "重大", "serious"),
    }
}

fn problem_source_word(lang: Lang, s: ProblemSource) -> &'static str {
    match s {
        ProblemSource::Check => pick(lang, "检查", "inspection"),
        ProblemSource::Patrol => pick(lang, "巡查", "patrol"),
        ProblemSource::Petition => pick(lang, "信访", "petition"),
        ProblemSource::HigherInspection => pick(lang, "上级督查", "higher inspection"),
        ProblemSource::SelfCheck => pick(lang, "自查", "self-check"),
    }
}

/// The 问题台账 of `plan_name` as of `as_of`.
pub fn problems_xlsx(
    plan_name: &str,
    problems: &[problem::Model],
    events: &HashMap<i64, Vec<problem_event::Model>>,
    units: &HashMap<i64, unit::Model>,
    as_of: NaiveDate,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let headers = match lang {
        Lang::Zh => [
            "序号",
            "问题",
            "类别",
            "严重程度",
            "来源",
            "发现日期",
            "企业",
            "位置",
            "责任单位",
            "整改时限",
            "整改措施",
            "状态",
            "是否逾期",
            "销号日期",
            "按期销号",
            "最近进展",
            "督办事项",
        ],
        Lang::En => [
            "No.",
            "Problem",
            "Category",
            "Severity",
            "Source",
            "Found on",
            "Enterprise",
            "Location",
            "Unit",
            "Deadline",
            "Measures",
            "State",
            "Overdue",
            "Closed on",
            "Closed on time",
            "Latest",
            "Supervision item",
        ],
    };
    let rows: Vec<Vec<String>> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let overdue = domain::supervision::problem_overdue(p.deadline, p.closed_on, as_of);
            let latest = events
                .get(&p.id)
                .and_then(|list| list.iter().rev().find_map(|e| e.content.clone()))
                .unwrap_or_default();
            vec![
                (i + 1).to_string(),
                p.title.clone(),
                p.category.clone(),
                severity_word(lang, p.severity.into()).to_string(),
                problem_source_word(lang, p.source.into()).to_string(),
                p.found_on.to_string(),
                p.enterprise.clone().unwrap_or_default(),
                p.location.clone().unwrap_or_default(),
                units
                    .get(&p.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                p.deadline.to_string(),
                p.measures.clone().unwrap_or_default(),
                state_word(lang, p.state.into()).to_string(),
                yes_no(lang, overdue).to_string(),
                date_text(p.closed_on),
                domain::supervision::problem_closed_on_time(p.deadline, p.closed_on)
                    .map(|t| yes_no(lang, t).to_string())
                    .unwrap_or_default(),
                latest,
                p.escalated_item_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let title = match lang {
        Lang::Zh => format!("{plan_name} 问题台账（截至 {as_of}）"),
        Lang::En => format!("{plan_name}: problem ledger as of {as_of}"),
    };
    sheet(pick(lang, "问题台账", "Problems"), &title, &headers, &rows)
}

fn item_state_word(lang: Lang, s: ItemState) -> &'static str {
    match lang {
        Lang::Zh => s.zh_name(),
        Lang::En => s.as_str(),
    }
}

fn light_word(lang: Lang, light: Option<domain::Light>) -> &'static str {
    match light {
        None => "",
        Some(domain::Light::Green) => pick(lang, "绿", "green"),
        Some(domain::Light::Blue) => pick(lang, "蓝", "blue"),
        Some(domain::Light::Yellow) => pick(lang, "黄", "yellow"),
        Some(domain::Light::Red) => pick(lang, "红", "red"),
    }
}

/// The 督办台账 of `plan_name` as of `as_of`.
pub fn items_xlsx(
    plan_name: &str,
    items: &[supervision_item::Model],
    details: &ItemDetails,
    units: &HashMap<i64, unit::Model>,
    as_of: NaiveDate,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let headers = match lang {
        Lang::Zh => [
            "序号",
            "督办事项",
            "来源",
            "级别",
            "牵头单位",
            "配合单位",
            "责任领导",
            "交办日期",
            "办理时限",
            "现行时限",
            "状态",
            "督办灯",
            "是否逾期",
            "办结日期",
            "按期办结",
            "催办次数",
            "最近反馈",
        ],
        Lang::En => [
            "No.",
            "Item",
            "Source",
            "Level",
            "Lead unit",
            "Supporting units",
            "Leader",
            "Assigned on",
            "Deadline",
            "Deadline in force",
            "State",
            "Light",
            "Overdue",
            "Closed on",
            "On time",
            "Urged",
            "Latest feedback",
        ],
    };
    let name_of = |id: &i64| units.get(id).map(|u| u.name.clone()).unwrap_or_default();
    let rows: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let facts = details.facts(item);
            let source: ItemSource = item.source.into();
            let level: ItemLevel = item.level.into();
            let latest = details
                .events
                .get(&item.id)
                .and_then(|list| {
                    list.iter()
                        .rev()
                        .filter(|e| matches!(e.kind.as_str(), "FEEDBACK" | "CLOSURE_REQUEST"))
                        .find_map(|e| e.content.clone())
                })
                .unwrap_or_default();
            let supporting: Vec<String> = details
                .supporting
                .get(&item.id)
                .into_iter()
                .flatten()
                .map(name_of)
                .collect();
            vec![
                (i + 1).to_string(),
                item.title.clone(),
                match lang {
                    Lang::Zh => source.zh_name(),
                    Lang::En => source.as_str(),
                }
                .to_string(),
                match lang {
                    Lang::Zh => level.zh_name(),
                    Lang::En => level.as_str(),
                }
                .to_string(),
                name_of(&item.lead_unit_id),
                supporting.join(pick(lang, "、", ", ")),
                item.responsible_leader.clone().unwrap_or_default(),
                item.assigned_on.to_string(),
                item.deadline.to_string(),
                facts.deadline_on(as_of).to_string(),
                item_state_word(lang, item.state.into()).to_string(),
                light_word(lang, item_light(&facts, as_of, ItemLightRules::default())).to_string(),
                yes_no(lang, facts.overdue_on(as_of)).to_string(),
                date_text(item.closed_on),
                facts
                    .closed_on_time()
                    .map(|t| yes_no(lang, t).to_string())
                    .unwrap_or_default(),
                item.urge_count.to_string(),
                latest,
            ]
        })
        .collect();
    let title = match lang {
        Lang::Zh => format!("{plan_name} 督办台账（截至 {as_of}）"),
        Lang::En => format!("{plan_name}: supervision ledger as of {as_of}"),
    };
    sheet(
        pick(lang, "督办台账", "Supervision"),
        &title,
        &headers,
        &rows,
    )
}

//! A 目标值 cell read as the office means it: which kind of goal it words,
//! the number, the measure unit, which side of the number counts, and the
//! words around it that are not the target ("同比增长13%", "动态清零").
//!
//! The reading goes clause by clause. Brackets ("250亩（动态清零）") and
//! every clause after the one holding the target ("160亿元，同比增长13%")
//! are the qualifier; words before the number are its label ("完成固定资产
//! 投资" in "完成固定资产投资17亿元"), which the goal's title already says.
//! Dates are never the target ("2025年10月底前完成主体厂房建设" has none).
use super::figure::{UNITS, find_number, prefix_bound, read_unit, suffix_bound, thousands_group};
use super::{Bound, WordingError, normalise, unreadable};
use crate::kinds::{Direction, GoalKind};

/// The kind of goal a target's wording implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordedKind {
    /// An amount to reach: "签约项目20个以上", "完成固定资产投资17亿元".
    Cumulative,
    /// A level in percent: "同比增长10%以上", "占比≥60%", "≤65%".
    Rate,
    /// Incidents that must not happen: "不发生较大及以上安全生产事故", "0起".
    Veto,
    /// A place in a ranking: "稳固全省30强", "进入全省前20位".
    Rank,
    /// Words with no target number: "建成投用", "较上年下降", "全省前列".
    Milestone,
}

impl WordedKind {
    /// The goal kind the wording implies.
    pub fn goal_kind(self) -> GoalKind {
        match self {
            WordedKind::Cumulative => GoalKind::Cumulative,
            WordedKind::Rate => GoalKind::Rate,
            WordedKind::Veto => GoalKind::Veto,
            WordedKind::Rank => GoalKind::Rank,
            WordedKind::Milestone => GoalKind::Milestone,
        }
    }
}

/// A target as the wording gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetReading {
    pub kind: WordedKind,
    /// The number; `None` for a milestone (words only).
    pub value: Option<f64>,
    /// As written: "个", "亿元", "万平方米", "%", "起"; never a bracket or a
    /// second clause; `None` for a rank, a milestone or a bare number.
    pub measure_unit: Option<String>,
    pub bound: Bound,
    /// `Some(Decrease)` for a rate to stay at or under ("下降到5%",
    /// "控制在65%以内", "≤65%"); `None` leaves the default.
    pub direction: Option<Direction>,
    /// The words that are not the target: "动态清零", "同比增长13%".
    pub qualifier: Option<String>,
}

impl TargetReading {
    fn milestone() -> Self {
        TargetReading {
            kind: WordedKind::Milestone,
            value: None,
            measure_unit: None,
            bound: Bound::Exact,
            direction: None,
            qualifier: None,
        }
    }
}

/// Reads a 目标值: "签约项目12个以上" → CUMULATIVE 12 个 at least;
/// "≤65%" → RATE 65 % at most, lower is better; "稳固全省30强" → RANK 30;
/// "无环保事件" → VETO 0; "建成投用" → MILESTONE. Only an empty cell or a
/// number too large to be one is an error: words without a number are a
/// deliverable.
pub fn read_target(text: &str) -> Result<TargetReading, WordingError> {
    let s = normalise(text);
    if s.is_empty() {
        return Err(unreadable("目标值为空", "an empty target"));
    }
    let (body, asides) = split_asides(&s);
    let clauses = split_clauses(&body);
    for (i, clause) in clauses.iter().enumerate() {
        if let Some(mut reading) = read_clause(clause)? {
            let others: Vec<&str> = clauses
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c.as_str())
                .chain(asides.iter().map(String::as_str))
                .collect();
            reading.qualifier = (!others.is_empty()).then(|| others.join("；"));
            return Ok(reading);
        }
    }
    Ok(TargetReading::milestone())
}

/// The text outside brackets, and what each bracket holds: "250亩(动态清零)"
/// → ("250亩", ["动态清零"]). "(含)" belongs to the bound ("20个(含)以上")
/// and is dropped; an unclosed bracket runs to the end.
fn split_asides(s: &str) -> (String, Vec<String>) {
    let mut body = String::new();
    let mut asides = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '【' | '〔' => {
                if depth > 0 {
                    current.push(c);
                }
                depth += 1;
            }
            ')' | ']' | '】' | '〕' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    asides.push(std::mem::take(&mut current));
                } else {
                    current.push(c);
                }
            }
            ')' | ']' | '】' | '〕' => {}
            _ if depth > 0 => current.push(c),
            _ => body.push(c),
        }
    }
    if depth > 0 {
        asides.push(current);
    }
    asides.retain(|a| !a.is_empty() && !matches!(a.as_str(), "含" | "含本数"));
    (body, asides)
}

/// Clauses, split at ";" and at "," or "." that are not inside a number
/// ("1,200", "9.7"). A "、" splits only between two parts that each carry a
/// figure ("签约项目20个以上、合同引资额25亿元以上"), so a list of labels
/// ("亩均生产总值、亩均税收年均增长15%以上") stays one clause.
fn split_clauses(body: &str) -> Vec<String> {
    let chars: Vec<char> = body.chars().collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
        let splits = match c {
            ';' => true,
            ',' => !(digit_before && thousands_group(&chars[i + 1..])),
            '.' => !(digit_before && chars.get(i + 1).is_some_and(char::is_ascii_digit)),
            '、' => {
                pieces.push((std::mem::take(&mut current), true));
                continue;
            }
            _ => false,
        };
        if splits {
            pieces.push((std::mem::take(&mut current), false));
        } else {
            current.push(c);
        }
    }
    pieces.push((current, false));
    // A "、" piece without a figure of its own (or only a figure, "3、4号楼")
    // is part of the next one.
    let mut clauses: Vec<String> = Vec::new();
    let mut carried = String::new();
    for (piece, by_enumeration_comma) in pieces {
        let has_digit = piece.chars().any(|c| c.is_ascii_digit());
        let only_digits = piece.chars().all(|c| c.is_ascii_digit());
        if by_enumeration_comma && (!has_digit || only_digits) {
            carried.push_str(&piece);
            carried.push('、');
            continue;
        }
        carried.push_str(&piece);
        clauses.push(std::mem::take(&mut carried));
    }
    if !carried.is_empty() {
        clauses.push(carried.trim_end_matches('、').to_string());
    }
    clauses.retain(|c| !c.is_empty());
    clauses
}

/// Words that say an incident must not happen…
const NONE_OF: [&str; 8] = [
    "不发生",
    "未发生",
    "不出现",
    "杜绝",
    "避免",
    "严防",
    "无",
    "零",
];
/// …and the incidents they are about.
const INCIDENTS: [&str; 7] = ["事故", "事件", "案件", "伤亡", "死亡", "火灾", "险情"];

fn forbids_incidents(clause: &str) -> bool {
    NONE_OF.iter().any(|w| clause.contains(w)) && INCIDENTS.iter().any(|w| clause.contains(w))
}

/// Words a clause may end with after its unit ("20个以上").
const TRAILING_BOUNDS: [&str; 6] = ["及以上", "以上", "以内", "以下", "左右", "内"];

/// What stands where a clause's number should be: letters, a question mark
/// or Chinese numerals right before the measure unit the clause ends with
/// ("abc亿元" → "abc", "签约项目XX个以上" → "XX", "二十五亿元" → "二十五").
/// Only at the end: "建成B栋厂房", "打造一个平台" are deliverables.
fn placeholder_figure(text: &str) -> Option<String> {
    let mut body = text;
    for word in TRAILING_BOUNDS {
        if let Some(stripped) = body.strip_suffix(word) {
            body = stripped;
            break;
        }
    }
    let unit = UNITS
        .iter()
        .chain(["%", "‰"].iter())
        .filter(|u| body.ends_with(*u))
        .max_by_key(|u| u.len())?;
    let before = &body[..body.len() - unit.len()];
    let stand_in = |c: char| {
        c.is_ascii_alphabetic()
            || "ＸｘＹｙ×*＊?？".contains(c)
            || "零〇一二两三四五六七八九十百千万亿".contains(c)
    };
    let run: Vec<char> = before.chars().rev().take_while(|&c| stand_in(c)).collect();
    (!run.is_empty()).then(|| run.into_iter().rev().collect())
}

/// One clause read; `None` when it holds no target (words only).
fn read_clause(clause: &str) -> Result<Option<TargetReading>, WordingError> {
    let text = without_dates(clause);
    if let Some(place) = rank_place(&text) {
        return Ok(Some(TargetReading {
            kind: WordedKind::Rank,
            value: Some(place),
            measure_unit: None,
            bound: Bound::AtMost,
            direction: None,
            qualifier: None,
        }));
    }
    let number = find_number(&text)?;
    if forbids_incidents(&text) {
        // "不发生较大及以上安全生产事故", "零事故": none at all, unless a count
        // of 起 is allowed ("无重大事故，一般事故不超过2起" reads per clause).
        let counted = number.as_ref().filter(|n| text[n.end..].starts_with('起'));
        return Ok(Some(TargetReading {
            kind: WordedKind::Veto,
            value: Some(counted.map_or(0.0, |n| n.value)),
            measure_unit: counted.map(|_| "起".to_string()),
            bound: Bound::AtMost,
            direction: None,
            qualifier: None,
        }));
    }
    let Some(number) = number else {
        // "abc亿元", "XX个以上": a number's place held by something else.
        return match placeholder_figure(&text) {
            Some(what) => Err(unreadable(
                format!("目标值“{clause}”中的“{what}”不是数字；请写阿拉伯数字，如 25亿元"),
                format!(
                    "in the target {clause:?}, {what:?} is not a number; write digits, as in 25亿元"
                ),
            )),
            None => Ok(None),
        };
    };
    let rest = &text[number.end..];
    let unit = read_unit(rest);
    let after_unit = &rest[unit.len..];
    let bound = suffix_bound(after_unit)
        .or(unit.glued_bound)
        .or_else(|| prefix_bound(&text[..number.start]))
        .unwrap_or(Bound::Exact);
    let measure_unit = unit.text;
    let kind = match measure_unit.as_deref() {
        Some("%" | "‰" | "个百分点") => WordedKind::Rate,
        // "0起", "不超过2起": incidents held under a limit.
        Some("起") if bound == Bound::AtMost || number.value == 0.0 => WordedKind::Veto,
        _ => WordedKind::Cumulative,
    };
    let bound = if kind == WordedKind::Veto {
        Bound::AtMost
    } else {
        bound
    };
    Ok(Some(TargetReading {
        kind,
        value: Some(number.value),
        measure_unit,
        bound,
        direction: (kind == WordedKind::Rate && bound == Bound::AtMost)
            .then_some(Direction::Decrease),
        qualifier: None,
    }))
}

/// Time limits written as a span: "12个月内", "30天内", "15个工作日内".
const SPANS: [&str; 6] = ["个工作日内", "个月内", "工作日内", "天内", "周内", "年内"];

/// The clause with its dates taken out, so that "2025年10月底前", "5号楼"
/// or "12个月内" never reads as a target number: a four-digit year with 年
/// or as 2025-03(-31), a month (or a range "1-9月") with 月 and its day, a
/// day with 日 or 号, a span of time with 内.
fn without_dates(clause: &str) -> String {
    let chars: Vec<char> = clause.chars().collect();
    let digits_from = |i: usize| chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_ascii_digit() || chars[i - 1] == '.'));
        if !starts_number {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let n = digits_from(i);
        let next = chars.get(i + n).copied();
        let skip = match next {
            Some('年') if n == 4 => n + 1,
            Some('-' | '/') if n == 4 && digits_from(i + n + 1) > 0 => {
                let month = digits_from(i + n + 1);
                let mut len = n + 1 + month;
                if matches!(chars.get(i + len), Some('-' | '/')) && digits_from(i + len + 1) > 0 {
                    len += 1 + digits_from(i + len + 1);
                }
                len
            }
            Some('月') if n <= 2 => {
                let mut len = n + 1;
                let day = digits_from(i + len);
                if day > 0 && day <= 2 && matches!(chars.get(i + len + day), Some('日' | '号')) {
                    len += day + 1;
                }
                len
            }
            Some('-') if n <= 2 => {
                let to = digits_from(i + n + 1);
                if to > 0 && to <= 2 && chars.get(i + n + 1 + to) == Some(&'月') {
                    n + 1 + to + 1
                } else {
                    0
                }
            }
            Some('日' | '号') if n <= 2 => n + 1,
            _ => {
                let after: String = chars[i + n..].iter().take(5).collect();
                SPANS
                    .iter()
                    .find(|w| after.starts_with(*w))
                    .map_or(0, |w| n + w.chars().count())
            }
        };
        if skip == 0 {
            out.extend(&chars[i..i + n]);
            i += n;
        } else {
            i += skip;
        }
    }
    out
}

/// Words after which a place ends a clause: "进入全省十强行列".
const RANK_TAILS: [&str; 4] = ["以内", "之内", "行列", "方阵"];

/// The place a clause ranks at: "30强", "前20位", "前十", "第1名", "排名第一".
/// Only at the end of the clause: "引进世界500强企业2家" counts 企业.
fn rank_place(text: &str) -> Option<f64> {
    let mut t = text;
    for tail in RANK_TAILS {
        t = t.strip_suffix(tail).unwrap_or(t);
    }
    // "30强", "全国百强"
    if let Some(before) = t.strip_suffix('强') {
        return trailing_numeral(before).map(|(n, _)| n);
    }
    let before_word = t
        .strip_suffix('位')
        .or_else(|| t.strip_suffix('名'))
        .unwrap_or(t);
    let (n, before_number) = trailing_numeral(before_word)?;
    if before_number.ends_with('前') {
        return Some(n);
    }
    // "第1名", "排名第一": a place, not an ordinal label ("第三方").
    let named = before_word.len() < t.len()
        || ["排名", "位居", "全省", "全市", "全国", "保持"]
            .iter()
            .any(|w| before_number.contains(w));
    (before_number.ends_with('第') && named).then_some(n)
}

/// A whole number at the end of `s`, in digits or Chinese numerals ("20",
/// "二十", "百"), with the text before it; `None` for none or for 0.
fn trailing_numeral(s: &str) -> Option<(f64, &str)> {
    let start = s
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || chinese_digit(*c).is_some())
        .last()
        .map(|(i, _)| i)?;
    let numeral = &s[start..];
    let value = if numeral.chars().all(|c| c.is_ascii_digit()) {
        numeral.parse::<f64>().ok()?
    } else if numeral.chars().all(|c| chinese_digit(c).is_some()) {
        chinese_number(numeral)?
    } else {
        return None;
    };
    (value >= 1.0).then_some((value, &s[..start]))
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// "十" 10, "二十五" 25, "百" 100, "五百" 500, "一千二百" 1200.
fn chinese_number(s: &str) -> Option<f64> {
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        match chinese_digit(c)? {
            unit @ (10 | 100 | 1000) => {
                total += digit.take().unwrap_or(1) * unit;
            }
            d => {
                if digit.is_some() {
                    return None;
                }
                digit = Some(d);
            }
        }
    }
    Some(f64::from(total + digit.unwrap_or(0)))
}

#[cfg(test)]
mod tests;

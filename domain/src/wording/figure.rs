//! The figure in a clause of a 目标值: the number (not a name like "5G" or
//! "500强企业"), the measure unit after it ("亿元", "万元/亩", "%"), and the
//! words around it that say which side of it counts ("不低于", "以上").
use super::{Bound, WordingError, unreadable};

/// Whether `rest` starts with exactly three digits (a thousands group).
pub(super) fn thousands_group(rest: &[char]) -> bool {
    rest.len() >= 3
        && rest[..3].iter().all(char::is_ascii_digit)
        && !rest.get(3).is_some_and(char::is_ascii_digit)
}

/// A number in a clause: where it starts and ends (bytes) and its value.
pub(super) struct Number {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) value: f64,
}

/// The first number that is a figure: not a label like "5G", "3D" or "第2批".
pub(super) fn find_number(text: &str) -> Result<Option<Number>, WordingError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let previous = i.checked_sub(1).map(|p| chars[p].1);
        if !c.is_ascii_digit() || previous.is_some_and(|p| p.is_ascii_digit() || p == '.') {
            i += 1;
            continue;
        }
        // Digits, thousands groups ("1,200") and a decimal part.
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            let next_digit = chars.get(j + 1).is_some_and(|(_, n)| n.is_ascii_digit());
            let group = c == ','
                && thousands_group(&chars[j + 1..].iter().map(|(_, c)| *c).collect::<Vec<_>>());
            if c.is_ascii_digit() || (c == '.' && next_digit) || group {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |(b, _)| *b);
        // An exponent, as a spreadsheet shows a number too long for its
        // cell ("2.5E+3"): part of the number, never the start of its unit.
        let end = end + exponent_length(&text[end..]);
        // "第2批", "G60", "5G", "3D", "500强企业", "3、4号楼": a name, not a
        // figure.
        let label = previous.is_some_and(|p| p == '第' || p.is_ascii_alphabetic())
            || text[end..]
                .chars()
                .next()
                .is_some_and(|n| n.is_ascii_uppercase() || n == '强' || n == '、');
        if label {
            i = j.max(i + 1);
            continue;
        }
        let negative = previous == Some('-') && (i < 2 || !chars[i - 2].1.is_ascii_digit());
        let start = if negative { at - 1 } else { at };
        let digits: String = text[start..end].chars().filter(|c| *c != ',').collect();
        let value: f64 = digits.parse().map_err(|_| {
            unreadable(
                format!("读不出数字“{digits}”"),
                format!("{digits:?} is not a number"),
            )
        })?;
        if !value.is_finite() {
            return Err(unreadable(
                format!("数字“{digits}”太大，请核对"),
                format!("{digits:?} is too large to be a figure"),
            ));
        }
        return Ok(Some(Number { start, end, value }));
    }
    Ok(None)
}

/// The length of an exponent ("e300", "E+3", "e-2") at the start of `s`,
/// or 0.
fn exponent_length(s: &str) -> usize {
    let bytes = s.as_bytes();
    if !matches!(bytes.first(), Some(b'e' | b'E')) {
        return 0;
    }
    let sign = usize::from(matches!(bytes.get(1), Some(b'+' | b'-')));
    let digits = bytes[1 + sign..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 { 0 } else { 1 + sign + digits }
}

/// Measure units as offices write them, longest first where one starts
/// another ("万平方米" before "万", "个百分点" before "个").
pub(super) const UNITS: [&str; 79] = [
    "万千瓦时",
    "万吨标煤",
    "万平方米",
    "平方公里",
    "平方千米",
    "个百分点",
    "万人次",
    "千瓦时",
    "吨标煤",
    "亿美元",
    "万美元",
    "千万元",
    "百万元",
    "平方米",
    "立方米",
    "万平米",
    "万立方",
    "兆瓦",
    "万千瓦",
    "千瓦",
    "万吨",
    "万亩",
    "万人",
    "万度",
    "万方",
    "亿元",
    "万元",
    "千元",
    "美元",
    "公顷",
    "公里",
    "千米",
    "延米",
    "平米",
    "人次",
    "批次",
    "场次",
    "台套",
    "个月",
    "百分点",
    "小时",
    "%",
    "‰",
    "㎡",
    "元",
    "亿",
    "万",
    "亩",
    "米",
    "个",
    "家",
    "项",
    "户",
    "人",
    "名",
    "批",
    "次",
    "场",
    "套",
    "栋",
    "幢",
    "座",
    "台",
    "辆",
    "件",
    "篇",
    "条",
    "所",
    "处",
    "宗",
    "块",
    "份",
    "间",
    "张",
    "吨",
    "度",
    "方",
    "起",
    "例",
];

/// A unit read after a number.
pub(super) struct Unit {
    pub(super) text: Option<String>,
    /// Bytes of `rest` the unit (and a glued bound, "以上%") takes.
    pub(super) len: usize,
    /// A bound written between the number and a "%": "60以上%".
    pub(super) glued_bound: Option<Bound>,
}

/// The measure unit at the start of `rest`: a known one (with a "/亩"
/// after it, "万元/亩"), or two characters at most that are not a bound
/// ("e个", "标箱"); anything longer is the label going on.
pub(super) fn read_unit(rest: &str) -> Unit {
    // "60以上%": the bound sits between the number and its percent sign.
    for (word, bound) in SUFFIXES {
        if let Some(after) = rest.strip_prefix(word)
            && after.starts_with('%')
        {
            return Unit {
                text: Some("%".into()),
                len: word.len() + 1,
                glued_bound: Some(bound),
            };
        }
    }
    // "50余家", "30多个": more than the number.
    let (approx, rest_after) = match rest.strip_prefix('余').or_else(|| rest.strip_prefix('多')) {
        Some(after) => (Some(Bound::AtLeast), after),
        None => (None, rest),
    };
    let skipped = rest.len() - rest_after.len();
    let known = |s: &str| UNITS.iter().find(|u| s.starts_with(*u)).copied();
    if let Some(unit) = known(rest_after) {
        let mut len = unit.len();
        let mut text = unit.to_string();
        if let Some(per) = rest_after[len..].strip_prefix('/')
            && let Some(second) = known(per)
        {
            text = format!("{unit}/{second}");
            len += 1 + second.len();
        }
        let text = if text == "百分点" {
            "个百分点".to_string()
        } else {
            text
        };
        return Unit {
            text: Some(text),
            len: skipped + len,
            glued_bound: approx,
        };
    }
    let run: String = rest_after
        .chars()
        .take_while(|c| !c.is_ascii_digit() && !c.is_ascii_punctuation() && *c != '、')
        .collect();
    let run = SUFFIXES
        .iter()
        .filter_map(|(w, _)| run.find(w))
        .min()
        .map_or(run.as_str(), |at| &run[..at]);
    if !run.is_empty() && run.chars().count() <= 2 {
        return Unit {
            text: Some(run.to_string()),
            len: skipped + run.len(),
            glued_bound: approx,
        };
    }
    Unit {
        text: None,
        len: skipped,
        glued_bound: approx,
    }
}

/// Words after a number and its unit that say which side counts.
const SUFFIXES: [(&str, Bound); 4] = [
    ("以上", Bound::AtLeast),
    ("以下", Bound::AtMost),
    ("以内", Bound::AtMost),
    ("左右", Bound::Exact),
];

pub(super) fn suffix_bound(after_unit: &str) -> Option<Bound> {
    SUFFIXES
        .iter()
        .find(|(w, _)| after_unit.starts_with(w))
        .map(|(_, b)| *b)
}

/// Words before a number that say which side counts.
const AT_LEAST: [&str; 13] = [
    "≥",
    ">=",
    ">",
    "不低于",
    "不少于",
    "超过",
    "达到",
    "达",
    "力争",
    "突破",
    "高于",
    "大于",
    "多于",
];
const AT_MOST: [&str; 22] = [
    "≤",
    "<=",
    "<",
    "不高于",
    "不超过",
    "不多于",
    "控制在",
    "低于",
    "少于",
    "小于",
    "降至",
    "降到",
    "下降到",
    "下降至",
    "降低到",
    "降低至",
    "压减到",
    "压减至",
    "压降到",
    "压降至",
    "压缩到",
    "压缩至",
];

/// The bound word nearest before the number ("力争控制在65%以内": 控制在); at
/// the same place the longer word ("不超过", not "超过").
pub(super) fn prefix_bound(prefix: &str) -> Option<Bound> {
    let words = AT_LEAST
        .iter()
        .map(|w| (*w, Bound::AtLeast))
        .chain(AT_MOST.iter().map(|w| (*w, Bound::AtMost)));
    words
        .filter_map(|(w, b)| prefix.rfind(w).map(|at| (at + w.len(), w.len(), b)))
        .max_by_key(|(end, len, _)| (*end, *len))
        .map(|(_, _, b)| b)
}

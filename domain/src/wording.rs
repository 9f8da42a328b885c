//! Reading the wording of a 目标任务分解表: targets like "20个以上",
//! "≥25亿元", "≤65%" and deadlines like "2025年10月底", "10月31日前", "年底前",
//! "2025-03". Pure functions for the spreadsheet importer; a deadline that
//! could mean two dates is reported as ambiguous, never guessed.
use std::fmt;

use chrono::NaiveDate;

use super::schedule::month_end;
use crate::message::Message;

/// Which side of the number counts as meeting the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// "20个以上", "≥25亿元", "不低于60%": reaching the number or more.
    AtLeast,
    /// "≤65%", "控制在65%以内", "不超过": staying at or under it.
    AtMost,
    /// A bare number: "5万平方米", "1200亩".
    Exact,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedTarget {
    pub value: f64,
    /// The measure unit as written: 个, 亿元, 万平方米, 亩, %.
    pub measure_unit: Option<String>,
    pub bound: Bound,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordingError {
    /// Nothing in the text reads as this kind of value.
    Unreadable(Message),
    /// The text could mean more than one date; the clerk must say which.
    Ambiguous(Message),
}

impl WordingError {
    /// What the clerk is told, in both languages.
    pub fn message(&self) -> &Message {
        match self {
            WordingError::Unreadable(m) | WordingError::Ambiguous(m) => m,
        }
    }
}

/// The Chinese message, as the office reads it.
impl fmt::Display for WordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for WordingError {}

fn unreadable(zh: impl Into<String>, en: impl Into<String>) -> WordingError {
    WordingError::Unreadable(Message::new(zh, en))
}

/// Full-width digits and punctuation, as Chinese spreadsheets often have
/// them, made half-width: "２０个" → "20个", "６５％" → "65%".
pub fn normalise(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '％' => '%',
            '：' => ':',
            '－' | '—' => '-',
            '＞' => '>',
            '＜' => '<',
            '＝' => '=',
            '，' => ',',
            '（' => '(',
            '）' => ')',
            '；' => ';',
            '　' => ' ',
            other => other,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

const AT_LEAST: [&str; 7] = ["≥", ">=", "不低于", "不少于", "超过", "达到", "力争"];
const AT_MOST: [&str; 5] = ["≤", "<=", "不高于", "不超过", "控制在"];

/// Reads a target: "20个以上" → 20 个 at least; "≤65%" → 65 % at most.
pub fn parse_target(text: &str) -> Result<ParsedTarget, WordingError> {
    let original = text.trim().to_string();
    let mut s = normalise(text);
    let mut bound = Bound::Exact;
    for prefix in AT_LEAST {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
            bound = Bound::AtLeast;
            break;
        }
    }
    for prefix in AT_MOST {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
            bound = Bound::AtMost;
            break;
        }
    }
    for (suffix, b) in [
        ("以上", Bound::AtLeast),
        ("以下", Bound::AtMost),
        ("以内", Bound::AtMost),
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            bound = b;
        }
    }
    let number_len = s
        .char_indices()
        .take_while(|(i, c)| c.is_ascii_digit() || (*c == '.' && *i > 0) || (*c == ',' && *i > 0))
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    // An exponent, as a spreadsheet shows a number too long for its cell
    // ("2.5E+3"): part of the number, never the start of its unit.
    let exponent_len = exponent_length(&s[number_len..]);
    let number_len = if number_len > 0 {
        number_len + exponent_len
    } else {
        0
    };
    let number: String = s[..number_len].chars().filter(|c| *c != ',').collect();
    let value: f64 = number.parse().map_err(|_| {
        unreadable(
            format!("“{original}”里没有可作为目标值的数字"),
            format!("{original:?} has no number to read as a target"),
        )
    })?;
    let unit = s[number_len..].trim().to_string();
    Ok(ParsedTarget {
        value,
        measure_unit: (!unit.is_empty()).then_some(unit),
        bound,
    })
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

fn date(year: i32, month: u32, day: u32, original: &str) -> Result<NaiveDate, WordingError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        unreadable(
            format!("“{original}”不是一个真实的日期"),
            format!("{original:?} is not a real date"),
        )
    })
}

fn not_a_date(original: &str) -> WordingError {
    unreadable(
        format!("“{original}”不是日期"),
        format!("{original:?} is not a date"),
    )
}

fn month_end_of(year: i32, month: u32, original: &str) -> Result<NaiveDate, WordingError> {
    Ok(month_end(date(year, month, 1, original)?))
}

/// Reads a deadline in a plan of `plan_year`. A month alone, or a month with
/// 底/末 ("10月底"), means its last day; "年底(前)" the year's. "10月之前" could
/// mean the end of September or of October, so it is reported as ambiguous.
pub fn parse_deadline(text: &str, plan_year: i32) -> Result<NaiveDate, WordingError> {
    let original = text.trim();
    let s = normalise(text);
    if s.is_empty() {
        return Err(unreadable("完成时限为空", "an empty deadline"));
    }
    if matches!(s.as_str(), "年底" | "年底前" | "年末" | "年内" | "全年") {
        return date(plan_year, 12, 31, original);
    }
    if matches!(s.as_str(), "上半年" | "年中" | "6月底前") {
        return date(plan_year, 6, 30, original);
    }
    // ISO forms: 2025-03-15, 2025-03, 2025/3/15.
    let iso = s.replace(['/', '.'], "-");
    let parts: Vec<&str> = iso.split('-').collect();
    if parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let year: i32 = parts[0].parse().map_err(|_| not_a_date(original))?;
        let month: u32 = parts[1].parse().map_err(|_| not_a_date(original))?;
        return match parts.get(2) {
            Some(day) => date(year, month, day.parse().unwrap_or(0), original),
            None => month_end_of(year, month, original),
        };
    }
    // Chinese forms: [2025年]10月[31日|底|末|份][前|之前|以前].
    let (year, rest) = match s.split_once('年') {
        Some((y, rest)) if !y.is_empty() && y.bytes().all(|b| b.is_ascii_digit()) => (
            y.parse().map_err(|_| not_a_date(original))?,
            rest.to_string(),
        ),
        _ => (plan_year, s.clone()),
    };
    let Some((month_text, tail)) = rest.split_once('月') else {
        return Err(unreadable(
            format!("“{original}”不是日期、月份或“年底”"),
            format!("{original:?} is not a date, a month or 年底"),
        ));
    };
    let month: u32 = month_text.parse().map_err(|_| {
        unreadable(
            format!("“{original}”里读不出月份"),
            format!("{original:?} has no month to read"),
        )
    })?;
    let tail = tail.trim_end_matches("完成");
    let (day_text, after_day) = match tail.split_once(['日', '号']) {
        Some((d, after)) => (Some(d), after),
        None => (None, tail),
    };
    let before = ["前", "之前", "以前"]
        .iter()
        .any(|w| after_day == *w || after_day.ends_with(w));
    match day_text {
        Some(d) => {
            let day: u32 = d.parse().map_err(|_| {
                unreadable(
                    format!("“{original}”里读不出日"),
                    format!("{original:?} has no day to read"),
                )
            })?;
            date(year, month, day, original)
        }
        None => {
            let end_words = ["底", "末", "底前", "末前", "底之前", "末之前"];
            if tail.is_empty() || tail == "份" || end_words.contains(&tail) {
                month_end_of(year, month, original)
            } else if before {
                Err(WordingError::Ambiguous(Message::new(
                    format!(
                        "“{original}”可能指 {} 月底，也可能指 {month} 月底；请写明 {year}年{month}月底 或具体日期",
                        month.saturating_sub(1).max(1)
                    ),
                    format!(
                        "{original:?} could mean the end of month {} or of month {month}; write {year}年{month}月底 or the day",
                        month.saturating_sub(1).max(1)
                    ),
                )))
            } else {
                Err(unreadable(
                    format!("读不懂完成时限“{original}”"),
                    format!("{original:?} is not a date this importer reads"),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(value: f64, unit: Option<&str>, bound: Bound) -> ParsedTarget {
        ParsedTarget {
            value,
            measure_unit: unit.map(String::from),
            bound,
        }
    }

    #[test]
    fn targets_as_park_reports_word_them() {
        let rows = [
            ("20个以上", t(20.0, Some("个"), Bound::AtLeast)),
            ("≥25亿元", t(25.0, Some("亿元"), Bound::AtLeast)),
            ("5万平方米", t(5.0, Some("万平方米"), Bound::Exact)),
            ("1200亩", t(1200.0, Some("亩"), Bound::Exact)),
            ("≤65%", t(65.0, Some("%"), Bound::AtMost)),
            ("２０个", t(20.0, Some("个"), Bound::Exact)),
            ("６０％以上", t(60.0, Some("%"), Bound::AtLeast)),
            ("控制在65%以内", t(65.0, Some("%"), Bound::AtMost)),
            (
                "不低于 3000 万美元",
                t(3000.0, Some("万美元"), Bound::AtLeast),
            ),
            ("1,200亩", t(1200.0, Some("亩"), Bound::Exact)),
            ("0起", t(0.0, Some("起"), Bound::Exact)),
            ("19.6", t(19.6, None, Bound::Exact)),
            // A number a spreadsheet showed in scientific form is a number,
            // never a unit "e300个" (an outside probe's "1e300个" became 1).
            ("2.5E+3", t(2500.0, None, Bound::Exact)),
            ("1e300个", t(1e300, Some("个"), Bound::Exact)),
            ("3E-2亿元", t(0.03, Some("亿元"), Bound::Exact)),
            ("5e个", t(5.0, Some("e个"), Bound::Exact)),
        ];
        for (text, expected) in rows {
            assert_eq!(parse_target(text), Ok(expected), "{text}");
        }
        assert!(matches!(
            parse_target("圆满完成"),
            Err(WordingError::Unreadable(_))
        ));
        assert!(matches!(parse_target(""), Err(WordingError::Unreadable(_))));
    }

    #[test]
    fn deadlines_as_park_reports_word_them() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let rows = [
            ("2025年10月底", "2025-10-31"),
            ("10月31日前", "2025-10-31"),
            ("年底前", "2025-12-31"),
            ("2025-03", "2025-03-31"),
            ("2025-03-15", "2025-03-15"),
            ("2025/3/15", "2025-03-15"),
            ("２０２５年３月", "2025-03-31"),
            ("3月份", "2025-03-31"),
            ("2月底", "2025-02-28"),
            ("2025年12月31日", "2025-12-31"),
            ("上半年", "2025-06-30"),
            ("2025.10", "2025-10-31"),
            ("2025.3.15", "2025-03-15"),
        ];
        for (text, expected) in rows {
            assert_eq!(parse_deadline(text, 2025), Ok(d(expected)), "{text}");
        }
        // "by October" could be the end of September or of October: ask.
        for text in ["10月之前", "2025年3月份之前", "10月前"] {
            assert!(
                matches!(parse_deadline(text, 2025), Err(WordingError::Ambiguous(_))),
                "{text}"
            );
        }
        for text in ["尽快", "2025年13月", "2月30日", ""] {
            assert!(
                matches!(parse_deadline(text, 2025), Err(WordingError::Unreadable(_))),
                "{text}"
            );
        }
    }
}

//! Reading the words of a 目标任务分解表 as the target office means them:
//! targets ("签约项目20个以上", "同比增长10%以上", "稳固全省30强", "不发生较大及
//! 以上安全生产事故"), deadlines ("10月31日前", "一季度末", "春节前"), points
//! ("10分", "一票否决", a heading's "（30分）"), a unit's part written in words
//! ("签约项目5个", "3月底前完成方案编制；6月底前通过验收") and supporting units
//! named collectively ("各局办"). Pure functions for the spreadsheet
//! importer; what could mean two things (a deadline "10月前") is reported
//! as ambiguous, never guessed.
use std::fmt;

use crate::message::Message;

mod cells;
mod deadline;
mod figure;
mod points;
mod target;
mod units;

pub use cells::{AssignmentWords, read_assignment_cell, read_inline_milestones};
pub use deadline::{
    DeadlineReading, SPRING_FESTIVAL_YEARS, parse_deadline, read_deadline, same_deadline_in,
    spring_festival,
};
pub use points::{Points, read_points, split_heading_points};
pub use target::{TargetReading, WordedKind, read_target};
pub use units::{Collective, collective_units, outside_park};

/// Which side of the number counts as meeting the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// "20个以上", "≥25亿元", "不低于60%", "力争…": reaching the number or more.
    AtLeast,
    /// "≤65%", "控制在65%以内", "不超过2起", "前20位": staying at or under it.
    AtMost,
    /// A number with no word for a side: "5万平方米", "增长8%".
    Exact,
}

/// Why words do not read.
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

/// One character of [`normalise`]: full-width digits and punctuation made
/// half-width. Every character maps to exactly one, so a position in the
/// normalised text can be found again in the text as typed.
fn half_width(c: char) -> char {
    match c {
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
    }
}

/// The four-digit numbers standing on their own in a name or title (not
/// inside a longer number), with their byte offsets: the years a plan's
/// name or a 分解表's title gives ("洞庭产业开发区2025年目标任务" → [(21, 2025)]).
pub fn years_in(text: &str) -> Vec<(usize, i32)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3))
        .filter(|&i| bytes[i..i + 4].iter().all(u8::is_ascii_digit))
        .filter(|&i| i == 0 || !bytes[i - 1].is_ascii_digit())
        .filter(|&i| bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit()))
        .filter_map(|i| Some((i, text[i..i + 4].parse().ok()?)))
        .collect()
}

/// Full-width digits and punctuation, as Chinese spreadsheets often have
/// them, made half-width, and blanks removed: "２０个" → "20个", "６５％" →
/// "65%", "不低于 3000 万美元" → "不低于3000万美元".
pub fn normalise(text: &str) -> String {
    text.trim()
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The rest of `original` after the first `n` characters of its
/// [`normalise`]d form: the text as typed, so what follows a deadline
/// keeps its own spelling.
fn after_normalised(original: &str, n: usize) -> &str {
    let text = original.trim();
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen == n {
            return &text[i..];
        }
        if !half_width(c).is_whitespace() {
            seen += 1;
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_four_digits_standing_on_their_own() {
        assert_eq!(years_in("洞庭产业开发区2025年目标任务"), vec![(21, 2025)]);
        assert_eq!(
            years_in("2025年度目标任务（2025版）"),
            vec![(0, 2025), (25, 2025)]
        );
        assert_eq!(years_in("20251项任务"), vec![]);
        assert_eq!(years_in("12025年"), vec![]);
        assert_eq!(years_in("年度目标任务"), vec![]);
    }

    #[test]
    fn normalising_keeps_one_character_for_one() {
        assert_eq!(normalise(" ２０个 以上 "), "20个以上");
        assert_eq!(normalise("控制在６５％以内"), "控制在65%以内");
        assert_eq!(normalise("250亩（动态清零）"), "250亩(动态清零)");
        let typed = "３月底前　完成 Phase 2";
        assert_eq!(after_normalised(typed, 4), "\u{3000}完成 Phase 2");
        assert_eq!(after_normalised(typed, 5), "成 Phase 2");
        assert_eq!(after_normalised(typed, 0), typed);
        assert_eq!(after_normalised(typed, 100), "");
    }

    #[test]
    fn errors_read_in_both_languages() {
        let e = unreadable("完成时限为空", "an empty deadline");
        assert_eq!(e.to_string(), "完成时限为空");
        assert_eq!(e.message().en, "an empty deadline");
    }
}

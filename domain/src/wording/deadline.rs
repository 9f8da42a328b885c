//! A 完成时限 as offices write it: dates ("2025-10-31", "10月31日前"),
//! months ("10月底", "3月份"), parts of the year ("一季度末", "上半年",
//! "年底前"), holidays ("春节前", "国庆前") and work that never ends
//! ("持续推进", "常态化"), which is due at the plan's end and marked ongoing.
//! "10月前" could mean the end of September or of October: it is ambiguous,
//! never guessed.
use chrono::{Datelike, Duration, NaiveDate};

use super::{WordingError, normalise, unreadable};
use crate::message::Message;
use crate::schedule::month_end;

/// A deadline read from words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadlineReading {
    pub date: NaiveDate,
    /// Work with no end ("持续推进", "常态化", "全年"): due at the plan's
    /// year end, and still going on after it.
    pub ongoing: bool,
}

/// The first day of the Spring Festival (正月初一) of 2020 to 2040, as the
/// State Council's holiday calendar has it. Checked against the new moon
/// in Beijing time for each year (the festival is the day of the new moon
/// that begins the first lunar month): 2027's falls at 23:56 on 6 February,
/// so tables in other time zones say the 7th.
const SPRING_FESTIVALS: [(i32, u32, u32); 21] = [
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
    (2036, 1, 28),
    (2037, 2, 15),
    (2038, 2, 4),
    (2039, 1, 24),
    (2040, 2, 12),
];

/// The years whose Spring Festival the importer knows.
pub const SPRING_FESTIVAL_YEARS: std::ops::RangeInclusive<i32> = 2020..=2040;

/// The Spring Festival (正月初一) of `year`; `None` outside
/// [`SPRING_FESTIVAL_YEARS`].
pub fn spring_festival(year: i32) -> Option<NaiveDate> {
    SPRING_FESTIVALS
        .iter()
        .find(|(y, _, _)| *y == year)
        .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d))
}

/// The eve of `year`'s Spring Festival: the day "春节前" means.
fn spring_festival_eve(year: i32) -> Option<NaiveDate> {
    spring_festival(year).map(|day| day - Duration::days(1))
}

/// A deadline `years` years on, as a plan copied into another year means
/// it: the eve of its year's Spring Festival (春节前: 2025-01-28) is the eve
/// of the new year's (2026-02-16), as the festival moves with the lunar
/// calendar; every other date keeps its day and month
/// ([`dates::same_day_in`](crate::dates::same_day_in)), as do dates in years
/// the Spring Festival table does not cover. The stored date is all there
/// is: a deadline typed as that very day ("1月28日") moves as 春节前 does.
pub fn same_deadline_in(date: NaiveDate, years: i32) -> NaiveDate {
    let year = date.year() + years;
    match (spring_festival_eve(date.year()), spring_festival_eve(year)) {
        (Some(eve), Some(new_eve)) if eve == date => new_eve,
        _ => crate::dates::same_day_in(date, years),
    }
}

/// Words for work that goes on all year and beyond.
const ONGOING: [&str; 5] = ["持续", "常态化", "长期", "长效", "全年"];

/// Reads a deadline in a plan of `plan_year`: "2025年10月底", "10月31日前",
/// "年底前", "一季度末", "春节前", "持续推进". A month alone or with 底/末
/// means its last day; "…前" of a named day means the day before it.
pub fn read_deadline(text: &str, plan_year: i32) -> Result<DeadlineReading, WordingError> {
    let original = text.trim();
    let s = normalise(text);
    if s.is_empty() {
        return Err(unreadable("完成时限为空", "an empty deadline"));
    }
    if ONGOING.iter().any(|w| s.starts_with(w)) {
        return Ok(DeadlineReading {
            date: date(plan_year, 12, 31, original)?,
            ongoing: true,
        });
    }
    // "10月底完成", "6月30日止": the deadline itself.
    let s = s
        .strip_suffix("完成")
        .or_else(|| s.strip_suffix('止'))
        .unwrap_or(&s);
    match leading_deadline(s, plan_year, original) {
        Some((Ok(date), len)) if len == s.len() => Ok(DeadlineReading {
            date,
            ongoing: false,
        }),
        Some((Err(e), _)) => Err(e),
        _ => Err(unreadable(
            format!(
                "读不懂完成时限“{original}”，请写成 2025年10月底、10月31日前、一季度末、年底前 或 2025-10-31"
            ),
            format!("{original:?} is not a date this importer reads"),
        )),
    }
}

/// Reads a deadline in a plan of `plan_year` as a date (for callers that
/// do not need to know whether it is ongoing).
pub fn parse_deadline(text: &str, plan_year: i32) -> Result<NaiveDate, WordingError> {
    read_deadline(text, plan_year).map(|r| r.date)
}

fn date(year: i32, month: u32, day: u32, original: &str) -> Result<NaiveDate, WordingError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        unreadable(
            format!("“{original}”不是一个真实的日期"),
            format!("{original:?} is not a real date"),
        )
    })
}

fn month_end_of(year: i32, month: u32, original: &str) -> Result<NaiveDate, WordingError> {
    Ok(month_end(date(year, month, 1, original)?))
}

/// The length in bytes of a "前", "之前" or "以前" at the start of `s`; 0
/// when there is none.
fn before_word(s: &str) -> usize {
    ["之前", "以前", "前"]
        .iter()
        .find(|w| s.starts_with(*w))
        .map_or(0, |w| w.len())
}

/// Digits at the start of `s`: (value, length), at most `max` of them.
fn digits(s: &str, max: usize) -> Option<(u32, usize)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, n))
}

/// The deadline at the start of the normalised text `s`, with how many
/// bytes of `s` it takes; `None` when `s` does not start with one. The
/// result is an error for a date that does not exist or could mean two.
/// `original` names the text in messages.
pub(super) fn leading_deadline(
    s: &str,
    plan_year: i32,
    original: &str,
) -> Option<(Result<NaiveDate, WordingError>, usize)> {
    // ISO forms: 2025-03-15, 2025-03, 2025/3/15, 2025.3.15, 2025.10.
    if let Some(found) = iso(s, original) {
        return Some(found);
    }
    // An explicit year: "2025年…"; "2025年底" is that year's end.
    let (year, after_year) = match digits(s, 4) {
        Some((y, 4)) if s[4..].starts_with('年') => (y as i32, 4 + '年'.len_utf8()),
        _ => (plan_year, 0),
    };
    let rest = &s[after_year..];
    let with_before = |result: Result<NaiveDate, WordingError>, len: usize| {
        let len = after_year + len;
        Some((result, len + before_word(&s[len..])))
    };
    let year_words: &[&str] = if after_year > 0 {
        &["年底", "年末", "年内", "底", "末", "内"]
    } else {
        &["年底", "年末", "年内"]
    };
    if let Some(w) = year_words.iter().find(|w| rest.starts_with(*w)) {
        return with_before(date(year, 12, 31, original), w.len());
    }
    let named: [(&str, u32, u32); 4] = [
        ("上半年", 6, 30),
        ("年中", 6, 30),
        ("下半年", 12, 31),
        ("中", 6, 30),
    ];
    if let Some((w, m, d)) = named
        .iter()
        .find(|(w, _, _)| rest.starts_with(*w) && (after_year > 0 || *w != "中"))
    {
        return with_before(date(year, *m, *d, original), w.len());
    }
    if let Some((quarter, len)) = quarter(rest) {
        return with_before(month_end_of(year, quarter * 3, original), len);
    }
    if let Some(found) = holiday(rest, year, after_year > 0, original) {
        let (result, len) = found;
        return Some((result, after_year + len));
    }
    month_form(rest, year, original).map(|(r, len)| (r, after_year + len))
}

/// "2025-03-15", "2025-03", "2025/3/15", "2025.3.15", "2025.10", with a
/// "前" after it.
fn iso(s: &str, original: &str) -> Option<(Result<NaiveDate, WordingError>, usize)> {
    let (year, mut len) = digits(s, 4).filter(|(_, n)| *n == 4)?;
    let separator = s[len..]
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (month, n) = digits(&s[len + 1..], 2)?;
    len += 1 + n;
    let day = match s[len..].strip_prefix(separator).and_then(|r| digits(r, 2)) {
        Some((day, n)) => {
            len += 1 + n;
            Some(day)
        }
        None => None,
    };
    let result = match day {
        Some(day) => date(year as i32, month, day, original),
        None => month_end_of(year as i32, month, original),
    };
    Some((result, len + before_word(&s[len..])))
}

/// "一季度", "第二季度", "三季度末", "4季度底": the quarter and the length.
fn quarter(s: &str) -> Option<(u32, usize)> {
    let rest = s.strip_prefix('第').unwrap_or(s);
    let mut chars = rest.chars();
    let q = match chars.next()? {
        '一' | '1' => 1,
        '二' | '2' => 2,
        '三' | '3' => 3,
        '四' | '4' => 4,
        _ => return None,
    };
    let after = chars.as_str().strip_prefix("季度")?;
    let end = ["末", "底"]
        .iter()
        .find(|w| after.starts_with(*w))
        .map_or(0, |w| w.len());
    Some((q, s.len() - after.len() + end))
}

/// "春节前", "元旦前", "五一前", "国庆(节)前": the day before the holiday.
/// The before-word is required: "国庆" alone could be the holiday week.
fn holiday(
    s: &str,
    year: i32,
    explicit_year: bool,
    original: &str,
) -> Option<(Result<NaiveDate, WordingError>, usize)> {
    let names = ["春节", "元旦", "五一", "国庆"];
    let name = names.iter().find(|n| s.starts_with(*n))?;
    let mut len = name.len();
    if s[len..].starts_with('节') {
        len += '节'.len_utf8();
    }
    let before = before_word(&s[len..]);
    if before == 0 {
        return None;
    }
    let result = match *name {
        "春节" => match spring_festival_eve(year) {
            Some(eve) => Ok(eve),
            None => Err(WordingError::Unreadable(Message::new(
                format!(
                    "“{original}”：春节日期表只有 {} 至 {} 年，{year} 年的春节请写具体日期",
                    SPRING_FESTIVAL_YEARS.start(),
                    SPRING_FESTIVAL_YEARS.end()
                ),
                format!(
                    "{original:?}: the Spring Festival table covers {} to {}; write the date for {year}",
                    SPRING_FESTIVAL_YEARS.start(),
                    SPRING_FESTIVAL_YEARS.end()
                ),
            ))),
        },
        // The 元旦 that closes the plan's year; "2026年元旦前" is the eve
        // of 1 January 2026.
        "元旦" if explicit_year => date(year - 1, 12, 31, original),
        "元旦" => date(year, 12, 31, original),
        "五一" => date(year, 4, 30, original),
        _ => date(year, 9, 30, original),
    };
    Some((result, len + before))
}

/// "10月", "10月31日", "10月31号前", "10月底(前)", "3月份", "10月中旬";
/// "10月前" and "3月份之前" are ambiguous (the end of that month or of the
/// one before?).
fn month_form(
    s: &str,
    year: i32,
    original: &str,
) -> Option<(Result<NaiveDate, WordingError>, usize)> {
    let (month, n) = digits(s, 2)?;
    let rest = s[n..].strip_prefix('月')?;
    let len = n + '月'.len_utf8();
    if let Some((day, d)) = digits(rest, 2)
        && let Some(after) = rest[d..].strip_prefix(['日', '号'])
    {
        let len = len + d + '日'.len_utf8();
        return Some((date(year, month, day, original), len + before_word(after)));
    }
    let ends: [(&str, Option<u32>); 6] = [
        ("底", None),
        ("末", None),
        ("中下旬", None),
        ("下旬", None),
        ("上旬", Some(10)),
        ("中旬", Some(20)),
    ];
    if let Some((w, day)) = ends.iter().find(|(w, _)| rest.starts_with(*w)) {
        let result = match day {
            Some(day) => date(year, month, *day, original),
            None => month_end_of(year, month, original),
        };
        let len = len + w.len();
        return Some((result, len + before_word(&s[len..])));
    }
    let (len, rest) = match rest.strip_prefix('份') {
        Some(after) => (len + '份'.len_utf8(), after),
        None => (len, rest),
    };
    let before = before_word(rest);
    if before > 0 {
        let earlier = month.saturating_sub(1).max(1);
        let ambiguous = WordingError::Ambiguous(Message::new(
            format!(
                "“{original}”可能指 {earlier} 月底，也可能指 {month} 月底；请写明 {year}年{month}月底 或具体日期"
            ),
            format!(
                "{original:?} could mean the end of month {earlier} or of month {month}; write {year}年{month}月底 or the day"
            ),
        ));
        return Some((Err(ambiguous), len + before));
    }
    Some((month_end_of(year, month, original), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_as_park_reports_word_them() {
        let rows = [
            ("2025年10月底", "2025-10-31"),
            ("10月31日前", "2025-10-31"),
            ("10月31号", "2025-10-31"),
            ("6月30日止", "2025-06-30"),
            ("年底前", "2025-12-31"),
            ("年底之前", "2025-12-31"),
            ("年末", "2025-12-31"),
            ("年内", "2025-12-31"),
            ("2026年底", "2026-12-31"),
            ("2025-03", "2025-03-31"),
            ("2025-03-15", "2025-03-15"),
            ("2025/3/15", "2025-03-15"),
            ("２０２５年３月", "2025-03-31"),
            ("3月份", "2025-03-31"),
            ("2月底", "2025-02-28"),
            ("6月底前", "2025-06-30"),
            ("10月底完成", "2025-10-31"),
            ("2025年12月31日", "2025-12-31"),
            ("2025.10", "2025-10-31"),
            ("2025.3.15", "2025-03-15"),
            ("11月上旬", "2025-11-10"),
            ("11月中旬", "2025-11-20"),
            ("11月中下旬", "2025-11-30"),
            // Parts of the year.
            ("上半年", "2025-06-30"),
            ("年中", "2025-06-30"),
            ("下半年", "2025-12-31"),
            ("一季度末", "2025-03-31"),
            ("第一季度", "2025-03-31"),
            ("一季度", "2025-03-31"),
            ("二季度末", "2025-06-30"),
            ("第三季度末前", "2025-09-30"),
            ("三季度末", "2025-09-30"),
            ("四季度末", "2025-12-31"),
            ("4季度底", "2025-12-31"),
            ("2026年一季度末", "2026-03-31"),
            // Holidays: the day before.
            ("春节前", "2025-01-28"),
            ("春节之前", "2025-01-28"),
            ("元旦前", "2025-12-31"),
            ("2026年元旦前", "2025-12-31"),
            ("五一前", "2025-04-30"),
            ("国庆前", "2025-09-30"),
            ("国庆节前", "2025-09-30"),
        ];
        for (text, expected) in rows {
            assert_eq!(
                read_deadline(text, 2025),
                Ok(DeadlineReading {
                    date: d(expected),
                    ongoing: false
                }),
                "{text}"
            );
            assert_eq!(parse_deadline(text, 2025), Ok(d(expected)), "{text}");
        }
    }

    #[test]
    fn a_copied_deadline_on_the_spring_festival_eve_is_the_new_years_eve() {
        let rows = [
            // 春节前 of 2025 (the festival is on 29 January).
            ("2025-01-28", 1, "2026-02-16"),
            ("2025-01-28", 2, "2027-02-05"),
            ("2026-02-16", -1, "2025-01-28"),
            ("2025-01-28", 0, "2025-01-28"),
            ("2039-01-23", 1, "2040-02-11"),
            // Any other day keeps its date, the festival's own day included.
            ("2025-01-27", 1, "2026-01-27"),
            ("2025-01-29", 1, "2026-01-29"),
            ("2025-10-31", 1, "2026-10-31"),
            ("2024-02-29", 1, "2025-02-28"),
            // 2026's eve is 16 February; last year's date is no eve now.
            ("2026-01-28", -1, "2025-01-28"),
            // Beyond the table the date keeps its day.
            ("2040-02-11", 1, "2041-02-11"),
            ("2020-01-24", -1, "2019-01-24"),
        ];
        for (date, years, expected) in rows {
            assert_eq!(
                same_deadline_in(d(date), years),
                d(expected),
                "{date} {years:+}"
            );
        }
        // The eve is what 春节前 reads in each year.
        for year in SPRING_FESTIVAL_YEARS {
            let eve = parse_deadline("春节前", year).unwrap();
            assert_eq!(
                same_deadline_in(eve, 1),
                parse_deadline("春节前", year + 1)
                    .unwrap_or_else(|_| crate::dates::same_day_in(eve, 1)),
                "{year}"
            );
        }
    }

    #[test]
    fn work_without_an_end_is_due_at_the_year_end_and_ongoing() {
        for text in [
            "持续推进",
            "常态化",
            "常态化开展",
            "长期坚持",
            "全年",
            "持续",
        ] {
            assert_eq!(
                read_deadline(text, 2025),
                Ok(DeadlineReading {
                    date: d("2025-12-31"),
                    ongoing: true
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn the_eve_of_each_spring_festival() {
        // (plan year, 春节前)
        let rows = [
            (2020, "2020-01-24"),
            (2023, "2023-01-21"),
            (2024, "2024-02-09"),
            (2025, "2025-01-28"),
            (2026, "2026-02-16"),
            (2027, "2027-02-05"),
            (2028, "2028-01-25"),
            (2030, "2030-02-02"),
            (2034, "2034-02-18"),
            (2040, "2040-02-11"),
        ];
        for (year, eve) in rows {
            assert_eq!(parse_deadline("春节前", year), Ok(d(eve)), "{year}");
        }
        assert_eq!(spring_festival(2024), Some(d("2024-02-10")));
        assert_eq!(spring_festival(2025), Some(d("2025-01-29")));
        assert_eq!(spring_festival(2026), Some(d("2026-02-17")));
        // Every festival of the table falls between 21 January and 20 February.
        for year in SPRING_FESTIVAL_YEARS {
            let day = spring_festival(year).unwrap();
            assert!(d(&format!("{year}-01-21")) <= day && day <= d(&format!("{year}-02-20")));
        }
        for year in [2019, 2041] {
            let err = parse_deadline("春节前", year).unwrap_err();
            assert!(matches!(err, WordingError::Unreadable(_)));
            assert_eq!(
                err.message().zh,
                format!("“春节前”：春节日期表只有 2020 至 2040 年，{year} 年的春节请写具体日期")
            );
            assert!(err.message().en.contains("covers 2020 to 2040"));
        }
    }

    #[test]
    fn by_a_month_could_mean_two_ends() {
        // "by October" could be the end of September or of October: ask.
        for text in ["10月之前", "2025年3月份之前", "10月前", "10月以前"] {
            let err = parse_deadline(text, 2025).unwrap_err();
            assert!(matches!(err, WordingError::Ambiguous(_)), "{text}");
        }
        let err = parse_deadline("10月前", 2025).unwrap_err();
        assert_eq!(
            err.message().zh,
            "“10月前”可能指 9 月底，也可能指 10 月底；请写明 2025年10月底 或具体日期"
        );
        assert_eq!(
            err.message().en,
            "\"10月前\" could mean the end of month 9 or of month 10; write 2025年10月底 or the day"
        );
    }

    #[test]
    fn words_that_are_no_deadline() {
        for text in [
            "尽快",
            "2025年13月",
            "2月30日",
            "",
            "国庆",
            "10月31日前后",
            "五季度",
        ] {
            assert!(
                matches!(parse_deadline(text, 2025), Err(WordingError::Unreadable(_))),
                "{text}"
            );
        }
        assert_eq!(
            parse_deadline("", 2025).unwrap_err().message().zh,
            "完成时限为空"
        );
        assert_eq!(
            parse_deadline("2月30日", 2025).unwrap_err().to_string(),
            "“2月30日”不是一个真实的日期"
        );
    }

    #[test]
    fn a_deadline_at_the_start_of_a_longer_text() {
        let rows = [
            ("3月底前完成方案编制", "2025-03-31", "3月底前".len()),
            ("6月30日前通过验收", "2025-06-30", "6月30日前".len()),
            ("年底前投产", "2025-12-31", "年底前".len()),
            ("春节前交付", "2025-01-28", "春节前".len()),
            ("2025-10-31前完成主体", "2025-10-31", "2025-10-31前".len()),
        ];
        for (text, expected, len) in rows {
            let (result, taken) = leading_deadline(text, 2025, text).unwrap();
            assert_eq!((result, taken), (Ok(d(expected)), len), "{text}");
        }
        assert!(leading_deadline("完成方案编制", 2025, "完成方案编制").is_none());
        assert!(leading_deadline("第三方评估", 2025, "第三方评估").is_none());
    }
}

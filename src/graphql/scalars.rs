use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

use crate::error::ErrorCode;

/// A calendar date, "YYYY-MM-DD".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// Strict ISO dates only: "2025-10-31", not "2025-10-1" or "2025/10/31",
/// so a clerk's typo is refused instead of silently read as another day.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    read_date(s).ok()
}

/// Why a date string is not a date.
#[derive(Debug, PartialEq, Eq)]
enum NotADate {
    /// Not YYYY-MM-DD: "2025/10/31", "2025-10-1".
    Shape,
    /// Written right, but the calendar has no such day: "2025-02-30";
    /// with the month's length when the month exists.
    NoSuchDay { days_in_month: Option<u32> },
}

fn read_date(s: &str) -> Result<NaiveDate, NotADate> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(NotADate::Shape);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        let year: i32 = s[..4].parse().unwrap_or(0);
        let month: u32 = s[5..7].parse().unwrap_or(0);
        let days_in_month = NaiveDate::from_ymd_opt(year, month, 1).and_then(|first| {
            let next = first.checked_add_months(chrono::Months::new(1))?;
            u32::try_from((next - first).num_days()).ok()
        });
        NotADate::NoSuchDay { days_in_month }
    })
}

/// The extension a scalar's parse error carries its Chinese sentence in:
/// a scalar cannot see the request, so it gives both languages, and
/// `errors::finish` keeps the one the caller reads and removes this.
pub const CHINESE: &str = "messageZh";

/// Every error parsing a `Date` carries its code (`INVALID_DATE`) with it,
/// through the input objects and lists that hold the date, so
/// `errors::finish` need not read async-graphql's message; and the
/// sentence a clerk reads ([`CHINESE`]), which `finish` puts before
/// async-graphql's English (which names the field).
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let (refused, zh) = match &value {
            Value::String(s) => match read_date(s) {
                Ok(date) => return Ok(Date(date)),
                Err(NotADate::Shape) => (
                    InputValueError::custom(format!("{s:?} is not a date in YYYY-MM-DD form")),
                    format!("日期“{s}”的格式不对，请按 YYYY-MM-DD 填写（如 2025-10-31）"),
                ),
                Err(NotADate::NoSuchDay {
                    days_in_month: Some(days),
                }) => (
                    InputValueError::custom(format!(
                        "there is no day {s} ({} {} has {days} days)",
                        s[5..7]
                            .parse::<usize>()
                            .ok()
                            .and_then(|m| MONTHS_EN.get(m.wrapping_sub(1)))
                            .unwrap_or(&""),
                        &s[..4]
                    )),
                    format!(
                        "没有 {s} 这一天（{}年{}月只有{days}天）",
                        &s[..4],
                        s[5..7].trim_start_matches('0')
                    ),
                ),
                Err(NotADate::NoSuchDay {
                    days_in_month: None,
                }) => (
                    InputValueError::custom(format!(
                        "there is no day {s}: months run from 01 to 12"
                    )),
                    format!("没有 {s} 这一天：月份须在 01 到 12 之间"),
                ),
            },
            _ => (
                InputValueError::expected_type(value),
                "日期须按 YYYY-MM-DD 写成文字（如 \"2025-10-31\"）".to_string(),
            ),
        };
        Err(refused
            .with_extension("code", ErrorCode::InvalidDate.as_str())
            .with_extension(CHINESE, zh))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_the_calendar_lacks_is_told_apart_from_a_bad_shape() {
        assert_eq!(read_date("2025/02/30"), Err(NotADate::Shape));
        assert_eq!(
            read_date("2025-02-30"),
            Err(NotADate::NoSuchDay {
                days_in_month: Some(28)
            })
        );
        assert_eq!(
            read_date("2024-02-30"),
            Err(NotADate::NoSuchDay {
                days_in_month: Some(29)
            })
        );
        assert_eq!(
            read_date("2025-13-01"),
            Err(NotADate::NoSuchDay {
                days_in_month: None
            })
        );
    }

    #[test]
    fn only_real_iso_dates_parse() {
        assert_eq!(
            parse_date("2025-10-31"),
            NaiveDate::from_ymd_opt(2025, 10, 31)
        );
        for bad in [
            "2025-10-1",
            "2025/10/31",
            "2025-02-30",
            "20251031",
            "2025-1O-31",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}

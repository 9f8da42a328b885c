use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

use crate::error::ErrorCode;

/// A calendar date, "YYYY-MM-DD".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// Strict ISO dates only: "2025-10-31", not "2025-10-1" or "2025/10/31",
/// so a clerk's typo is refused instead of silently read as another day.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
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
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let (refused, zh) = match &value {
            Value::String(s) => match parse_date(s) {
                Some(date) => return Ok(Date(date)),
                None => (
                    InputValueError::custom(format!("{s:?} is not a date in YYYY-MM-DD form")),
                    format!("日期“{s}”的格式不对，请按 YYYY-MM-DD 填写（如 2025-10-31）"),
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

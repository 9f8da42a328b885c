use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// The time zone of a plan unless it says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// 1 January and 31 December of `year`; `None` outside chrono's range.
pub fn calendar_year(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The calendar date at instant `now` in the plan's zone. Progress defaults
/// to this date: a report office in Shanghai at 07:00 on 1 November reads
/// the figures of 1 November, even though it is still 31 October in UTC.
pub fn today_in(zone: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&zone).date_naive()
}

/// Whether `date` lies in the plan's year (the plan period).
/// Today in the time zone a plan names (stored names were checked when
/// set; an unknown one falls back to the default zone).
pub fn today_in_named(zone: &str, now: DateTime<Utc>) -> NaiveDate {
    let zone = parse_time_zone(zone)
        .or_else(|| parse_time_zone(DEFAULT_TIME_ZONE))
        .unwrap_or(chrono_tz::Asia::Shanghai);
    today_in(zone, now)
}

pub fn within(date: NaiveDate, start: NaiveDate, end: NaiveDate) -> bool {
    start <= date && date <= end
}

/// The year a date belongs to; used when a plan's year is derived.
pub fn year_of(date: NaiveDate) -> i32 {
    date.year()
}

/// The same day `years` years on (or back); 29 February becomes 28
/// February in a year without one. A deadline written in words moves by
/// `wording::same_deadline_in`, which knows the days that move.
pub fn same_day_in(date: NaiveDate, years: i32) -> NaiveDate {
    let year = date.year() + years;
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_follows_the_plan_time_zone() {
        let now = Utc.with_ymd_and_hms(2025, 10, 31, 23, 30, 0).unwrap();
        let shanghai = parse_time_zone(DEFAULT_TIME_ZONE).unwrap();
        assert_eq!(
            today_in(shanghai, now),
            NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()
        );
        assert_eq!(
            today_in(chrono_tz::UTC, now),
            NaiveDate::from_ymd_opt(2025, 10, 31).unwrap()
        );
        assert!(parse_time_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn calendar_year_bounds() {
        let (start, end) = calendar_year(2025).unwrap();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("2025-01-01".into(), "2025-12-31".into())
        );
        assert!(within(start, start, end) && within(end, start, end));
        assert!(!within(end.succ_opt().unwrap(), start, end));
        assert_eq!(year_of(end), 2025);
    }

    #[test]
    fn a_day_moves_by_whole_years_and_29_february_becomes_the_28th() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(same_day_in(d("2025-10-31"), 1), d("2026-10-31"));
        assert_eq!(same_day_in(d("2024-02-29"), 1), d("2025-02-28"));
        assert_eq!(same_day_in(d("2024-02-29"), 4), d("2028-02-29"));
        assert_eq!(same_day_in(d("2025-02-28"), -1), d("2024-02-28"));
        assert_eq!(same_day_in(d("2025-12-31"), 0), d("2025-12-31"));
    }
}

//! Working days (工作日): weekends and the State Council's 法定节假日 rest,
//! its 调休 weekends work. Offices' deadlines follow them: "每月5日前报送，
//! 遇节假日顺延" means the 5th, or the first working day after it.
//!
//! The data is each year's notice (国务院办公厅关于部分节假日安排的通知):
//! 2025 from 国办发明电〔2024〕12号, 2026 from the notice of 2025-11-04. A
//! year without a notice here knows weekends only.
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

/// A day as a notice writes it: year, month, day.
type Ymd = (i32, u32, u32);

/// Days off, first and last, by the notices.
const REST: [(Ymd, Ymd); 13] = [
    ((2025, 1, 1), (2025, 1, 1)),   // 元旦
    ((2025, 1, 28), (2025, 2, 4)),  // 春节
    ((2025, 4, 4), (2025, 4, 6)),   // 清明节
    ((2025, 5, 1), (2025, 5, 5)),   // 劳动节
    ((2025, 5, 31), (2025, 6, 2)),  // 端午节
    ((2025, 10, 1), (2025, 10, 8)), // 国庆节、中秋节
    ((2026, 1, 1), (2026, 1, 3)),   // 元旦
    ((2026, 2, 15), (2026, 2, 23)), // 春节
    ((2026, 4, 4), (2026, 4, 6)),   // 清明节
    ((2026, 5, 1), (2026, 5, 5)),   // 劳动节
    ((2026, 6, 19), (2026, 6, 21)), // 端午节
    ((2026, 9, 25), (2026, 9, 27)), // 中秋节
    ((2026, 10, 1), (2026, 10, 7)), // 国庆节
];

/// Weekends worked (调休上班), by the notices.
const WORKED_WEEKENDS: [Ymd; 11] = [
    (2025, 1, 26),
    (2025, 2, 8),
    (2025, 4, 27),
    (2025, 9, 28),
    (2025, 10, 11),
    (2026, 1, 4),
    (2026, 2, 14),
    (2026, 2, 28),
    (2026, 5, 9),
    (2026, 9, 20),
    (2026, 10, 10),
];

/// The years whose holidays are known.
pub const KNOWN_YEARS: std::ops::RangeInclusive<i32> = 2025..=2026;

fn day((y, m, d): Ymd) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Whether the State Council's notices (or, outside them, the weekend)
/// have people working on `date`.
fn shipped_workday(date: NaiveDate) -> bool {
    if WORKED_WEEKENDS.iter().any(|&w| day(w) == Some(date)) {
        return true;
    }
    let resting = REST
        .iter()
        .any(|&(first, last)| match (day(first), day(last)) {
            (Some(first), Some(last)) => first <= date && date <= last,
            _ => false,
        });
    !resting && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The working-day calendar in force: the shipped notices, with an
/// ADMIN's overrides of single days on top (a local 调休, a notice
/// published after this release).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workdays {
    overrides: BTreeMap<NaiveDate, bool>,
}

impl Workdays {
    /// The shipped calendar with `overrides` (day → whether people work).
    pub fn with_overrides(overrides: impl IntoIterator<Item = (NaiveDate, bool)>) -> Self {
        Workdays {
            overrides: overrides.into_iter().collect(),
        }
    }

    /// Whether people work on `date`.
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        self.overrides
            .get(&date)
            .copied()
            .unwrap_or_else(|| shipped_workday(date))
    }

    /// `date` if people work on it, else the first working day after it
    /// (遇节假日顺延).
    pub fn on_or_next_workday(&self, date: NaiveDate) -> NaiveDate {
        let mut current = date;
        // The longest run of days off is a 9-day 春节; a year is a safe
        // bound even with overrides.
        for _ in 0..366 {
            if self.is_workday(current) {
                return current;
            }
            match current.succ_opt() {
                Some(next) => current = next,
                None => return date,
            }
        }
        date
    }

    /// The `n`th working day after `date` ("N个工作日内" counted from
    /// `date`); `date` itself for 0.
    pub fn add_workdays(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut current = date;
        let mut left = n;
        // Bounded like `on_or_next_workday`: an override cannot make it spin.
        let mut steps = 0u32;
        while left > 0 && steps < 366 * (n + 1) {
            steps += 1;
            match current.succ_opt() {
                Some(next) => current = next,
                None => return current,
            }
            if self.is_workday(current) {
                left -= 1;
            }
        }
        current
    }
}

/// Whether people work on `date`, by the shipped notices alone.
pub fn is_workday(date: NaiveDate) -> bool {
    shipped_workday(date)
}

/// `on_or_next_workday` of the shipped calendar.
pub fn on_or_next_workday(date: NaiveDate) -> NaiveDate {
    Workdays::default().on_or_next_workday(date)
}

/// `add_workdays` of the shipped calendar.
pub fn add_workdays(date: NaiveDate, n: u32) -> NaiveDate {
    Workdays::default().add_workdays(date, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_notices_rest_and_work_days() {
        // 国庆 2025: 10-01..10-08 off; 09-28 (Sunday) and 10-11 (Saturday) worked.
        assert!(!is_workday(d("2025-10-05")));
        assert!(!is_workday(d("2025-10-08")));
        assert!(is_workday(d("2025-10-09")));
        assert!(is_workday(d("2025-09-28")));
        assert!(is_workday(d("2025-10-11")));
        // 春节 2026: 02-15..02-23 off; 02-14 and 02-28 (Saturdays) worked.
        assert!(!is_workday(d("2026-02-23")));
        assert!(is_workday(d("2026-02-14")));
        assert!(is_workday(d("2026-02-28")));
        // 元旦 2026: 01-01..01-03 off, Sunday 01-04 worked.
        assert!(is_workday(d("2026-01-04")));
        // Plain weekends; a year without a notice knows weekends only.
        assert!(!is_workday(d("2025-11-08")));
        assert!(is_workday(d("2027-10-01")));
        assert!(!is_workday(d("2027-10-02")));
    }

    #[test]
    fn a_deadline_on_a_holiday_moves_to_the_next_working_day() {
        assert_eq!(on_or_next_workday(d("2025-10-05")), d("2025-10-09"));
        assert_eq!(on_or_next_workday(d("2025-04-05")), d("2025-04-07"));
        assert_eq!(on_or_next_workday(d("2025-05-05")), d("2025-05-06"));
        assert_eq!(on_or_next_workday(d("2025-07-05")), d("2025-07-07"));
        assert_eq!(on_or_next_workday(d("2025-11-05")), d("2025-11-05"));
        assert_eq!(on_or_next_workday(d("2026-02-15")), d("2026-02-24"));
    }

    #[test]
    fn working_days_are_counted_over_holidays() {
        // Three working days from Tuesday 2025-09-30: 10-09, 10-10, 10-11 (调休).
        assert_eq!(add_workdays(d("2025-09-30"), 3), d("2025-10-11"));
        assert_eq!(add_workdays(d("2025-11-03"), 5), d("2025-11-10"));
        assert_eq!(add_workdays(d("2025-11-03"), 0), d("2025-11-03"));
    }

    #[test]
    fn an_override_moves_the_working_day() {
        // 2025-10-09 (Thursday) made a local day off: the 10th is next.
        let local = Workdays::with_overrides([(d("2025-10-09"), false)]);
        assert!(!local.is_workday(d("2025-10-09")));
        assert_eq!(local.on_or_next_workday(d("2025-10-05")), d("2025-10-10"));
        // A Saturday made a working day is one.
        let worked = Workdays::with_overrides([(d("2025-11-08"), true)]);
        assert_eq!(worked.on_or_next_workday(d("2025-11-08")), d("2025-11-08"));
        assert_eq!(worked.add_workdays(d("2025-11-07"), 1), d("2025-11-08"));
        // Without overrides, the notices.
        assert_eq!(
            Workdays::default().on_or_next_workday(d("2025-10-05")),
            d("2025-10-09")
        );
    }
}

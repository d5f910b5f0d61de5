//! Calendar months and date ranges, the time axis of every cost view.
use chrono::{Datelike, Months, NaiveDate};

use crate::error::AppError;

/// A calendar month, written `YYYY-MM`. Billing periods are calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    pub fn parse(text: &str) -> Result<Month, AppError> {
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .map(Month::containing)
            .map_err(|_| {
                AppError::bad_input(format!("period '{text}' is not a month like 2024-09"))
            })
    }

    pub fn containing(day: NaiveDate) -> Month {
        Month {
            first: day.with_day(1).expect("day 1 exists"),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// The first day of the next month (exclusive end).
    pub fn end(&self) -> NaiveDate {
        self.first + Months::new(1)
    }

    /// The month's last day (inclusive end).
    pub fn last_day(&self) -> NaiveDate {
        self.end()
            .pred_opt()
            .expect("a month has a day before the next one")
    }

    pub fn previous(&self) -> Month {
        Month {
            first: self.first - Months::new(1),
        }
    }

    pub fn minus(&self, months: u32) -> Month {
        Month {
            first: self.first - Months::new(months),
        }
    }

    pub fn range(&self) -> DateRange {
        DateRange {
            start: self.first,
            end: self.end(),
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// Days `start..end` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateRange {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }
}

/// The range of `month` up to `today` if the month is in progress, and the same span of the month
/// before it: month-to-date is compared with the same days of the previous month, not a whole one.
pub fn period_and_previous(month: Month, today: NaiveDate) -> (DateRange, DateRange) {
    let current = month.range();
    let previous = month.previous().range();
    if current.start <= today && today < current.end {
        let elapsed = (today - current.start).num_days() + 1;
        let cur = DateRange {
            start: current.start,
            end: today.succ_opt().expect("tomorrow exists"),
        };
        let prev_end = (previous.start + chrono::Duration::days(elapsed)).min(previous.end);
        (
            cur,
            DateRange {
                start: previous.start,
                end: prev_end,
            },
        )
    } else {
        (current, previous)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_months_and_rejects_others() {
        assert_eq!(
            Month::parse("2024-09").unwrap().first_day(),
            d("2024-09-01")
        );
        assert!(Month::parse("2024-13").is_err());
        assert!(Month::parse("september").is_err());
    }

    #[test]
    fn a_month_ends_on_its_last_day() {
        let feb = Month::parse("2028-02").unwrap();
        assert_eq!(feb.last_day(), d("2028-02-29"));
        assert_eq!(feb.end(), d("2028-03-01"));
        assert_eq!(Month::parse("2026-12").unwrap().last_day(), d("2026-12-31"));
    }

    #[test]
    fn month_to_date_compares_with_the_same_days() {
        let (cur, prev) = period_and_previous(Month::parse("2026-03").unwrap(), d("2026-03-10"));
        assert_eq!((cur.start, cur.end), (d("2026-03-01"), d("2026-03-11")));
        assert_eq!((prev.start, prev.end), (d("2026-02-01"), d("2026-02-11")));
        // Past months compare whole months; a short previous month is not overrun.
        let (cur, prev) = period_and_previous(Month::parse("2026-03").unwrap(), d("2026-05-31"));
        assert_eq!(cur.days(), 31);
        assert_eq!(prev.days(), 28);
        let (_, prev) = period_and_previous(Month::parse("2026-03").unwrap(), d("2026-03-31"));
        assert_eq!(prev.end, d("2026-03-01"));
    }
}

//! Calendar arithmetic for temporary grants and reviews, with chrono.
//!
//! Months and years are calendar months (6 months after 31 August is the last day of February);
//! working days skip Saturdays and Sundays. Review dates use [`Period::after`], as the review
//! report does, so a decision's overdue warning and the report agree.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeDelta, Utc, Weekday};

use crate::check::model::{Period, PeriodUnit};

/// `t` plus a period; `None` when the result is beyond chrono's range.
pub fn add_period(t: DateTime<Utc>, p: Period) -> Option<DateTime<Utc>> {
    let n = u64::from(p.amount);
    match p.unit {
        PeriodUnit::Hours => t.checked_add_signed(TimeDelta::try_hours(i64::from(p.amount))?),
        PeriodUnit::Days => t.checked_add_days(Days::new(n)),
        PeriodUnit::Weeks => t.checked_add_days(Days::new(n.checked_mul(7)?)),
        PeriodUnit::Months => t.checked_add_months(Months::new(p.amount)),
        PeriodUnit::Years => t.checked_add_months(Months::new(p.amount.checked_mul(12)?)),
        PeriodUnit::WorkingDays => add_working_days(t, n),
    }
}

/// `t` plus `n` working days: whole weeks at once, then day by day skipping weekends.
fn add_working_days(t: DateTime<Utc>, n: u64) -> Option<DateTime<Utc>> {
    let mut d = t.checked_add_days(Days::new((n / 5).checked_mul(7)?))?;
    let mut left = n % 5;
    while left > 0 {
        d = d.checked_add_days(Days::new(1))?;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(d)
}

/// When a restriction's review is due: the earlier of the explicit `review_by` and the last
/// review (or placement) plus the interval.
pub fn review_due(
    interval: Option<Period>,
    placed_on: Option<NaiveDate>,
    last_reviewed: Option<NaiveDate>,
    review_by: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let scheduled = interval.and_then(|p| p.after(last_reviewed.or(placed_on)?));
    match (scheduled, review_by) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether a review due on `due` is overdue at `at` (the due day itself is not overdue).
pub fn overdue(due: NaiveDate, at: DateTime<Utc>) -> bool {
    at.date_naive() > due
}

/// Parses a duration as the language writes it: `24h`, `90 days`, `5 working_days`, `1 year`.
pub fn parse_period(s: &str) -> Option<Period> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let amount: u32 = s.get(..digits)?.parse().ok()?;
    let unit = match s.get(digits..)?.trim_start() {
        "h" | "hour" | "hours" => PeriodUnit::Hours,
        "d" | "day" | "days" => PeriodUnit::Days,
        "working_day" | "working_days" => PeriodUnit::WorkingDays,
        "w" | "week" | "weeks" => PeriodUnit::Weeks,
        "month" | "months" => PeriodUnit::Months,
        "y" | "year" | "years" => PeriodUnit::Years,
        _ => return None,
    };
    (amount > 0).then_some(Period { amount, unit })
}

/// A period as the language writes it: `24h`, `90 days`.
pub fn period_text(p: Period) -> String {
    match p.unit {
        PeriodUnit::Hours => format!("{}h", p.amount),
        PeriodUnit::WorkingDays => format!("{} working_days", p.amount),
        _ => p.describe(),
    }
}

/// A time as decisions print it: `2026-11-23T09:00:00Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn earlier_review_by_wins() {
        let ninety = Period {
            amount: 90,
            unit: PeriodUnit::Days,
        };
        let placed = Some(date("2026-05-01"));
        assert_eq!(
            review_due(Some(ninety), placed, None, None),
            Some(date("2026-07-30"))
        );
        assert_eq!(
            review_due(Some(ninety), placed, None, Some(date("2026-06-01"))),
            Some(date("2026-06-01"))
        );
        assert_eq!(
            review_due(Some(ninety), placed, None, Some(date("2026-12-01"))),
            Some(date("2026-07-30"))
        );
        assert_eq!(
            review_due(Some(ninety), placed, Some(date("2026-07-01")), None),
            Some(date("2026-09-29"))
        );
    }

    #[test]
    fn working_days_skip_weekends() {
        let friday = date("2026-11-20").and_hms_opt(9, 0, 0).unwrap().and_utc();
        let five = parse_period("5 working_days").unwrap();
        assert_eq!(
            add_period(friday, five).unwrap().date_naive(),
            date("2026-11-27")
        );
        let one = parse_period("1 working_day").unwrap();
        assert_eq!(
            add_period(friday, one).unwrap().date_naive(),
            date("2026-11-23")
        );
    }

    #[test]
    fn durations_parse_as_the_language_writes_them() {
        assert_eq!(parse_period("24h").map(period_text).as_deref(), Some("24h"));
        assert_eq!(
            parse_period("90 days").map(|p| p.describe()).as_deref(),
            Some("90 days")
        );
        assert_eq!(
            parse_period("1 year").map(|p| p.describe()).as_deref(),
            Some("1 year")
        );
        assert!(parse_period("0h").is_none());
        assert!(parse_period("h").is_none());
        assert!(parse_period("24 fortnights").is_none());
        assert!(parse_period("99999999999h").is_none());
    }
}

//! Times in requests and decisions: review due dates, durations as the language writes them,
//! and timestamps as decisions print them.
//!
//! The calendar arithmetic itself is [`Period::after`] and [`Period::after_instant`] in the
//! checked model, shared with the review report, so a decision's overdue warning, a grant's end
//! and the report agree.

use chrono::{DateTime, NaiveDate, Utc};

use crate::check::model::{Period, PeriodUnit};

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

/// The words a request may write a duration's unit with.
const UNITS: &[(&str, PeriodUnit)] = &[
    ("h", PeriodUnit::Hours),
    ("hour", PeriodUnit::Hours),
    ("hours", PeriodUnit::Hours),
    ("d", PeriodUnit::Days),
    ("day", PeriodUnit::Days),
    ("days", PeriodUnit::Days),
    ("working_day", PeriodUnit::WorkingDays),
    ("working_days", PeriodUnit::WorkingDays),
    ("w", PeriodUnit::Weeks),
    ("week", PeriodUnit::Weeks),
    ("weeks", PeriodUnit::Weeks),
    ("month", PeriodUnit::Months),
    ("months", PeriodUnit::Months),
    ("y", PeriodUnit::Years),
    ("year", PeriodUnit::Years),
    ("years", PeriodUnit::Years),
];

/// A duration's amount has at most this many significant digits, so every amount the pattern
/// admits fits the evaluator's `u32`.
const MAX_DIGITS: usize = 9;

/// A request's duration: a whole number above zero (leading zeros allowed, at most
/// [`MAX_DIGITS`] significant digits), optional spaces, and a unit: `24h`, `2 days`. Exactly
/// the strings [`period_pattern`] matches.
pub fn parse_period(s: &str) -> Option<Period> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let significant = s.get(..digits)?.trim_start_matches('0');
    if significant.is_empty() || significant.len() > MAX_DIGITS {
        return None;
    }
    let amount: u32 = significant.parse().ok()?;
    let word = s.get(digits..)?.trim_start_matches(' ');
    let unit = UNITS.iter().find(|(w, _)| *w == word)?.1;
    Some(Period { amount, unit })
}

/// The regular expression (ECMA 262, for JSON Schema) of the durations [`parse_period`] reads.
pub fn period_pattern() -> String {
    let words: Vec<&str> = UNITS.iter().map(|(w, _)| *w).collect();
    format!(
        "^0*[1-9][0-9]{{0,{}}} *({})$",
        MAX_DIGITS - 1,
        words.join("|")
    )
}

/// A period as the language writes it: `24h`, `90 days`.
pub fn period_text(p: Period) -> String {
    match p.unit {
        PeriodUnit::Hours => format!("{}h", p.amount),
        PeriodUnit::WorkingDays => format!("{} working_days", p.amount),
        _ => p.describe(),
    }
}

/// Serde readers for request times and dates that name the bad value and the expected form,
/// instead of chrono's bare "input contains invalid characters".
pub(super) mod de {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Deserializer, de::Error};

    const TIME: &str = "an RFC 3339 time such as `2026-11-22T10:00:00Z`";
    const DATE: &str = "a date such as `2026-05-01`";

    fn time<E: Error>(text: &str) -> Result<DateTime<Utc>, E> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .map_err(|e| E::custom(format!("invalid time `{text}` ({e}): expected {TIME}")))
    }

    fn date<E: Error>(text: &str) -> Result<NaiveDate, E> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|e| E::custom(format!("invalid date `{text}` ({e}): expected {DATE}")))
    }

    /// A required time.
    pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        time(&std::borrow::Cow::<str>::deserialize(d)?)
    }

    /// An optional time (`null` or absent is `None`).
    pub fn opt_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<std::borrow::Cow<str>>::deserialize(d)?
            .map(|t| time(&t))
            .transpose()
    }

    /// An optional date (`null` or absent is `None`).
    pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<std::borrow::Cow<str>>::deserialize(d)?
            .map(|t| date(&t))
            .transpose()
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
            five.after_instant(friday).unwrap().date_naive(),
            date("2026-11-27")
        );
        let one = parse_period("1 working_day").unwrap();
        assert_eq!(
            one.after_instant(friday).unwrap().date_naive(),
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

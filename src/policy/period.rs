//! Calendar periods and their arithmetic, shared by review schedules, temporary access,
//! retention and the evaluator's clock.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The years a request's times and dates may fall in (an input error outside them), and so the
/// years every period of a policy must be countable from.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A calendar period: `24 hours`, `90 days`, `6 months`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: PeriodUnit,
}

/// The unit of a [`Period`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Working days (Monday to Friday).
    WorkingDays,
    /// Weeks.
    Weeks,
    /// Calendar months (6 months after 31 August is the end of February).
    Months,
    /// Calendar years.
    Years,
}

/// The words a duration's unit may be written with, in the language and in requests.
pub const UNITS: &[(&str, PeriodUnit)] = &[
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

/// The date `n` days after `date`. Within the year, as a review's due date most often is, the
/// day of the year moves on; across a year's end, chrono's day arithmetic (which took about 50
/// instructions a decision, on every restriction with a review).
fn days_after(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    use chrono::Datelike;
    let same_year = date
        .ordinal()
        .checked_add(n)
        .and_then(|o| date.with_ordinal(o));
    same_year.or_else(|| date.checked_add_days(chrono::Days::new(u64::from(n))))
}

impl Period {
    /// The date this period after `date`, in calendar terms: months and years keep the day of
    /// the month where it exists and clamp to the month's last day where it does not (six
    /// months after 31 August is 28 or 29 February); working days skip Saturdays and Sundays;
    /// hours count as the days they reach into. `None` only when the result is beyond the
    /// calendar chrono supports.
    pub fn after(&self, date: NaiveDate) -> Option<NaiveDate> {
        use chrono::Months;
        let n = self.amount;
        match self.unit {
            PeriodUnit::Hours => days_after(date, n.div_ceil(24)),
            PeriodUnit::Days => days_after(date, n),
            PeriodUnit::Weeks => days_after(date, n.checked_mul(7)?),
            PeriodUnit::Months => date.checked_add_months(Months::new(n)),
            PeriodUnit::Years => date.checked_add_months(Months::new(n.checked_mul(12)?)),
            PeriodUnit::WorkingDays => working_days_after(date, n),
        }
    }

    /// The instant this period after `t`: hours exactly, every other unit as [`Period::after`]
    /// on the date with the time of day kept (a grant made at 09:00 for 2 working days ends at
    /// 09:00).
    pub fn after_instant(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.unit {
            PeriodUnit::Hours => {
                t.checked_add_signed(chrono::TimeDelta::try_hours(i64::from(self.amount))?)
            }
            _ => Some(self.after(t.date_naive())?.and_time(t.time()).and_utc()),
        }
    }

    /// Whether this period ends after `other` from every start: month lengths vary, so the
    /// periods are compared from the first and last days of each month of a leap year and the
    /// year after. A period that runs past the calendar counts as the longer.
    pub fn always_longer(&self, other: &Period) -> bool {
        use chrono::TimeZone;
        (2028..=2029)
            .flat_map(|year| (1..=12).map(move |month| (year, month)))
            .flat_map(|(year, month)| [1, 28, 29, 30, 31].map(|day| (year, month, day)))
            .filter_map(|(y, m, d)| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single())
            .all(|s| match (self.after_instant(s), other.after_instant(s)) {
                (Some(x), Some(y)) => x > y,
                (None, Some(_)) => true,
                _ => false,
            })
    }

    /// The period as plain English: "90 days", "1 month", "24 hours".
    pub fn describe(&self) -> String {
        let unit = match self.unit {
            PeriodUnit::Hours => "hour",
            PeriodUnit::Days => "day",
            PeriodUnit::WorkingDays => "working day",
            PeriodUnit::Weeks => "week",
            PeriodUnit::Months => "month",
            PeriodUnit::Years => "year",
        };
        let s = if self.amount == 1 { "" } else { "s" };
        format!("{} {unit}{s}", self.amount)
    }
}

/// `n` working days after `date`: day by day to the first Friday, whole weeks at once from
/// there (a Friday plus seven days is a Friday, five working days on), then day by day again.
/// Starting from a weekend counts the following Monday as the first working day.
fn working_days_after(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    use chrono::{Datelike, Days, Weekday};
    let step = |mut d: NaiveDate, left: &mut u32| -> Option<NaiveDate> {
        d = d.succ_opt()?;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            *left -= 1;
        }
        Some(d)
    };
    let mut d = date;
    let mut left = n;
    while left > 0 && d.weekday() != Weekday::Fri {
        d = step(d, &mut left)?;
    }
    d = d.checked_add_days(Days::new(u64::from(left / 5) * 7))?;
    left %= 5;
    while left > 0 {
        d = step(d, &mut left)?;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A number of days after a date is the date chrono's day arithmetic gives, within the
        /// year, across its end and into leap years.
        #[test]
        fn days_after_a_date_are_chronos(day in 0i32..200_000, n in 0u32..3_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(600_000 + day);
            if let Some(date) = date {
                proptest::prop_assert_eq!(
                    days_after(date, n),
                    date.checked_add_days(chrono::Days::new(u64::from(n)))
                );
            }
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn calendar_months_clamp_to_the_end_of_february() {
        let six = Period {
            amount: 6,
            unit: PeriodUnit::Months,
        };
        assert_eq!(six.after(d("2027-08-31")), Some(d("2028-02-29")));
        assert_eq!(six.after(d("2026-08-31")), Some(d("2027-02-28")));
        let year = Period {
            amount: 1,
            unit: PeriodUnit::Years,
        };
        assert_eq!(year.after(d("2028-02-29")), Some(d("2029-02-28")));
    }

    #[test]
    fn working_days_skip_weekends() {
        let five = Period {
            amount: 5,
            unit: PeriodUnit::WorkingDays,
        };
        // Friday 2026-11-20 + 5 working days = Friday 2026-11-27.
        assert_eq!(five.after(d("2026-11-20")), Some(d("2026-11-27")));
        // Saturday + 5 working days = the next Friday; + 1 working day = Monday.
        assert_eq!(five.after(d("2026-11-21")), Some(d("2026-11-27")));
        let one = Period {
            amount: 1,
            unit: PeriodUnit::WorkingDays,
        };
        assert_eq!(one.after(d("2026-11-21")), Some(d("2026-11-23")));
        assert_eq!(one.after(d("2026-11-20")), Some(d("2026-11-23")));
    }

    #[test]
    fn working_days_agree_with_counting_day_by_day() {
        use chrono::{Datelike, Weekday};
        let start = d("2026-11-16");
        for offset in 0..14u64 {
            let from = start + chrono::Days::new(offset);
            for amount in 0..40 {
                let mut day = from;
                let mut left = amount;
                while left > 0 {
                    day = day.succ_opt().unwrap_or(day);
                    if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                        left -= 1;
                    }
                }
                let p = Period {
                    amount,
                    unit: PeriodUnit::WorkingDays,
                };
                assert_eq!(p.after(from), Some(day), "{from} + {amount} working days");
            }
        }
    }

    #[test]
    fn huge_working_day_counts_end_quickly() {
        let p = Period {
            amount: u32::MAX,
            unit: PeriodUnit::WorkingDays,
        };
        assert_eq!(p.after(d("2026-11-20")), None);
    }

    #[test]
    fn instants_keep_the_time_of_day() {
        let t = DateTime::parse_from_rfc3339("2026-08-31T09:30:00Z")
            .map(|t| t.to_utc())
            .unwrap_or_default();
        let p = |amount, unit| Period { amount, unit };
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.to_utc())
                .unwrap_or_default()
        };
        assert_eq!(
            p(30, PeriodUnit::Hours).after_instant(t),
            Some(at("2026-09-01T15:30:00Z"))
        );
        assert_eq!(
            p(6, PeriodUnit::Months).after_instant(t),
            Some(at("2027-02-28T09:30:00Z"))
        );
        assert_eq!(
            p(1, PeriodUnit::WorkingDays).after_instant(t),
            Some(at("2026-09-01T09:30:00Z"))
        );
    }
}

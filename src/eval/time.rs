//! Times in requests and decisions: review due dates, durations as the language writes them,
//! and timestamps as decisions print them.
//!
//! The calendar arithmetic itself is [`Period::after`] and [`Period::after_instant`] in the
//! checked model, shared with the review report, so a decision's overdue warning, a grant's end
//! and the report agree.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::policy::UNITS;
use crate::policy::{Period, PeriodUnit};

/// What set a review's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueBasis {
    /// The explicit `review_by` date on the record, earlier than any schedule (or the only date).
    ReviewBy,
    /// The category's interval, counted from the last review.
    SinceLastReview,
    /// The category's interval, counted from the placement.
    SincePlacement,
}

/// When a restriction's review is due, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The due date (the day itself is not overdue).
    pub date: NaiveDate,
    /// What set it.
    pub basis: DueBasis,
}

/// The one review rule, used by a decision's "review overdue" warning and by `caselock reviews`:
/// the earlier of the record's explicit `review_by` and the last review (or placement) plus
/// the category's interval.
///
/// `interval` is `None` for a category reviewed `never`, `until` an event, or not at all. An
/// explicit `review_by` still counts there: someone set that date on the record, and a review
/// date is never silently dropped.
pub fn review(
    interval: Option<Period>,
    placed_on: Option<NaiveDate>,
    last_reviewed: Option<NaiveDate>,
    review_by: Option<NaiveDate>,
) -> Option<Due> {
    let scheduled = interval.and_then(|p| match (last_reviewed, placed_on) {
        (Some(d), _) => Some(Due {
            date: p.after(d)?,
            basis: DueBasis::SinceLastReview,
        }),
        (None, Some(d)) => Some(Due {
            date: p.after(d)?,
            basis: DueBasis::SincePlacement,
        }),
        (None, None) => None,
    });
    let explicit = review_by.map(|date| Due {
        date,
        basis: DueBasis::ReviewBy,
    });
    match (scheduled, explicit) {
        (Some(s), Some(e)) if e.date < s.date => Some(e),
        (Some(s), _) => Some(s),
        (None, e) => e,
    }
}

/// When a restriction's review is due: the date of [`review`].
pub fn review_due(
    interval: Option<Period>,
    placed_on: Option<NaiveDate>,
    last_reviewed: Option<NaiveDate>,
    review_by: Option<NaiveDate>,
) -> Option<NaiveDate> {
    review(interval, placed_on, last_reviewed, review_by).map(|d| d.date)
}

/// Whether a review due on `due` is overdue on the day `on` (the due day itself is not).
pub fn overdue_on(due: NaiveDate, on: NaiveDate) -> bool {
    on > due
}

/// Whether a review due on `due` is overdue at `at`: from the UK day after it on, as
/// `caselock reviews` counts it (the due day itself is not overdue).
#[inline]
pub fn overdue(due: NaiveDate, at: DateTime<Utc>) -> bool {
    // The UK day is the UTC day or the one after (`uk_date`), so only a time on the due day by
    // UTC needs the UK day worked out: a decision compares two dates, as it did with UTC's.
    let utc = at.naive_utc().date();
    match utc.cmp(&due) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => overdue_on_the_day(due, at),
    }
}

/// [`overdue`] at a time on the due day by UTC, out of line: a decision is seldom made on the
/// due day itself.
#[cold]
#[inline(never)]
fn overdue_on_the_day(due: NaiveDate, at: DateTime<Utc>) -> bool {
    overdue_on(due, uk_date(at))
}

/// Where a time-limited restriction stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ending {
    /// Its end has come: it still applies until someone renews or lifts it.
    Ended,
    /// It ends within its category's notice.
    EndsSoon,
    /// It runs on, beyond the notice (or its category gives none).
    Running,
}

/// The day a restriction ends (it runs until that day starts, UK time): the earlier of the day
/// set on the record (`ends`) and the category's maximum from its placement, each renewal (up to
/// the number the category allows) adding the maximum again. `lasts` is the category's maximum
/// and its renewal limit, `None` when the category sets none; then only `ends` counts (a date
/// someone set on the record is never ignored). `None`: no end is known.
///
/// The maximum is multiplied, not added renewal by renewal: six months renewed once ends twelve
/// calendar months after the placement (31 August to 31 August), not six months after a clamped
/// end of February.
pub fn restriction_end(
    lasts: Option<(Period, u32)>,
    placed_on: Option<NaiveDate>,
    ends: Option<NaiveDate>,
    renewals: u32,
) -> Option<NaiveDate> {
    let cap = lasts.and_then(|(max, renewable)| {
        let terms = renewals.min(renewable).checked_add(1)?;
        let whole = Period {
            amount: max.amount.checked_mul(terms)?,
            unit: max.unit,
        };
        whole.after(placed_on?)
    });
    match (ends, cap) {
        (Some(e), Some(c)) => Some(e.min(c)),
        (e, c) => e.or(c),
    }
}

/// Where a restriction that ends on `end` stands on the day `today`: ended from `end` on, and
/// ending soon from the day whose `notify` period reaches `end`.
pub fn ending(end: NaiveDate, notify: Option<Period>, today: NaiveDate) -> Ending {
    if today >= end {
        Ending::Ended
    } else if notify.is_some_and(|n| n.after(today).is_none_or(|soon| soon >= end)) {
        Ending::EndsSoon
    } else {
        Ending::Running
    }
}

/// The day it is in the UK at an instant (GMT or BST as the date has it): a restriction's end
/// is a UK day.
pub fn uk_date(at: DateTime<Utc>) -> NaiveDate {
    // In the years a request may name (1900 to 2200) UK time is UTC, or ahead of it by an hour
    // (summer time) or by two (double summer time in the 1940s), never behind. So before 22:00
    // UTC the UK day is UTC's, and the zone's rules are read only after. The property test
    // `uk_dates_agree_with_the_zone_rules` holds this.
    let utc = at.naive_utc();
    if utc.hour() < 22 {
        return utc.date();
    }
    uk_date_by_zone(at)
}

/// [`uk_date`] by the zone's rules.
fn uk_date_by_zone(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::London).date_naive()
}

/// The instant a UK day starts. Midnight always exists in UK local time and is never repeated
/// (the clocks change at 01:00 GMT), so this is exact; UTC midnight stands in should the zone
/// data ever say otherwise.
pub fn uk_day_start(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    chrono_tz::Europe::London
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.to_utc())
}

/// What the schemas add to `format: date-time` for request times: a year in
/// [`crate::policy::YEARS`] as written. (A leap second, which the format allows and the
/// reader refuses, would need a look-ahead that not every validator's regex dialect has.)
pub const TIME_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-";

/// What the schemas add to `format: date` for request dates: a year in
/// [`crate::policy::YEARS`], written with leading zeros.
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$";

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
///
/// They are stricter than chrono: a leap second (`23:59:60`) has no place in a review date or a
/// grant's end, so it is refused rather than read as the next second; a year outside
/// [`crate::policy::YEARS`] is a typo or a placeholder (`0001-01-01`, `9999-12-31`), never a real case date;
/// and a date must be written `YYYY-MM-DD` in full, because `2026-5-1` is how a system that
/// does not follow the contract writes dates, and guessing its other fields is not safe.
pub(super) mod de {
    use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
    use serde::{Deserialize, Deserializer, de::Error};

    const TIME: &str = "an RFC 3339 time such as `2026-11-22T10:00:00Z`";
    const DATE: &str = "a date such as `2026-05-01`";

    use crate::policy::YEARS;

    fn year<E: Error>(text: &str, y: i32, expected: &str) -> Result<(), E> {
        if YEARS.contains(&y) {
            return Ok(());
        }
        Err(E::custom(format!(
            "invalid {expected} `{text}`: the year must be between {} and {}",
            YEARS.start(),
            YEARS.end()
        )))
    }

    // The forms requests almost always use are read digit by digit (never a leap second);
    // anything else goes to chrono, which decides and words the error.
    fn time<E: Error>(text: &str) -> Result<DateTime<Utc>, E> {
        if let Some(t) = super::utc_seconds(text.as_bytes()) {
            year(text, t.year(), "time")?;
            return Ok(t);
        }
        let t = DateTime::parse_from_rfc3339(text)
            .map_err(|e| E::custom(format!("invalid time `{text}` ({e}): expected {TIME}")))?;
        // chrono reads second 60 as a second nanosecond range on second 59.
        if t.nanosecond() >= 1_000_000_000 {
            return Err(E::custom(format!(
                "invalid time `{text}`: a leap second (`:60`) is not accepted; expected {TIME}"
            )));
        }
        // The year as written, which is what a schema's pattern can see.
        year(text, t.year(), "time")?;
        Ok(t.to_utc())
    }

    fn date<E: Error>(text: &str) -> Result<NaiveDate, E> {
        if let Some(d) = super::plain_date(text.as_bytes()) {
            year(text, d.year(), "date")?;
            return Ok(d);
        }
        let b = text.as_bytes();
        let padded = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !padded {
            return Err(E::custom(format!(
                "invalid date `{text}`: write it as YYYY-MM-DD, with leading zeros; expected {DATE}"
            )));
        }
        let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|e| E::custom(format!("invalid date `{text}` ({e}): expected {DATE}")))?;
        year(text, d.year(), "date")?;
        Ok(d)
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

/// A request date in the form requests almost always use, with its year in
/// [`crate::policy::YEARS`]: a date [`de`] reads the same way; `None` for anything else.
pub(super) fn quick_date(text: &[u8]) -> Option<NaiveDate> {
    plain_date(text).filter(|d| crate::policy::YEARS.contains(&d.year()))
}

/// A request time written `YYYY-MM-DDTHH:MM:SSZ`, with its year in [`crate::policy::YEARS`]:
/// a time [`de`] reads the same way; `None` for anything else.
pub(super) fn quick_time(text: &[u8]) -> Option<DateTime<Utc>> {
    // The year of the UTC date itself: `DateTime::year` adds the zero offset to the time
    // first, a twentieth of reading the time.
    utc_seconds(text).filter(|t| crate::policy::YEARS.contains(&t.naive_utc().year()))
}

/// `YYYY-MM-DD` with exactly those digits, a valid date; `None` for anything else (which the
/// caller then hands to chrono, so this only ever agrees with `%Y-%m-%d`).
fn plain_date(b: &[u8]) -> Option<NaiveDate> {
    let (head, tail) = b.split_first_chunk::<8>()?;
    let [d0, d1] = *tail else {
        return None;
    };
    // `YYYY-MM-` as one word: digits in bytes 0 to 3, 5 and 6, dashes in bytes 4 and 7.
    let v = digit_values(
        u64::from_le_bytes(*head),
        0x00ff_ff00_ffff_ffff,
        0x2d00_002d_0000_0000,
    )?;
    let d = |i| digit_at(v, i);
    let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    let month = d(5) * 10 + d(6);
    let day = digits(&[d0, d1])?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// `YYYY-MM-DDTHH:MM:SSZ` with exactly those digits (seconds below 60), a valid time; `None`
/// for anything else, which the caller hands to chrono's RFC 3339 reader.
fn utc_seconds(text: &[u8]) -> Option<DateTime<Utc>> {
    let (date, rest) = text.split_at_checked(10)?;
    let [b'T', hms @ .., b'Z'] = rest else {
        return None;
    };
    let day = plain_date(date)?;
    // `HH:MM:SS` as one word: digits but in bytes 2 and 5, colons there.
    let v = digit_values(
        u64::from_le_bytes(*<&[u8; 8]>::try_from(hms).ok()?),
        0xffff_00ff_ff00_ffff,
        0x0000_3a00_003a_0000,
    )?;
    let d = |i| digit_at(v, i);
    let (h, m, s) = (d(0) * 10 + d(1), d(3) * 10 + d(4), d(6) * 10 + d(7));
    // A leap second (`:60`) is chrono's to judge.
    (s < 60).then_some(())?;
    Some(day.and_hms_opt(h, m, s)?.and_utc())
}

/// Each byte's digit value in its place, when the bytes of `w` under the byte mask `digits`
/// are ASCII digits and the rest are `seps`; `None` otherwise. A date's or a time's fields
/// checked and read a word at a time (a byte at a time, reading the time a request is
/// decided at took a fortieth of reading the request).
fn digit_values(w: u64, digits: u64, seps: u64) -> Option<u64> {
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let d = w & digits;
    let zeros = digits & 0x3030_3030_3030_3030;
    // A digit's byte is 0x30 to 0x39: its high nibble is 3, and stays 3 when 6 is added. (No
    // byte carries into the next: one that could fails the first test.)
    let all = w & !digits == seps
        && d & HIGH_NIBBLES == zeros
        && d.wrapping_add(digits & 0x0606_0606_0606_0606) & HIGH_NIBBLES == zeros;
    all.then_some(d & 0x0f0f_0f0f_0f0f_0f0f)
}

/// The value in byte `i` of [`digit_values`]' word.
fn digit_at(values: u64, i: u32) -> u32 {
    // The low byte alone: the cast keeps exactly it.
    u32::from((values >> (8 * i)) as u8)
}

/// The value of a run of ASCII digits.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// A date as `%Y-%m-%d` writes it, for a year from 0 to 9999 (four digits and no sign): ten
/// ASCII bytes, without reading a format string. `None` for other years, which the format
/// string writes with a sign or more digits.
pub fn date_digits(d: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (month, day) = (d.month(), d.day());
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// A time as decisions print it: `2026-11-23T09:00:00Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A time as a person in the UK reads it, in UK local time (GMT or BST as the date has it):
/// "09:30 on Friday 4 December 2026".
pub fn uk_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M on %A %-d %B %Y")
        .to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Regression (a decision took the UTC day of its time for the review's, while `caselock
    /// reviews` and a restriction's end take the UK day): a review due on 1 June is overdue at
    /// 00:30 on 2 June UK time, which is 23:30 UTC on 1 June in summer time; 23:30 UTC on 1
    /// December is still 1 December in the UK.
    #[test]
    fn a_review_is_overdue_from_the_uk_day_after_it_is_due() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert!(overdue(date("2026-06-01"), at("2026-06-01T23:30:00Z")));
        assert!(!overdue(date("2026-06-01"), at("2026-06-01T22:59:59Z")));
        assert!(!overdue(date("2026-12-01"), at("2026-12-01T23:30:00Z")));
        assert!(overdue(date("2026-12-01"), at("2026-12-02T00:00:00Z")));
        // Double summer time (two hours ahead): 22:30 UTC is already the next UK day.
        assert_eq!(uk_date(at("1944-06-05T22:30:00Z")), date("1944-06-06"));
        assert_eq!(uk_date(at("1944-06-05T21:59:59Z")), date("1944-06-05"));
    }

    #[test]
    fn uk_local_time_follows_british_summer_time() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(
            uk_local(at("2026-12-04T09:30:00Z")),
            "09:30 on Friday 4 December 2026"
        );
        assert_eq!(
            uk_local(at("2026-07-01T09:30:00Z")),
            "10:30 on Wednesday 1 July 2026"
        );
        // The clocks go forward at 01:00 GMT on the last Sunday of March.
        assert_eq!(
            uk_local(at("2027-03-28T00:59:00Z")),
            "00:59 on Sunday 28 March 2027"
        );
        assert_eq!(
            uk_local(at("2027-03-28T01:00:00Z")),
            "02:00 on Sunday 28 March 2027"
        );
    }

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
    fn fast_date_and_time_readers_agree_with_chrono() {
        for d in [
            "2026-05-01",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-5-1",
            "+2026-05-01",
            "2026-05-01 ",
            "2026/05/01",
        ] {
            let chrono = NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
            if let Some(fast) = plain_date(d.as_bytes()) {
                assert_eq!(Some(fast), chrono, "{d}");
            }
        }
        assert!(plain_date(b"2026-05-01").is_some());
        for t in [
            "2026-11-22T10:00:00Z",
            "2024-02-29T23:59:59Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T10:60:00Z",
            "2026-11-22T23:59:60Z",
            "2026-11-22t10:00:00z",
            "2026-11-22T10:00:00.5Z",
            "2026-11-22T10:00:00+01:00",
        ] {
            let chrono = DateTime::parse_from_rfc3339(t).ok().map(|x| x.to_utc());
            if let Some(fast) = utc_seconds(t.as_bytes()) {
                assert_eq!(Some(fast), chrono, "{t}");
            }
        }
        assert!(utc_seconds(b"2026-11-22T10:00:00Z").is_some());
    }

    proptest::proptest! {
        /// The word-at-a-time readers agree with chrono: they read every date and time chrono
        /// writes; digits in the right places they read exactly when chrono does (seconds below
        /// 60, which they leave to chrono); and with any one byte changed to another, whatever
        /// they read is what chrono reads.
        #[test]
        fn word_readers_of_dates_and_times_agree_with_chrono(
            days in 1i32..3_652_000,
            secs in 0u32..86_400,
            digits in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",
            at in 0usize..20,
            odd in "[-:;<=>?/T Z+.0-9a\u{7f}\u{e9}]",
        ) {
            let chrono_date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
            let chrono_time =
                |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|x| x.to_utc());
            let day = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            let time = day
                .and_time(chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap())
                .and_utc();
            let written = time.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            proptest::prop_assert_eq!(plain_date(&written.as_bytes()[..10]), Some(day));
            proptest::prop_assert_eq!(utc_seconds(written.as_bytes()), Some(time));
            // Any digits at all: read exactly when chrono reads them (seconds below 60).
            let fast = utc_seconds(digits.as_bytes());
            if digits.get(17..19).is_some_and(|s| s < "60") {
                proptest::prop_assert_eq!(fast, chrono_time(&digits));
            } else {
                proptest::prop_assert_eq!(fast, None);
            }
            proptest::prop_assert_eq!(plain_date(&digits.as_bytes()[..10]), chrono_date(&digits[..10]));
            // One byte changed: whatever is read is what chrono reads.
            for base in [written, digits] {
                let mut odd_time = base.clone();
                odd_time.replace_range(at..=at, &odd);
                if let Some(fast) = utc_seconds(odd_time.as_bytes()) {
                    proptest::prop_assert_eq!(Some(fast), chrono_time(&odd_time), "{}", odd_time);
                }
                let odd_date = odd_time.get(..10).unwrap_or_default();
                if let Some(fast) = plain_date(odd_date.as_bytes()) {
                    proptest::prop_assert_eq!(Some(fast), chrono_date(odd_date), "{}", odd_date);
                }
            }
        }
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

    fn months(n: u32) -> Period {
        Period {
            amount: n,
            unit: PeriodUnit::Months,
        }
    }

    #[test]
    fn a_restriction_ends_at_the_earlier_of_its_date_and_its_maximum() {
        let six = Some((months(6), 1));
        let placed = Some(date("2027-08-31"));
        // Six months from 31 August is the end of February: 29 February in a leap year.
        assert_eq!(
            restriction_end(six, placed, None, 0),
            Some(date("2028-02-29"))
        );
        // Renewed once: twelve months from placement, not six from a clamped 29 February.
        assert_eq!(
            restriction_end(six, placed, None, 1),
            Some(date("2028-08-31"))
        );
        // Renewed more often than allowed: the maximum stays that of the renewals allowed.
        assert_eq!(
            restriction_end(six, placed, None, 5),
            Some(date("2028-08-31"))
        );
        assert_eq!(
            restriction_end(six, placed, Some(date("2027-12-01")), 0),
            Some(date("2027-12-01"))
        );
        assert_eq!(
            restriction_end(six, placed, Some(date("2029-01-01")), 0),
            Some(date("2028-02-29"))
        );
        // No maximum: only a date set on the record ends it; no date, no end.
        assert_eq!(
            restriction_end(None, placed, Some(date("2027-12-01")), 3),
            Some(date("2027-12-01"))
        );
        assert_eq!(restriction_end(None, placed, None, 0), None);
        assert_eq!(restriction_end(six, None, None, 0), None);
    }

    #[test]
    fn the_notice_counts_back_from_the_end_in_calendar_terms() {
        let end = date("2028-03-01");
        let two_weeks = Some(Period {
            amount: 2,
            unit: PeriodUnit::Weeks,
        });
        assert_eq!(ending(end, two_weeks, date("2028-02-15")), Ending::Running);
        assert_eq!(ending(end, two_weeks, date("2028-02-16")), Ending::EndsSoon);
        assert_eq!(ending(end, two_weeks, date("2028-02-29")), Ending::EndsSoon);
        assert_eq!(ending(end, two_weeks, date("2028-03-01")), Ending::Ended);
        assert_eq!(ending(end, None, date("2028-02-29")), Ending::Running);
        // The notice is counted forward, as a grant's is: a month's notice before 31 March
        // starts on 1 March, the first day a month after which reaches the end (a month after
        // 28 February is only 28 March).
        assert_eq!(
            ending(date("2027-03-31"), Some(months(1)), date("2027-03-01")),
            Ending::EndsSoon
        );
        assert_eq!(
            ending(date("2027-03-31"), Some(months(1)), date("2027-02-28")),
            Ending::Running
        );
    }

    #[test]
    fn a_uk_day_starts_at_midnight_in_gmt_and_in_bst() {
        let winter = uk_day_start(date("2026-12-04"));
        assert_eq!(timestamp(winter), "2026-12-04T00:00:00Z");
        assert_eq!(uk_local(winter), "00:00 on Friday 4 December 2026");
        let summer = uk_day_start(date("2026-07-15"));
        assert_eq!(timestamp(summer), "2026-07-14T23:00:00Z");
        assert_eq!(uk_local(summer), "00:00 on Wednesday 15 July 2026");
        // The days the clocks change: forward on 28 March 2027, back on 31 October 2027.
        assert_eq!(
            timestamp(uk_day_start(date("2027-03-28"))),
            "2027-03-28T00:00:00Z"
        );
        assert_eq!(
            timestamp(uk_day_start(date("2027-03-29"))),
            "2027-03-28T23:00:00Z"
        );
        assert_eq!(
            timestamp(uk_day_start(date("2027-10-31"))),
            "2027-10-30T23:00:00Z"
        );
        assert_eq!(
            timestamp(uk_day_start(date("2027-11-01"))),
            "2027-11-01T00:00:00Z"
        );
    }

    proptest::proptest! {
        /// The digits written by hand are chrono's `%Y-%m-%d`, whenever they are written, and
        /// are written for every year from 0 to 9999.
        #[test]
        fn date_digits_are_the_format_strings(days in -1_000_000i32..4_000_000) {
            let day = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            let formatted = day.format("%Y-%m-%d").to_string();
            match date_digits(day) {
                Some(digits) => proptest::prop_assert_eq!(&digits[..], formatted.as_bytes()),
                None => proptest::prop_assert!(!(0..=9999).contains(&day.year())),
            }
        }
    }

    proptest::proptest! {
        /// The quick UK day is the zone's, at any instant from 1900 to 2200.
        #[test]
        fn uk_dates_agree_with_the_zone_rules(secs in -2_208_988_800i64..7_258_118_400) {
            let at = DateTime::from_timestamp(secs, 0).unwrap();
            proptest::prop_assert_eq!(uk_date(at), uk_date_by_zone(at), "{}", at);
        }

        /// A review due within two days of an instant is overdue then exactly when the
        /// zone's UK day is past its due date.
        #[test]
        fn a_review_is_overdue_exactly_when_the_uk_day_is_past_it(
            secs in -2_208_988_800i64..7_258_118_400,
            days in -2i64..=2,
        ) {
            let at = DateTime::from_timestamp(secs, 0).unwrap();
            let due = at.naive_utc().date() + chrono::Duration::days(days);
            proptest::prop_assert_eq!(overdue(due, at), uk_date_by_zone(at) > due, "{} {}", due, at);
        }

        /// Every UK day of the calendar a request may name starts at a midnight a person reads
        /// as 00:00 on that day, the instant before it is the day before, and the UK day of
        /// any instant is the day whose start it has reached.
        #[test]
        fn uk_days_and_their_starts_agree(days in 0i64..(300 * 366), secs in 0i64..86_400 * 2) {
            let day = date("1900-01-01") + chrono::Duration::days(days);
            proptest::prop_assume!(crate::policy::YEARS.contains(&chrono::Datelike::year(&day)));
            let start = uk_day_start(day);
            proptest::prop_assert_eq!(uk_date(start), day);
            proptest::prop_assert_eq!(uk_date(start - chrono::Duration::seconds(1)), day.pred_opt().unwrap());
            proptest::prop_assert!(uk_local(start).starts_with("00:00 on "));
            let at = start + chrono::Duration::seconds(secs);
            let today = uk_date(at);
            proptest::prop_assert!(uk_day_start(today) <= at);
            proptest::prop_assert!(at < uk_day_start(today.succ_opt().unwrap()));
        }

        /// Ended exactly from the end day on; ending soon only before it, and for every day
        /// between the first day of the notice and the end; the maximum multiplies with the
        /// renewals allowed, and a stated end never makes a restriction last longer.
        #[test]
        fn ends_are_calendar_laws(
            placed in 0i64..(200 * 365),
            amount in 1u32..24,
            unit in 0usize..4,
            renewable in 0u32..3,
            renewals in 0u32..5,
            stated in proptest::option::of(0i64..2000),
            notice in 1u32..40,
            offset in -800i64..800,
        ) {
            let unit = [PeriodUnit::Days, PeriodUnit::Weeks, PeriodUnit::Months, PeriodUnit::Years][unit];
            let max = Period { amount, unit };
            let placed = date("1950-01-01") + chrono::Duration::days(placed);
            let stated = stated.map(|d| placed + chrono::Duration::days(d));
            let end = restriction_end(Some((max, renewable)), Some(placed), stated, renewals).unwrap();
            let terms = renewals.min(renewable) + 1;
            let cap = Period { amount: amount * terms, unit }.after(placed).unwrap();
            proptest::prop_assert_eq!(end, stated.map_or(cap, |s| s.min(cap)));
            proptest::prop_assert!(end <= cap);
            let notify = Some(Period { amount: notice, unit: PeriodUnit::Days });
            let today = end + chrono::Duration::days(offset);
            let state = ending(end, notify, today);
            proptest::prop_assert_eq!(state == Ending::Ended, today >= end);
            proptest::prop_assert_eq!(
                state == Ending::EndsSoon,
                today < end && (end - today).num_days() <= i64::from(notice)
            );
        }
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

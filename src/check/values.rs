//! Validation of enumerated words: units, views, restriction types, purposes, kinds, anchors.

use crate::diag::{Code, Diagnostic, suggest};
use crate::policy::words::article;
use crate::policy::{
    Anchor, Disposal, OrgKind, Period, Purpose, RestrictionType, UNITS, View, YEARS,
};
use crate::syntax::ast::{Duration, Ident, Str};

/// Checks an identifier against a fixed list of words.
pub fn word<T: Copy>(ident: &Ident, what: &str, options: &[(&str, T)]) -> Result<T, Diagnostic> {
    if let Some((_, v)) = options.iter().find(|(w, _)| *w == ident.name) {
        return Ok(*v);
    }
    let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
    let help = suggest::one_of(&ident.name, &words, &format!("{} is one of", article(what)));
    Err(Diagnostic::error(
        Code::InvalidValue,
        format!("unknown {what} `{}`", ident.name),
        ident.span,
        format!("not {}", article(what)),
    )
    .with_help(help))
}

/// The restriction types, as written.
pub const RESTRICTIONS: &[(&str, RestrictionType)] = &[
    ("universal", RestrictionType::Universal),
    ("exclude", RestrictionType::Exclude),
];

/// The views a refused person may be shown, as written (`full` is what a grant gives).
pub const VIEWS: &[(&str, View)] = &[
    ("none", View::None),
    ("notice", View::Notice),
    ("notice_with_contact", View::NoticeWithContact),
    ("minimal", View::Minimal),
];

/// A restriction type.
pub fn restriction(i: &Ident) -> Result<RestrictionType, Diagnostic> {
    word(i, "restriction type", RESTRICTIONS)
}

/// A view level (for `denied_view` and `shows`; `full` is what a grant gives and is refused).
pub fn view(i: &Ident) -> Result<View, Diagnostic> {
    word(i, "view", VIEWS)
}

/// An organisation kind.
pub fn org_kind(i: &Ident) -> Result<OrgKind, Diagnostic> {
    word(
        i,
        "organisation kind",
        &[
            ("internal", OrgKind::Internal),
            ("partner", OrgKind::Partner),
            ("external", OrgKind::External),
        ],
    )
}

/// An approval purpose.
pub fn purpose(i: &Ident) -> Result<Purpose, Diagnostic> {
    word(
        i,
        "approval purpose",
        &[
            ("place", Purpose::Place),
            ("amend", Purpose::Amend),
            ("lift", Purpose::Lift),
            ("access", Purpose::Access),
            ("renew", Purpose::Renew),
            ("flag", Purpose::Flag),
        ],
    )
}

/// A retention anchor.
pub fn anchor(i: &Ident) -> Result<Anchor, Diagnostic> {
    let options: Vec<(&str, Anchor)> = Anchor::ALL.iter().map(|a| (a.word(), *a)).collect();
    word(i, "retention anchor", &options)
}

/// A disposal action.
pub fn disposal(i: &Ident) -> Result<Disposal, Diagnostic> {
    let options: Vec<(&str, Disposal)> = Disposal::ALL.iter().map(|a| (a.word(), *a)).collect();
    word(i, "disposal action", &options)
}

/// The reason a statement gives for saying the source is silent: never empty, since a known gap
/// must say which document is silent and how to take it back to the council.
pub fn reason(text: &Str, statement: &str) -> Result<String, Diagnostic> {
    if text.value.trim().is_empty() {
        return Err(Diagnostic::error(
            Code::SilenceWithoutReason,
            format!("`{statement}` gives no reason"),
            text.span,
            "empty reason",
        )
        .with_help(format!(
            "say which document is silent and where, such as `{statement} \"002 gives no interval for sudden deaths\"`"
        )));
    }
    Ok(text.value.clone())
}

/// A duration with its unit checked.
pub fn period(d: &Duration) -> Result<Period, Diagnostic> {
    let Some(unit) = &d.unit else {
        return Err(Diagnostic::error(
            Code::MissingUnit,
            format!("duration `{}` has no unit", d.amount),
            d.span,
            "which unit?",
        )
        .with_help(format!(
            "write `{0} days`, `{0} weeks` or `{0} months`",
            d.amount
        )));
    };
    let unit = word(unit, "unit", UNITS)?;
    if d.amount == 0 {
        return Err(Diagnostic::error(
            Code::InvalidValue,
            "a duration must be at least 1".to_string(),
            d.span,
            "zero",
        )
        .with_help("to say a restriction is never reviewed, write `review never \"why\"`"));
    }
    let period = Period {
        amount: d.amount,
        unit,
    };
    // A period must be countable from every date a request may name, or the review, grant or
    // disposal it sets would silently never arrive.
    let last = chrono::NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31);
    if last.and_then(|day| period.after(day)).is_none() {
        return Err(Diagnostic::error(
            Code::PeriodOutOfRange,
            format!(
                "`{}` reaches past the end of the calendar",
                period.describe()
            ),
            d.span,
            "too long to count",
        )
        .with_help(format!(
            "durations are counted from dates up to {}; a review interval is at most a year",
            YEARS.end()
        )));
    }
    Ok(period)
}

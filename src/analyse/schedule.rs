//! Schedule and ownership checks: no reviewer (CL0206), no approver for placing a restriction
//! (CL0207), temporary access that outlasts the review interval (CL0211), a review interval
//! beyond the longest allowed (CL0212), categories never reviewed without saying so (CL0213),
//! flags never reviewed without saying so (CL0214), and a restriction that ends before its first
//! review falls due (CL0255).

use crate::diag::{Code, Diagnostic};
use crate::policy::{Category, Flag, Period, PeriodUnit, Policy, Purpose, Schedule};

/// The longest review interval a policy may set: restrictions are reviewed at least yearly.
pub const MAX_REVIEW_INTERVAL: Period = Period {
    amount: 12,
    unit: PeriodUnit::Months,
};

/// Whether `a` is longer than `b` from every start date.
fn longer(a: Period, b: Period) -> bool {
    a.always_longer(&b)
}

/// CL0214: a flag with no `review` statement. Its reviewer is optional (a flag restricts nobody,
/// so no approval hangs on who reviews it); its schedule is what gives the flag its own review
/// date, so leaving it out is said, not silent.
pub(super) fn flag(f: &Flag, out: &mut Vec<Diagnostic>) {
    if f.review.is_none() {
        out.push(
            Diagnostic::warning(
                Code::FlagNeverReviewed,
                format!("flag `{}` is never reviewed", f.named.name),
                f.named.span,
                "no `review` statement",
            )
            .with_label(f.span, "the flag")
            .with_help(
                "add `review every PERIOD` (a flagged record then warns when its review is overdue), `review never \"REASON\"` if that is deliberate, or `review unstated \"REASON\"` if the source gives no interval",
            ),
        );
    }
}

/// The schedule checks for one category (not the unrestricted block).
pub(super) fn check(p: &Policy, c: &Category, out: &mut Vec<Diagnostic>) {
    match &c.review {
        None => out.push(
            Diagnostic::warning(
                Code::NeverReviewed,
                format!("category `{}` is never reviewed", c.name),
                c.span,
                "no `review` statement",
            )
            .with_help(
                "add `review every PERIOD by APPROVER`, `review never \"REASON\"` if that is deliberate, or `review unstated \"REASON\"` if the source gives no interval",
            ),
        ),
        Some(r) => {
            // Nobody reviews a schedule that never falls due, or one the source does not give.
            let falls_due = !matches!(r.schedule, Schedule::Never(_) | Schedule::Unstated(_));
            if r.reviewer.is_none() && falls_due {
                out.push(
                    Diagnostic::warning(
                        Code::NoReviewer,
                        format!("category `{}` has a review schedule but no reviewer", c.name),
                        r.span,
                        "nobody is named to review",
                    )
                    .with_help("add `by role ...` (or a person, team or `via` path) to the review"),
                );
            }
            if let Schedule::Every(interval) = r.schedule {
                if longer(interval, MAX_REVIEW_INTERVAL) {
                    out.push(
                        Diagnostic::warning(
                            Code::ReviewTooLong,
                            format!(
                                "category `{}` is reviewed every {}, longer than the maximum of {}",
                                c.name,
                                interval.describe(),
                                MAX_REVIEW_INTERVAL.describe()
                            ),
                            r.span,
                            "review interval set here",
                        )
                        .with_help("review restrictions at least once a year"),
                    );
                }
                for t in c.temporary.iter().filter(|t| longer(t.max, interval)) {
                    out.push(
                        Diagnostic::warning(
                            Code::TemporaryOutlastsReview,
                            format!(
                                "temporary access to `{}` may last {}, longer than its review interval of {}",
                                c.name,
                                t.max.describe(),
                                interval.describe()
                            ),
                            t.span,
                            "temporary access outlasts a review",
                        )
                        .with_label(r.span, "the review interval")
                        .with_help("shorten temporary access, so a review always sees who holds it"),
                    );
                }
                if let Some(l) = c.lasts.filter(|l| !longer(l.max, interval)) {
                    out.push(
                        Diagnostic::warning(
                            Code::ReviewOutlastsRestriction,
                            format!(
                                "category `{}` is reviewed every {}, but a restriction lasts at most {}: it ends before its first review falls due",
                                c.name,
                                interval.describe(),
                                l.max.describe()
                            ),
                            r.span,
                            "no review falls due while a restriction runs",
                        )
                        .with_label(l.span, "the longest a restriction lasts")
                        .with_help("review more often than a restriction lasts, or let it last longer than the review interval"),
                    );
                }
            }
        }
    }
    // A source that names no approver, said so (`approve place unstated`), is a known gap.
    if p.approval(c, Purpose::Place).is_none() && p.unstated_approval(c, Purpose::Place).is_none() {
        out.push(
            Diagnostic::warning(
                Code::NoApprover,
                format!(
                    "nobody approves placing a restriction of category `{}`",
                    c.name
                ),
                c.span,
                "no `approve place` here or policy-wide",
            )
            .with_help("add `approve place by ...` to the category, or a policy-wide default; if the source names nobody, say so with `approve place unstated \"REASON\"`"),
        );
    }
}

//! A category's `lasts` statement: how long a restriction runs, how often it may be renewed,
//! and how long before its end people are told (docs/language.md, "How long a restriction
//! lasts"), and the renewals and notice a kind of temporary access shares with it.

use super::resolve::Resolver;
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::{Lasts, Period};
use crate::syntax::ast;

impl Resolver {
    /// Checks a `lasts` statement: `renewable 0` says nothing (CL0192), and a notice as long as
    /// the maximum tells nobody anything (CL0191).
    pub(super) fn lasts(&mut self, l: &ast::Lasts) -> Option<Lasts> {
        let max = self.ok(values::period(&l.max));
        let (renewable, notify) =
            self.renewals_and_notice(Limited::Restriction, max, &l.max, &l.renewable, &l.notify)?;
        Some(Lasts {
            max: max?,
            renewable,
            notify,
            span: l.span,
        })
    }

    /// `renewable N` and `notify D` after a maximum, checked alike for a restriction's `lasts`
    /// and a kind of temporary access: `renewable 0` says nothing (CL0192; CL0162 for a grant),
    /// and a notice as long as the maximum tells nobody anything (CL0191; CL0161). `None` when
    /// the notice is refused or unreadable.
    pub(super) fn renewals_and_notice(
        &mut self,
        of: Limited,
        max: Option<Period>,
        max_written: &ast::Duration,
        renewable: &Option<ast::Int>,
        notify: &Option<ast::Duration>,
    ) -> Option<(u32, Option<Period>)> {
        let renewable = match renewable {
            Some(n) if n.value == 0 => {
                self.report(
                    Diagnostic::warning(
                        of.renewable_zero(),
                        format!(
                            "`renewable 0` says a {} cannot be renewed, which is already so",
                            of.noun()
                        ),
                        n.span,
                        "renewable no times",
                    )
                    .with_help(
                        "remove `renewable 0`, or give the number of renewals the source allows",
                    ),
                );
                0
            }
            Some(n) => n.value,
            None => 0,
        };
        let notice = match notify {
            Some(d) => Some(self.ok(values::period(d))?),
            None => None,
        };
        if let (Some(n), Some(m), Some(d)) = (notice, max, notify) {
            if !m.always_longer(&n) {
                self.report(
                    Diagnostic::error(
                        of.notify_outlasts(),
                        format!(
                            "{} to be told {} before the end of a {} that lasts at most {}",
                            of.told(),
                            n.describe(),
                            of.noun(),
                            m.describe()
                        ),
                        d.span,
                        format!("as long as the {} or longer", of.noun()),
                    )
                    .with_label(
                        max_written.span,
                        format!("the longest a {} lasts", of.noun()),
                    )
                    .with_help(format!(
                        "give a notice shorter than the {}'s maximum, such as {}",
                        of.noun(),
                        of.example()
                    )),
                );
                return None;
            }
        }
        Some((renewable, notice))
    }

    /// CL0190: the unrestricted block places no restriction, so nothing of it can end.
    pub(super) fn lasts_unrestricted(&mut self, l: &ast::Lasts) {
        self.report(
            Diagnostic::error(
                Code::LastsUnrestricted,
                "the `unrestricted` block has no restriction that could end",
                l.span,
                "`lasts` on the unrestricted block",
            )
            .with_help("say how long a restriction lasts in the categories whose restrictions are time-limited"),
        );
    }
}

/// What a maximum, its renewals and its notice limit: the wording and codes of each.
#[derive(Debug, Clone, Copy)]
pub(super) enum Limited {
    /// A category's restrictions (`lasts`).
    Restriction,
    /// A kind of temporary access (`temporary ... for D`).
    Grant,
}

impl Limited {
    fn noun(self) -> &'static str {
        match self {
            Limited::Restriction => "restriction",
            Limited::Grant => "grant",
        }
    }

    /// Who is told before the end.
    fn told(self) -> &'static str {
        match self {
            Limited::Restriction => "people are",
            Limited::Grant => "the holder is",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Limited::Restriction => "`notify 14 days` for a restriction of 6 months",
            Limited::Grant => "`notify 3 days` for a grant of 2 weeks",
        }
    }

    fn renewable_zero(self) -> Code {
        match self {
            Limited::Restriction => Code::RestrictionRenewableZero,
            Limited::Grant => Code::RenewableZero,
        }
    }

    fn notify_outlasts(self) -> Code {
        match self {
            Limited::Restriction => Code::NotifyOutlastsRestriction,
            Limited::Grant => Code::NotifyOutlastsGrant,
        }
    }
}

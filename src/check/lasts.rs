//! A category's `lasts` statement: how long a restriction runs, how often it may be renewed,
//! and how long before its end people are told (docs/language.md, "How long a restriction
//! lasts").

use super::resolve::Resolver;
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::Lasts;
use crate::syntax::ast;

impl Resolver {
    /// Checks a `lasts` statement: `renewable 0` says nothing (CL0192), and a notice as long as
    /// the maximum tells nobody anything (CL0191).
    pub(super) fn lasts(&mut self, l: &ast::Lasts) -> Option<Lasts> {
        let max = self.ok(values::period(&l.max));
        let renewable = match &l.renewable {
            Some(n) if n.value == 0 => {
                self.report(
                    Diagnostic::warning(
                        Code::RestrictionRenewableZero,
                        "`renewable 0` says a restriction cannot be renewed, which is already so",
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
        let notify = match &l.notify {
            Some(d) => Some(self.ok(values::period(d))?),
            None => None,
        };
        if let (Some(n), Some(m), Some(d)) = (notify, max, &l.notify) {
            if !m.always_longer(&n) {
                self.report(
                    Diagnostic::error(
                        Code::NotifyOutlastsRestriction,
                        format!(
                            "people are to be told {} before the end of a restriction that lasts at most {}",
                            n.describe(),
                            m.describe()
                        ),
                        d.span,
                        "as long as the restriction or longer",
                    )
                    .with_label(l.max.span, "the longest a restriction lasts")
                    .with_help("give a notice shorter than the restriction's maximum, such as `notify 14 days` for a restriction of 6 months"),
                );
                return None;
            }
        }
        Some(Lasts {
            max: max?,
            renewable,
            notify,
            span: l.span,
        })
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

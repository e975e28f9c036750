//! A record's flags (docs/semantics.md, "Flags"): marked on a decision after it is made, never
//! changing it; an allow gives each flag's duty, and a flag whose review is overdue adds a
//! warning. An undeclared flag fails the request closed.

use chrono::{DateTime, Utc};

use super::decider::{Decider, fail_closed, index};
use super::decision::{Basis, Decision, FailReason, ObligationOut, Warning};
use super::request::Request;
use super::time;
use crate::compile::table::FlagEntry;

impl Decider {
    /// The flags' part of a decision, made after the decision and never changing it: each flag
    /// on the record is marked, and one whose review is overdue adds a warning. A flag the
    /// policy does not declare fails the request closed, naming its place, as an unknown role
    /// does; a request that already failed closed stays as it is.
    pub(super) fn flag<S: AsRef<str>>(
        &self,
        req: &Request<S>,
        at: DateTime<Utc>,
        d: &mut Decision,
    ) {
        if matches!(d.basis, Basis::FailClosed(_)) {
            return;
        }
        for (i, f) in req.record.flags.iter().enumerate() {
            let Some(&id) = self.flags.get(f.flag.as_ref()) else {
                *d = fail_closed(FailReason::UnknownFlag(index(i)), at);
                return;
            };
            d.flags |= 1u64.checked_shl(id).unwrap_or(0);
            let review = self.flag_reviews.get(id as usize).copied().flatten();
            if let Some(due) = time::review_due(review, f.placed_on, f.last_reviewed, f.review_by) {
                if time::overdue(due, at) {
                    d.warnings.push(Warning::FlagReviewOverdue(id, due));
                }
            }
        }
    }

    /// The flags the record carries, in the policy's order.
    pub(super) fn flags_on(&self, d: &Decision) -> impl Iterator<Item = &FlagEntry> + '_ {
        let flags = d.flags;
        self.table
            .vocabulary
            .flags
            .iter()
            .enumerate()
            .filter(move |(i, _)| flags & 1u64.checked_shl(*i as u32).unwrap_or(0) != 0)
            .map(|(_, f)| f)
    }

    /// The duty of each flag the record carries, in the policy's order, one obligation each
    /// (named after the flag).
    pub(super) fn flag_duties(&self, d: &Decision) -> impl Iterator<Item = ObligationOut> + '_ {
        self.flags_on(d).map(|f| ObligationOut {
            id: f.name.clone(),
            text: f.warns.clone(),
        })
    }
}

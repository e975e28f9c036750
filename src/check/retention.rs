//! Retention schedules: how long a file is kept, from when (the latest of one or more dates),
//! and what happens then.

use super::resolve::Resolver;
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::span::Span;
use crate::syntax::ast;

impl Resolver {
    pub(super) fn retention(&mut self, r: &ast::RetentionBlock) -> Option<Retention> {
        let mut keep = None;
        let mut keep_span: Option<Span> = None;
        let mut then = None;
        let mut unless = Vec::new();
        for st in &r.statements {
            match st {
                ast::RetentionStatement::Keep(..) | ast::RetentionStatement::KeepPermanently(_) => {
                    if let Some(first) = keep_span {
                        self.report(
                            Diagnostic::error(
                                Code::Repeated,
                                format!("`keep` is given twice in retention `{}`", r.name.name),
                                st.span(),
                                "given again here",
                            )
                            .with_label(first, "first given here")
                            .with_help("keep one `keep` statement"),
                        );
                        continue;
                    }
                    keep_span = Some(st.span());
                    keep = match st {
                        ast::RetentionStatement::Keep(d, anchors, _) => {
                            let period = self.ok(values::period(d));
                            period
                                .zip(self.anchors(anchors))
                                .map(|(p, a)| Keep::For(p, a))
                        }
                        _ => Some(Keep::Permanently),
                    };
                }
                ast::RetentionStatement::Then(a, text, _) => {
                    then = self
                        .ok(values::disposal(a))
                        .map(|d| (d, text.as_ref().map(|s| s.value.clone())));
                }
                ast::RetentionStatement::Unless(c, a, text, _) => {
                    if let Some(d) = self.ok(values::disposal(a)) {
                        unless.push((c.name.clone(), d, text.as_ref().map(|s| s.value.clone())));
                    }
                }
                // Notes for readers of the policy: nothing is decided or reported from them.
                ast::RetentionStatement::Criteria(..) => {}
            }
        }
        if keep_span.is_none() {
            self.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "retention `{}` does not say how long to keep the file",
                        r.name.name
                    ),
                    r.span,
                    "no `keep` statement",
                )
                .with_help("add `keep 25 years from date_of_birth` or `keep permanently`"),
            );
        }
        Some(Retention {
            name: r.name.name.clone(),
            keep: keep?,
            then,
            unless,
            span: r.span,
        })
    }

    /// The anchors of a `keep`: each known, none named twice.
    fn anchors(&mut self, names: &[ast::Ident]) -> Option<Vec<Anchor>> {
        let mut out: Vec<Anchor> = Vec::new();
        let mut ok = true;
        for (i, name) in names.iter().enumerate() {
            let Some(anchor) = self.ok(values::anchor(name)) else {
                ok = false;
                continue;
            };
            if let Some(first) = names[..i].iter().find(|n| n.name == name.name) {
                self.report(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("retention anchor `{}` is named twice", name.name),
                        name.span,
                        "named again here",
                    )
                    .with_label(first.span, "first named here")
                    .with_help("name each date once: the file is kept from the latest of them"),
                );
                ok = false;
                continue;
            }
            out.push(anchor);
        }
        (ok && !out.is_empty()).then_some(out)
    }
}

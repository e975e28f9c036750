//! Flags: each says the duty it gives (CL0122) and at most one `warns` and one `review`
//! (CL0110); a policy declares at most [`MAX_FLAGS`] of them. Their names share the one
//! namespace of every declaration, so a flag named like a category or another flag is CL0102.

use super::resolve::Resolver;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::span::Span;
use crate::syntax::ast;

impl Resolver {
    pub(super) fn flag(&mut self, f: &ast::FlagBlock) -> Option<Flag> {
        let name = &f.name.name;
        let mut warns: Option<(String, Span)> = None;
        let mut review: Option<(Option<Review>, Span)> = None;
        for st in &f.statements {
            let (word, first) = match st {
                ast::FlagStatement::Warns(..) => ("warns", warns.as_ref().map(|w| w.1)),
                ast::FlagStatement::Review(_) => ("review", review.as_ref().map(|r| r.1)),
            };
            if let Some(first) = first {
                self.report(
                    Diagnostic::error(
                        Code::Repeated,
                        format!("`{word}` is given twice in flag `{name}`"),
                        st.span(),
                        "given again here",
                    )
                    .with_label(first, "first given here")
                    .with_help(format!("keep one `{word}` statement")),
                );
                continue;
            }
            match st {
                ast::FlagStatement::Warns(text, span) => {
                    if text.value.trim().is_empty() {
                        self.report(
                            Diagnostic::error(
                                Code::FlagWithoutDuty,
                                format!("flag `{name}` warns of nothing"),
                                text.span,
                                "empty text",
                            )
                            .with_help(DUTY_HELP),
                        );
                    }
                    warns = Some((text.value.clone(), *span));
                }
                ast::FlagStatement::Review(r) => review = Some((self.review(r), r.span)),
            }
        }
        if warns.is_none() {
            // The opening line: the keyword to the name (and title).
            let opening = f.title.as_ref().map_or(f.name.span, |t| t.span);
            self.report(
                Diagnostic::error(
                    Code::FlagWithoutDuty,
                    format!("flag `{name}` does not say what it warns of"),
                    Span {
                        end: opening.end,
                        ..f.span
                    },
                    "no `warns` statement",
                )
                .with_help(DUTY_HELP),
            );
        }
        Some(Flag {
            named: super::declarations::named(&f.name, f.title.as_ref()),
            warns: warns?.0,
            review: review.and_then(|r| r.0),
            span: f.span,
        })
    }

    /// A decision carries the record's flags as one machine word, so a policy has at most
    /// [`MAX_FLAGS`] (as it has at most [`MAX_ACTIONS`] actions).
    pub(super) fn flag_limit(&mut self, p: &Policy) {
        if let Some(f) = p.flags.get(MAX_FLAGS) {
            self.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("a policy may declare at most {MAX_FLAGS} flags"),
                    f.named.span,
                    "one too many",
                )
                .with_help("merge flags that always give the same duty"),
            );
        }
    }
}

const DUTY_HELP: &str = "a flag restricts nobody: it exists to give whoever may open the record a duty; say it with `warns \"Staff must read the hazard note before visiting\"`";

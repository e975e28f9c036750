//! `disclose`: what a refused person may be told, per category and policy-wide.

use super::values::word;
use crate::diag::{Code, Diagnostic};
use crate::policy::{Disclosed, Disclosure};
use crate::syntax::ast::DiscloseItem;

/// The items of one `disclose` statement, or every error in them.
pub(super) fn disclosure(items: &[DiscloseItem]) -> Result<Disclosure, Vec<Diagnostic>> {
    let options: Vec<(&str, Disclosed)> = Disclosed::ALL.iter().map(|d| (d.word(), *d)).collect();
    let mut out = Disclosure::default();
    let mut errors = Vec::new();
    let mut nothing = None;
    for item in items {
        let what = match word(&item.word, "thing to disclose", &options) {
            Ok(w) => w,
            Err(e) => {
                errors.push(e.with_note(
                    "disclosure is closed by default: name only what a refused person may be told",
                ));
                continue;
            }
        };
        match (what, &item.text) {
            (Disclosed::Notice, Some(text)) => out.notice = Some(text.value.clone()),
            (Disclosed::Notice, None) => errors.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "`notice` needs its text".to_string(),
                    item.span,
                    "no text",
                )
                .with_help("write the notice a refused person reads: `notice \"Contact the duty manager\"`"),
            ),
            (_, Some(text)) => errors.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{}` takes no text", what.word()),
                    text.span,
                    "unexpected text",
                )
                .with_help("only `notice` carries a text; remove the string"),
            ),
            (Disclosed::Nothing, None) => nothing = Some(item.span),
            (Disclosed::Title, None) => out.title = true,
            (Disclosed::Contact, None) => out.contact = true,
            (Disclosed::Temporary, None) => out.temporary = true,
            (Disclosed::Reason, None) => out.reason = true,
            (Disclosed::Exclusion, None) => out.exclusion = true,
        }
    }
    if let (Some(at), true) = (nothing, items.len() > 1) {
        errors.push(
            Diagnostic::error(
                Code::InvalidValue,
                "`nothing` cannot be combined with other things to disclose".to_string(),
                at,
                "`nothing` here",
            )
            .with_help("write `disclose nothing` alone, or list what may be told"),
        );
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

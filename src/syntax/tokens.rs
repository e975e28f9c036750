//! What each token of a file is, read off the grammar's own parse: the classes an editor
//! colours. The TextMate grammar of the VS Code extension is tested against this.

use pest::Parser as _;
use pest::iterators::Pair;

use super::error::{self, SyntaxError};
use super::parser::{PolicyParser, Rule};
use crate::span::{FileId, Span};

/// The class of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenClass {
    /// A keyword, including a kind word before a name (`team emergency_duty`).
    Keyword,
    /// A name: declared, built in (`allocated_worker`), a fixed word (`universal`) or a rule id.
    Name,
    /// A test field's key (`roles`, `placed_on`).
    FieldKey,
    /// A string, quotes included.
    String,
    /// A duration, number and unit (`90 days`).
    Duration,
    /// A whole number (`version 4`).
    Number,
    /// A date or a time.
    Date,
    /// A `#` comment.
    Comment,
}

/// One classified token.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    /// Its class.
    pub class: TokenClass,
    /// Where it is.
    pub span: Span,
}

/// The tokens of a file that parses, in order of place.
pub fn tokens(file: FileId, text: &str) -> Result<Vec<Token>, SyntaxError> {
    let pairs =
        PolicyParser::parse(Rule::file, text).map_err(|e| error::from_pest(file, text, e))?;
    let mut out = Vec::new();
    for p in pairs {
        walk(file, p, &mut out);
    }
    out.extend(
        super::comments::scan(file, text)
            .into_iter()
            .map(|c| Token {
                class: TokenClass::Comment,
                span: c.span,
            }),
    );
    out.sort_by_key(|t| t.span.start);
    Ok(out)
}

fn walk(file: FileId, pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let class = match pair.as_rule() {
        Rule::ident | Rule::dotted_ident => Some(TokenClass::Name),
        Rule::name_kind => Some(TokenClass::Keyword),
        Rule::test_key => Some(TokenClass::FieldKey),
        Rule::string => Some(TokenClass::String),
        // A number without a unit (`step 1`, `renewals 2`) is a count, not a duration.
        Rule::duration if pair.clone().into_inner().all(|p| p.as_rule() != Rule::unit) => {
            Some(TokenClass::Number)
        }
        Rule::test_duration
            if pair
                .clone()
                .into_inner()
                .all(|p| p.as_rule() != Rule::test_unit) =>
        {
            Some(TokenClass::Number)
        }
        Rule::duration | Rule::test_duration => Some(TokenClass::Duration),
        Rule::integer => Some(TokenClass::Number),
        Rule::date | Rule::timestamp => Some(TokenClass::Date),
        r if format!("{r:?}").starts_with("kw_") => Some(TokenClass::Keyword),
        _ => None,
    };
    match class {
        Some(class) => {
            let s = pair.as_span();
            out.push(Token {
                class,
                span: Span::new(file, s.start(), s.end()),
            });
        }
        None => {
            for inner in pair.into_inner() {
                walk(file, inner, out);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_token_gets_its_class() {
        let text = "policy p \"P\" version 2 # c\ncategory c {\n  grant view to team t\n  review every 90 days by owner\n}\n";
        let got: Vec<(TokenClass, &str)> = tokens(FileId(0), text)
            .unwrap()
            .iter()
            .map(|t| (t.class, &text[t.span.start as usize..t.span.end as usize]))
            .collect();
        use TokenClass::*;
        assert_eq!(
            got,
            [
                (Keyword, "policy"),
                (Name, "p"),
                (String, "\"P\""),
                (Keyword, "version"),
                (Number, "2"),
                (Comment, "# c"),
                (Keyword, "category"),
                (Name, "c"),
                (Keyword, "grant"),
                (Name, "view"),
                (Keyword, "to"),
                (Keyword, "team"),
                (Name, "t"),
                (Keyword, "review"),
                (Keyword, "every"),
                (Duration, "90 days"),
                (Keyword, "by"),
                (Name, "owner"),
            ]
        );
    }

    /// Regression: a test block's durations are read by their own rule (`test_duration`), which
    /// the classifier missed, so the editor grammar test saw `24h` as a count.
    #[test]
    fn a_test_blocks_duration_is_a_duration_and_its_count_a_number() {
        let text = "test \"t\" {\n  temporary_grant granted_at 2026-11-22T09:00:00Z for 24h approved_by \"u-1\"\n  approval by \"u-2\" approved_at 2026-11-22T09:00:00Z step 1\n}\n";
        let classes: Vec<(TokenClass, &str)> = tokens(FileId(0), text)
            .unwrap()
            .iter()
            .map(|t| (t.class, &text[t.span.start as usize..t.span.end as usize]))
            .filter(|(c, _)| matches!(c, TokenClass::Duration | TokenClass::Number))
            .collect();
        assert_eq!(
            classes,
            [(TokenClass::Duration, "24h"), (TokenClass::Number, "1")]
        );
    }
}

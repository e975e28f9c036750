//! Parse errors, rewritten from pest's rule lists into plain English.

use pest::error::{ErrorVariant, InputLocation};

use super::parser::Rule;
use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// Why a file could not be parsed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyntaxError {
    /// The text does not follow the grammar.
    #[error("{0}")]
    Parse(ParseError),
    /// A literal is malformed.
    #[error("{0}")]
    Literal(LiteralError),
    /// The parse tree had an unexpected shape; a bug in caselock, reported rather than panicking.
    #[error("internal parser error")]
    Internal(Span),
}

/// The grammar did not match.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Where parsing stopped.
    pub span: Span,
    /// `expected X, found Y`.
    pub message: String,
    /// What was expected, in English.
    pub expected: Vec<String>,
    /// The token found instead (empty at end of file).
    pub found: String,
}

/// A malformed literal.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct LiteralError {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

impl LiteralError {
    pub(crate) fn number_too_large(span: Span) -> Self {
        LiteralError {
            span,
            message: "number is too large".into(),
            help: "numbers must be below 4294967296".into(),
        }
    }

    /// A date that is not a day of the calendar (`2023-13-01`, `2026-02-30`).
    pub fn not_a_date(span: Span, text: &str) -> Self {
        LiteralError {
            span,
            message: format!("`{text}` is not a date"),
            help: "dates are written year-month-day, such as `2023-06-09`".into(),
        }
    }

    pub(crate) fn bad_escape(span: Span, c: char) -> Self {
        LiteralError {
            span,
            message: format!("unknown escape `\\{c}` in string"),
            help: "strings may contain `\\\"`, `\\\\`, `\\n` and `\\t`".into(),
        }
    }
}

impl SyntaxError {
    /// The error as a coded diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            SyntaxError::Parse(e) => {
                let label = match e.expected.as_slice() {
                    [] => "unexpected here".to_string(),
                    [one] => format!("expected {one}"),
                    _ => "unexpected here".to_string(),
                };
                Diagnostic::error(Code::Syntax, e.message.clone(), e.span, label)
                    .with_help(syntax_help(&e.expected, &e.found))
            }
            SyntaxError::Literal(e) => {
                Diagnostic::error(Code::Literal, e.message.clone(), e.span, "here")
                    .with_help(e.help.clone())
            }
            SyntaxError::Internal(span) => Diagnostic::error(
                Code::Syntax,
                "internal parser error",
                *span,
                "caselock could not read this",
            )
            .with_help("this is a bug in caselock; please report it with this file"),
        }
    }
}

fn syntax_help(expected: &[String], found: &str) -> String {
    let closes = expected.iter().any(|e| e.contains("`}`"));
    if closes && super::keywords::ITEMS.contains(&found) {
        format!("the block above is not closed: add `}}` before this `{found}`")
    } else if closes {
        "check that every `{` has a matching `}`".to_string()
    } else if expected
        .iter()
        .any(|e| e.contains("duration") || e == "a number")
    {
        "durations are a number and a unit, such as `24h`, `90 days` or `6 months`".to_string()
    } else {
        "see docs/language.md for the syntax".to_string()
    }
}

/// Turns a pest error into a [`ParseError`] whose message names no grammar rules.
pub(crate) fn from_pest(file: FileId, text: &str, err: pest::error::Error<Rule>) -> SyntaxError {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    from_pest_at(file, text, err, pos)
}

/// As [`from_pest`], reporting the error at `pos` of `text`.
pub(crate) fn from_pest_at(
    file: FileId,
    text: &str,
    err: pest::error::Error<Rule>,
    pos: usize,
) -> SyntaxError {
    let mut expected: Vec<String> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => describe_all(positives),
        ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    expected.dedup();
    let found = found_token(text, pos);
    let end = pos + found.len().max(1).min(text.len().saturating_sub(pos));
    let found_desc = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_desc}")
    } else {
        format!("expected {}, found {found_desc}", join_or(&expected))
    };
    SyntaxError::Parse(ParseError {
        span: Span::new(file, pos, end.max(pos)),
        message,
        expected,
        found,
    })
}

/// The token at `pos`: a word, a number, a quoted string's start or one character.
fn found_token(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return String::new();
    };
    if first.is_alphanumeric() || first == '_' {
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ':'))
            .map_or(rest.len(), |(i, _)| i);
        rest[..end].to_string()
    } else if first == '\n' {
        "end of line".to_string()
    } else {
        first.to_string()
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_all(rules: &[Rule]) -> Vec<String> {
    let item_like = rules.iter().filter(|r| is_item_start(**r)).count();
    let stmt_like = rules.iter().filter(|r| is_statement_start(**r)).count();
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    if item_like >= 3 {
        push("an item such as `category`, `team` or `group`".into());
    }
    if stmt_like >= 3 {
        push("a statement such as `grant`, `deny` or `review`".into());
    }
    for r in rules {
        if (item_like >= 3 && is_item_start(*r)) || (stmt_like >= 3 && is_statement_start(*r)) {
            continue;
        }
        if let Some(d) = describe(*r) {
            push(d.to_string());
        }
    }
    out
}

fn is_item_start(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_source
            | Rule::kw_systems
            | Rule::kw_updated
            | Rule::kw_action
            | Rule::kw_section
            | Rule::kw_link
            | Rule::kw_role
            | Rule::kw_team
            | Rule::kw_person
            | Rule::kw_organisation
            | Rule::kw_group
            | Rule::kw_obligation
            | Rule::kw_escalation
            | Rule::kw_rules
            | Rule::kw_unrestricted
            | Rule::kw_category
            | Rule::kw_flag
            | Rule::kw_retention
            | Rule::kw_test
            | Rule::kw_policy
            | Rule::kw_end
            | Rule::end_marker
            | Rule::header
    )
}

fn is_statement_start(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_criteria
            | Rule::kw_restriction
            | Rule::kw_grant
            | Rule::kw_deny
            | Rule::kw_review
            | Rule::kw_denied_view
            | Rule::kw_disclose
            | Rule::kw_temporary
            | Rule::kw_contact
            | Rule::kw_approve
            | Rule::kw_use
            | Rule::kw_protects
            | Rule::kw_reaches
    )
}

/// English for one rule, or `None` for rules that never stand alone in a message.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of file",
        Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::equals => "`=`",
        Rule::arrow => "`->`",
        Rule::comma => "`,`",
        Rule::header => "a header such as `policy devon \"Title\" version 1`",
        Rule::ident | Rule::name_list | Rule::dotted_ident => "a name",
        Rule::string | Rule::string_inner => "a string in double quotes",
        Rule::integer => "a number",
        Rule::duration | Rule::test_duration => "a duration such as `90 days`",
        Rule::unit | Rule::test_unit => "a unit such as `days` or `months`",
        Rule::date => "a date such as `2026-05-01`",
        Rule::timestamp => "a time such as `2026-11-22T10:00:00Z`",
        Rule::subjects
        | Rule::term
        | Rule::literal
        | Rule::atom
        | Rule::kinded_atom
        | Rule::org_kind_atom
        | Rule::negation
        | Rule::name_kind => "a subject such as `team emergency_duty` or `allocated_worker`",
        Rule::chain | Rule::step => "an approver such as `role service_manager`",
        Rule::decl_entry | Rule::organisation_entry => "a name to declare",
        Rule::parent => "`in` and a parent name",
        Rule::external_id => "`id` and a string",
        Rule::absolute => "`absolute`",
        Rule::shows => "`shows` and a view such as `minimal`",
        Rule::requires => "`requires` and obligations",
        Rule::reviewer => "`by` and a reviewer",
        Rule::review_every | Rule::review_never | Rule::review_until => {
            "`every`, `never` or `until`"
        }
        Rule::temporary_to => "`to` and subjects",
        Rule::approve_by | Rule::approve_via => "`by` or `via`",
        Rule::permanently => "`permanently`",
        Rule::keep_stmt | Rule::then_stmt | Rule::unless_stmt => {
            "a retention statement such as `keep`, `then` or `unless`"
        }
        Rule::test_subject
        | Rule::test_record
        | Rule::test_restriction
        | Rule::test_action
        | Rule::test_at
        | Rule::test_grant
        | Rule::test_change
        | Rule::test_approval
        | Rule::test_expect => "a test statement such as `subject`, `record` or `expect`",
        Rule::test_field | Rule::test_key => "a test field",
        Rule::kw_policy => "`policy`",
        Rule::kw_end | Rule::end_marker => "`end`",
        Rule::kw_version => "`version`",
        Rule::kw_source => "`source`",
        Rule::kw_systems => "`systems`",
        Rule::kw_updated => "`updated`",
        Rule::kw_action => "`action`",
        Rule::kw_role => "`role`",
        Rule::kw_team => "`team`",
        Rule::kw_section => "`section`",
        Rule::kw_protects => "`protects`",
        Rule::kw_link => "`link`",
        Rule::kw_reaches => "`reaches`",
        Rule::kw_linked_record => "`linked_record`",
        Rule::kw_person => "`person`",
        Rule::kw_organisation => "`organisation`",
        Rule::kw_organisations => "`organisations`",
        Rule::kw_group => "`group`",
        Rule::kw_obligation => "`obligation`",
        Rule::kw_escalation => "`escalation`",
        Rule::kw_unrestricted => "`unrestricted`",
        Rule::kw_category => "`category`",
        Rule::kw_flag => "`flag`",
        Rule::kw_warns => "`warns`",
        Rule::warns_stmt => "a flag statement such as `warns` or `review`",
        Rule::kw_criteria => "`criteria`",
        Rule::kw_restriction => "`restriction`",
        Rule::kw_grant => "`grant`",
        Rule::kw_deny => "`deny`",
        Rule::kw_to => "`to`",
        Rule::kw_absolute => "`absolute`",
        Rule::kw_shows => "`shows`",
        Rule::kw_requires => "`requires`",
        Rule::kw_review => "`review`",
        Rule::kw_every => "`every`",
        Rule::kw_never => "`never`",
        Rule::kw_until => "`until`",
        Rule::kw_unstated => "`unstated`",
        Rule::kw_rules => "`rules`",
        Rule::kw_use => "`use`",
        Rule::kw_by => "`by`",
        Rule::kw_denied_view => "`denied_view`",
        Rule::kw_disclose => "`disclose`",
        Rule::kw_temporary => "`temporary`",
        Rule::kw_for => "`for`",
        Rule::kw_approved_by => "`approved_by`",
        Rule::kw_contact => "`contact`",
        Rule::kw_approve => "`approve`",
        Rule::kw_via => "`via`",
        Rule::kw_in => "`in`",
        Rule::kw_id => "`id`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_retention => "`retention`",
        Rule::kw_keep => "`keep`",
        Rule::kw_permanently => "`permanently`",
        Rule::kw_from => "`from`",
        Rule::kw_then => "`then`",
        Rule::kw_unless => "`unless`",
        Rule::kw_test => "`test`",
        Rule::kw_subject => "`subject`",
        Rule::kw_record => "`record`",
        Rule::kw_at => "`at`",
        Rule::kw_temporary_grant => "`temporary_grant`",
        Rule::kw_change => "`change`",
        Rule::kw_approval => "`approval`",
        Rule::kw_valid => "`valid`",
        Rule::kw_expect => "`expect`",
        Rule::criteria_stmt
        | Rule::restriction_stmt
        | Rule::grant_stmt
        | Rule::deny_stmt
        | Rule::review_stmt
        | Rule::denied_view_stmt
        | Rule::disclose_stmt
        | Rule::temporary_stmt
        | Rule::contact_stmt
        | Rule::approve_stmt
        | Rule::use_stmt => "a statement such as `grant`, `deny` or `review`",
        _ => return None,
    })
}

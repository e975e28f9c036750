//! Turns pest pairs into the syntax tree right away, so `Pair<Rule>` never leaves the parser.

mod blocks;

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::error::{LiteralError, SyntaxError};
use super::parser::Rule;
use crate::span::{FileId, Span};

/// Lowers pairs of one file, remembering which file they came from.
///
/// A malformed literal (a number too large, an unknown escape) does not stop the walk: it is
/// recorded and lowering goes on, so one pass finds every literal error of the file.
pub(crate) struct Lowerer {
    file: FileId,
    literal_errors: std::cell::RefCell<Vec<SyntaxError>>,
}

type Result<T> = std::result::Result<T, SyntaxError>;

impl Lowerer {
    pub(crate) fn new(file: FileId) -> Self {
        Lowerer {
            file,
            literal_errors: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Records a malformed literal; lowering continues with a stand-in value.
    fn literal_error(&self, e: LiteralError) {
        self.literal_errors
            .borrow_mut()
            .push(SyntaxError::Literal(e));
    }

    /// Every malformed literal met so far, in file order.
    pub(crate) fn take_literal_errors(&self) -> Vec<SyntaxError> {
        self.literal_errors.take()
    }

    /// The pair's span without the whitespace and comments pest lets trail after its last token.
    ///
    /// pest lets a rule's span run on over the whitespace skipped before an optional part that
    /// did not match, so the end is taken from the innermost last pair, which is a token.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let mut last = None;
        let mut inner = pair.clone().into_inner().last();
        while let Some(p) = inner {
            inner = p.clone().into_inner().last();
            last = Some(p);
        }
        let from = last.map_or(s.start(), |p| p.as_span().end());
        let tail = s.get_input().get(from..s.end()).unwrap_or("");
        Span::new(self.file, s.start(), from + meaningful_len(tail))
    }

    pub(crate) fn file(&self, pair: Pair<'_, Rule>, comments: Vec<Comment>) -> Result<File> {
        let span = self.span(&pair);
        let mut header = None;
        let mut items = Vec::new();
        let mut end = None;
        for p in significant(pair.into_inner()) {
            match p.as_rule() {
                Rule::header => header = Some(self.header(p)?),
                Rule::end_marker => end = Some(self.span(&p)),
                Rule::EOI => {}
                _ => items.push(self.item(p)?),
            }
        }
        if let Some(first) = self.literal_errors.borrow().first() {
            return Err(first.clone());
        }
        Ok(File {
            header,
            items,
            end,
            comments,
            span,
        })
    }

    fn header(&self, pair: Pair<'_, Rule>) -> Result<Header> {
        let span = self.span(&pair);
        let mut it = significant(pair.into_inner());
        let name = self.ident(next(&mut it)?);
        let title = self.string(next(&mut it)?)?;
        let version = it.next().map(|p| self.int(p)).transpose()?;
        Ok(Header {
            name,
            title,
            version,
            span,
        })
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Result<Item> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let inner = significant(pair.clone().into_inner());
        Ok(match rule {
            Rule::source_item => {
                Item::Source(inner.map(|p| self.string(p)).collect::<Result<_>>()?, span)
            }
            Rule::systems_item => Item::Systems(inner.map(|p| self.ident(p)).collect(), span),
            Rule::updated_item => {
                let mut inner = inner;
                let date = self.date(next(&mut inner)?);
                if chrono::NaiveDate::parse_from_str(&date.text, "%Y-%m-%d").is_err() {
                    self.literal_error(LiteralError::not_a_date(date.span, &date.text));
                }
                Item::Updated(date, span)
            }
            Rule::action_decl => Item::Decl(self.decl(DeclKind::Action, pair)?),
            Rule::section_decl => Item::Decl(self.decl(DeclKind::Section, pair)?),
            Rule::fact_decl => Item::Decl(self.decl(DeclKind::Fact, pair)?),
            Rule::trigger_stmt => {
                let mut it = inner;
                self.trigger(span, next(&mut it)?)?
            }
            Rule::never_stmt => {
                let mut categories = Vec::new();
                let mut when = None;
                let mut reason = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::name_list => categories = self.name_list(p),
                        Rule::subjects => when = Some(self.subjects(p)?),
                        Rule::string => reason = Some(self.string(p)?),
                        _ => return Err(unexpected(&p, self.file)),
                    }
                }
                Item::NeverRestrict(NeverRestrict {
                    categories,
                    when: when.ok_or_else(|| missing(span))?,
                    reason,
                    span,
                })
            }
            Rule::exclusive_stmt => {
                let mut it = inner;
                let categories = self.name_list(next(&mut it)?);
                let reason = it.next().map(|p| self.string(p)).transpose()?;
                Item::Exclusive(Exclusive {
                    categories,
                    reason,
                    span,
                })
            }
            Rule::link_decl => Item::Decl(self.decl(DeclKind::Link, pair)?),
            Rule::role_decl => Item::Decl(self.decl(DeclKind::Role, pair)?),
            Rule::team_decl => Item::Decl(self.decl(DeclKind::Team, pair)?),
            Rule::person_decl => Item::Decl(self.decl(DeclKind::Person, pair)?),
            Rule::organisation_decl => Item::Decl(self.decl(DeclKind::Organisation, pair)?),
            Rule::context_decl => {
                let mut it = inner.peekable();
                let name = self.ident(next(&mut it)?);
                let title = match it.peek() {
                    Some(p) if p.as_rule() == Rule::string => Some(self.string(next(&mut it)?)?),
                    _ => None,
                };
                let values = it
                    .map(|v| {
                        let vspan = self.span(&v);
                        let mut parts = significant(v.into_inner());
                        let name = self.ident(next(&mut parts)?);
                        let title = parts.next().map(|p| self.string(p)).transpose()?;
                        Ok(ContextValueDecl {
                            name,
                            title,
                            span: vspan,
                        })
                    })
                    .collect::<Result<_>>()?;
                Item::Context(ContextDecl {
                    name,
                    title,
                    values,
                    span,
                })
            }
            Rule::group_decl => {
                let mut it = inner;
                let name = self.ident(next(&mut it)?);
                let mut title = None;
                let mut subjects = None;
                for p in it {
                    match p.as_rule() {
                        Rule::string => title = Some(self.string(p)?),
                        _ => subjects = Some(self.subjects(p)?),
                    }
                }
                Item::Group(GroupDecl {
                    name,
                    title,
                    subjects: subjects.ok_or_else(|| missing(span))?,
                    span,
                })
            }
            Rule::board_decl => {
                let mut it = inner;
                let name = self.ident(next(&mut it)?);
                let mut title = None;
                let mut members = Vec::new();
                for p in it {
                    match p.as_rule() {
                        Rule::string => title = Some(self.string(p)?),
                        _ => {
                            members = significant(p.into_inner())
                                .map(|a| self.approver(a))
                                .collect()
                        }
                    }
                }
                Item::Board(BoardDecl {
                    name,
                    title,
                    members,
                    span,
                })
            }
            Rule::obligation_decl => {
                let mut it = inner;
                let name = self.ident(next(&mut it)?);
                let text = self.string(next(&mut it)?)?;
                Item::Obligation(ObligationDecl { name, text, span })
            }
            Rule::escalation_decl => {
                let mut it = inner;
                let name = self.ident(next(&mut it)?);
                let mut title = None;
                let mut chain = None;
                for p in it {
                    match p.as_rule() {
                        Rule::string => title = Some(self.string(p)?),
                        _ => chain = Some(self.chain(p)),
                    }
                }
                Item::Escalation(EscalationDecl {
                    name,
                    title,
                    chain: chain.ok_or_else(|| missing(span))?,
                    span,
                })
            }
            Rule::approve_stmt => Item::Approve(self.approve(pair)?),
            Rule::disclose_stmt => Item::Disclose(self.disclose_items(inner)?, span),
            Rule::acting_stmt => {
                let mut it = inner;
                let max = self.duration(next(&mut it)?)?;
                let approved_by = self.step(next(&mut it)?);
                Item::Acting(Acting {
                    max,
                    approved_by,
                    span,
                })
            }
            Rule::use_stmt => Item::Use(inner.map(|p| self.ident(p)).collect(), span),
            Rule::rules_block => {
                let mut it = inner.peekable();
                let name = self.ident(next(&mut it)?);
                let title = match it.peek() {
                    Some(p) if p.as_rule() == Rule::string => Some(self.string(next(&mut it)?)?),
                    _ => None,
                };
                let statements = it.map(|p| self.statement(p)).collect::<Result<_>>()?;
                Item::Rules(RulesBlock {
                    name,
                    title,
                    statements,
                    span,
                })
            }
            Rule::unrestricted_block => Item::Unrestricted(self.block(span, inner)?),
            Rule::category_block => {
                let mut it = inner.peekable();
                let name = self.ident(next(&mut it)?);
                let title = match it.peek() {
                    Some(p) if p.as_rule() == Rule::string => Some(self.string(next(&mut it)?)?),
                    _ => None,
                };
                let body = self.block(span, it)?;
                Item::Category(CategoryBlock {
                    name,
                    title,
                    body,
                    span,
                })
            }
            Rule::flag_block => Item::Flag(self.flag(pair)?),
            Rule::retention_block => Item::Retention(self.retention(pair)?),
            Rule::test_block => Item::Test(self.test(pair)?),
            _ => return Err(unexpected(&pair, self.file)),
        })
    }

    fn decl(&self, kind: DeclKind, pair: Pair<'_, Rule>) -> Result<Decl> {
        let span = self.span(&pair);
        let mut entries = Vec::new();
        for entry in significant(pair.into_inner()) {
            let espan = self.span(&entry);
            let is_org = entry.as_rule() == Rule::organisation_entry;
            let mut it = significant(entry.into_inner());
            let name = self.ident(next(&mut it)?);
            let mut e = DeclEntry {
                name,
                title: None,
                parent: None,
                external_id: None,
                org_kind: None,
                span: espan,
            };
            for p in it {
                match p.as_rule() {
                    Rule::string => e.title = Some(self.string(p)?),
                    Rule::ident if is_org => e.org_kind = Some(self.ident(p)),
                    Rule::parent => e.parent = Some(self.ident(last_inner(p)?)),
                    Rule::external_id => e.external_id = Some(self.string(last_inner(p)?)?),
                    _ => return Err(unexpected(&p, self.file)),
                }
            }
            entries.push(e);
        }
        Ok(Decl {
            kind,
            entries,
            span,
        })
    }

    fn block<'i>(&self, span: Span, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> Result<Block> {
        let statements = pairs.map(|p| self.statement(p)).collect::<Result<_>>()?;
        Ok(Block { statements, span })
    }

    fn statement(&self, pair: Pair<'_, Rule>) -> Result<Statement> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = significant(pair.clone().into_inner());
        Ok(match rule {
            Rule::criteria_stmt => Statement::Criteria(self.string(next(&mut inner)?)?, span),
            Rule::restriction_stmt => Statement::Restriction(self.ident(next(&mut inner)?), span),
            Rule::denied_view_stmt => Statement::DeniedView(self.ident(next(&mut inner)?), span),
            Rule::disclose_stmt => Statement::Disclose(self.disclose_items(inner)?, span),
            Rule::grant_stmt | Rule::deny_stmt => {
                let actions = self.name_list(next(&mut inner)?);
                let subjects = self.subjects(next(&mut inner)?)?;
                let mut r = Rule_ {
                    actions,
                    subjects,
                    absolute: false,
                    shows: None,
                    requires: Vec::new(),
                    span,
                };
                for p in inner {
                    match p.as_rule() {
                        Rule::absolute => r.absolute = true,
                        Rule::shows => r.shows = Some(self.ident(last_inner(p)?)),
                        Rule::requires => r.requires = self.idents(p),
                        _ => return Err(unexpected(&p, self.file)),
                    }
                }
                if rule == Rule::grant_stmt {
                    Statement::Grant(r)
                } else {
                    Statement::Deny(r)
                }
            }
            Rule::review_stmt => Statement::Review(self.review(pair)?),
            Rule::temporary_stmt => {
                let mut first = next(&mut inner)?;
                let mut kind = None;
                if first.as_rule() == Rule::temporary_kind {
                    let mut k = significant(first.into_inner());
                    let name = self.ident(next(&mut k)?);
                    let title = k.next().map(|t| self.string(t)).transpose()?;
                    kind = Some((name, title));
                    first = next(&mut inner)?;
                }
                let actions = self.name_list(first);
                let max = self.duration(next(&mut inner)?)?;
                let mut to = None;
                let mut approved_by = None;
                let (mut renewable, mut notify) = (None, None);
                let mut requires = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::temporary_to => to = Some(self.subjects(last_inner(p)?)?),
                        Rule::step => approved_by = Some(self.step(p)),
                        Rule::renewable => renewable = Some(self.int(last_inner(p)?)?),
                        Rule::notify => notify = Some(self.duration(last_inner(p)?)?),
                        Rule::requires => requires = self.idents(p),
                        _ => return Err(unexpected(&p, self.file)),
                    }
                }
                Statement::Temporary(Box::new(Temporary {
                    kind,
                    actions,
                    max,
                    to,
                    approved_by: approved_by.ok_or_else(|| missing(span))?,
                    renewable,
                    notify,
                    requires,
                    span,
                }))
            }
            Rule::contact_stmt => {
                let atom = self.atom(next(&mut inner)?)?;
                let text = inner.next().map(|p| self.string(p)).transpose()?;
                Statement::Contact(atom, text, span)
            }
            Rule::approve_stmt => Statement::Approve(self.approve(pair)?),
            Rule::use_stmt => Statement::Use(inner.map(|p| self.ident(p)).collect(), span),
            Rule::protects_stmt => {
                Statement::Protects(inner.map(|p| self.ident(p)).collect(), span)
            }
            Rule::lasts_stmt => {
                let max = self.duration(next(&mut inner)?)?;
                let (mut renewable, mut notify) = (None, None);
                for p in inner {
                    match p.as_rule() {
                        Rule::renewable => renewable = Some(self.int(last_inner(p)?)?),
                        Rule::notify => notify = Some(self.duration(last_inner(p)?)?),
                        _ => return Err(unexpected(&p, self.file)),
                    }
                }
                Statement::Lasts(Lasts {
                    max,
                    renewable,
                    notify,
                    span,
                })
            }
            Rule::reaches_stmt => Statement::Reaches(inner.map(|p| self.ident(p)).collect(), span),
            _ => return Err(unexpected(&pair, self.file)),
        })
    }

    /// `review ...`, in a category or a flag.
    fn review(&self, pair: Pair<'_, Rule>) -> Result<Review> {
        let span = self.span(&pair);
        let mut inner = significant(pair.into_inner());
        let sched = next(&mut inner)?;
        let srule = sched.as_rule();
        let mut it = significant(sched.into_inner()).peekable();
        let mut until = None;
        let schedule = match srule {
            Rule::review_every => {
                let period = ReviewSchedule::Every(self.duration(next(&mut it)?)?);
                if let Some(p) = it.next_if(|p| p.as_rule() == Rule::review_ends) {
                    until = Some(self.string(last_inner(p)?)?);
                }
                period
            }
            Rule::review_never => {
                ReviewSchedule::Never(it.next().map(|p| self.string(p)).transpose()?)
            }
            Rule::review_unstated => ReviewSchedule::Unstated(self.string(next(&mut it)?)?),
            _ => ReviewSchedule::Until(self.string(next(&mut it)?)?),
        };
        let reviewer = it
            .next()
            .map(|p| last_inner(p).map(|c| self.chain(c)))
            .transpose()?;
        Ok(Review {
            schedule,
            until,
            reviewer,
            span,
        })
    }

    /// `trigger never "reason"` or `trigger CATEGORY when FACTS ["reason"]`, from the part after
    /// the keyword.
    fn trigger(&self, span: Span, pair: Pair<'_, Rule>) -> Result<Item> {
        let never = pair.as_rule() == Rule::trigger_never;
        let mut it = significant(pair.into_inner());
        if never {
            return Ok(Item::NoTrigger(self.string(next(&mut it)?)?, span));
        }
        let category = self.ident(next(&mut it)?);
        let when = self.subjects(next(&mut it)?)?;
        let reason = it.next().map(|p| self.string(p)).transpose()?;
        Ok(Item::Trigger(Trigger {
            category,
            when,
            reason,
            span,
        }))
    }

    /// `flag NAME "Title" { warns "..." review ... }`
    fn flag(&self, pair: Pair<'_, Rule>) -> Result<FlagBlock> {
        let span = self.span(&pair);
        let mut it = significant(pair.into_inner()).peekable();
        let name = self.ident(next(&mut it)?);
        let title = match it.peek() {
            Some(p) if p.as_rule() == Rule::string => Some(self.string(next(&mut it)?)?),
            _ => None,
        };
        let statements = it
            .map(|p| match p.as_rule() {
                Rule::warns_stmt => {
                    let span = self.span(&p);
                    Ok(FlagStatement::Warns(self.string(last_inner(p)?)?, span))
                }
                Rule::review_stmt => Ok(FlagStatement::Review(self.review(p)?)),
                _ => Err(unexpected(&p, self.file)),
            })
            .collect::<Result<_>>()?;
        Ok(FlagBlock {
            name,
            title,
            statements,
            span,
        })
    }

    fn disclose_items<'i>(
        &self,
        items: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> Result<Vec<DiscloseItem>> {
        items
            .map(|item| {
                let span = self.span(&item);
                let mut parts = significant(item.into_inner());
                let word = self.ident(next(&mut parts)?);
                let text = parts.next().map(|p| self.string(p)).transpose()?;
                Ok(DiscloseItem { word, text, span })
            })
            .collect()
    }

    fn approve(&self, pair: Pair<'_, Rule>) -> Result<Approve> {
        let span = self.span(&pair);
        let mut inner = significant(pair.into_inner());
        let purposes = self.name_list(next(&mut inner)?);
        let how = next(&mut inner)?;
        let approvers = match how.as_rule() {
            Rule::approve_by => Approvers::Chain(self.chain(last_inner(how)?)),
            Rule::approve_unstated => Approvers::Unstated(self.string(last_inner(how)?)?),
            _ => Approvers::Via(self.ident(last_inner(how)?)),
        };
        let valid_for = inner
            .next()
            .map(|p| self.duration(last_inner(p)?))
            .transpose()?;
        Ok(Approve {
            purposes,
            approvers,
            valid_for,
            span,
        })
    }

    fn subjects(&self, pair: Pair<'_, Rule>) -> Result<Subjects> {
        let span = self.span(&pair);
        let terms = significant(pair.into_inner())
            .map(|t| {
                let tspan = self.span(&t);
                let literals = significant(t.into_inner())
                    .map(|l| {
                        let lspan = self.span(&l);
                        let mut negated = false;
                        let mut atom = None;
                        for p in l.into_inner() {
                            match p.as_rule() {
                                Rule::negation => negated = true,
                                _ => atom = Some(self.atom(p)?),
                            }
                        }
                        Ok(Literal {
                            negated,
                            atom: atom.ok_or_else(|| missing(lspan))?,
                            span: lspan,
                        })
                    })
                    .collect::<Result<_>>()?;
                Ok(Term {
                    literals,
                    span: tspan,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Subjects { terms, span })
    }

    fn atom(&self, pair: Pair<'_, Rule>) -> Result<Atom> {
        let inner = last_inner_or_self(pair);
        Ok(match inner.as_rule() {
            Rule::context_atom => {
                let mut it = inner.into_inner();
                Atom::Context {
                    dimension: self.ident(next(&mut it)?),
                    value: self.ident(next(&mut it)?),
                }
            }
            Rule::org_kind_atom => {
                let mut it = inner.into_inner();
                Atom::OrgKind(self.ident(next(&mut it)?))
            }
            Rule::kinded_atom => {
                let mut it = inner.into_inner();
                let kind = match next(&mut it)?.as_str() {
                    "role" => NameKind::Role,
                    "team" => NameKind::Team,
                    "person" => NameKind::Person,
                    "organisation" => NameKind::Organisation,
                    "board" => NameKind::Board,
                    _ => NameKind::Group,
                };
                Atom::Name {
                    kind: Some(kind),
                    name: self.ident(next(&mut it)?),
                }
            }
            _ => Atom::Name {
                kind: None,
                name: self.ident(inner),
            },
        })
    }

    fn chain(&self, pair: Pair<'_, Rule>) -> Chain {
        let span = self.span(&pair);
        let steps = significant(pair.into_inner())
            .map(|s| self.step(s))
            .collect();
        Chain { steps, span }
    }

    fn step(&self, pair: Pair<'_, Rule>) -> Step {
        let span = self.span(&pair);
        let alternatives = significant(pair.into_inner())
            .map(|a| self.approver(a))
            .collect();
        Step { alternatives, span }
    }

    fn approver(&self, pair: Pair<'_, Rule>) -> Approver {
        let span = self.span(&pair);
        let atoms = significant(pair.into_inner())
            .filter_map(|a| self.atom(a).ok())
            .collect();
        Approver { atoms, span }
    }

    fn name_list(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        significant(pair.into_inner())
            .map(|p| self.ident(p))
            .collect()
    }

    fn idents(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        significant(pair.into_inner())
            .map(|p| self.ident(p))
            .collect()
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn date(&self, pair: Pair<'_, Rule>) -> DateLit {
        DateLit {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn int(&self, pair: Pair<'_, Rule>) -> Result<Int> {
        let span = self.span(&pair);
        let value = pair.as_str().parse().unwrap_or_else(|_| {
            self.literal_error(LiteralError::number_too_large(span));
            0
        });
        Ok(Int { value, span })
    }

    fn duration(&self, pair: Pair<'_, Rule>) -> Result<Duration> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let amount = self.int(next(&mut it)?)?.value;
        let unit = it.next().map(|u| self.ident(u));
        Ok(Duration { amount, unit, span })
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Result<Str> {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some('"') => value.push('"'),
                Some('\\') => value.push('\\'),
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                other => self.literal_error(LiteralError::bad_escape(span, other.unwrap_or(' '))),
            }
        }
        Ok(Str { value, span })
    }
}

type Rule_ = super::ast::Rule;

/// Skips keyword and punctuation tokens, which carry no information once the rule has matched.
fn significant<'i>(pairs: Pairs<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pairs.filter(|p| !is_keyword(p.as_rule()))
}

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::open_brace
            | Rule::close_brace
            | Rule::equals
            | Rule::arrow
            | Rule::comma
            | Rule::kw_policy
            | Rule::kw_context
            | Rule::kw_version
            | Rule::kw_source
            | Rule::kw_systems
            | Rule::kw_updated
            | Rule::kw_action
            | Rule::kw_section
            | Rule::kw_protects
            | Rule::kw_link
            | Rule::kw_reaches
            | Rule::kw_linked_record
            | Rule::kw_role
            | Rule::kw_team
            | Rule::kw_person
            | Rule::kw_organisation
            | Rule::kw_organisations
            | Rule::kw_group
            | Rule::kw_board
            | Rule::kw_renewable
            | Rule::kw_notify
            | Rule::kw_lasts
            | Rule::kw_valid
            | Rule::kw_obligation
            | Rule::kw_escalation
            | Rule::kw_unrestricted
            | Rule::kw_category
            | Rule::kw_flag
            | Rule::kw_warns
            | Rule::kw_acting
            | Rule::kw_acting_for
            | Rule::kw_up
            | Rule::kw_criteria
            | Rule::kw_restriction
            | Rule::kw_grant
            | Rule::kw_deny
            | Rule::kw_to
            | Rule::kw_absolute
            | Rule::kw_shows
            | Rule::kw_requires
            | Rule::kw_review
            | Rule::kw_every
            | Rule::kw_never
            | Rule::kw_until
            | Rule::kw_unstated
            | Rule::kw_rules
            | Rule::kw_use
            | Rule::kw_by
            | Rule::kw_denied_view
            | Rule::kw_disclose
            | Rule::kw_temporary
            | Rule::kw_for
            | Rule::kw_approved_by
            | Rule::kw_contact
            | Rule::kw_approve
            | Rule::kw_via
            | Rule::kw_in
            | Rule::kw_id
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_retention
            | Rule::kw_keep
            | Rule::kw_permanently
            | Rule::kw_from
            | Rule::kw_then
            | Rule::kw_unless
            | Rule::kw_test
            | Rule::kw_subject
            | Rule::kw_record
            | Rule::kw_at
            | Rule::kw_temporary_grant
            | Rule::kw_change
            | Rule::kw_approval
            | Rule::kw_expect
            | Rule::kw_fact
            | Rule::kw_trigger
            | Rule::kw_when
            | Rule::kw_restrict
            | Rule::kw_exclusive
    )
}

fn next<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>) -> Result<Pair<'i, Rule>> {
    it.next().ok_or(SyntaxError::Internal(Span::default()))
}

fn last_inner(pair: Pair<'_, Rule>) -> Result<Pair<'_, Rule>> {
    significant(pair.into_inner())
        .last()
        .ok_or(SyntaxError::Internal(Span::default()))
}

fn last_inner_or_self(pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    match pair.as_rule() {
        Rule::atom => pair.clone().into_inner().next().unwrap_or(pair),
        _ => pair,
    }
}

fn missing(span: Span) -> SyntaxError {
    SyntaxError::Internal(span)
}

fn unexpected(pair: &Pair<'_, Rule>, file: FileId) -> SyntaxError {
    let s = pair.as_span();
    SyntaxError::Internal(Span::new(file, s.start(), s.end()))
}

/// The length of `text` up to the end of its last character outside whitespace and comments.
fn meaningful_len(text: &str) -> usize {
    let mut end = 0;
    let mut in_comment = false;
    for (i, c) in text.char_indices() {
        match c {
            '\n' => in_comment = false,
            _ if in_comment || c.is_whitespace() => {}
            '#' => in_comment = true,
            _ => end = i + c.len_utf8(),
        }
    }
    end
}

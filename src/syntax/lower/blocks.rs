//! Test and retention blocks, lowered: the two blocks whose statements are not a category's.

use pest::iterators::Pair;

use super::{Lowerer, Result, missing, next, significant};
use crate::syntax::ast::*;
use crate::syntax::parser::Rule;

impl Lowerer {
    pub(super) fn retention(&self, pair: Pair<'_, Rule>) -> Result<RetentionBlock> {
        let span = self.span(&pair);
        let mut it = significant(pair.into_inner()).peekable();
        let name = self.ident(next(&mut it)?);
        let title = match it.peek() {
            Some(p) if p.as_rule() == Rule::string => Some(self.string(next(&mut it)?)?),
            _ => None,
        };
        let mut statements = Vec::new();
        for p in it {
            let sspan = self.span(&p);
            let rule = p.as_rule();
            let mut inner = significant(p.into_inner());
            statements.push(match rule {
                Rule::keep_stmt => {
                    let first = next(&mut inner)?;
                    if first.as_rule() == Rule::permanently {
                        RetentionStatement::KeepPermanently(sspan)
                    } else {
                        let d = self.duration(first)?;
                        let anchors: Vec<Ident> = inner.map(|p| self.ident(p)).collect();
                        if anchors.is_empty() {
                            return Err(missing(sspan));
                        }
                        RetentionStatement::Keep(d, anchors, sspan)
                    }
                }
                Rule::then_stmt => {
                    let action = self.ident(next(&mut inner)?);
                    let text = inner.next().map(|p| self.string(p)).transpose()?;
                    RetentionStatement::Then(action, text, sspan)
                }
                Rule::unless_stmt => {
                    let cond = self.ident(next(&mut inner)?);
                    let action = self.ident(next(&mut inner)?);
                    let text = inner.next().map(|p| self.string(p)).transpose()?;
                    RetentionStatement::Unless(cond, action, text, sspan)
                }
                _ => RetentionStatement::Criteria(self.string(next(&mut inner)?)?, sspan),
            });
        }
        Ok(RetentionBlock {
            name,
            title,
            statements,
            span,
        })
    }

    pub(super) fn test(&self, pair: Pair<'_, Rule>) -> Result<TestBlock> {
        let span = self.span(&pair);
        let mut it = significant(pair.into_inner());
        let name = self.string(next(&mut it)?)?;
        let mut statements = Vec::new();
        for p in it {
            let sspan = self.span(&p);
            let rule = p.as_rule();
            let mut inner = significant(p.into_inner());
            statements.push(match rule {
                Rule::test_subject => {
                    let id = self.string(next(&mut inner)?)?;
                    TestStatement::Subject(id, self.fields(inner)?, sspan)
                }
                Rule::test_record => {
                    let id = self.string(next(&mut inner)?)?;
                    TestStatement::Record(id, self.fields(inner)?, sspan)
                }
                Rule::test_linked => {
                    let id = self.string(next(&mut inner)?)?;
                    TestStatement::Linked(id, self.fields(inner)?, sspan)
                }
                Rule::test_context => TestStatement::Context(self.fields(inner)?, sspan),
                Rule::test_restriction => {
                    let category = self.ident(next(&mut inner)?);
                    TestStatement::Restriction(category, self.fields(inner)?, sspan)
                }
                Rule::test_action => TestStatement::Action(self.ident(next(&mut inner)?), sspan),
                Rule::test_at => TestStatement::At(self.date(next(&mut inner)?), sspan),
                Rule::test_grant => TestStatement::TemporaryGrant(self.fields(inner)?, sspan),
                Rule::test_acting => {
                    let id = self.string(next(&mut inner)?)?;
                    TestStatement::ActingFor(id, self.fields(inner)?, sspan)
                }
                Rule::test_change => TestStatement::Change(self.fields(inner)?, sspan),
                Rule::test_approval => TestStatement::Approval(self.fields(inner)?, sspan),
                _ => {
                    let outcome = self.ident(next(&mut inner)?);
                    TestStatement::Expect(outcome, self.fields(inner)?, sspan)
                }
            });
        }
        Ok(TestBlock {
            name,
            statements,
            span,
        })
    }

    fn fields<'i>(&self, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> Result<Vec<TestField>> {
        pairs
            .map(|f| {
                let span = self.span(&f);
                let mut it = significant(f.into_inner());
                let key = self.ident(next(&mut it)?);
                let values = it
                    .map(|v| {
                        Ok(match v.as_rule() {
                            Rule::string => TestValue::Str(self.string(v)?),
                            Rule::date => TestValue::Date(self.date(v)),
                            Rule::timestamp => TestValue::Timestamp(self.date(v)),
                            Rule::test_duration => TestValue::Duration(self.duration(v)?),
                            _ => TestValue::Name(self.ident(v)),
                        })
                    })
                    .collect::<Result<_>>()?;
                Ok(TestField { key, values, span })
            })
            .collect()
    }
}

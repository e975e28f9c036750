//! The formatter: canonical layout, comments kept.
//!
//! The layout: one statement per line, two spaces of indentation per block, single spaces
//! between words, `, ` between list elements; a statement longer than the width is filled
//! greedily with continuation lines indented two more spaces (a group or escalation path breaks
//! after its `=` first); blank lines between items are kept, runs of them collapsed to one, and a
//! blank line always separates a block (`category`, `flag`, `unrestricted`, `retention`, `test`) from its
//! neighbours. Every comment is kept, in order, alone on its line or at the end of one as it was
//! written.

mod layout;

use super::ast::*;
use super::error::SyntaxError;
use crate::span::{FileId, Span};
use layout::{Piece, Printer, Run};

pub use layout::WIDTH;

/// Indentation of one block level.
const INDENT: usize = 2;

/// Parses a file and returns it in canonical layout; a file that does not parse is an error and
/// nothing is lost.
pub fn format(file: FileId, text: &str) -> Result<String, SyntaxError> {
    let ast = super::parse(file, text)?;
    Ok(format_file(&ast, text))
}

/// Lays out a parsed file; `text` must be the source the tree was parsed from.
pub fn format_file(ast: &File, text: &str) -> String {
    let mut p = Printer::new(text, &ast.comments);
    let mut previous_was_block = None;
    if let Some(h) = &ast.header {
        p.boundary(h.span.start, 0, false, false);
        let mut b = Pieces::new(h.span);
        b.word("policy");
        b.item(&h.name.name, h.name.span);
        b.item(&quote(&h.title.value), h.title.span);
        if let Some(v) = &h.version {
            b.word("version");
            b.item(&v.value.to_string(), v.span);
        }
        p.run(&b.run(), 0);
        previous_was_block = Some(false);
    }
    for item in &ast.items {
        let is_block = matches!(
            item,
            Item::Rules(_)
                | Item::Unrestricted(_)
                | Item::Category(_)
                | Item::Flag(_)
                | Item::Retention(_)
                | Item::Test(_)
        );
        let force_blank = previous_was_block.is_some_and(|prev| prev || is_block);
        p.boundary(
            item.span().start,
            0,
            force_blank,
            previous_was_block.is_some(),
        );
        write_item(&mut p, item);
        previous_was_block = Some(is_block);
    }
    if let Some(end) = ast.end {
        p.boundary(end.start, 0, true, previous_was_block.is_some());
        let mut b = Pieces::new(end);
        b.word("end");
        p.run(&b.run(), 0);
    }
    p.finish()
}

fn write_item(p: &mut Printer<'_>, item: &Item) {
    match item {
        Item::Unrestricted(block) => {
            let mut b = Pieces::new(block.span);
            b.word("unrestricted {");
            let runs = block.statements.iter().map(statement).collect();
            write_block(p, b.run(), runs, block.span);
        }
        Item::Rules(r) => {
            let b = block_header(r.span, "rules", &r.name, r.title.as_ref());
            let runs = r.statements.iter().map(statement).collect();
            write_block(p, b.run(), runs, r.span);
        }
        Item::Category(c) => {
            let b = block_header(c.span, "category", &c.name, c.title.as_ref());
            let runs = c.body.statements.iter().map(statement).collect();
            write_block(p, b.run(), runs, c.span);
        }
        Item::Flag(f) => {
            let b = block_header(f.span, "flag", &f.name, f.title.as_ref());
            let runs = f.statements.iter().map(flag_statement).collect();
            write_block(p, b.run(), runs, f.span);
        }
        Item::Retention(r) => {
            let b = block_header(r.span, "retention", &r.name, r.title.as_ref());
            let runs = r.statements.iter().map(retention_statement).collect();
            write_block(p, b.run(), runs, r.span);
        }
        Item::Test(t) => {
            let mut b = Pieces::new(t.span);
            b.word("test");
            b.item(&format!("{} {{", quote(&t.name.value)), t.name.span);
            let runs = t.statements.iter().map(test_statement).collect();
            write_block(p, b.run(), runs, t.span);
        }
        other => p.run(&simple_item(other), 0),
    }
}

/// Writes `opener {`, the statements one level in, and the closing brace; an empty block with no
/// comment inside is written `{}`.
/// The opening line of a named block: `KEYWORD name ["title"] {`.
fn block_header(span: Span, keyword: &str, name: &Ident, title: Option<&Str>) -> Pieces {
    let mut b = Pieces::new(span);
    b.word(keyword);
    match title {
        Some(t) => {
            b.item(&name.name, name.span);
            b.item(&format!("{} {{", quote(&t.value)), t.span);
        }
        None => b.item(&format!("{} {{", name.name), name.span),
    }
    b
}

fn write_block(p: &mut Printer<'_>, opener: Run, statements: Vec<(u32, Run)>, span: Span) {
    // INVARIANT: a block's span ends just after its closing brace.
    let close = span.end.saturating_sub(1);
    p.run(&opener, 0);
    if statements.is_empty() && !p.has_comment_before(close) {
        p.append("}");
        p.advance(span.end);
        return;
    }
    let had_statements = !statements.is_empty();
    for (i, (start, run)) in statements.iter().enumerate() {
        p.boundary(*start, INDENT, false, i > 0);
        p.run(run, INDENT);
    }
    p.comments_until(close, INDENT, had_statements);
    p.line(0, "}");
    p.advance(span.end);
}

fn simple_item(item: &Item) -> Run {
    let mut b = Pieces::new(item.span());
    match item {
        Item::Source(docs, _) => {
            b.word("source");
            b.list(docs.iter().map(|s| (quote(&s.value), s.span)));
        }
        Item::Systems(names, _) => {
            b.word("systems");
            b.idents(names);
        }
        Item::Updated(d, _) => {
            b.word("updated");
            b.item(&d.text, d.span);
        }
        Item::Decl(d) => {
            b.word(d.kind.keyword());
            b.list(d.entries.iter().map(|e| (decl_entry(e), e.span)));
        }
        Item::Context(c) => {
            b.word("context");
            b.item(&c.name.name, c.name.span);
            if let Some(t) = &c.title {
                b.item(&quote(&t.value), t.span);
            }
            b.word("=");
            b.break_here();
            b.list(c.values.iter().map(|v| (context_value(v), v.span)));
        }
        Item::Group(g) => {
            b.word("group");
            b.item(&g.name.name, g.name.span);
            if let Some(t) = &g.title {
                b.item(&quote(&t.value), t.span);
            }
            b.word("=");
            b.break_here();
            b.subjects(&g.subjects);
        }
        Item::Board(d) => {
            b.word("board");
            b.item(&d.name.name, d.name.span);
            if let Some(t) = &d.title {
                b.item(&quote(&t.value), t.span);
            }
            b.word("=");
            b.break_here();
            b.list(d.members.iter().map(|m| (approver(m), m.span)));
        }
        Item::Obligation(o) => {
            b.word("obligation");
            b.item(&o.name.name, o.name.span);
            b.item(&quote(&o.text.value), o.text.span);
        }
        Item::Escalation(e) => {
            b.word("escalation");
            b.item(&e.name.name, e.name.span);
            if let Some(t) = &e.title {
                b.item(&quote(&t.value), t.span);
            }
            b.word("=");
            b.break_here();
            b.chain(&e.chain);
        }
        Item::Approve(a) => b.approve(a),
        Item::Disclose(items, _) => b.disclose(items),
        Item::Acting(a) => {
            b.word("acting");
            b.word("for");
            b.word("up");
            b.word("to");
            b.item(&duration(&a.max), a.max.span);
            b.word("approved_by");
            b.step(&a.approved_by, "");
        }
        Item::Use(names, _) => {
            b.word("use");
            b.idents(names);
        }
        Item::Trigger(t) => {
            b.word("trigger");
            b.item(&t.category.name, t.category.span);
            b.word("when");
            b.subjects(&t.when);
            reason(&mut b, t.reason.as_ref());
        }
        Item::NoTrigger(why, _) => {
            b.word("trigger");
            b.word("never");
            reason(&mut b, Some(why));
        }
        Item::NeverRestrict(n) => {
            b.word("never");
            b.word("restrict");
            if !n.categories.is_empty() {
                b.idents(&n.categories);
            }
            b.word("when");
            b.subjects(&n.when);
            reason(&mut b, n.reason.as_ref());
        }
        Item::Exclusive(e) => {
            b.word("exclusive");
            b.idents(&e.categories);
            reason(&mut b, e.reason.as_ref());
        }
        Item::Rules(_)
        | Item::Unrestricted(_)
        | Item::Category(_)
        | Item::Flag(_)
        | Item::Retention(_)
        | Item::Test(_) => {}
    }
    b.run()
}

/// A statement's closing reason, when it gives one.
fn reason(b: &mut Pieces, why: Option<&Str>) {
    if let Some(w) = why {
        b.item(&quote(&w.value), w.span);
    }
}

fn context_value(v: &ContextValueDecl) -> String {
    match &v.title {
        Some(t) => format!("{} {}", v.name.name, quote(&t.value)),
        None => v.name.name.clone(),
    }
}

fn decl_entry(e: &DeclEntry) -> String {
    let mut s = e.name.name.clone();
    if let Some(t) = &e.title {
        s.push(' ');
        s.push_str(&quote(&t.value));
    }
    if let Some(parent) = &e.parent {
        s.push_str(" in ");
        s.push_str(&parent.name);
    }
    if let Some(id) = &e.external_id {
        s.push_str(" id ");
        s.push_str(&quote(&id.value));
    }
    if let Some(kind) = &e.org_kind {
        s.push(' ');
        s.push_str(&kind.name);
    }
    s
}

fn statement(s: &Statement) -> (u32, Run) {
    let span = s.span();
    let mut b = Pieces::new(span);
    match s {
        Statement::Criteria(text, _) => {
            b.word("criteria");
            b.item(&quote(&text.value), text.span);
        }
        Statement::Restriction(kind, _) => {
            b.word("restriction");
            b.item(&kind.name, kind.span);
        }
        Statement::Grant(r) | Statement::Deny(r) => {
            b.word(if matches!(s, Statement::Grant(_)) {
                "grant"
            } else {
                "deny"
            });
            b.idents(&r.actions);
            b.word("to");
            b.subjects(&r.subjects);
            if r.absolute {
                b.word("absolute");
            }
            if let Some(view) = &r.shows {
                b.word("shows");
                b.item(&view.name, view.span);
            }
            if !r.requires.is_empty() {
                b.word("requires");
                b.idents(&r.requires);
            }
        }
        Statement::Review(r) => b.review(r),
        Statement::DeniedView(view, _) => {
            b.word("denied_view");
            b.item(&view.name, view.span);
        }
        Statement::Disclose(items, _) => b.disclose(items),
        Statement::Temporary(t) => {
            b.word("temporary");
            if let Some((name, title)) = &t.kind {
                b.item(&name.name, name.span);
                if let Some(title) = title {
                    b.item(&quote(&title.value), title.span);
                }
            }
            b.idents(&t.actions);
            b.word("for");
            b.item(&duration(&t.max), t.max.span);
            if let Some(to) = &t.to {
                b.word("to");
                b.subjects(to);
            }
            b.word("approved_by");
            b.step(&t.approved_by, "");
            if let Some(n) = &t.renewable {
                b.word("renewable");
                b.item(&n.value.to_string(), n.span);
            }
            if let Some(d) = &t.notify {
                b.word("notify");
                b.item(&duration(d), d.span);
            }
            if !t.requires.is_empty() {
                b.word("requires");
                b.idents(&t.requires);
            }
        }
        Statement::Contact(who, text, _) => {
            b.word("contact");
            b.item(&atom(who), who.ident().span);
            if let Some(text) = text {
                b.item(&quote(&text.value), text.span);
            }
        }
        Statement::Approve(a) => b.approve(a),
        Statement::Use(names, _) => {
            b.word("use");
            b.idents(names);
        }
        Statement::Protects(names, _) => {
            b.word("protects");
            b.idents(names);
        }
        Statement::Lasts(l) => {
            b.word("lasts");
            b.item(&duration(&l.max), l.max.span);
            if let Some(n) = &l.renewable {
                b.word("renewable");
                b.item(&n.value.to_string(), n.span);
            }
            if let Some(d) = &l.notify {
                b.word("notify");
                b.item(&duration(d), d.span);
            }
        }
        Statement::Reaches(names, _) => {
            b.word("reaches");
            b.idents(names);
        }
    }
    (span.start, b.run())
}

fn flag_statement(s: &FlagStatement) -> (u32, Run) {
    let span = s.span();
    let mut b = Pieces::new(span);
    match s {
        FlagStatement::Warns(text, _) => {
            b.word("warns");
            b.item(&quote(&text.value), text.span);
        }
        FlagStatement::Review(r) => b.review(r),
    }
    (span.start, b.run())
}

fn retention_statement(s: &RetentionStatement) -> (u32, Run) {
    let span = s.span();
    let mut b = Pieces::new(span);
    match s {
        RetentionStatement::Keep(d, anchors, _) => {
            b.word("keep");
            b.item(&duration(d), d.span);
            b.word("from");
            for (i, anchor) in anchors.iter().enumerate() {
                if i > 0 {
                    b.word("or");
                }
                b.item(&anchor.name, anchor.span);
            }
        }
        RetentionStatement::KeepPermanently(_) => b.word("keep permanently"),
        RetentionStatement::Then(action, text, _) => {
            b.word("then");
            b.item(&action.name, action.span);
            if let Some(text) = text {
                b.item(&quote(&text.value), text.span);
            }
        }
        RetentionStatement::Unless(flag, action, text, _) => {
            b.word("unless");
            b.item(&flag.name, flag.span);
            b.word("then");
            b.item(&action.name, action.span);
            if let Some(text) = text {
                b.item(&quote(&text.value), text.span);
            }
        }
        RetentionStatement::Criteria(text, _) => {
            b.word("criteria");
            b.item(&quote(&text.value), text.span);
        }
    }
    (span.start, b.run())
}

fn test_statement(s: &TestStatement) -> (u32, Run) {
    let span = s.span();
    let mut b = Pieces::new(span);
    match s {
        TestStatement::Subject(id, fields, _) => {
            b.word("subject");
            b.item(&quote(&id.value), id.span);
            b.fields(fields);
        }
        TestStatement::Record(id, fields, _) => {
            b.word("record");
            b.item(&quote(&id.value), id.span);
            b.fields(fields);
        }
        TestStatement::Context(fields, _) => {
            b.word("context");
            b.fields(fields);
        }
        TestStatement::Restriction(category, fields, _) => {
            b.word("restriction");
            b.item(&category.name, category.span);
            b.fields(fields);
        }
        TestStatement::Linked(id, fields, _) => {
            b.word("linked_record");
            b.item(&quote(&id.value), id.span);
            b.fields(fields);
        }
        TestStatement::Action(name, _) => {
            b.word("action");
            b.item(&name.name, name.span);
        }
        TestStatement::At(time, _) => {
            b.word("at");
            b.item(&time.text, time.span);
        }
        TestStatement::TemporaryGrant(fields, _) => {
            b.word("temporary_grant");
            b.fields(fields);
        }
        TestStatement::ActingFor(id, fields, _) => {
            b.word("acting_for");
            b.item(&quote(&id.value), id.span);
            b.fields(fields);
        }
        TestStatement::Change(fields, _) => {
            b.word("change");
            b.fields(fields);
        }
        TestStatement::Approval(fields, _) => {
            b.word("approval");
            b.fields(fields);
        }
        TestStatement::Expect(outcome, fields, _) => {
            b.word("expect");
            b.item(&outcome.name, outcome.span);
            b.fields(fields);
        }
    }
    (span.start, b.run())
}

/// Builds a [`Run`]: keywords are glued to the element after them, so a line never ends in `to`.
struct Pieces {
    pieces: Vec<Piece>,
    prefix: String,
    break_after: Option<usize>,
    span: Span,
}

impl Pieces {
    fn new(span: Span) -> Self {
        Pieces {
            pieces: Vec::new(),
            prefix: String::new(),
            break_after: None,
            span,
        }
    }

    /// A keyword, written before the next element.
    fn word(&mut self, word: &str) {
        if !self.prefix.is_empty() {
            self.prefix.push(' ');
        }
        self.prefix.push_str(word);
    }

    /// An element that came from the source at `span`.
    fn item(&mut self, text: &str, span: Span) {
        let mut piece = std::mem::take(&mut self.prefix);
        if !piece.is_empty() {
            piece.push(' ');
        }
        piece.push_str(text);
        // The first piece starts where the statement does, so comments before the statement's
        // keyword stay before the statement.
        let start = if self.pieces.is_empty() {
            self.span.start
        } else {
            span.start
        };
        self.pieces.push(Piece {
            text: piece,
            start: Some(start),
            line_after: false,
        });
    }

    /// Wrap after what has been written so far, if the statement needs wrapping.
    fn break_here(&mut self) {
        if !self.prefix.is_empty() {
            let word = std::mem::take(&mut self.prefix);
            let start = self.pieces.is_empty().then_some(self.span.start);
            self.pieces.push(Piece {
                text: word,
                start,
                line_after: false,
            });
        }
        self.break_after = self.pieces.len().checked_sub(1);
    }

    /// Elements separated by commas.
    fn list(&mut self, items: impl Iterator<Item = (String, Span)>) {
        let mut items = items.peekable();
        while let Some((text, span)) = items.next() {
            if items.peek().is_some() {
                self.item(&format!("{text},"), span);
            } else {
                self.item(&text, span);
            }
        }
    }

    fn idents(&mut self, names: &[Ident]) {
        self.list(names.iter().map(|n| (n.name.clone(), n.span)));
    }

    /// A conjunction (`team x and not allocated_worker`) is one unbreakable piece: a line
    /// break inside it would read as the start of a new subject.
    fn subjects(&mut self, subjects: &Subjects) {
        let mut terms = subjects.terms.iter().peekable();
        while let Some(term) = terms.next() {
            let mut text = String::new();
            for lit in &term.literals {
                if !text.is_empty() {
                    text.push_str(" and ");
                }
                if lit.negated {
                    text.push_str("not ");
                }
                text.push_str(&atom(&lit.atom));
            }
            if terms.peek().is_some() {
                text.push(',');
            }
            if let Some(first) = term.literals.first() {
                self.item(&text, first.span);
            }
        }
    }

    fn chain(&mut self, chain: &Chain) {
        for (i, step) in chain.steps.iter().enumerate() {
            self.step(step, if i > 0 { "->" } else { "" });
        }
    }

    fn step(&mut self, step: &Step, arrow: &str) {
        for (i, alternative) in step.alternatives.iter().enumerate() {
            if i == 0 && !arrow.is_empty() {
                self.word(arrow);
            } else if i > 0 {
                self.word("or");
            }
            self.item(&approver(alternative), alternative.span);
        }
    }

    fn review(&mut self, r: &Review) {
        self.word("review");
        match &r.schedule {
            ReviewSchedule::Every(d) => {
                self.word("every");
                self.item(&duration(d), d.span);
                if let Some(event) = &r.until {
                    self.word("until");
                    self.item(&quote(&event.value), event.span);
                }
            }
            ReviewSchedule::Never(why) => {
                self.word("never");
                if let Some(why) = why {
                    self.item(&quote(&why.value), why.span);
                }
            }
            ReviewSchedule::Until(event) => {
                self.word("until");
                self.item(&quote(&event.value), event.span);
            }
            ReviewSchedule::Unstated(why) => {
                self.word("unstated");
                self.item(&quote(&why.value), why.span);
            }
        }
        if let Some(chain) = &r.reviewer {
            self.word("by");
            self.chain(chain);
        }
    }

    fn disclose(&mut self, items: &[DiscloseItem]) {
        self.word("disclose");
        self.list(items.iter().map(|i| {
            let text = match &i.text {
                Some(t) => format!("{} {}", i.word.name, quote(&t.value)),
                None => i.word.name.clone(),
            };
            (text, i.span)
        }));
    }

    fn approve(&mut self, a: &Approve) {
        self.word("approve");
        self.idents(&a.purposes);
        match &a.approvers {
            Approvers::Chain(chain) => {
                self.word("by");
                self.chain(chain);
            }
            Approvers::Via(name) => {
                self.word("via");
                self.item(&name.name, name.span);
            }
            Approvers::Unstated(why) => {
                self.word("unstated");
                self.item(&quote(&why.value), why.span);
            }
        }
        if let Some(d) = &a.valid_for {
            self.word("valid");
            self.word("for");
            self.item(&duration(d), d.span);
        }
    }

    fn fields(&mut self, fields: &[TestField]) {
        for field in fields {
            self.word(&field.key.name);
            let mut values = field.values.iter().peekable();
            while let Some(v) = values.next() {
                let mut text = test_value(v);
                let last = values.peek().is_none();
                if !last {
                    text.push(',');
                }
                // A number followed by the next field's name stays a number: a test duration's
                // unit is a unit word (`test_unit` in the grammar).
                self.item(&text, v.span());
            }
        }
    }

    fn run(mut self) -> Run {
        if !self.prefix.is_empty() {
            let word = std::mem::take(&mut self.prefix);
            let start = self.pieces.is_empty().then_some(self.span.start);
            self.pieces.push(Piece {
                text: word,
                start,
                line_after: false,
            });
        }
        Run {
            pieces: self.pieces,
            break_after: self.break_after,
            end: self.span.end,
        }
    }
}

fn atom(a: &Atom) -> String {
    match a {
        Atom::Name {
            kind: Some(kind),
            name,
        } => format!("{} {}", kind.keyword(), name.name),
        Atom::Name { kind: None, name } => name.name.clone(),
        Atom::OrgKind(kind) => format!("{} organisations", kind.name),
        Atom::Context { dimension, value } => format!("{} {}", dimension.name, value.name),
    }
}

/// `24h` for a one-letter unit, `90 days` for a word.
/// An approver: its atoms joined by `and`.
fn approver(a: &Approver) -> String {
    a.atoms.iter().map(atom).collect::<Vec<_>>().join(" and ")
}

fn duration(d: &Duration) -> String {
    match &d.unit {
        Some(u) if u.name.chars().count() == 1 => format!("{}{}", d.amount, u.name),
        Some(u) => format!("{} {}", d.amount, u.name),
        None => d.amount.to_string(),
    }
}

fn test_value(v: &TestValue) -> String {
    match v {
        TestValue::Str(s) => quote(&s.value),
        TestValue::Name(n) => n.name.clone(),
        TestValue::Date(d) | TestValue::Timestamp(d) => d.text.clone(),
        TestValue::Duration(d) => duration(d),
    }
}

/// A string literal that reads back as `value`.
fn quote(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

//! The name index: where each declared name of a policy is declared and every place it is
//! used, for editors (go to definition, find references, hover, completion).
//!
//! It is read off the syntax trees, not the resolved model, so it can be built from a policy
//! with errors (and from the items of a half-typed file that parse). All names share one
//! namespace, so a use refers to the declaration of that name whatever kind was expected; a
//! use of an undeclared name is not indexed (the checker reports it).

use std::collections::HashMap;

use super::names::SymbolKind;
use crate::span::{FileId, Span};
use crate::syntax::ast;

/// Test fields whose values are declared names (the others hold ids, dates, views...).
const NAME_FIELDS: &[&str] = &[
    "roles",
    "teams",
    "organisation",
    "category",
    "flags",
    "flag",
    "link",
    "actions",
    "obligations",
];

/// The test field whose value is a rule id, `CATEGORY.grant.N`.
const RULE_FIELD: &str = "rule";

/// One declared name.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Its title, if one was written (an obligation's text).
    pub title: Option<String>,
    /// Where the name is written in its declaration.
    pub span: Span,
}

/// One use of a declared name.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// Where the name is written.
    pub span: Span,
    /// The index of its declaration in [`NameIndex::declarations`].
    pub declaration: usize,
}

/// Every declaration of a policy and every use of each.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    declarations: Vec<Declaration>,
    references: Vec<Reference>,
    by_name: HashMap<String, usize>,
    /// Each context's values, with their titles, by the context's name.
    context_values: HashMap<String, Vec<(String, Option<String>)>>,
}

impl NameIndex {
    /// Indexes the files of one policy (those that parsed).
    pub fn new<'a>(files: impl IntoIterator<Item = &'a ast::File> + Clone) -> Self {
        let mut ix = NameIndex::default();
        for f in files.clone() {
            for item in &f.items {
                ix.declare_item(item);
            }
        }
        let mut uses = Vec::new();
        for f in files {
            for item in &f.items {
                item_uses(item, &mut uses);
            }
        }
        for (name, span) in uses {
            if let Some(&declaration) = ix.by_name.get(name.as_str()) {
                ix.references.push(Reference { span, declaration });
            }
        }
        ix
    }

    /// Every declaration, in the order the files declare them.
    pub fn declarations(&self) -> &[Declaration] {
        &self.declarations
    }

    /// Every use of a declared name.
    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// The declaration of a name; the first, if it is declared twice.
    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The values of the context of this name, with their titles, in declaration order.
    pub fn context_values(&self, context: &str) -> &[(String, Option<String>)] {
        self.context_values.get(context).map_or(&[], Vec::as_slice)
    }

    /// The declaration with this index.
    pub fn get(&self, declaration: usize) -> Option<&Declaration> {
        self.declarations.get(declaration)
    }

    /// The declaration whose name is written at `offset` of `file`, in its declaration or in a
    /// use; a cursor just after the last letter still counts.
    pub fn at(&self, file: FileId, offset: u32) -> Option<usize> {
        let covers = |s: &Span| s.file == file && s.start <= offset && offset <= s.end;
        self.declarations
            .iter()
            .position(|d| covers(&d.span))
            .or_else(|| {
                self.references
                    .iter()
                    .find(|r| covers(&r.span))
                    .map(|r| r.declaration)
            })
    }

    /// The places that use a declaration, in file and offset order.
    pub fn uses_of(&self, declaration: usize) -> Vec<Span> {
        let mut v: Vec<Span> = self
            .references
            .iter()
            .filter(|r| r.declaration == declaration)
            .map(|r| r.span)
            .collect();
        v.sort_by_key(|s| (s.file, s.start));
        v
    }

    fn declare(&mut self, kind: SymbolKind, name: &ast::Ident, title: Option<&str>) {
        if self.by_name.contains_key(&name.name) {
            return;
        }
        self.by_name
            .insert(name.name.clone(), self.declarations.len());
        self.declarations.push(Declaration {
            name: name.name.clone(),
            kind,
            title: title.map(str::to_string),
            span: name.span,
        });
    }

    fn declare_item(&mut self, item: &ast::Item) {
        let title = |t: &Option<ast::Str>| t.as_ref().map(|s| s.value.clone());
        match item {
            ast::Item::Decl(d) => {
                let kind = match d.kind {
                    ast::DeclKind::Action => SymbolKind::Action,
                    ast::DeclKind::Section => SymbolKind::Section,
                    ast::DeclKind::Fact => SymbolKind::Fact,
                    ast::DeclKind::Link => SymbolKind::Link,
                    ast::DeclKind::Role => SymbolKind::Role,
                    ast::DeclKind::Team => SymbolKind::Team,
                    ast::DeclKind::Person => SymbolKind::Person,
                    ast::DeclKind::Organisation => SymbolKind::Organisation,
                };
                for e in &d.entries {
                    self.declare(kind, &e.name, title(&e.title).as_deref());
                }
            }
            ast::Item::Group(g) => {
                self.declare(SymbolKind::Group, &g.name, title(&g.title).as_deref());
            }
            ast::Item::Board(b) => {
                self.declare(SymbolKind::Board, &b.name, title(&b.title).as_deref());
            }
            ast::Item::Obligation(o) => {
                self.declare(SymbolKind::Obligation, &o.name, Some(&o.text.value));
            }
            ast::Item::Escalation(e) => {
                self.declare(SymbolKind::Escalation, &e.name, title(&e.title).as_deref());
            }
            ast::Item::Category(c) => {
                self.declare(SymbolKind::Category, &c.name, title(&c.title).as_deref());
            }
            ast::Item::Flag(f) => {
                self.declare(SymbolKind::Flag, &f.name, title(&f.title).as_deref());
            }
            ast::Item::Retention(r) => {
                self.declare(SymbolKind::Retention, &r.name, title(&r.title).as_deref());
            }
            ast::Item::Rules(r) => {
                self.declare(SymbolKind::Rules, &r.name, title(&r.title).as_deref());
            }
            ast::Item::Context(c) => {
                self.declare(SymbolKind::Context, &c.name, title(&c.title).as_deref());
                self.context_values
                    .entry(c.name.name.clone())
                    .or_insert_with(|| {
                        c.values
                            .iter()
                            .map(|v| (v.name.name.clone(), title(&v.title)))
                            .collect()
                    });
            }
            ast::Item::Source(..)
            | ast::Item::Systems(..)
            | ast::Item::Updated(..)
            | ast::Item::Trigger(_)
            | ast::Item::NoTrigger(..)
            | ast::Item::NeverRestrict(_)
            | ast::Item::Exclusive(_)
            | ast::Item::Approve(_)
            | ast::Item::Acting(_)
            | ast::Item::Unrestricted(_)
            | ast::Item::Disclose(..)
            | ast::Item::Use(..)
            | ast::Item::Test(_) => {}
        }
    }
}

type Uses = Vec<(String, Span)>;

fn ident(i: &ast::Ident, out: &mut Uses) {
    out.push((i.name.clone(), i.span));
}

/// The names an item uses, where a declared name may stand (enumerated words such as
/// `universal` or `minimal` are not uses).
fn item_uses(item: &ast::Item, out: &mut Uses) {
    match item {
        ast::Item::Decl(d) => {
            for p in d.entries.iter().filter_map(|e| e.parent.as_ref()) {
                ident(p, out);
            }
        }
        ast::Item::Group(g) => subjects(&g.subjects, out),
        ast::Item::Board(b) => b.members.iter().for_each(|m| approver(m, out)),
        ast::Item::Escalation(e) => chain(&e.chain, out),
        ast::Item::Approve(a) => approve(a, out),
        ast::Item::Acting(a) => step(&a.approved_by, out),
        ast::Item::Unrestricted(b) => block(b, out),
        ast::Item::Category(c) => block(&c.body, out),
        ast::Item::Flag(f) => {
            for st in &f.statements {
                if let ast::FlagStatement::Review(ast::Review {
                    reviewer: Some(c), ..
                }) = st
                {
                    chain(c, out);
                }
            }
        }
        ast::Item::Rules(r) => statements(&r.statements, out),
        ast::Item::Use(list, _) => names(list, out),
        ast::Item::Test(t) => test(t, out),
        ast::Item::Trigger(t) => {
            ident(&t.category, out);
            subjects(&t.when, out);
        }
        ast::Item::NeverRestrict(n) => {
            names(&n.categories, out);
            subjects(&n.when, out);
        }
        ast::Item::Exclusive(e) => names(&e.categories, out),
        ast::Item::NoTrigger(..)
        | ast::Item::Source(..)
        | ast::Item::Systems(..)
        | ast::Item::Updated(..)
        | ast::Item::Context(_)
        | ast::Item::Obligation(_)
        | ast::Item::Disclose(..)
        | ast::Item::Retention(_) => {}
    }
}

fn block(b: &ast::Block, out: &mut Uses) {
    statements(&b.statements, out);
}

fn statements(list: &[ast::Statement], out: &mut Uses) {
    for st in list {
        match st {
            ast::Statement::Grant(r) | ast::Statement::Deny(r) => {
                names(&r.actions, out);
                subjects(&r.subjects, out);
                names(&r.requires, out);
            }
            ast::Statement::Review(r) => {
                if let Some(c) = &r.reviewer {
                    chain(c, out);
                }
            }
            ast::Statement::Temporary(t) => {
                names(&t.actions, out);
                if let Some(s) = &t.to {
                    subjects(s, out);
                }
                step(&t.approved_by, out);
                names(&t.requires, out);
            }
            ast::Statement::Contact(a, _, _) => atom(a, out),
            ast::Statement::Approve(a) => approve(a, out),
            ast::Statement::Use(list, _)
            | ast::Statement::Protects(list, _)
            | ast::Statement::Reaches(list, _) => names(list, out),
            ast::Statement::Criteria(..)
            | ast::Statement::Restriction(..)
            | ast::Statement::DeniedView(..)
            | ast::Statement::Disclose(..)
            | ast::Statement::Lasts(..) => {}
        }
    }
}

fn names(list: &[ast::Ident], out: &mut Uses) {
    for i in list {
        ident(i, out);
    }
}

fn subjects(s: &ast::Subjects, out: &mut Uses) {
    for l in s.terms.iter().flat_map(|t| &t.literals) {
        atom(&l.atom, out);
    }
}

fn atom(a: &ast::Atom, out: &mut Uses) {
    match a {
        ast::Atom::Name { name, .. } => ident(name, out),
        ast::Atom::Context { dimension, .. } => ident(dimension, out),
        ast::Atom::OrgKind(_) => {}
    }
}

fn chain(c: &ast::Chain, out: &mut Uses) {
    for s in &c.steps {
        step(s, out);
    }
}

fn step(s: &ast::Step, out: &mut Uses) {
    for a in &s.alternatives {
        approver(a, out);
    }
}

fn approver(a: &ast::Approver, out: &mut Uses) {
    for x in &a.atoms {
        atom(x, out);
    }
}

fn approve(a: &ast::Approve, out: &mut Uses) {
    match &a.approvers {
        ast::Approvers::Chain(c) => chain(c, out),
        ast::Approvers::Via(e) => ident(e, out),
        ast::Approvers::Unstated(_) => {}
    }
}

fn test(t: &ast::TestBlock, out: &mut Uses) {
    for st in &t.statements {
        let fields = match st {
            ast::TestStatement::Action(a, _) => {
                ident(a, out);
                continue;
            }
            ast::TestStatement::Context(f, _) => {
                // Each field's key is the context it gives a value for.
                for field in f {
                    ident(&field.key, out);
                }
                continue;
            }
            ast::TestStatement::Restriction(c, f, _) => {
                ident(c, out);
                f
            }
            ast::TestStatement::Subject(_, f, _)
            | ast::TestStatement::Record(_, f, _)
            | ast::TestStatement::Linked(_, f, _)
            | ast::TestStatement::TemporaryGrant(f, _)
            | ast::TestStatement::ActingFor(_, f, _)
            | ast::TestStatement::Change(f, _)
            | ast::TestStatement::Approval(f, _)
            | ast::TestStatement::Expect(_, f, _) => f,
            ast::TestStatement::At(..) => continue,
        };
        for f in fields {
            for v in &f.values {
                let ast::TestValue::Name(n) = v else { continue };
                if NAME_FIELDS.contains(&f.key.name.as_str()) {
                    ident(n, out);
                } else if f.key.name == RULE_FIELD {
                    // `adoption.grant.1` names category `adoption` in its first part.
                    if let Some((category, _)) = n.name.split_once('.') {
                        let span = Span {
                            end: n.span.start + u32::try_from(category.len()).unwrap_or(0),
                            ..n.span
                        };
                        out.push((category.to_string(), span));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn index(texts: &[&str]) -> (Vec<ast::File>, NameIndex) {
        let files: Vec<ast::File> = texts
            .iter()
            .enumerate()
            .filter_map(|(i, t)| parse(FileId(i as u32), t).ok())
            .collect();
        let ix = NameIndex::new(&files);
        (files, ix)
    }

    #[test]
    fn uses_across_files_point_at_the_declaration() {
        let main = "policy p \"P\"\naction view\nrole manager\nrole team_manager \"Team Manager\" in manager\nteam edt\nobligation note \"Write a note\"\nescalation up = role team_manager -> manager\ngroup g = team edt, allocated_worker\n";
        let cats = "category adoption {\n  restriction universal\n  grant view to g requires note\n  approve lift via up\n  contact team_manager\n}\ntest \"t\" {\n  subject \"u\" roles team_manager teams edt\n  record \"r\" category adoption\n  action view\n  expect allow rule adoption.grant.1\n}\n";
        let (_, ix) = index(&[main, cats]);
        let uses = |name: &str| -> Vec<(u32, String)> {
            let d = ix.lookup(name).unwrap();
            ix.uses_of(d)
                .iter()
                .map(|s| {
                    let text = if s.file.0 == 0 { main } else { cats };
                    (s.file.0, text[s.start as usize..s.end as usize].to_string())
                })
                .collect()
        };
        assert_eq!(
            uses("manager"),
            [(0, "manager".into()), (0, "manager".into())]
        );
        assert_eq!(
            uses("team_manager").len(),
            3,
            "escalation, contact, test roles"
        );
        assert_eq!(uses("edt"), [(0, "edt".into()), (1, "edt".into())]);
        assert_eq!(uses("note"), [(1, "note".into())]);
        assert_eq!(uses("up"), [(1, "up".into())]);
        assert_eq!(uses("g"), [(1, "g".into())]);
        assert_eq!(uses("view"), [(1, "view".into()), (1, "view".into())]);
        assert_eq!(
            uses("adoption"),
            [(1, "adoption".into()), (1, "adoption".into())],
            "the record's category and the rule id's first part"
        );
        let d = ix.get(ix.lookup("team_manager").unwrap()).unwrap();
        assert_eq!(
            (d.kind, d.title.as_deref()),
            (SymbolKind::Role, Some("Team Manager"))
        );
        assert_eq!(
            ix.lookup("allocated_worker"),
            None,
            "relations are not declared names"
        );
    }

    #[test]
    fn at_finds_the_name_under_the_cursor() {
        let text = "policy p \"P\"\nteam edt\ngroup g = team edt\n";
        let (_, ix) = index(&[text]);
        let edt = ix.lookup("edt");
        let use_at = text.rfind("edt").unwrap() as u32;
        for offset in [use_at, use_at + 1, use_at + 3] {
            assert_eq!(ix.at(FileId(0), offset), edt);
        }
        assert_eq!(ix.at(FileId(0), text.find("edt").unwrap() as u32), edt);
        assert_eq!(ix.at(FileId(0), 1), None, "a keyword is no name");
        assert_eq!(ix.at(FileId(1), use_at), None, "another file");
    }

    #[test]
    fn the_first_of_two_declarations_wins() {
        let (_, ix) = index(&["policy p \"P\"\nteam a \"First\"\nrole a \"Second\"\n"]);
        let d = ix.get(ix.lookup("a").unwrap()).unwrap();
        assert_eq!(d.title.as_deref(), Some("First"));
        assert_eq!(ix.declarations().len(), 1);
    }
}

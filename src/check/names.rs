//! The symbol table: every declared name, its kind and where it was declared.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, suggest};
use crate::span::Span;
use crate::syntax::ast::{Ident, NameKind};

/// What a declared name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// An action.
    Action,
    /// A role.
    Role,
    /// A team.
    Team,
    /// A placeholder person.
    Person,
    /// An organisation.
    Organisation,
    /// A group of subjects.
    Group,
    /// A board that approves as one.
    Board,
    /// An obligation.
    Obligation,
    /// An escalation path.
    Escalation,
    /// A category.
    Category,
    /// A retention file type.
    Retention,
    /// A block of shared rules.
    Rules,
    /// A flag a record may carry.
    Flag,
    /// A section of a record.
    Section,
    /// A kind of link between records.
    Link,
    /// A context of the request (`context network = ...`).
    Context,
    /// A fact about a record (`fact adoption_plan`), which triggers test.
    Fact,
}

impl SymbolKind {
    /// The kind as a word, with its article: "a team".
    pub fn with_article(self) -> &'static str {
        match self {
            SymbolKind::Action => "an action",
            SymbolKind::Role => "a role",
            SymbolKind::Team => "a team",
            SymbolKind::Person => "a person",
            SymbolKind::Organisation => "an organisation",
            SymbolKind::Group => "a group",
            SymbolKind::Board => "a board",
            SymbolKind::Obligation => "an obligation",
            SymbolKind::Escalation => "an escalation path",
            SymbolKind::Category => "a category",
            SymbolKind::Retention => "a retention file type",
            SymbolKind::Rules => "a rules block",
            SymbolKind::Flag => "a flag",
            SymbolKind::Section => "a section",
            SymbolKind::Link => "a kind of link",
            SymbolKind::Context => "a context",
            SymbolKind::Fact => "a fact",
        }
    }

    /// The kind as a bare word: "team".
    pub fn word(self) -> &'static str {
        self.with_article().split_once(' ').map_or("", |(_, w)| w)
    }
}

impl From<NameKind> for SymbolKind {
    fn from(k: NameKind) -> Self {
        match k {
            NameKind::Role => SymbolKind::Role,
            NameKind::Team => SymbolKind::Team,
            NameKind::Person => SymbolKind::Person,
            NameKind::Organisation => SymbolKind::Organisation,
            NameKind::Group => SymbolKind::Group,
            NameKind::Board => SymbolKind::Board,
        }
    }
}

/// A declared name.
#[derive(Debug, Clone, Copy)]
pub struct Symbol {
    /// What it is.
    pub kind: SymbolKind,
    /// Its index among names of its kind.
    pub index: u32,
    /// Where it was declared.
    pub span: Span,
}

/// Words with a fixed meaning that no declaration may take.
pub const RESERVED: &[&str] = &[
    "allocated_worker",
    "allocated_manager",
    "owner",
    "named_allow",
    "named_deny",
    "temporary_grant",
    "record_team",
    "line_manager",
    "record_subject",
    "relative",
    "author",
    "acting_for",
    "everyone",
    "all",
    "unrestricted",
];

/// Every declared name of a policy, in one namespace.
#[derive(Debug, Default)]
pub struct Symbols {
    map: HashMap<String, Symbol>,
    counts: HashMap<SymbolKindKey, u32>,
    used: HashMap<String, bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct SymbolKindKey(SymbolKind);

impl Symbols {
    /// Declares a name; a duplicate or reserved name yields a diagnostic and is not declared.
    pub fn declare(&mut self, kind: SymbolKind, name: &Ident) -> Result<u32, Diagnostic> {
        if RESERVED.contains(&name.name.as_str()) {
            return Err(Diagnostic::error(
                Code::ReservedName,
                format!("`{}` is a built-in word and cannot be declared", name.name),
                name.span,
                "reserved",
            )
            .with_help(format!("choose another name, such as `{}_1`", name.name)));
        }
        if let Some(prev) = self.map.get(&name.name) {
            let what = if prev.kind == kind {
                format!("{} `{}` is declared twice", kind.word(), name.name)
            } else {
                format!(
                    "`{}` is declared as {} and as {}",
                    name.name,
                    prev.kind.with_article(),
                    kind.with_article()
                )
            };
            return Err(Diagnostic::error(
                Code::DuplicateName,
                what,
                name.span,
                "declared again here",
            )
            .with_label(prev.span, "first declared here")
            .with_help("all names share one namespace; rename or remove one of them"));
        }
        let count = self.counts.entry(SymbolKindKey(kind)).or_insert(0);
        let index = *count;
        *count += 1;
        self.map.insert(
            name.name.clone(),
            Symbol {
                kind,
                index,
                span: name.span,
            },
        );
        Ok(index)
    }

    /// Every declared name of a kind.
    pub fn names_of(&self, kind: SymbolKind) -> impl Iterator<Item = &str> {
        self.map
            .iter()
            .filter(move |(_, s)| s.kind == kind)
            .map(|(n, _)| n.as_str())
    }

    /// Looks a name up without marking it used.
    pub fn get(&self, name: &str) -> Option<Symbol> {
        self.map.get(name).copied()
    }

    /// Resolves a use of a name that must be one of `kinds`.
    pub fn resolve(
        &mut self,
        name: &Ident,
        kinds: &[SymbolKind],
        what: &str,
    ) -> Result<Symbol, Diagnostic> {
        match self.map.get(&name.name).copied() {
            Some(sym) if kinds.contains(&sym.kind) => {
                self.used.insert(name.name.clone(), true);
                Ok(sym)
            }
            Some(sym) => Err(Diagnostic::error(
                Code::WrongKind,
                format!("`{}` is {}, not {what}", name.name, sym.kind.with_article()),
                name.span,
                format!("expected {what}"),
            )
            .with_label(sym.span, format!("`{}` is declared here", name.name))
            .with_help(format!("name {what} here"))),
            None => {
                let candidates = self
                    .map
                    .iter()
                    .filter(|(_, s)| kinds.contains(&s.kind))
                    .map(|(n, _)| n.as_str());
                let mut d = Diagnostic::error(
                    Code::UnknownName,
                    format!("unknown {} `{}`", strip_article(what), name.name),
                    name.span,
                    "not declared",
                );
                d = match suggest::did_you_mean(&name.name, candidates) {
                    Some(help) => d.with_help(help),
                    None => d.with_help(format!(
                        "declare it first, for example `{} {}`",
                        kinds.first().map_or("team", |k| k.word()),
                        name.name
                    )),
                };
                Err(d)
            }
        }
    }

    /// Records a use of a name found outside [`Symbols::resolve`] (group members, before resolution).
    pub fn mark_used(&mut self, name: &str) {
        self.used.insert(name.to_string(), true);
    }

    /// Whether a name was resolved somewhere.
    pub fn is_used(&self, name: &str) -> bool {
        self.used.contains_key(name)
    }

    /// Every name of a kind that was never resolved, with its span.
    pub fn unused(&self, kind: SymbolKind) -> Vec<(String, Span)> {
        let mut v: Vec<(String, Span)> = self
            .map
            .iter()
            .filter(|(n, s)| s.kind == kind && !self.used.contains_key(*n))
            .map(|(n, s)| (n.clone(), s.span))
            .collect();
        v.sort_by_key(|(_, s)| (s.file, s.start));
        v
    }
}

fn strip_article(what: &str) -> &str {
    what.strip_prefix("a ")
        .or_else(|| what.strip_prefix("an "))
        .unwrap_or(what)
}

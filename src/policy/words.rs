//! The words for conditions and atoms, defined once: the checker's subjects text, the compiled
//! table's approver descriptions, the evaluator's explanations and traces, the analysis
//! diagnostics, `who-can` and the printable table all call these, so one subject reads the same
//! everywhere.
//!
//! Three registers, each for its own reader:
//! - *notation*, the policy's own names for an auditor: `role team_manager and not owner`;
//! - *titles*, the policy's titles for a policy author: `Team Manager`, `role Team Manager`;
//! - *phrases*, English for a caseworker: `a Team Manager and not the record's named manager`.

use super::{Atom, Condition, Literal, OrgKind, Policy, Relation};

/// The kinds of declaration a condition, an approval or a request names by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A role.
    Role,
    /// A team.
    Team,
    /// A placeholder person.
    Person,
    /// An organisation.
    Organisation,
}

impl NameKind {
    /// The keyword that declares it, as the notation writes it before a name.
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Role => "role",
            NameKind::Team => "team",
            NameKind::Person => "person",
            NameKind::Organisation => "organisation",
        }
    }
}

/// The declared names and titles, by index: the checked [`Policy`] and the compiled table's
/// vocabulary both have them, so the words below serve either.
pub trait Titles {
    /// The name of the `id`th declaration of a kind, as the policy writes it.
    fn name(&self, kind: NameKind, id: u32) -> Option<&str>;
    /// Its title (the name when the policy gives none).
    fn title(&self, kind: NameKind, id: u32) -> Option<&str>;
    /// The `id`th context value: its context's name, its own name and its title.
    fn context_value(&self, id: u32) -> Option<ContextWords<'_>>;
}

/// A context value's words: `network`, `ncc`, "from a council network machine".
#[derive(Debug, Clone, Copy)]
pub struct ContextWords<'a> {
    /// The context's name.
    pub context: &'a str,
    /// The value's name.
    pub value: &'a str,
    /// The value's title, which completes "asking ...".
    pub title: &'a str,
}

impl Titles for Policy {
    fn name(&self, kind: NameKind, id: u32) -> Option<&str> {
        self.named(kind, id).map(|n| n.name.as_str())
    }

    fn title(&self, kind: NameKind, id: u32) -> Option<&str> {
        self.named(kind, id).map(|n| n.title.as_str())
    }

    fn context_value(&self, id: u32) -> Option<ContextWords<'_>> {
        let v = self.context_values.get(id as usize)?;
        Some(ContextWords {
            context: &self.contexts.get(v.context as usize)?.name,
            value: &v.named.name,
            title: &v.named.title,
        })
    }
}

impl Policy {
    fn named(&self, kind: NameKind, id: u32) -> Option<&super::Named> {
        let i = id as usize;
        match kind {
            NameKind::Role => self.roles.get(i).map(|m| &m.named),
            NameKind::Team => self.teams.get(i).map(|m| &m.named),
            NameKind::Person => self.persons.get(i).map(|m| &m.named),
            NameKind::Organisation => self.organisations.get(i).map(|m| &m.named),
        }
    }
}

/// What a condition with no alternatives reads as.
pub const NOBODY: &str = "nobody";
/// What a condition with an empty alternative reads as.
pub const EVERYONE: &str = "everyone";
/// What stands for a name an index does not reach (a table the loader would refuse).
const UNKNOWN: &str = "?";
/// What separates the alternatives of a rule's subjects text.
pub const SUBJECTS_SEPARATOR: &str = ", ";

impl Relation {
    /// Plain English for explanations: "an allocated worker of the record".
    pub fn describe(self) -> &'static str {
        match self {
            Relation::AllocatedWorker => "an allocated worker of the record",
            Relation::AllocatedManager => "the manager of an allocated worker",
            Relation::Owner => "the record's named manager",
            Relation::NamedAllow => "named on the record's access list",
            Relation::NamedDeny => "named on the record's exclusion list",
            Relation::TemporaryGrant => "the holder of a valid temporary grant",
            Relation::RecordTeam => "in a team responsible for the record",
            Relation::LineManager => "your line manager",
            Relation::RecordSubject => "the person the record is about",
            Relation::Relative => "a relative of the person the record is about",
            Relation::Author => "the author of the entry asked for",
            Relation::ActingFor => "someone acting for a colleague",
        }
    }
}

/// An atom taken apart: a declaration by index, a kind of organisation, a relation or a
/// context value.
enum Part {
    Declared(NameKind, u32),
    OrgKind(OrgKind),
    Relation(Relation),
    Context(u32),
}

fn part(atom: Atom) -> Part {
    match atom {
        Atom::Role(r) => Part::Declared(NameKind::Role, r),
        Atom::Team(t) => Part::Declared(NameKind::Team, t),
        Atom::Person(p) => Part::Declared(NameKind::Person, p),
        Atom::Organisation(o) => Part::Declared(NameKind::Organisation, o),
        Atom::OrgKind(k) => Part::OrgKind(k),
        Atom::Relation(r) => Part::Relation(r),
        Atom::Context(v) => Part::Context(v),
    }
}

/// A context value in the notation: `network ncc`.
fn context_notation(t: &(impl Titles + ?Sized), id: u32) -> String {
    t.context_value(id).map_or_else(
        || UNKNOWN.to_string(),
        |w| format!("{} {}", w.context, w.value),
    )
}

/// A context value as a caseworker reads it: its title, "from a council network machine".
fn context_phrase(t: &(impl Titles + ?Sized), id: u32) -> String {
    t.context_value(id).map_or_else(
        || "asking in an unknown context".to_string(),
        |w| w.title.to_string(),
    )
}

/// Organisations of a kind, by the kind's word: "partner organisations".
pub fn org_kind(word: &str) -> String {
    format!("{word} organisations")
}

/// An atom in the policy's own notation, for auditors: `role team_manager`, `allocated_worker`,
/// `partner organisations`.
pub fn atom_notation(t: &(impl Titles + ?Sized), atom: Atom) -> String {
    match part(atom) {
        Part::Declared(kind, id) => {
            format!("{} {}", kind.word(), t.name(kind, id).unwrap_or(UNKNOWN))
        }
        Part::OrgKind(k) => org_kind(k.word()),
        Part::Relation(r) => r.word().to_string(),
        Part::Context(v) => context_notation(t, v),
    }
}

/// An atom by its title alone: "Team Manager", "partner organisations", "the record's named
/// manager" (an approver's description in the compiled table).
pub fn atom_title(t: &(impl Titles + ?Sized), atom: Atom) -> String {
    match part(atom) {
        Part::Declared(kind, id) => t.title(kind, id).unwrap_or(UNKNOWN).to_string(),
        Part::OrgKind(k) => org_kind(k.word()),
        Part::Relation(r) => r.describe().to_string(),
        Part::Context(v) => context_phrase(t, v),
    }
}

/// An atom as a diagnostic names it to a policy author: "role Team Manager", "`owner`".
pub fn atom_label(t: &(impl Titles + ?Sized), atom: Atom) -> String {
    match part(atom) {
        Part::Declared(kind, id) => {
            format!("{} {}", kind.word(), t.title(kind, id).unwrap_or(UNKNOWN))
        }
        Part::OrgKind(k) => org_kind(k.word()),
        Part::Relation(r) => format!("`{}`", r.word()),
        Part::Context(v) => format!("`{}`", context_notation(t, v)),
    }
}

/// An atom as a caseworker reads it after "you were": "an allocated worker of the record",
/// "a Service Manager", "a member of the Emergency Duty Team".
pub fn atom_phrase(t: &(impl Titles + ?Sized), atom: Atom) -> String {
    match atom {
        Atom::Relation(r) => r.describe().to_string(),
        Atom::Role(r) => t
            .title(NameKind::Role, r)
            .map_or_else(|| "a holder of an unknown role".to_string(), article),
        Atom::Team(id) => t.title(NameKind::Team, id).map_or_else(
            || "a member of an unknown team".to_string(),
            |title| format!("a member of the {title}"),
        ),
        Atom::Person(p) => t
            .title(NameKind::Person, p)
            .map_or_else(|| "an unknown person".to_string(), str::to_string),
        Atom::Organisation(o) => t.title(NameKind::Organisation, o).map_or_else(
            || "from an unknown organisation".to_string(),
            |title| format!("from {title}"),
        ),
        Atom::OrgKind(k) => format!("from {}", article(&format!("{} organisation", k.word()))),
        Atom::Context(v) => context_phrase(t, v),
    }
}

/// Words for an atom, negated when the literal is: "not owner".
pub fn negated(words: String, negated: bool) -> String {
    if negated {
        format!("not {words}")
    } else {
        words
    }
}

/// A literal in the policy's notation: `not role team_manager`.
pub fn literal_notation(t: &(impl Titles + ?Sized), l: Literal) -> String {
    negated(atom_notation(t, l.atom), l.negated)
}

/// A literal as a caseworker reads it: "not a member of the Emergency Duty Team".
pub fn literal_phrase(t: &(impl Titles + ?Sized), l: Literal) -> String {
    negated(atom_phrase(t, l.atom), l.negated)
}

/// Parts that must all hold: "a and b".
pub fn all_of(parts: &[String]) -> String {
    parts.join(" and ")
}

/// One alternative of a condition in the policy's notation: `role team_manager and not owner`,
/// or "everyone" for the empty one.
pub fn term_notation(t: &(impl Titles + ?Sized), term: &[Literal]) -> String {
    if term.is_empty() {
        return EVERYONE.to_string();
    }
    let parts: Vec<String> = term.iter().map(|l| literal_notation(t, *l)).collect();
    all_of(&parts)
}

/// A condition in plain words: "a Team Manager and not from a partner organisation, or ...".
pub fn condition_phrase(t: &(impl Titles + ?Sized), c: &Condition) -> String {
    if c.terms.is_empty() {
        return NOBODY.to_string();
    }
    if c.terms.iter().any(Vec::is_empty) {
        return EVERYONE.to_string();
    }
    let terms: Vec<String> = c
        .terms
        .iter()
        .map(|term| {
            let parts: Vec<String> = term.iter().map(|l| literal_phrase(t, *l)).collect();
            // Brackets keep "a or (b and not c)" from reading as "(a or b) and not c".
            if parts.len() > 1 && c.terms.len() > 1 {
                format!("({})", all_of(&parts))
            } else {
                all_of(&parts)
            }
        })
        .collect();
    join_or(&counted(terms), "or")
}

/// A rule's subjects text from its alternatives' words, as the checker writes it into the rule.
pub fn subjects_text(alternatives: &[String]) -> String {
    alternatives.join(SUBJECTS_SEPARATOR)
}

/// The alternatives of a subjects text made by [`subjects_text`].
pub fn subjects_alternatives(text: &str) -> impl Iterator<Item = &str> {
    text.split(SUBJECTS_SEPARATOR)
}

/// A declared name spoken: `add_note` → "add note".
pub fn spoken(name: &str) -> String {
    name.replace('_', " ")
}

/// "a Service Manager", "an Independent Reviewing Officer".
pub fn article(title: &str) -> String {
    let vowel = title
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {title}", if vowel { "an" } else { "a" })
}

/// Items as English: "a", "a or b", "a, b or c".
pub fn join_or(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// Items with repeats merged, in first-seen order: two people the policy gives the same title
/// read "Virtual School officer (2 of them)", not the title twice.
pub fn counted(items: Vec<String>) -> Vec<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for item in items {
        match seen.iter_mut().find(|(s, _)| *s == item) {
            Some((_, n)) => *n += 1,
            None => seen.push((item, 1)),
        }
    }
    seen.into_iter()
        .map(|(s, n)| {
            if n == 1 {
                s
            } else {
                format!("{s} ({n} of them)")
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::span::SourceMap;

    const POLICY: &str = r#"policy words "Words" version 1
action view, add_note "Add a case note"
role iro "Independent Reviewing Officer"
role manager "Team Manager"
team edt "Emergency Duty Team"
person lead "Virtual School lead" id "u-1"
organisation council "Test Council" internal
category adoption "Adoption" {
  criteria "adopted children"
  restriction universal
  review every 6 months by role manager
  denied_view notice_with_contact
  contact owner
  grant view to role iro and not record_team, team edt, partner organisations
}
end
"#;

    fn policy() -> (Policy, crate::compile::table::DecisionTable) {
        let mut sources = SourceMap::new();
        let file = sources.add("words.policy", POLICY);
        let checked = crate::check_files(&sources, &[file]).unwrap();
        let table = crate::compile::compile(&checked, &sources);
        (checked.policy, table)
    }

    fn atoms() -> Vec<Atom> {
        let mut atoms = vec![
            Atom::Role(0),
            Atom::Role(1),
            Atom::Team(0),
            Atom::Person(0),
            Atom::Organisation(0),
            Atom::Role(9),
        ];
        atoms.extend(OrgKind::ALL.map(Atom::OrgKind));
        atoms.extend(Relation::ALL.map(Atom::Relation));
        atoms
    }

    #[test]
    fn the_checked_policy_and_the_table_read_alike() {
        let (policy, table) = policy();
        let v = &table.vocabulary;
        for atom in atoms() {
            assert_eq!(atom_notation(&policy, atom), atom_notation(v, atom));
            assert_eq!(atom_title(&policy, atom), atom_title(v, atom));
            assert_eq!(atom_label(&policy, atom), atom_label(v, atom));
            assert_eq!(atom_phrase(&policy, atom), atom_phrase(v, atom));
        }
        for kind in [NameKind::Role, NameKind::Person] {
            assert_eq!(policy.name(kind, 1), v.name(kind, 1));
            assert_eq!(policy.title(kind, 0), v.title(kind, 0));
        }
    }

    #[test]
    fn each_register_names_an_atom_its_own_way() {
        let (policy, _) = policy();
        let p = &policy;
        let said = |atom| {
            [
                atom_notation(p, atom),
                atom_title(p, atom),
                atom_label(p, atom),
                atom_phrase(p, atom),
            ]
        };
        assert_eq!(
            said(Atom::Role(0)),
            [
                "role iro",
                "Independent Reviewing Officer",
                "role Independent Reviewing Officer",
                "an Independent Reviewing Officer"
            ]
        );
        assert_eq!(
            said(Atom::Team(0)),
            [
                "team edt",
                "Emergency Duty Team",
                "team Emergency Duty Team",
                "a member of the Emergency Duty Team"
            ]
        );
        assert_eq!(
            said(Atom::OrgKind(OrgKind::Partner)),
            [
                "partner organisations",
                "partner organisations",
                "partner organisations",
                "from a partner organisation"
            ]
        );
        assert_eq!(
            said(Atom::Relation(Relation::Owner)),
            [
                "owner",
                "the record's named manager",
                "`owner`",
                "the record's named manager"
            ]
        );
        assert_eq!(
            said(Atom::Role(9)),
            ["role ?", "?", "role ?", "a holder of an unknown role"]
        );
    }

    #[test]
    fn a_condition_reads_as_its_alternatives() {
        let (policy, table) = policy();
        let c = &table.categories[0];
        let grant = c.decisions[0]
            .rows
            .iter()
            .find(|r| r.layer == crate::compile::table::Layer::Grant)
            .unwrap();
        assert_eq!(
            condition_phrase(&policy, &grant.condition),
            "(an Independent Reviewing Officer and not in a team responsible for the record), \
             a member of the Emergency Duty Team or from a partner organisation"
        );
        let notation: Vec<String> = grant
            .condition
            .terms
            .iter()
            .map(|t| term_notation(&policy, t))
            .collect();
        assert_eq!(
            notation,
            [
                "role iro and not record_team",
                "team edt",
                "partner organisations"
            ]
        );
        assert_eq!(
            grant.subjects_text,
            "Independent Reviewing Officer and not in a team responsible for the record, \
             Emergency Duty Team, partner organisations"
        );
        assert_eq!(
            subjects_alternatives(&grant.subjects_text).count(),
            grant.condition.terms.len()
        );
        assert_eq!(condition_phrase(&policy, &Condition::default()), NOBODY);
        assert_eq!(condition_phrase(&policy, &Condition::everyone()), EVERYONE);
    }

    #[test]
    fn small_words() {
        assert_eq!(
            article("Independent Reviewing Officer"),
            "an Independent Reviewing Officer"
        );
        assert_eq!(article("view"), "a view");
        assert_eq!(
            join_or(&["a".into(), "b".into(), "c".into()], "or"),
            "a, b or c"
        );
        assert_eq!(
            counted(vec!["x".into(), "y".into(), "x".into()]),
            ["x (2 of them)", "y"]
        );
        assert_eq!(spoken("add_note"), "add note");
    }
}

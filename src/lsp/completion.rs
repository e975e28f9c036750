//! Completion in context: keywords where a statement starts (those of the enclosing block),
//! declared names of the kinds a position takes, the fixed words (views, restriction types,
//! approval purposes, relations) where they go, and the keyword that may come next.
//!
//! The context is read off the words before the cursor, not a parse: the statement being
//! typed does not parse yet.

use lsp_types::{CompletionItem, CompletionItemKind};

use crate::check::SymbolKind;
use crate::check::index::NameIndex;
use crate::check::values;
use crate::policy::{OrgKind, Purpose, Relation};
use crate::syntax::keywords;

/// What the position takes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    /// Keywords that start a statement in this block.
    Statements(&'static [&'static str]),
    /// Declared names of these kinds, and these fixed words.
    Names(&'static [SymbolKind], Vec<&'static str>),
    /// Fixed words only.
    Words(Vec<&'static str>),
    /// Nothing: a new name is being declared, or the place is not understood.
    Nothing,
}

const SUBJECT: &[SymbolKind] = &[
    SymbolKind::Role,
    SymbolKind::Team,
    SymbolKind::Person,
    SymbolKind::Organisation,
    SymbolKind::Group,
    SymbolKind::Context,
];
const APPROVER: &[SymbolKind] = &[
    SymbolKind::Role,
    SymbolKind::Team,
    SymbolKind::Person,
    SymbolKind::Board,
];
/// A board's members: people, roles and teams (never a relation, nor another board).
const MEMBER: &[SymbolKind] = &[SymbolKind::Role, SymbolKind::Team, SymbolKind::Person];

/// A token before the cursor.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    text: &'a str,
    /// The first token on its line.
    line_start: bool,
}

impl Tok<'_> {
    fn is_word(&self) -> bool {
        self.text
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    }
    fn is_keyword(&self) -> bool {
        self.is_word() && keywords::is_keyword(self.text)
    }
    /// A token after which a statement goes on (on the next line too).
    fn continues(&self) -> bool {
        matches!(self.text, "," | "=" | "->")
            || matches!(
                self.text,
                "to" | "and" | "or" | "not" | "by" | "requires" | "via" | "approved_by" | "in"
            )
    }
}

/// The completions at byte `offset` of `text`, given the policy's names.
pub fn complete(text: &str, offset: usize, index: &NameIndex) -> Vec<CompletionItem> {
    let before = text.get(..offset).unwrap_or(text);
    let (mut toks, blocks) = tokens(before);
    // The word being typed is not context.
    let typing = before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let typed = if typing { toks.pop() } else { None };
    let at_line_start = match typed {
        Some(t) => t.line_start,
        None => before
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#')),
    };
    let block = blocks.last().copied();
    // After a context's name (`network `, or `context network ` in a test): its values.
    let context = toks
        .last()
        .filter(|p| !at_line_start && p.is_word() && !p.is_keyword());
    if let Some(c) = context.filter(|c| {
        index
            .lookup(c.text)
            .and_then(|d| index.get(d))
            .is_some_and(|d| d.kind == SymbolKind::Context)
    }) {
        return index
            .context_values(c.text)
            .iter()
            .map(|(value, title)| CompletionItem {
                label: value.clone(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: title.clone(),
                ..CompletionItem::default()
            })
            .collect();
    }
    items(want(&toks, block, at_line_start), index)
}

fn want(toks: &[Tok<'_>], block: Option<&str>, at_line_start: bool) -> Want {
    let prev = toks.last();
    if at_line_start && !prev.is_some_and(|p| p.continues()) {
        return Want::Statements(match block {
            None => keywords::ITEMS,
            Some("retention") => keywords::RETENTION_STATEMENTS,
            Some("flag") => keywords::FLAG_STATEMENTS,
            Some("test") => keywords::TEST_STATEMENTS,
            Some(_) => keywords::CATEGORY_STATEMENTS,
        });
    }
    let Some(prev) = prev else {
        return Want::Nothing;
    };
    if let Some(kind) = kind_word(prev.text) {
        // `team x` at the start of a top-level line declares x.
        let declares = block.is_none() && prev.line_start;
        return if declares {
            Want::Nothing
        } else {
            Want::Names(kind, Vec::new())
        };
    }
    if block == Some("test") {
        return test_field(toks);
    }
    let statement = toks
        .iter()
        .rev()
        .find(|t| t.line_start && !t.continues() && t.is_keyword())
        .map_or("", |t| t.text);
    let governor = toks
        .iter()
        .rev()
        .find(|t| {
            t.is_keyword()
                && !matches!(t.text, "and" | "or" | "not" | "organisations")
                && kind_word(t.text).is_none()
                || matches!(t.text, "=" | "{" | "}")
        })
        .map_or("", |t| t.text);
    // After a name (not a separator), the keyword that may follow.
    let after_name = prev.is_word() && !prev.is_keyword() || prev.text.starts_with('"');
    if after_name {
        return Want::Words(match (governor, statement) {
            ("grant" | "deny", _) => vec!["to"],
            ("temporary", _) => vec!["for"],
            ("lasts", _) => vec!["renewable", "notify"],
            ("approve", _) => vec!["by", "via"],
            ("to", "grant") => vec!["and", "requires"],
            ("to", "deny") => vec!["and", "absolute", "shows"],
            ("to", "temporary") => vec!["and", "approved_by"],
            ("=", "group") => vec!["and"],
            ("approved_by", "acting") => vec!["or", "and"],
            ("approved_by", _) => vec!["or", "and", "renewable", "notify", "requires"],
            ("=", "board") => vec!["and"],
            ("by" | "=", _) => vec!["or", "and"],
            ("trigger" | "restrict", _) => vec!["when"],
            ("when", _) => vec!["and"],
            _ => Vec::new(),
        });
    }
    match governor {
        "grant" | "deny" | "temporary" => Want::Names(&[SymbolKind::Action], vec!["all"]),
        // `acting for up to DURATION approved_by APPROVER`: the approvers are the same for
        // every record, so never a relation to one.
        "acting" => Want::Words(vec!["for"]),
        "for" if statement == "acting" => Want::Words(vec!["up"]),
        "up" => Want::Words(vec!["to"]),
        "to" if statement == "acting" => Want::Nothing,
        "approved_by" if statement == "acting" => Want::Names(APPROVER, Vec::new()),
        "to" => Want::Names(SUBJECT, subject_words()),
        "=" if statement == "group" => Want::Names(SUBJECT, subject_words()),
        "=" if statement == "escalation" => Want::Names(APPROVER, approver_words()),
        "=" if statement == "board" => Want::Names(MEMBER, Vec::new()),
        "by" | "approved_by" | "contact" => Want::Names(APPROVER, approver_words()),
        "via" => Want::Names(&[SymbolKind::Escalation], Vec::new()),
        "use" => Want::Names(&[SymbolKind::Rules], Vec::new()),
        "protects" => Want::Names(&[SymbolKind::Section], Vec::new()),
        "trigger" => Want::Names(&[SymbolKind::Category], vec!["never"]),
        "restrict" | "exclusive" => Want::Names(&[SymbolKind::Category], vec!["when"]),
        "when" => Want::Names(&[SymbolKind::Fact], vec!["not"]),
        "never" if statement == "never" => Want::Words(vec!["restrict"]),
        "reaches" => Want::Names(&[SymbolKind::Link], Vec::new()),
        "requires" => Want::Names(&[SymbolKind::Obligation], Vec::new()),
        "in" if statement == "role" => Want::Names(&[SymbolKind::Role], Vec::new()),
        "in" if statement == "team" => Want::Names(&[SymbolKind::Team], Vec::new()),
        "approve" => Want::Words(Purpose::ALL.iter().map(|p| p.word()).collect()),
        "restriction" => Want::Words(values::RESTRICTIONS.iter().map(|(w, _)| *w).collect()),
        "denied_view" | "shows" => Want::Words(values::VIEWS.iter().map(|(w, _)| *w).collect()),
        "disclose" => Want::Words(
            crate::policy::Disclosed::ALL
                .iter()
                .map(|d| d.word())
                .collect(),
        ),
        _ => Want::Nothing,
    }
}

/// In a test block: the names a field takes, after its key or a comma in its values.
fn test_field(toks: &[Tok<'_>]) -> Want {
    let mut i = toks.len();
    // Back over `value ,` pairs to the key.
    while i >= 2 && toks[i - 1].text == "," {
        i -= 2;
    }
    let Some(key) = i.checked_sub(1).and_then(|k| toks.get(k)) else {
        return Want::Nothing;
    };
    let kinds: &'static [SymbolKind] = match key.text {
        "roles" | "approver_roles" => &[SymbolKind::Role],
        "teams" | "approver_teams" => &[SymbolKind::Team],
        "organisation" => &[SymbolKind::Organisation],
        "category" | "restriction" => &[SymbolKind::Category],
        "section" => &[SymbolKind::Section],
        "link" => &[SymbolKind::Link],
        "flags" => &[SymbolKind::Flag],
        "facts" => &[SymbolKind::Fact],
        "actions" | "action" => &[SymbolKind::Action],
        "obligations" => &[SymbolKind::Obligation, SymbolKind::Flag],
        "context" => &[SymbolKind::Context],
        _ => return Want::Nothing,
    };
    Want::Names(kinds, Vec::new())
}

/// Words that may stand as subjects besides declared names.
fn subject_words() -> Vec<&'static str> {
    let mut v: Vec<&str> = Relation::ALL
        .iter()
        .filter(|r| **r != Relation::LineManager)
        .map(|r| r.word())
        .collect();
    v.push("everyone");
    v
}

/// Words that may stand as approvers besides declared names.
fn approver_words() -> Vec<&'static str> {
    [
        Relation::Owner,
        Relation::AllocatedManager,
        Relation::AllocatedWorker,
        Relation::RecordTeam,
        Relation::LineManager,
    ]
    .iter()
    .map(|r| r.word())
    .collect()
}

fn kind_word(w: &str) -> Option<&'static [SymbolKind]> {
    Some(match w {
        "role" => &[SymbolKind::Role],
        "team" => &[SymbolKind::Team],
        "person" => &[SymbolKind::Person],
        "organisation" => &[SymbolKind::Organisation],
        "group" => &[SymbolKind::Group],
        "board" => &[SymbolKind::Board],
        _ => return None,
    })
}

fn items(want: Want, index: &NameIndex) -> Vec<CompletionItem> {
    let word = |w: &str, kind| CompletionItem {
        label: w.to_string(),
        kind: Some(kind),
        ..CompletionItem::default()
    };
    match want {
        Want::Statements(words) => words
            .iter()
            .map(|w| word(w, CompletionItemKind::KEYWORD))
            .collect(),
        Want::Words(words) => words
            .iter()
            .map(|w| word(w, CompletionItemKind::KEYWORD))
            .collect(),
        Want::Names(kinds, words) => {
            let mut v: Vec<CompletionItem> = index
                .declarations()
                .iter()
                .filter(|d| kinds.contains(&d.kind))
                .map(|d| CompletionItem {
                    label: d.name.clone(),
                    kind: Some(item_kind(d.kind)),
                    detail: Some(match &d.title {
                        Some(t) => format!("{} — {t}", d.kind.word()),
                        None => d.kind.word().to_string(),
                    }),
                    ..CompletionItem::default()
                })
                .collect();
            v.extend(
                words
                    .iter()
                    .map(|w| word(w, CompletionItemKind::ENUM_MEMBER)),
            );
            if kinds == SUBJECT {
                v.extend(OrgKind::ALL.iter().map(|k| {
                    word(
                        &crate::policy::words::org_kind(k.word()),
                        CompletionItemKind::ENUM_MEMBER,
                    )
                }));
            }
            v
        }
        Want::Nothing => Vec::new(),
    }
}

fn item_kind(k: SymbolKind) -> CompletionItemKind {
    match k {
        SymbolKind::Action => CompletionItemKind::FUNCTION,
        SymbolKind::Role => CompletionItemKind::CLASS,
        SymbolKind::Team | SymbolKind::Organisation => CompletionItemKind::MODULE,
        SymbolKind::Person => CompletionItemKind::CONSTANT,
        SymbolKind::Group | SymbolKind::Board => CompletionItemKind::ENUM,
        SymbolKind::Obligation => CompletionItemKind::PROPERTY,
        SymbolKind::Escalation => CompletionItemKind::REFERENCE,
        SymbolKind::Category => CompletionItemKind::STRUCT,
        SymbolKind::Retention => CompletionItemKind::FILE,
        SymbolKind::Rules => CompletionItemKind::SNIPPET,
        SymbolKind::Flag => CompletionItemKind::EVENT,
        SymbolKind::Section => CompletionItemKind::FIELD,
        SymbolKind::Link => CompletionItemKind::REFERENCE,
        SymbolKind::Context => CompletionItemKind::ENUM_MEMBER,
        SymbolKind::Fact => CompletionItemKind::VALUE,
    }
}

/// The tokens of a text (strings as one token, comments skipped) and the keywords of the
/// blocks still open at its end, outermost first.
fn tokens(text: &str) -> (Vec<Tok<'_>>, Vec<&str>) {
    let mut toks: Vec<Tok<'_>> = Vec::new();
    let mut blocks = Vec::new();
    let mut line_start = true;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
            }
            b'-' if bytes.get(i + 1) == Some(&b'>') => i += 2,
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b':'))
                    && !(bytes[i] == b'-' && bytes.get(i + 1) == Some(&b'>'))
                {
                    i += 1;
                }
            }
            _ => {
                i += text
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8)
            }
        }
        let t = Tok {
            text: text.get(start..i).unwrap_or(""),
            line_start,
        };
        line_start = false;
        match t.text {
            "{" => {
                let opener = toks
                    .iter()
                    .rev()
                    .find(|t| {
                        matches!(
                            t.text,
                            "category" | "unrestricted" | "flag" | "retention" | "test"
                        ) && t.line_start
                    })
                    .map_or("category", |t| t.text);
                blocks.push(opener);
            }
            "}" => {
                blocks.pop();
            }
            _ => {}
        }
        toks.push(t);
    }
    (toks, blocks)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::span::FileId;

    const POLICY: &str = "policy p \"P\"\naction view, edit\nrole manager \"Manager\"\nteam edt \"EDT\"\nobligation note \"Write a note\"\nescalation up = role manager\ngroup g = team edt\ncontext network \"Network\" = ncc \"from a council machine\", other\nflag hazard \"Hazard\" {\n  warns \"Read the note\"\n}\ncategory adoption \"Adoption\" {\n  restriction universal\n}\nfact adoption_plan \"Adoption is the plan\"\nlink adoption_record \"Secure Adoption Record\"\n";

    fn labels(text_with_cursor: &str) -> Vec<String> {
        let offset = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replace('|', "");
        let file = crate::syntax::parse(FileId(0), POLICY).unwrap();
        let index = NameIndex::new([&file]);
        complete(&text, offset, &index)
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn each_place_offers_what_it_takes() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("|", &["category", "team", "policy"], &["grant", "edt"]),
            (
                "category c {\n  |",
                &["grant", "restriction"],
                &["category", "edt"],
            ),
            ("category c {\n  gr|", &["grant"], &["policy"]),
            ("category c {\n  la|", &["lasts"], &["policy"]),
            (
                "category c {\n  lasts 6 months |",
                &["renewable", "notify"],
                &["edt", "requires"],
            ),
            (
                "category c {\n  grant |",
                &["view", "edit", "all"],
                &["edt"],
            ),
            ("category c {\n  grant view, |", &["edit"], &["edt"]),
            ("category c {\n  grant view |", &["to"], &["edt"]),
            (
                "category c {\n  grant view to |",
                &[
                    "edt",
                    "manager",
                    "g",
                    "allocated_worker",
                    "everyone",
                    "partner organisations",
                ],
                &["view", "note", "line_manager"],
            ),
            (
                "category c {\n  grant view to team e|",
                &["edt"],
                &["manager", "g"],
            ),
            (
                "category c {\n  grant view to edt |",
                &["and", "requires"],
                &["edt"],
            ),
            (
                "category c {\n  grant view to edt requires |",
                &["note"],
                &["edt"],
            ),
            (
                "category c {\n  deny all to edt |",
                &["absolute", "shows"],
                &["requires"],
            ),
            (
                "category c {\n  denied_view |",
                &["minimal", "notice"],
                &["edt"],
            ),
            (
                "category c {\n  restriction |",
                &["universal", "exclude"],
                &[],
            ),
            (
                "category c {\n  review every 90 days by |",
                &["manager", "owner", "line_manager"],
                &["g", "everyone"],
            ),
            ("category c {\n  approve |", &["place", "lift"], &[]),
            ("category c {\n  approve lift via |", &["up"], &["edt"]),
            ("retention r {\n  |", &["keep", "then"], &["grant"]),
            ("flag f {\n  |", &["warns", "review"], &["grant", "keep"]),
            (
                "test \"t\" {\n  record \"r\" flags |",
                &["hazard"],
                &["edt", "note"],
            ),
            (
                "test \"t\" {\n  subject \"u\" roles |",
                &["manager"],
                &["edt"],
            ),
            ("test \"t\" {\n  record \"r\" category |", &[], &["edt"]),
            (
                "test \"t\" {\n  subject \"u\" roles manager, |",
                &["manager"],
                &["edt"],
            ),
            ("test \"t\" {\n  action |", &["view"], &["edt"]),
            (
                "test \"t\" {\n  expect allow obligations |",
                &["note", "hazard"],
                &["view"],
            ),
            ("test \"t\" {\n  |", &["subject", "expect"], &["grant"]),
            ("team |", &[], &["edt"]),
            ("group x = |", &["edt", "manager", "everyone"], &["note"]),
            // A context's name is a subject's first word; its values follow it.
            ("category c {\n  grant view to |", &["network"], &["ncc"]),
            (
                "category c {\n  grant view to edt and network |",
                &["ncc", "other"],
                &["edt", "and", "requires"],
            ),
            (
                "category c {\n  deny all to not network o|",
                &["ncc", "other"],
                &["edt"],
            ),
            ("test \"t\" {\n  context |", &["network"], &["edt"]),
            ("category c {\n  reaches |", &["adoption_record"], &["edt"]),
            ("category c {\n  |", &["reaches", "protects"], &["link"]),
            ("|", &["link", "section"], &["reaches"]),
            (
                "test \"t\" {\n  linked_record \"r\" link |",
                &["adoption_record"],
                &["edt"],
            ),
            ("test \"t\" {\n  |", &["linked_record"], &["link"]),
            ("test \"t\" {\n  context network |", &["ncc"], &["edt"]),
            ("# grant view to |", &["policy"], &["edt"]),
            ("acting |", &["for"], &["edt"]),
            ("acting for |", &["up"], &["edt"]),
            ("acting for up |", &["to"], &["edt"]),
            (
                "acting for up to 2 weeks approved_by |",
                &["manager", "edt"],
                &["owner", "allocated_manager", "acting_for"],
            ),
            (
                "acting for up to 2 weeks approved_by manager |",
                &["or", "and"],
                &["renewable"],
            ),
            (
                "category c {\n  deny all to |",
                &["acting_for", "record_subject"],
                &[],
            ),
            (
                "test \"t\" {\n  acting_for \"u\" roles |",
                &["manager"],
                &["edt"],
            ),
            // Rules about restrictions: categories, then facts.
            ("|", &["trigger", "never", "exclusive", "fact"], &[]),
            (
                "trigger |",
                &["adoption", "never"],
                &["edt", "adoption_plan"],
            ),
            ("trigger adoption |", &["when"], &["adoption"]),
            (
                "trigger adoption when |",
                &["adoption_plan", "not"],
                &["adoption", "edt"],
            ),
            (
                "trigger adoption when adoption_plan and not |",
                &["adoption_plan"],
                &["edt"],
            ),
            ("never |", &["restrict"], &["adoption"]),
            (
                "never restrict |",
                &["adoption", "when"],
                &["adoption_plan"],
            ),
            ("exclusive adoption, |", &["adoption"], &["adoption_plan"]),
            (
                "test \"t\" {\n  record \"r\" facts |",
                &["adoption_plan"],
                &["adoption"],
            ),
        ];
        for (text, wanted, unwanted) in cases {
            let got = labels(text);
            for w in *wanted {
                assert!(
                    got.iter().any(|g| g == w),
                    "{text:?}: {w} missing from {got:?}"
                );
            }
            for u in *unwanted {
                assert!(
                    !got.iter().any(|g| g == u),
                    "{text:?}: {u} offered in {got:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_at_any_place_is_answered(text in "[a-z_ \"#{},=>\\\n\u{e9}\u{1f600}-]{0,80}", at in 0usize..100) {
            let index = NameIndex::default();
            let at = (0..=at.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            complete(&text, at, &index);
        }
    }
}

//! The language's keywords by where they may start a line, for editors' completion; a test
//! keeps them equal to the `kw_*` rules of `grammar/caselock.pest`.

/// Words that start a top-level item.
pub const ITEMS: &[&str] = &[
    "policy",
    "source",
    "systems",
    "updated",
    "action",
    "section",
    "link",
    "role",
    "team",
    "context",
    "person",
    "organisation",
    "group",
    "board",
    "obligation",
    "escalation",
    "approve",
    "disclose",
    "acting",
    "rules",
    "use",
    "unrestricted",
    "category",
    "flag",
    "fact",
    "trigger",
    "never",
    "exclusive",
    "retention",
    "test",
    "end",
];

/// Words that start a statement in a `category` or `unrestricted` block.
pub const CATEGORY_STATEMENTS: &[&str] = &[
    "criteria",
    "restriction",
    "grant",
    "deny",
    "review",
    "denied_view",
    "disclose",
    "temporary",
    "contact",
    "approve",
    "use",
    "protects",
    "lasts",
    "reaches",
];

/// Words that start a statement in a `flag` block.
pub const FLAG_STATEMENTS: &[&str] = &["warns", "review"];

/// Words that start a statement in a `retention` block.
pub const RETENTION_STATEMENTS: &[&str] = &["keep", "then", "unless", "criteria"];

/// Words that start a statement in a `test` block.
pub const TEST_STATEMENTS: &[&str] = &[
    "subject",
    "record",
    "restriction",
    "linked_record",
    "context",
    "action",
    "at",
    "temporary_grant",
    "acting_for",
    "change",
    "approval",
    "expect",
];

/// Keywords that only ever continue a statement.
pub const CONTINUATIONS: &[&str] = &[
    "version",
    "organisations",
    "to",
    "absolute",
    "shows",
    "requires",
    "every",
    "never",
    "until",
    "unstated",
    "by",
    "for",
    "up",
    "approved_by",
    "renewable",
    "notify",
    "valid",
    "via",
    "in",
    "id",
    "and",
    "or",
    "not",
    "permanently",
    "from",
    "when",
    "restrict",
];

/// Every keyword of the grammar, each once.
pub fn all() -> Vec<&'static str> {
    let mut v: Vec<&str> = ITEMS
        .iter()
        .chain(CATEGORY_STATEMENTS)
        .chain(FLAG_STATEMENTS)
        .chain(RETENTION_STATEMENTS)
        .chain(TEST_STATEMENTS)
        .chain(CONTINUATIONS)
        .copied()
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Whether a word is a keyword of the grammar.
pub fn is_keyword(word: &str) -> bool {
    static ALL: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(all);
    ALL.binary_search(&word).is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// The word of every `kw_NAME = @{ "word" ~ !ident_char }` rule of the grammar.
    fn grammar_keywords() -> Vec<String> {
        let mut v: Vec<String> = include_str!("../../grammar/caselock.pest")
            .lines()
            .filter(|l| l.starts_with("kw_"))
            .filter_map(|l| l.split('"').nth(1).map(str::to_string))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn the_lists_hold_exactly_the_grammars_keywords() {
        let grammar = grammar_keywords();
        assert!(grammar.len() > 50, "read the grammar: {grammar:?}");
        assert_eq!(super::all(), grammar);
        assert!(grammar.iter().all(|k| super::is_keyword(k)));
        assert!(!super::is_keyword("emergency_duty"));
    }

    /// A context value may not be a keyword (`context_atom` in the grammar), so the grammar's
    /// `keyword` rule must name every `kw_` rule: one left out could end a rule's last name
    /// and be read as a context value.
    #[test]
    fn the_grammars_keyword_rule_names_every_keyword() {
        let grammar = include_str!("../../grammar/caselock.pest");
        let rule = grammar
            .split("\nkeyword = _{")
            .nth(1)
            .and_then(|r| r.split('}').next())
            .unwrap();
        let listed: Vec<&str> = rule
            .split(['|', ' ', '\n'])
            .filter(|w| !w.is_empty())
            .collect();
        let defined: Vec<&str> = grammar
            .lines()
            .filter(|l| l.starts_with("kw_"))
            .filter_map(|l| l.split(' ').next())
            .collect();
        assert!(defined.len() > 50);
        for kw in &defined {
            assert!(listed.contains(kw), "`keyword` does not name {kw}");
        }
        assert_eq!(listed.len(), defined.len());
    }
}

//! The formatter's laws as property tests over random policies: the formatted text parses to the
//! same syntax tree (spans aside), keeps every comment in order, and formatting it again changes
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod policy_gen;

use caselock::span::FileId;
use caselock::syntax;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(text in policy_gen::policy_text()) {
        let before = syntax::parse(FileId(0), &text)
            .map_err(|e| TestCaseError::fail(format!("generated text does not parse: {e}\n{text}")))?;
        let formatted = syntax::format(FileId(0), &text).unwrap();
        let after = syntax::parse(FileId(0), &formatted)
            .map_err(|e| TestCaseError::fail(format!("formatted text does not parse: {e}\n{formatted}")))?;
        let texts = |f: &syntax::ast::File| f.comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        prop_assert_eq!(texts(&before), texts(&after), "comments lost or reordered\n{}", formatted);
        prop_assert_eq!(&before, &after, "meaning changed\n{}", formatted);
        let again = syntax::format(FileId(0), &formatted).unwrap();
        prop_assert_eq!(&formatted, &again, "not idempotent");
    }

    #[test]
    fn formatted_lines_fit_unless_one_piece_is_too_long(text in policy_gen::policy_text()) {
        let formatted = syntax::format(FileId(0), &text).unwrap();
        for line in formatted.lines() {
            // A line may run over only when it cannot be broken: no space after its indentation
            // outside string literals and comments, apart from the words glued to one element.
            if line.chars().count() > syntax::WIDTH && !line.contains('#') && !line.contains('"') {
                let words = line.split_whitespace().count();
                prop_assert!(words <= 4, "long line with room to break: {}", line);
            }
        }
    }
}

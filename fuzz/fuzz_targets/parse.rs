//! Parsing and error recovery: never a panic, and the two agree on whether a text parses.
#![no_main]

use caselock::span::FileId;
use caselock::syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = syntax::parse(FileId(0), text);
    let errors = syntax::syntax_errors(FileId(0), text);
    assert_eq!(parsed.is_ok(), errors.is_empty(), "parse and syntax_errors disagree");
    for e in &errors {
        let d = e.to_diagnostic();
        assert!(d.primary.span.end as usize <= text.len(), "a label past the end");
    }
});

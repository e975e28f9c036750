//! The formatter's round trip: whatever parses formats to text that parses to the same tree, with
//! the same comments, and formats to itself again.
#![no_main]

use caselock::span::FileId;
use caselock::syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(before) = syntax::parse(FileId(0), text) else {
        return;
    };
    let formatted = syntax::format_file(&before, text);
    let after = match syntax::parse(FileId(0), &formatted) {
        Ok(a) => a,
        Err(e) => panic!("formatted text does not parse: {e}\n{formatted}"),
    };
    assert_eq!(before, after, "formatting changed the meaning:\n{formatted}");
    let again = syntax::format_file(&after, &formatted);
    assert_eq!(formatted, again, "formatting is not idempotent");
});

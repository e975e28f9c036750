//! Parsing then checking, as `caselock check` does: never a panic.
#![no_main]

use caselock::span::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("fuzz.policy", text);
    let _ = caselock::check_files(&sources, &[id]);
});

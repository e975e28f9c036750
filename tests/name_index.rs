//! The name index (`check::index`) on every bundled policy: each use names its declaration, the
//! name under any use or declaration leads back to it, and every name the checker resolves in a
//! rule is indexed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use caselock::check::NameIndex;
use caselock::check::SymbolKind;
use caselock::diag::Code;
use caselock::span::SourceMap;

#[test]
fn every_use_in_the_bundled_policies_leads_to_its_declaration() {
    let mut sources = SourceMap::new();
    let policies = caselock::loader::discover(Path::new("policies"), &mut sources).unwrap();
    assert_eq!(policies.len(), 5);
    for p in &policies {
        let trees = caselock::parse_files(&sources, &p.files).unwrap();
        let index = NameIndex::new(&trees);
        let text = |s: caselock::span::Span| {
            let src = sources.get(s.file).unwrap();
            src.text[s.start as usize..s.end as usize].to_string()
        };
        assert!(index.references().len() > 50, "{}", p.root.display());
        for r in index.references() {
            let d = index.get(r.declaration).unwrap();
            assert_eq!(text(r.span), d.name, "{}", sources.cite(r.span));
            assert_eq!(index.at(r.span.file, r.span.start), Some(r.declaration));
            assert_eq!(index.at(r.span.file, r.span.end), Some(r.declaration));
        }
        for (i, d) in index.declarations().iter().enumerate() {
            assert_eq!(text(d.span), d.name);
            assert_eq!(index.at(d.span.file, d.span.start), Some(i));
        }
        // Every group, obligation and escalation path the checker does not call unused is used
        // somewhere the index sees.
        let checked = caselock::check_files(&sources, &p.files).unwrap();
        let unused: Vec<String> = checked
            .warnings
            .iter()
            .filter(|w| w.code == Code::UnusedDeclaration)
            .map(|w| text(w.primary.span))
            .collect();
        for d in index.declarations() {
            let tracked = matches!(
                d.kind,
                SymbolKind::Group | SymbolKind::Obligation | SymbolKind::Escalation
            );
            if tracked && !unused.contains(&d.name) {
                let i = index.lookup(&d.name).unwrap();
                assert!(
                    !index.uses_of(i).is_empty(),
                    "{} `{}` is used, says the checker, but not indexed",
                    d.kind.word(),
                    d.name
                );
            }
        }
    }
}

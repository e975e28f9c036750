//! Analysis time (`caselock check`: parse, check and the CL02xx analysis) on generated policies
//! from 100 to 100,000 rules. The 10,000-rule policy has 500 categories and 2,000 roles and teams;
//! `check_and_analyse_sections` is the same policy with sections (`policy_gen::policy_with`).
//! Then role and team hierarchies 1,000 to 30,000 deep (`chain_gen::role_chain`).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use caselock::span::SourceMap;

#[path = "chain_gen.rs"]
mod chain_gen;
#[path = "policy_gen.rs"]
mod policy_gen;

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for rules in [100usize, 1_000, 10_000, 100_000] {
        let text = policy_gen::policy(rules);
        let mut sources = SourceMap::new();
        let id = sources.add("generated.policy", text);
        let Ok(checked) = caselock::check_files(&sources, &[id]) else {
            continue;
        };
        group.bench_with_input(BenchmarkId::new("analyse", rules), &rules, |b, _| {
            b.iter(|| caselock::analyse::analyse(&checked, &sources).map(|d| d.len()))
        });
        group.bench_with_input(
            BenchmarkId::new("check_and_analyse", rules),
            &rules,
            |b, _| {
                b.iter(|| {
                    caselock::check_files(&sources, &[id])
                        .ok()
                        .and_then(|c| caselock::analyse::analyse(&c, &sources).ok())
                        .map(|d| d.len())
                })
            },
        );
    }
    // The same rules with ten sections that one category in three protects (issue 15).
    for rules in [1_000usize, 10_000] {
        let text = policy_gen::policy_with(rules, true);
        let mut sources = SourceMap::new();
        let id = sources.add("generated.policy", text);
        // A policy that fails to check would time the early exit, not the analysis.
        if let Err(d) = caselock::check_files(&sources, &[id]) {
            eprintln!("the generated policy with sections does not check: {d:?}");
            std::process::exit(2);
        }
        group.bench_with_input(
            BenchmarkId::new("check_and_analyse_sections", rules),
            &rules,
            |b, _| {
                b.iter(|| {
                    caselock::check_files(&sources, &[id])
                        .ok()
                        .and_then(|c| caselock::analyse::analyse(&c, &sources).ok())
                        .map(|d| d.len())
                })
            },
        );
    }
    group.finish();
}

/// Long role and team hierarchies (`role r1 in r0`, ...): 2,000 roles once took 51 s.
fn role_chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for depth in [1_000usize, 10_000, 30_000] {
        let text = chain_gen::role_chain(depth);
        let mut sources = SourceMap::new();
        let id = sources.add("chain.policy", text);
        group.bench_with_input(
            BenchmarkId::new("role_chain_check_and_analyse", depth),
            &depth,
            |b, _| {
                b.iter(|| {
                    caselock::check_files(&sources, &[id])
                        .ok()
                        .and_then(|c| caselock::analyse::analyse(&c, &sources).ok())
                        .map(|d| d.len())
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, check, role_chain);
criterion_main!(benches);

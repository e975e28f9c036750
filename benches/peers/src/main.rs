//! caselock side by side with Cedar, Rego (regorus) and a hand-written floor, on the bundled
//! Nottingham ESCR policy; and caselock alone on generated policies of growing size.
//!
//! `cargo run --release -p peers -- --quick` measures in a few seconds; without `--quick` it
//! takes the median of more runs over more requests; `--scale` measures policy size;
//! `--policies` times every bundled and example policy's own test requests.
//! BENCHMARKS.md reports the figures.

mod cedar;
mod measure;
mod native;
mod policies;
mod rego;
mod scale;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;

use caselock::compile::DecisionTable;
use caselock::eval::{Audience, Decider, Outcome, Request, RequestReader};
use caselock::span::SourceMap;

use cedar::Translation;
use measure::{Case, Spread};
use workload::{Sizes, Workload};

/// The policy all engines decide.
fn policy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies/nottingham-escr")
}

/// Loads, checks and compiles a policy directory.
pub fn compile_dir(dir: &std::path::Path) -> Result<DecisionTable, String> {
    let mut sources = SourceMap::new();
    let found = caselock::loader::discover(dir, &mut sources).map_err(|e| format!("{e}"))?;
    let files = found.first().map(|p| p.files.clone()).unwrap_or_default();
    let checked = caselock::check_files(&sources, &files).map_err(|diags| {
        let first = diags.first().map(|d| d.message.clone()).unwrap_or_default();
        format!(
            "{}: {} error(s), first: {first}",
            dir.display(),
            diags.len()
        )
    })?;
    Ok(caselock::compile::compile(&checked, &sources))
}

/// How much to measure.
#[derive(Debug, Clone, Copy)]
struct Plan {
    sizes: Sizes,
    /// At least this many runs per measurement.
    runs: usize,
    /// More runs while a measurement has taken less than this.
    budget: std::time::Duration,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let result = if let Some(i) = args.iter().position(|a| a == "--scale-one") {
        match args.get(i + 1).and_then(|n| n.parse().ok()) {
            Some(n) => scale::one(n),
            None => Err("--scale-one needs a rule count".to_string()),
        }
    } else if let Some(i) = args.iter().position(|a| a == "--jsonl") {
        match args.get(i + 1).and_then(|n| n.parse().ok()) {
            Some(n) => jsonl(n),
            None => Err("--jsonl needs a request count".to_string()),
        }
    } else if let Some(i) = args.iter().position(|a| a == "--loop") {
        match (
            args.get(i + 1),
            args.get(i + 2).and_then(|n| n.parse().ok()),
        ) {
            (Some(case), Some(passes)) => repeat(case, passes, has("--cold")),
            _ => Err(
                "--loop needs a case (caselock, caselock-e2e or native) and a pass count"
                    .to_string(),
            ),
        }
    } else if has("--policies") {
        policies::run()
    } else if has("--scale") {
        scale::run(has("--quick"))
    } else if args.iter().any(|a| a.starts_with('-') && a != "--quick") || has("--help") {
        Err(
            "usage: peers [--quick] | --scale [--quick] | --policies | --jsonl N | --loop CASE PASSES [--cold]"
                .to_string(),
        )
    } else {
        let plan = if has("--quick") {
            Plan {
                sizes: Sizes {
                    users: 2_000,
                    records: 2_000,
                    requests: 2_000,
                },
                runs: 3,
                budget: std::time::Duration::from_millis(150),
            }
        } else {
            Plan {
                sizes: FULL,
                runs: 11,
                budget: std::time::Duration::from_secs(2),
            }
        };
        peers(plan)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The full run's workload, which `--jsonl` and `--loop` use too.
const FULL: Sizes = Sizes {
    users: 5_000,
    records: 5_000,
    requests: 10_000,
};

/// The workload's seed: every engine, and every run, decides the same requests.
const SEED: u64 = 0x5eed_cafe;

/// Decides the full workload's requests with caselock alone, `passes` times over, and prints
/// the CPU time per decision: one steady loop for `perf record` and for `valgrind
/// --tool=callgrind --toggle-collect='caselock::eval::decider::Decider::decide'`, whose
/// instruction counts do not move with the load as times do (BENCHMARKS.md, "A leaner
/// decision"). `caselock` decides parsed requests; `caselock-e2e` reads each from its JSON first.
/// With `cold`, a buffer larger than the cache is written between passes, and only the passes
/// are timed: each then starts with the requests in memory and not in the cache, as in the
/// full run, where the other engines' passes come between caselock's (BENCHMARKS.md, "Reading
/// the request's texts at once").
fn repeat(case: &str, passes: usize, cold: bool) -> Result<(), String> {
    let (e2e, floor) = match case {
        "caselock" => (false, false),
        "caselock-e2e" => (true, false),
        "native" => (false, true),
        other => {
            return Err(format!(
                "--loop: no case `{other}`; caselock, caselock-e2e or native"
            ));
        }
    };
    let table = compile_dir(&policy_dir())?;
    let w = workload::generate(&table, FULL, SEED);
    let decider = Decider::new(&table);
    let allow = |d: caselock::eval::Decision| d.outcome == Outcome::Allow;
    let mut reader = RequestReader::default();
    let mut flush = vec![0u64; if cold { FLUSH_WORDS } else { 0 }];
    let mut spent = std::time::Duration::ZERO;
    let mut allowed = 0usize;
    for pass in 0..passes {
        for (i, w) in flush.iter_mut().enumerate() {
            *w = w.wrapping_add((i ^ pass) as u64);
        }
        std::hint::black_box(&flush);
        let started = cpu_time::ThreadTime::now();
        for (req, json) in w.requests.iter().zip(&w.json) {
            let ok = if floor {
                native::decide(req)
            } else if e2e {
                read(&mut reader, json, |r| allow(decider.decide(r)))
            } else {
                allow(decider.decide(req))
            };
            allowed += usize::from(ok);
        }
        spent += started.elapsed();
    }
    let decisions = passes * w.requests.len();
    let ns = spent.as_nanos() as f64 / decisions.max(1) as f64;
    println!(
        "case={case} cold={cold} passes={passes} decisions={decisions} allowed={allowed} cpu_ns_per_decision={ns:.1} load_average={} (1, 5, 15 minutes)",
        measure::load_average()
    );
    Ok(())
}

/// How many words `--loop --cold` writes between passes: 64 MiB, more than this machine's
/// last-level cache.
const FLUSH_WORDS: usize = 8 << 20;

/// Reads a request from its JSON as `caselock eval --jsonl` does (the lists of the last
/// request read reused) and decides it with `decide`; a request that cannot be read is refused.
fn read<'a>(
    reader: &mut RequestReader<'a>,
    json: &'a str,
    decide: impl FnOnce(&Request<&str>) -> bool,
) -> bool {
    reader.read(json, decide).unwrap_or(false)
}

/// Writes `n` requests, one JSON object per line, to standard output: the input of the
/// `caselock eval --jsonl` throughput measurement.
fn jsonl(n: usize) -> Result<(), String> {
    use std::io::Write as _;
    let table = compile_dir(&policy_dir())?;
    let w = workload::generate(&table, FULL, SEED);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in w.json.iter().cycle().take(n) {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// The translations and engines measured, each as a decision over request `i`; the first is
/// caselock engine-only, the one the others must agree with.
fn deciders<'a>(
    table: &DecisionTable,
    w: &'a Workload,
    decider: &'a Decider,
) -> Result<Vec<Case<'a>>, String> {
    let allow = |d: caselock::eval::Decision| d.outcome == Outcome::Allow;
    let mut cases = vec![
        Case::new(CASELOCK, move |i| allow(decider.decide(&w.requests[i]))),
        Case::new(CASELOCK_E2E, {
            let mut reader = RequestReader::default();
            move |i| read(&mut reader, &w.json[i], |r| allow(decider.decide(r)))
        }),
        Case::new("native", move |i| native::decide(&w.requests[i])),
        Case::new("native e2e", {
            let mut reader = RequestReader::default();
            // Not `native::decide` itself: its names' type holds one lifetime, and the reader
            // lends a request for any.
            #[allow(clippy::redundant_closure)]
            move |i| read(&mut reader, &w.json[i], |r| native::decide(r))
        }),
    ];
    for (translation, name, e2e) in [
        (Translation::Project, CEDAR_PROJECT, "cedar project e2e"),
        (Translation::Fair, CEDAR_FAIR, CEDAR_FAIR_E2E),
    ] {
        let cedar = std::rc::Rc::new(cedar::Cedar::new(table, translation)?);
        let store = cedar.store(&w.users, &w.records)?;
        let prepared = w
            .requests
            .iter()
            .map(|r| cedar.prepare(r))
            .collect::<Result<Vec<_>, _>>()?;
        let c = cedar.clone();
        cases.push(Case::new(name, move |i| c.decide(&prepared[i], &store)));
        cases.push(Case::new(e2e, move |i| cedar.decide_json(&w.json[i])));
    }
    let inputs = std::rc::Rc::new(
        w.json
            .iter()
            .map(|j| rego::Rego::prepare(j))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let vocabulary = rego::vocabulary(table)?;
    let some = rego::Declared::Some;
    let (mut project, mut project_e2e) = (rego::Rego::project()?, rego::Rego::project()?);
    let (mut fair, mut fair_e2e) = (
        rego::Rego::fair(&vocabulary, some)?,
        rego::Rego::fair(&vocabulary, some)?,
    );
    let (mut vm, mut vm_e2e) = (
        rego::RegoVm::fair(&vocabulary, some)?,
        rego::RegoVm::fair(&vocabulary, some)?,
    );
    let (i1, i2, i3) = (inputs.clone(), inputs.clone(), inputs);
    cases.push(Case::new(REGO_PROJECT, move |i| project.decide(&i1[i])));
    cases.push(Case::new("rego project e2e", move |i| {
        project_e2e.decide_json(&w.json[i])
    }));
    cases.push(Case::new(REGO_FAIR, move |i| fair.decide(&i2[i])));
    cases.push(Case::new("rego fair e2e", move |i| {
        fair_e2e.decide_json(&w.json[i])
    }));
    cases.push(Case::new(REGO_FAIR_RVM, move |i| vm.decide(&i3[i])));
    cases.push(Case::new("rego fair rvm e2e", move |i| {
        vm_e2e.decide_json(&w.json[i])
    }));
    Ok(cases)
}

const CASELOCK: &str = "caselock";
const CASELOCK_E2E: &str = "caselock e2e";
const CEDAR_PROJECT: &str = "cedar project";
const CEDAR_FAIR: &str = "cedar fair";
const CEDAR_FAIR_E2E: &str = "cedar fair e2e";
const REGO_PROJECT: &str = "rego project";
const REGO_FAIR: &str = "rego fair";
const REGO_FAIR_RVM: &str = "rego fair rvm";

fn peers(plan: Plan) -> Result<(), String> {
    let load_start = measure::load_average();
    let table = compile_dir(&policy_dir())?;
    let decider = Decider::new(&table);
    let w = workload::generate(&table, plan.sizes, SEED);
    let decisions: Vec<_> = w.requests.iter().map(|r| decider.decide(r)).collect();
    let mut cases = deciders(&table, &w, &decider)?;
    agree(&w, &mut cases)?;
    rvm_every(&table, &w, &decider)?;
    coverage(&table, &decider, &w);
    cases.push(Case::new("json parse", |i| {
        Request::borrowed_from_json(&w.json[i]).is_ok()
    }));
    cases.push(Case::new("json parse owned", |i| {
        Request::from_json(&w.json[i]).is_ok()
    }));
    // What `caselock eval --jsonl` does per line: read, decide, write the response.
    let mut out: Vec<u8> = Vec::with_capacity(4096);
    let (ww, dd) = (&w, &decider);
    let mut reader = RequestReader::default();
    cases.push(Case::new("caselock e2e+response", move |i| {
        out.clear();
        read(&mut reader, &ww.json[i], |r| {
            let d = dd.decide(r);
            dd.write_response(r, &d, None, &mut out).is_ok() && d.outcome == Outcome::Allow
        })
    }));
    cases.push(Case::new("caselock explanation", |i| {
        !decider
            .explain(&w.requests[i], &decisions[i], Audience::Caseworker)
            .is_empty()
    }));
    println!(
        "requests={} users={} records={} rounds>={} (each case one pass per round, in turn); CPU ns per call of this thread (wall-clock median beside)",
        w.requests.len(),
        w.users.len(),
        w.records.len(),
        plan.runs
    );
    let n = w.requests.len();
    let spreads = measure::interleaved(&mut cases, n, plan.runs, plan.budget);
    let load_end = measure::load_average();
    let figure = |name: &str| {
        cases
            .iter()
            .zip(&spreads)
            .find(|(c, _)| c.name == name)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    };
    let (base, base_e2e) = (figure(CASELOCK), figure(CASELOCK_E2E));
    for (c, s) in cases.iter().zip(&spreads) {
        let relative = if c.name.contains(" e2e") {
            base_e2e.median
        } else {
            base.median
        };
        println!(
            "case={:<22} cpu_ns median={:>10.1} q1={:>10.1} q3={:>10.1} min={:>10.1} max={:>10.1} wall_median={:>10.1} x_caselock={:>8.2} passes={}",
            c.name,
            s.median,
            s.q1,
            s.q3,
            s.min,
            s.max,
            s.wall_median,
            s.median / relative,
            s.passes,
        );
    }
    let ratio = |peer: &str, ours: Spread| {
        let p = figure(peer);
        (p.median / ours.median, p.q1 / ours.q3, p.q3 / ours.q1)
    };
    let (cedar, cedar_lo, cedar_hi) = ratio(CEDAR_FAIR, base);
    let (rego, rego_lo, rego_hi) = ratio(REGO_FAIR_RVM, base);
    let (e2e, e2e_lo, e2e_hi) = ratio(CEDAR_FAIR_E2E, base_e2e);
    println!("load_average start={load_start} end={load_end} (1, 5, 15 minutes)");
    println!(
        "project translations: caselock_vs_cedar_project={:.1} caselock_vs_rego_project={:.1}; fair Rego on the interpreter: caselock_vs_rego_interpreter={:.1}; caselock_vs_native={:.2}",
        ratio(CEDAR_PROJECT, base).0,
        ratio(REGO_PROJECT, base).0,
        ratio(REGO_FAIR, base).0,
        base.median / figure("native").median,
    );
    println!(
        "interquartile ranges of the ratios: cedar {cedar_lo:.1}..{cedar_hi:.1} rego {rego_lo:.1}..{rego_hi:.1} e2e cedar {e2e_lo:.1}..{e2e_hi:.1}"
    );
    println!(
        "caselock_vs_cedar={cedar:.1} caselock_vs_rego={rego:.1} caselock_e2e_vs_cedar={e2e:.1} (fair translations: Cedar names checked at load, Rego vocabulary as data on the RVM)"
    );
    Ok(())
}

/// Every engine, engine-only and end-to-end, must reach caselock's allow/deny on every request.
fn agree(w: &Workload, cases: &mut [Case<'_>]) -> Result<(), String> {
    let Some((first, rest)) = cases.split_first_mut() else {
        return Ok(());
    };
    for i in 0..w.requests.len() {
        let want = first.call(i);
        if let Some(c) = rest
            .iter_mut()
            .find_map(|c| (c.call(i) != want).then_some(c))
        {
            let word = |b: bool| if b { "allow" } else { "deny" };
            return Err(format!(
                "engines disagree on request {i}: caselock says {}, {} says {}\n{}",
                word(want),
                c.name,
                word(!want),
                w.json[i]
            ));
        }
    }
    println!(
        "agreement: all {} cases agree on all {} requests",
        cases.len(),
        w.requests.len()
    );
    Ok(())
}

/// regorus 0.14.1's RVM on the fair translation's declaration check in `every` form
/// (policies/declared_every.rego): how many decisions differ from caselock's, beside the
/// interpreter on the same policy. Not timed; reported in BENCHMARKS.md.
fn rvm_every(table: &DecisionTable, w: &Workload, decider: &Decider) -> Result<(), String> {
    let vocabulary = rego::vocabulary(table)?;
    let every = rego::Declared::Every;
    let mut vm = rego::RegoVm::fair(&vocabulary, every)?;
    let mut interpreter = rego::Rego::fair(&vocabulary, every)?;
    let (mut vm_wrong, mut interpreter_wrong) = ([0usize; 2], [0usize; 2]);
    let mut first = None;
    for (i, req) in w.requests.iter().enumerate() {
        let want = decider.decide(req).outcome == Outcome::Allow;
        let input = rego::Rego::prepare(&w.json[i])?;
        let got = vm.decide(&input);
        if got != want {
            vm_wrong[usize::from(!got)] += 1;
            first.get_or_insert(i);
        }
        if interpreter.decide(&input) != want {
            interpreter_wrong[usize::from(want)] += 1;
        }
    }
    println!(
        "rego `every` form (declared_every.rego): rvm wrong_allows={} wrong_denies={}, interpreter wrong_allows={} wrong_denies={}, of {} requests{}",
        vm_wrong[0],
        vm_wrong[1],
        interpreter_wrong[0],
        interpreter_wrong[1],
        w.requests.len(),
        first.map_or(String::new(), |i| format!(
            "; first rvm difference: request {i} {}",
            w.json[i]
        ))
    );
    Ok(())
}

/// Which rules decided the requests: every row of the table should decide some.
fn coverage(table: &DecisionTable, decider: &Decider, w: &Workload) {
    let mut hits: std::collections::BTreeMap<String, usize> = Default::default();
    let lists = table.unrestricted.iter().chain(&table.categories);
    for c in lists {
        for l in &c.decisions {
            for r in &l.rows {
                hits.entry(r.id.clone()).or_default();
            }
        }
    }
    let (mut allow, mut fail_closed) = (0, 0);
    for req in &w.requests {
        let d = decider.decide(req);
        allow += usize::from(d.outcome == Outcome::Allow);
        match decider.rule_id(&d) {
            Some(id) => *hits.entry(id.to_string()).or_default() += 1,
            None => fail_closed += 1,
        }
    }
    let unused: Vec<&str> = hits
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| id.as_str())
        .collect();
    println!(
        "coverage: {}/{} rules decide some request; allow={allow} deny={} fail_closed={fail_closed}{}",
        hits.len() - unused.len(),
        hits.len(),
        w.requests.len() - allow,
        if unused.is_empty() {
            String::new()
        } else {
            format!("; never deciding: {}", unused.join(", "))
        }
    );
}

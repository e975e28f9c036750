//! caselock side by side with Cedar, Rego (regorus) and a hand-written floor, on the bundled
//! Nottingham ESCR policy; and caselock alone on generated policies of growing size.
//!
//! `cargo run --release -p peers -- --quick` measures in a few seconds; without `--quick` it
//! takes the median of more runs over more requests; `--scale` measures policy size.
//! BENCHMARKS.md reports the figures.

mod cedar;
mod measure;
mod native;
mod rego;
mod scale;
mod workload;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;

use caselock::compile::DecisionTable;
use caselock::eval::{Audience, Decider, Outcome, Request};
use caselock::span::SourceMap;

use measure::median_ns;
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
    } else if has("--scale") {
        scale::run(has("--quick"))
    } else if args.iter().any(|a| a.starts_with('-') && a != "--quick") || has("--help") {
        Err("usage: peers [--quick] | --scale [--quick] | --jsonl N".to_string())
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
                sizes: Sizes {
                    users: 5_000,
                    records: 5_000,
                    requests: 10_000,
                },
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

/// Writes `n` requests, one JSON object per line, to standard output: the input of the
/// `caselock eval --jsonl` throughput measurement.
fn jsonl(n: usize) -> Result<(), String> {
    use std::io::Write as _;
    let table = compile_dir(&policy_dir())?;
    let sizes = Sizes {
        users: 5_000,
        records: 5_000,
        requests: 10_000,
    };
    let w = workload::generate(&table, sizes, 0x5eed_cafe);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in w.json.iter().cycle().take(n) {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// One engine's figures.
struct Figures {
    name: &'static str,
    engine_only: f64,
    end_to_end: f64,
}

fn peers(plan: Plan) -> Result<(), String> {
    let table = compile_dir(&policy_dir())?;
    let decider = Decider::new(&table);
    let w = workload::generate(&table, plan.sizes, 0x5eed_cafe);
    let cedar = cedar::Cedar::new(&table)?;
    let store = cedar.store(&w.users, &w.records)?;
    let cedar_reqs = w
        .requests
        .iter()
        .map(|r| cedar.prepare(r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rego = rego::Rego::new()?;
    let rego_inputs = w
        .json
        .iter()
        .map(|j| rego::Rego::prepare(j))
        .collect::<Result<Vec<_>, _>>()?;

    agree(
        &w,
        &decider,
        &cedar,
        &store,
        &cedar_reqs,
        &mut rego,
        &rego_inputs,
    )?;
    coverage(&table, &decider, &w);
    println!(
        "requests={} users={} records={} runs>={} (median)",
        w.requests.len(),
        w.users.len(),
        w.records.len(),
        plan.runs
    );

    let n = w.requests.len();
    let (runs, budget) = (plan.runs, plan.budget);
    let allow = |d: caselock::eval::Decision| d.outcome == Outcome::Allow;
    let figures = [
        Figures {
            name: "caselock",
            engine_only: median_ns(runs, n, budget, |i| allow(decider.decide(&w.requests[i]))),
            end_to_end: median_ns(runs, n, budget, |i| {
                Request::from_json(&w.json[i]).is_ok_and(|r| allow(decider.decide(&r)))
            }),
        },
        Figures {
            name: "native",
            engine_only: median_ns(runs, n, budget, |i| native::decide(&w.requests[i])),
            end_to_end: median_ns(runs, n, budget, |i| {
                Request::from_json(&w.json[i]).is_ok_and(|r| native::decide(&r))
            }),
        },
        Figures {
            name: "cedar",
            engine_only: median_ns(runs, n, budget, |i| cedar.decide(&cedar_reqs[i], &store)),
            end_to_end: median_ns(runs, n, budget, |i| cedar.decide_json(&w.json[i])),
        },
        Figures {
            name: "rego",
            engine_only: median_ns(runs, n, budget, |i| rego.decide(&rego_inputs[i])),
            end_to_end: median_ns(runs, n, budget, |i| rego.decide_json(&w.json[i])),
        },
    ];
    let parse = median_ns(runs, n, budget, |i| Request::from_json(&w.json[i]).is_ok());
    let decisions: Vec<_> = w.requests.iter().map(|r| decider.decide(r)).collect();
    let explain = median_ns(runs, n, budget, |i| {
        !decider
            .explain(&w.requests[i], &decisions[i], Audience::Caseworker)
            .is_empty()
    });
    let base = &figures[0];
    for f in &figures {
        println!(
            "engine={:<9} engine_only_ns={:>10.1} end_to_end_ns={:>10.1} engine_only_x={:>8.2} end_to_end_x={:>8.2}",
            f.name,
            f.engine_only,
            f.end_to_end,
            f.engine_only / base.engine_only,
            f.end_to_end / base.end_to_end,
        );
    }
    println!("caselock caseworker_explanation_ns={explain:.1} (added to a decision)");
    println!(
        "request_json_parse_ns={parse:.1} (serde_json into caselock's Request: shared by caselock, native and cedar end-to-end)"
    );
    println!(
        "caselock_vs_cedar={:.1} caselock_vs_rego={:.1}",
        figures[2].engine_only / base.engine_only,
        figures[3].engine_only / base.engine_only
    );
    black_box(&figures);
    Ok(())
}

/// Every engine, engine-only and end-to-end, must reach caselock's allow/deny on every request.
fn agree(
    w: &Workload,
    decider: &Decider,
    cedar: &cedar::Cedar,
    store: &cedar_policy::Entities,
    cedar_reqs: &[cedar::Prepared],
    rego: &mut rego::Rego,
    rego_inputs: &[regorus::Value],
) -> Result<(), String> {
    for (i, req) in w.requests.iter().enumerate() {
        let want = decider.decide(req).outcome == Outcome::Allow;
        let json = &w.json[i];
        let answers = [
            (
                "caselock end-to-end",
                Request::from_json(json)
                    .is_ok_and(|r| decider.decide(&r).outcome == Outcome::Allow),
            ),
            ("native", native::decide(req)),
            (
                "native end-to-end",
                Request::from_json(json).is_ok_and(|r| native::decide(&r)),
            ),
            ("cedar", cedar.decide(&cedar_reqs[i], store)),
            ("cedar end-to-end", cedar.decide_json(json)),
            ("rego", rego.decide(&rego_inputs[i])),
            ("rego end-to-end", rego.decide_json(json)),
        ];
        if let Some((name, got)) = answers.iter().find(|(_, got)| *got != want) {
            let word = |b: bool| if b { "allow" } else { "deny" };
            let d = decider.decide(req);
            let rule = match decider.rule_id(&d) {
                Some(id) => id.to_string(),
                None => format!("{:?}", d.basis),
            };
            return Err(format!(
                "engines disagree on request {i}: caselock says {} ({rule}), {name} says {}\n{json}",
                word(want),
                word(*got)
            ));
        }
    }
    println!(
        "agreement: all engines agree on all {} requests",
        w.requests.len()
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

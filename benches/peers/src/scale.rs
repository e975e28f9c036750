//! Policy size: generated policies of 100 to 100,000 rules — check time, compile time, table
//! size, peak memory and decision latency.
//!
//! A generated policy has a fixed vocabulary (100 roles, 100 teams, 4 organisations) and ten
//! rules per category, so it grows in rules and categories: what a large council's policy
//! estate grows in. Each size runs in its own child process (`--scale-one N`), so the peak
//! memory reported is that size's own.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use caselock::eval::{Decider, ListEntry, Outcome};
use caselock::eval::{Record, Request, Restriction, Subject};
use caselock::span::SourceMap;

use crate::measure::median_ns;
use crate::workload::{Rng, person};

const ROLES: usize = 100;
const TEAMS: usize = 100;
const RULES_PER_CATEGORY: usize = 10;
const ORGS: [(&str, &str); 4] = [
    ("council", "internal"),
    ("police", "partner"),
    ("health", "partner"),
    ("vendor", "external"),
];
const ACTIONS: [&str; 5] = ["view", "edit", "add_note", "report", "share"];

/// The text of a generated policy with `rules` rules.
pub fn policy_text(rules: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "policy scale_{rules} \"Generated policy of {rules} rules\" version 1"
    );
    let _ = writeln!(
        s,
        "action view \"View\", edit \"Edit\", add_note \"Add a note\", report \"Report\", share \"Share\""
    );
    for r in 0..ROLES {
        // Every tenth role sits under the one before it: a shallow hierarchy.
        let parent = if r % 10 == 9 {
            format!(" in r{}", r - 1)
        } else {
            String::new()
        };
        let _ = writeln!(s, "role r{r} \"Role {r}\"{parent}");
    }
    for t in 0..TEAMS {
        let _ = writeln!(s, "team t{t} \"Team {t}\"");
    }
    let orgs: Vec<String> = ORGS
        .iter()
        .map(|(n, k)| format!("{n} \"{n}\" {k}"))
        .collect();
    let _ = writeln!(s, "organisation {}", orgs.join(", "));
    let _ = writeln!(s, "unrestricted {{\n  restriction exclude\n}}");
    let categories = rules.div_ceil(RULES_PER_CATEGORY);
    let mut left = rules;
    for c in 0..categories {
        let universal = c % 4 != 3;
        let _ = writeln!(s, "category c{c} \"Category {c}\" {{");
        let _ = writeln!(
            s,
            "  restriction {}",
            if universal { "universal" } else { "exclude" }
        );
        let here = left.min(RULES_PER_CATEGORY);
        left -= here;
        for k in 0..here {
            let _ = writeln!(s, "  {}", rule(&mut rng, k));
        }
        let _ = writeln!(s, "}}");
    }
    s.push_str("\nend\n");
    s
}

/// One rule: the first of a category bars partner organisations absolutely, then a mix of
/// grants and denies to roles, teams and relations.
fn rule(rng: &mut Rng, k: usize) -> String {
    if k == 0 {
        return "deny all to partner organisations absolute".to_string();
    }
    let actions: Vec<&str> = {
        let first = rng.below(ACTIONS.len());
        let n = 1 + rng.below(ACTIONS.len() - first);
        ACTIONS[first..first + n].to_vec()
    };
    let role = format!("role r{}", rng.below(ROLES));
    let team = format!("team t{}", rng.below(TEAMS));
    let subjects = match rng.below(6) {
        0 => format!("{role}, {team}"),
        1 => format!("{role} and allocated_worker"),
        2 => format!("{team} and not {role}"),
        3 => "allocated_worker, allocated_manager, named_allow".to_string(),
        4 => format!("{role} and {team}"),
        _ => format!("{role}, external organisations"),
    };
    let effect = if rng.chance(25) { "deny" } else { "grant" };
    format!("{effect} {} to {subjects}", actions.join(", "))
}

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Requests over a generated policy's categories: all of them, or only the first `hot`.
fn requests(categories: usize, hot: Option<usize>, n: usize, seed: u64) -> Vec<Request> {
    let spread = hot.map_or(categories, |h| h.min(categories));
    let mut rng = Rng::new(seed);
    let at = chrono::DateTime::from_timestamp(1_795_341_600, 0);
    (0..n)
        .map(|i| {
            let id = format!("u-{}", rng.below(500));
            let category = rng.below(spread + 1);
            let restriction = (category < spread).then(|| Restriction {
                category: format!("c{category}"),
                placed_on: None,
                last_reviewed: None,
                review_by: None,
                ends: None,
                renewals: 0,
                owner: None,
                named_allow: if rng.chance(20) {
                    vec![ListEntry::Person(person(&id))]
                } else {
                    Vec::new()
                },
                named_deny: if rng.chance(5) {
                    vec![ListEntry::Person(person(&id))]
                } else {
                    Vec::new()
                },
            });
            Request {
                subject: Subject {
                    id: person(&id),
                    roles: vec![
                        format!("r{}", rng.below(ROLES)),
                        format!("r{}", rng.below(ROLES)),
                    ],
                    teams: vec![format!("t{}", rng.below(TEAMS))],
                    organisation: ORGS[rng.below(ORGS.len())].0.to_string(),
                },
                action: ACTIONS[rng.below(ACTIONS.len())].to_string(),
                record: Record {
                    restriction,
                    allocated_workers: if rng.chance(30) {
                        vec![person(&id)]
                    } else {
                        Vec::new()
                    },
                    ..Record::new(person(&format!("J{}", 100_000 + i)))
                },
                temporary_grants: Vec::new(),
                at,
                context: Default::default(),
                change: None,
                approvals: Vec::new(),
                acting_for: None,
            }
        })
        .collect()
}

/// The figures of one size.
#[derive(Debug, Clone, Copy, Default)]
struct Row {
    rules: usize,
    check_ms: f64,
    compile_ms: f64,
    table_bytes: usize,
    peak_bytes: u64,
    decide_ns: f64,
    decide_hot_ns: f64,
}

impl Row {
    fn line(&self) -> String {
        format!(
            "rules={} check_ms={:.2} compile_ms={:.2} table_bytes={} peak_bytes={} decide_ns={:.1} decide_hot_ns={:.1}",
            self.rules,
            self.check_ms,
            self.compile_ms,
            self.table_bytes,
            self.peak_bytes,
            self.decide_ns,
            self.decide_hot_ns
        )
    }

    fn parse(line: &str) -> Option<Row> {
        let mut row = Row::default();
        for kv in line.split_whitespace() {
            let (k, v) = kv.split_once('=')?;
            match k {
                "rules" => row.rules = v.parse().ok()?,
                "check_ms" => row.check_ms = v.parse().ok()?,
                "compile_ms" => row.compile_ms = v.parse().ok()?,
                "table_bytes" => row.table_bytes = v.parse().ok()?,
                "peak_bytes" => row.peak_bytes = v.parse().ok()?,
                "decide_ns" => row.decide_ns = v.parse().ok()?,
                "decide_hot_ns" => row.decide_hot_ns = v.parse().ok()?,
                _ => {}
            }
        }
        Some(row)
    }
}

/// Measures one size and prints its figures on one line.
pub fn one(rules: usize) -> Result<(), String> {
    let text = policy_text(rules, 0x5ca1e + rules as u64);
    let start = Instant::now();
    let mut sources = SourceMap::new();
    let file = sources.add("generated.policy", text);
    let checked = caselock::check_files(&sources, &[file]).map_err(|d| {
        format!(
            "generated policy of {rules} rules does not check: {}",
            d.first().map(|x| x.message.clone()).unwrap_or_default()
        )
    })?;
    let check_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    let table = caselock::compile::compile(&checked, &sources);
    let compile_ms = start.elapsed().as_secs_f64() * 1e3;
    let table_bytes = caselock::compile::to_json(&table).len();
    let decider = Decider::new(&table);
    drop(checked);
    let reqs = requests(table.categories.len(), None, 20_000, 7);
    let allowed = reqs
        .iter()
        .filter(|r| decider.decide(r).outcome == Outcome::Allow)
        .count();
    black_box(allowed);
    let decide_ns = median_ns(7, reqs.len(), std::time::Duration::from_secs(1), |i| {
        decider.decide(&reqs[i]).outcome == Outcome::Allow
    });
    // The same number of requests over ten categories only: what stays in cache.
    let hot = requests(table.categories.len(), Some(10), 20_000, 7);
    let decide_hot_ns = median_ns(7, hot.len(), std::time::Duration::from_secs(1), |i| {
        decider.decide(&hot[i]).outcome == Outcome::Allow
    });
    let row = Row {
        rules,
        check_ms,
        compile_ms,
        table_bytes,
        peak_bytes: peak_memory().unwrap_or(0),
        decide_ns,
        decide_hot_ns,
    };
    println!("{}", row.line());
    Ok(())
}

/// Measures every size, each in a child process, prints a table and writes the plot.
pub fn run(quick: bool) -> Result<(), String> {
    let sizes: &[usize] = if quick {
        &[100, 1_000, 10_000]
    } else {
        &[100, 1_000, 10_000, 100_000]
    };
    let load_start = crate::measure::load_average();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for &n in sizes {
        let out = Command::new(&exe)
            .args(["--scale-one", &n.to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "size {n} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let row = text
            .lines()
            .find_map(Row::parse)
            .ok_or_else(|| format!("size {n}: no figures in `{text}`"))?;
        println!("{}", row.line());
        rows.push(row);
    }
    println!();
    println!(
        "| rules | check (ms) | compile (ms) | table (bytes) | peak memory (MiB) | decide, all categories (ns) | decide, 10 categories (ns) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} | {:.1} | {} | {:.1} | {:.0} | {:.0} |",
            r.rules,
            r.check_ms,
            r.compile_ms,
            r.table_bytes,
            r.peak_bytes as f64 / (1024.0 * 1024.0),
            r.decide_ns,
            r.decide_hot_ns
        );
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scale.svg");
    std::fs::write(&path, svg(&rows)).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\nplot: {}", path.display());
    println!(
        "load_average start={load_start} end={} (1, 5, 15 minutes); decide latencies are CPU time",
        crate::measure::load_average()
    );
    Ok(())
}

/// A plotted line: its label, colour and value.
type Series = (&'static str, &'static str, fn(&Row) -> f64);

/// A log-log plot of check, compile and decide time against rule count.
fn svg(rows: &[Row]) -> String {
    let (w, h, left, right, top, bottom) = (760.0, 420.0, 70.0, 200.0, 30.0, 50.0);
    let series: [Series; 4] = [
        ("check (ms)", "#1b6ca8", |r| r.check_ms),
        ("compile (ms)", "#d2691e", |r| r.compile_ms),
        ("decide (µs)", "#2e8b57", |r| r.decide_ns / 1e3),
        ("decide, 10 cats (µs)", "#8b2e6b", |r| {
            r.decide_hot_ns / 1e3
        }),
    ];
    let lg = |v: f64| v.max(1e-3).log10();
    let xs: Vec<f64> = rows.iter().map(|r| lg(r.rules as f64)).collect();
    let ys: Vec<f64> = rows
        .iter()
        .flat_map(|r| series.iter().map(move |(_, _, f)| lg(f(r))))
        .collect();
    let (x0, x1) = (
        xs.iter().copied().fold(f64::MAX, f64::min),
        xs.iter().copied().fold(f64::MIN, f64::max),
    );
    let (y0, y1) = (
        ys.iter().copied().fold(f64::MAX, f64::min).floor(),
        ys.iter().copied().fold(f64::MIN, f64::max).ceil(),
    );
    let px = |x: f64| left + (x - x0) / (x1 - x0).max(1e-9) * (w - left - right);
    let py = |y: f64| h - bottom - (y - y0) / (y1 - y0).max(1e-9) * (h - top - bottom);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="18" text-anchor="middle">caselock: time against policy size (log-log)</text>"#,
        (w - right + left) / 2.0
    );
    for r in rows {
        let x = px(lg(r.rules as f64));
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{}" stroke="#ddd"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
            h - bottom,
            h - bottom + 16.0,
            r.rules
        );
    }
    let mut y = y0;
    while y <= y1 {
        let yy = py(y);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0,
            10f64.powf(y)
        );
        y += 1.0;
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">rules in the policy</text>"#,
        (w - right + left) / 2.0,
        h - 12.0
    );
    for (i, (name, colour, f)) in series.iter().enumerate() {
        let points: Vec<String> = rows
            .iter()
            .map(|r| format!("{:.1},{:.1}", px(lg(r.rules as f64)), py(lg(f(r)))))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        let ly = top + 20.0 * i as f64 + 10.0;
        let _ = writeln!(
            s,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{name}</text>"#,
            w - right + 10.0,
            w - right + 30.0,
            w - right + 36.0,
            ly + 4.0
        );
    }
    s.push_str("</svg>\n");
    s
}

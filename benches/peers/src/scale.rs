//! Policy size: generated policies of 100 to 100,000 rules — check time, compile time, table
//! size, peak memory and decision latency.
//!
//! A generated policy has a fixed vocabulary (100 roles, 100 teams, 4 organisations) and ten
//! rules per category, so it grows in rules and categories: what a large council's policy
//! estate grows in. Each size runs in its own child process (`--scale-one N`), so the peak
//! memory reported is that size's own.
//!
//! Each size is measured twice. First in the shape of the earlier figures: every category
//! covers the whole record and a record carries at most one restriction. Then in issue 15's
//! record model: the same rules with ten sections that one category in three protects, and
//! requests whose record carries one restriction, or two or three at once, and name a section
//! one time in three.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use caselock::eval::{Basis, Decider, ListEntry, Outcome};
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
/// How many sections a policy with sections declares.
const SECTIONS: usize = 10;

/// What a generated request's record looks like.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Two or three restrictions at once rather than at most one.
    several: bool,
    /// A section of the record asked for, one time in three.
    sections: bool,
}

/// The shape of the figures before issue 15: one restriction at most, no section.
const WHOLE: Shape = Shape {
    several: false,
    sections: false,
};

/// The text of a generated policy with `rules` rules; with `sections`, ten sections that one
/// category in three protects, the rules themselves unchanged.
pub fn policy_text(rules: usize, seed: u64, sections: bool) -> String {
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
    if sections {
        let declared: Vec<String> = (0..SECTIONS)
            .map(|i| format!("s{i} \"Section {i}\""))
            .collect();
        let _ = writeln!(s, "section {}", declared.join(", "));
    }
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
        if sections && c % 3 == 1 {
            // Every other protecting category covers two sections, so a section is protected
            // by several categories and a category by several sections.
            let second = if c % 2 == 0 {
                format!(", s{}", (c + 1) % SECTIONS)
            } else {
                String::new()
            };
            let _ = writeln!(s, "  protects s{}{second}", c % SECTIONS);
        }
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

/// A restriction under category `c{category}`, naming the person `id` in its access lists now
/// and then.
fn placed_under(rng: &mut Rng, category: usize, id: &str) -> Restriction {
    Restriction {
        named_allow: if rng.chance(20) {
            vec![ListEntry::Person(person(id))]
        } else {
            Vec::new()
        },
        named_deny: if rng.chance(5) {
            vec![ListEntry::Person(person(id))]
        } else {
            Vec::new()
        },
        ..Restriction::new(format!("c{category}"))
    }
}

/// Requests over a generated policy's categories: all of them, or only the first `hot`.
fn requests(
    categories: usize,
    hot: Option<usize>,
    n: usize,
    seed: u64,
    shape: Shape,
) -> Vec<Request> {
    let spread = hot.map_or(categories, |h| h.min(categories));
    let mut rng = Rng::new(seed);
    let at = chrono::DateTime::from_timestamp(1_795_341_600, 0);
    (0..n)
        .map(|i| {
            let id = format!("u-{}", rng.below(500));
            let category = rng.below(spread + 1);
            let mut restriction =
                (category < spread).then(|| placed_under(&mut rng, category, &id));
            // The extra draws come after the old ones, so the old shape's requests are the
            // requests of the earlier figures.
            let mut restrictions = Vec::new();
            if shape.several {
                let mut carried = vec![rng.below(spread)];
                let want = (2 + rng.below(2)).min(spread);
                while carried.len() < want {
                    let c = rng.below(spread);
                    if !carried.contains(&c) {
                        carried.push(c);
                    }
                }
                restriction = None;
                restrictions = carried
                    .into_iter()
                    .map(|c| placed_under(&mut rng, c, &id))
                    .collect();
            }
            let section =
                (shape.sections && rng.chance(33)).then(|| format!("s{}", rng.below(SECTIONS)));
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
                    restrictions,
                    section,
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
    check_sections_ms: f64,
    decide_one_ns: f64,
    decide_several_ns: f64,
    decide_several_hot_ns: f64,
}

impl Row {
    fn line(&self) -> String {
        format!(
            "rules={} check_ms={:.2} compile_ms={:.2} table_bytes={} peak_bytes={} decide_ns={:.1} decide_hot_ns={:.1} check_sections_ms={:.2} decide_one_ns={:.1} decide_several_ns={:.1} decide_several_hot_ns={:.1}",
            self.rules,
            self.check_ms,
            self.compile_ms,
            self.table_bytes,
            self.peak_bytes,
            self.decide_ns,
            self.decide_hot_ns,
            self.check_sections_ms,
            self.decide_one_ns,
            self.decide_several_ns,
            self.decide_several_hot_ns
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
                "check_sections_ms" => row.check_sections_ms = v.parse().ok()?,
                "decide_one_ns" => row.decide_one_ns = v.parse().ok()?,
                "decide_several_ns" => row.decide_several_ns = v.parse().ok()?,
                "decide_several_hot_ns" => row.decide_several_hot_ns = v.parse().ok()?,
                _ => {}
            }
        }
        Some(row)
    }
}

/// Checks and compiles a generated policy: the decider and the check and compile times (ms).
fn build(rules: usize, sections: bool) -> Result<(Decider, usize, usize, f64, f64), String> {
    let text = policy_text(rules, 0x5ca1e + rules as u64, sections);
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
    Ok((
        Decider::new(&table),
        table.categories.len(),
        table_bytes,
        check_ms,
        compile_ms,
    ))
}

/// The median CPU ns per decision over `reqs`, after checking that the policy reads every one:
/// a request refused unread would time the fail-closed shortcut instead.
fn decide_ns(decider: &Decider, reqs: &[Request]) -> Result<f64, String> {
    if let Some(d) = reqs
        .iter()
        .map(|r| decider.decide(r))
        .find(|d| matches!(d.basis, Basis::FailClosed(_)))
    {
        return Err(format!("a generated request fails closed: {d:?}"));
    }
    Ok(median_ns(
        7,
        reqs.len(),
        std::time::Duration::from_secs(1),
        |i| decider.decide(&reqs[i]).outcome == Outcome::Allow,
    ))
}

/// Measures one size and prints its figures on one line.
pub fn one(rules: usize) -> Result<(), String> {
    let (decider, categories, table_bytes, check_ms, compile_ms) = build(rules, false)?;
    let reqs = requests(categories, None, 20_000, 7, WHOLE);
    let decide_all_ns = decide_ns(&decider, &reqs)?;
    // The same number of requests over ten categories only: what stays in cache.
    let hot = requests(categories, Some(10), 20_000, 7, WHOLE);
    let decide_hot_ns = decide_ns(&decider, &hot)?;
    // Before the second policy is built, so the figure stays the earlier shape's own.
    let peak_bytes = peak_memory().unwrap_or(0);
    drop((decider, reqs, hot));

    let (decider, categories, _, check_sections_ms, _) = build(rules, true)?;
    let one = Shape {
        several: false,
        sections: true,
    };
    let several = Shape {
        several: true,
        sections: true,
    };
    let decide_one_ns = decide_ns(&decider, &requests(categories, None, 20_000, 7, one))?;
    let decide_several_ns = decide_ns(&decider, &requests(categories, None, 20_000, 7, several))?;
    let decide_several_hot_ns = decide_ns(
        &decider,
        &requests(categories, Some(10), 20_000, 7, several),
    )?;
    let row = Row {
        rules,
        check_ms,
        compile_ms,
        table_bytes,
        peak_bytes,
        decide_ns: decide_all_ns,
        decide_hot_ns,
        check_sections_ms,
        decide_one_ns,
        decide_several_ns,
        decide_several_hot_ns,
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
    println!();
    println!(
        "| rules | check with sections (ms) | decide, 1 restriction (ns) | decide, 2–3 restrictions (ns) | decide, 2–3 restrictions, 10 categories (ns) |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} | {:.0} | {:.0} | {:.0} |",
            r.rules,
            r.check_sections_ms,
            r.decide_one_ns,
            r.decide_several_ns,
            r.decide_several_hot_ns
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

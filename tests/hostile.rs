//! Input a careless user or an attacker can give, through the real binary: a reader that closes
//! its pipe early, policies nested 100,000 deep, policy directories that loop through symbolic
//! links. None of them may panic, overflow the stack or hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn caselock() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caselock"));
    c.env("NO_COLOR", "1");
    c
}

/// A scratch directory for this test under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every command that writes to standard output, run with a reader that has already gone.
const WRITERS: &[&[&str]] = &[
    &["test", "policies", "--format", "json"],
    &["test", "policies", "--coverage"],
    &["check", "policies", "--format", "json"],
    &["rule", "--all"],
    &["table", "policies/devon", "--format", "markdown"],
    &["fmt", "policies/devon", "--stdout"],
    &[
        "who-can",
        "policies/nottingham-escr",
        "--category",
        "adoption",
        "--action",
        "view",
    ],
    &["diff", "policies/devon", "policies/camden"],
    &[
        "eval",
        "--policy",
        "policies/nottingham-escr",
        "examples/requests/nottingham-adoption-allocated.json",
    ],
    &[
        "explain",
        "--policy",
        "policies/nottingham-escr",
        "examples/requests/nottingham-adoption-allocated.json",
    ],
    &[
        "reviews",
        "--policy",
        "policies/nottingham-escr",
        "--register",
        "examples/registers/nottingham-restrictions.csv",
        "--as-of",
        "2026-01-01",
    ],
    &["--help"],
];

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    for args in WRITERS {
        let mut child = caselock()
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command has written anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            // Stopped by SIGPIPE, as `cat` or `grep` would be, or finished (clap's help).
            assert!(
                out.status.signal() == Some(13) || out.status.success(),
                "{args:?} ended with {:?}: {stderr}",
                out.status
            );
        }
    }
}

/// Runs a command that must end by itself within a few seconds; a hang fails the test.
fn bounded(cmd: &mut Command) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("{cmd:?} did not end within a minute");
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_in_a_policy_directory_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = scratch("links");
    let sub = dir.join("devon");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy("policies/devon/policy.policy", sub.join("policy.policy")).unwrap();
    symlink(".", dir.join("a")).unwrap();
    symlink(".", dir.join("b")).unwrap();
    let root = dir.to_str().unwrap();
    for args in [
        vec!["check", root],
        vec!["test", root],
        vec!["fmt", "--check", root],
        vec![
            "serve",
            "--policy",
            root,
            "--addr",
            "127.0.0.1:0",
            "--no-log",
        ],
    ] {
        let out = bounded(caselock().args(&args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("/a` leads to `") && stderr.contains("symbolic link loop"),
            "{args:?}: {stderr}"
        );
    }
}

/// How deep the generated policy nests: groups naming the group before them, roles and teams
/// each `in` the one before. The analyser's condition space holds at most 65,535 names, so the
/// role and team chains stop below that; the group chain has no such limit.
const GROUPS: usize = 100_000;
const MEMBERS: usize = 20_000;

/// A policy whose only grant reaches the root role through a 100,000-deep chain of groups, with
/// 20,000-deep role and team hierarchies below it.
fn deep_policy() -> String {
    let mut s = String::from(
        "policy deep \"Deep\" version 1\naction view\norganisation council \"Council\" internal\n\
         role r0\nteam t0\ngroup g0 = role r0\n",
    );
    for i in 1..MEMBERS {
        s.push_str(&format!(
            "role r{i} in r{}\nteam t{i} in t{}\n",
            i - 1,
            i - 1
        ));
    }
    for i in 1..GROUPS {
        s.push_str(&format!("group g{i} = g{}\n", i - 1));
    }
    s.push_str(&format!(
        "unrestricted {{\n  restriction exclude\n}}\ncategory deep \"Deep\" {{\n  restriction universal\n  \
         grant view to g{}, team t{}, allocated_worker\n  review every 3 months by role r0\n  \
         approve place, lift by role r0\n}}\nend\n",
        GROUPS - 1,
        MEMBERS / 2
    ));
    s
}

/// A request from a subject holding what `holds` says (`"roles": [...]`).
fn deep_request(holds: &str) -> String {
    format!(
        r#"{{"subject": {{"id": "u-1", {holds}, "organisation": "council"}},
  "action": "view", "record": {{"id": "D1", "restriction": {{"category": "deep"}}}},
  "at": "2026-11-22T10:00:00Z"}}"#
    )
}

#[test]
fn a_chain_of_100000_groups_checks_compiles_and_serves() {
    let dir = scratch("deep");
    let policy = dir.join("deep.policy");
    std::fs::write(&policy, deep_policy()).unwrap();
    let policy = policy.to_str().unwrap();
    let request = dir.join("request.json");
    // The deepest role reaches `r0` through 20,000 parents, then the grant through 100,000
    // groups; the root team sits above the granted one, so it is refused.
    let deepest = format!(r#""roles": ["r{}"]"#, MEMBERS - 1);
    std::fs::write(&request, deep_request(&deepest)).unwrap();
    let outsider = dir.join("outsider.json");
    std::fs::write(&outsider, deep_request(r#""teams": ["t0"]"#)).unwrap();
    let table = dir.join("deep.json");

    let out = bounded(caselock().args(["check", policy]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let out = bounded(caselock().args(["compile", policy, "-o", table.to_str().unwrap()]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (req, decision) in [(&request, "\"allow\""), (&outsider, "\"deny\"")] {
        let out = bounded(caselock().args([
            "eval",
            "--table",
            table.to_str().unwrap(),
            req.to_str().unwrap(),
        ]));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(decision), "{stdout}");
    }
    serve_and_decide(policy, &std::fs::read_to_string(&request).unwrap());
}

/// Starts `caselock serve` on the policy (loading runs on a worker thread with a 2 MiB stack,
/// where a recursion per group overflowed) and asks it for one decision.
#[cfg(unix)]
fn serve_and_decide(policy: &str, request: &str) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = caselock()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--watch-interval",
            "0",
            "--no-log",
            "--policy",
            policy,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .map(str::to_string);
    let answer = addr.map(|addr| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(
            s,
            "POST /v1/decisions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{request}",
            request.len()
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    });
    let _ = child.kill();
    let status = child.wait().unwrap();
    let answer = answer.unwrap_or_else(|| panic!("serve did not start ({status:?}): `{first}`"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"allow\""), "{answer}");
}

#[cfg(not(unix))]
fn serve_and_decide(_policy: &str, _request: &str) {}

#[test]
fn json_nested_100000_deep_is_refused_not_a_stack_overflow() {
    let dir = scratch("json");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let table = dir.join("table.json");
    std::fs::write(
        &table,
        format!("{{\"format_version\": 2, \"pad\": {deep}}}"),
    )
    .unwrap();
    let request = dir.join("request.json");
    std::fs::write(&request, format!("{{\"subject\": {deep}}}")).unwrap();
    let out = bounded(caselock().args([
        "eval",
        "--table",
        table.to_str().unwrap(),
        request.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(2), "a refused table");
    let out = bounded(caselock().args([
        "eval",
        "--policy",
        "tests/fixtures/policies/casework.policy",
        request.to_str().unwrap(),
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`subject`"), "{stderr}");
}

/// Boards joined by `and` multiply their members, as groups do: an approver of four boards of a
/// hundred people is refused with CL0116 rather than expanded to a hundred million alternatives.
#[test]
fn boards_joined_by_and_are_bounded_not_expanded() {
    let mut text = String::from(
        "policy p \"P\" version 1\naction view\norganisation council \"C\" internal\n",
    );
    for i in 0..100 {
        text.push_str(&format!("person p{i} id \"u-{i}\"\n"));
    }
    let members: Vec<String> = (0..100).map(|i| format!("person p{i}")).collect();
    text.push_str(&format!("board b = {}\n", members.join(", ")));
    text.push_str(
        "category c {\n  restriction universal\n  approve access by board b and board b and board b and board b\n}\n\nend\n",
    );
    let mut sources = caselock::span::SourceMap::new();
    let id = sources.add("p.policy".to_string(), text);
    let diags = caselock::check_files(&sources, &[id]).unwrap_err();
    assert!(
        diags
            .iter()
            .any(|d| d.code == caselock::diag::Code::ConditionTooLarge),
        "{diags:?}"
    );
}

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
        vec!["serve", "--policy", root, "--addr", "127.0.0.1:0"],
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

//! Installing and configuring caselock: the version line, completions and man pages generated
//! from the command-line definition, and `caselock serve` settings from flags, environment
//! variables and a settings file, in that order of precedence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn caselock(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caselock"));
    cmd.args(args);
    // Settings the developer's shell may hold must not leak into these tests.
    for (k, _) in std::env::vars() {
        if k.starts_with("CASELOCK_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn version_prints_the_table_format_and_language_versions() {
    let o = caselock(&["--version"], &[]);
    assert!(o.status.success());
    let want = format!(
        "caselock {} (table format {}, language {})\n",
        env!("CARGO_PKG_VERSION"),
        caselock::compile::FORMAT_VERSION,
        caselock::syntax::LANGUAGE_VERSION
    );
    assert_eq!(stdout(&o), want);
    assert_eq!(
        caselock::cli::version(),
        want.trim_start_matches("caselock ").trim_end()
    );
}

#[test]
fn bash_completions_name_every_command() {
    let o = caselock(&["completions", "bash"], &[]);
    assert!(o.status.success());
    let text = stdout(&o);
    let cmd = caselock::cli::command();
    let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        assert!(text.contains(name), "bash completions lack `{name}`");
    }
    assert!(text.contains("--token-file"), "serve's flags are completed");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let o = caselock(&["completions", "tcsh"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_man_page_renders_with_every_command() {
    let o = caselock(&["man"], &[]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains(".TH caselock 1"),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(text.contains(&caselock::cli::version()));
    for name in ["serve", "check", "audit", "completions"] {
        assert!(text.contains(name), "man page lacks `{name}`");
    }
    let dir = scratch("man");
    let o = caselock(&["man", "--dir", dir.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let serve = std::fs::read_to_string(dir.join("caselock-serve.1")).unwrap();
    assert!(
        serve.contains("token\\-file"),
        "the serve page lists its flags"
    );
}

/// One setting from each source: `addr` from the environment over the file, `log-sync` from
/// the flag over the environment and the file, `watch-interval` from the file, `settle` by
/// default; relative paths in the file are relative to the file.
#[test]
fn serve_settings_take_flag_then_env_then_file_then_default() {
    let dir = scratch("settings");
    let file = dir.join("caselock.toml");
    std::fs::write(
        &file,
        "addr = \"127.0.0.1:9001\"\nlog-sync = \"data\"\nwatch-interval = 0\n\
         policy = [\"policies/a\", \"policies/b\"]\nlog = \"decisions.jsonl\"\n",
    )
    .unwrap();
    let o = caselock(
        &[
            "serve",
            "--config",
            file.to_str().unwrap(),
            "--log-sync",
            "os",
            "--print-config",
        ],
        &[
            ("CASELOCK_ADDR", "127.0.0.1:9002"),
            ("CASELOCK_LOG_SYNC", "data"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no `{key}` in\n{text}"))
            .to_string()
    };
    assert_eq!(line("addr"), "addr = 127.0.0.1:9002  # env");
    assert_eq!(line("log-sync"), "log-sync = os  # flag");
    assert_eq!(line("watch-interval"), "watch-interval = 0  # file");
    assert_eq!(line("settle"), "settle = 1  # default");
    assert_eq!(line("no-log"), "no-log = false  # default");
    let base = dir.display();
    assert_eq!(
        line("policy"),
        format!("policy = [{base}/policies/a, {base}/policies/b]  # file")
    );
    assert_eq!(line("log"), format!("log = {base}/decisions.jsonl  # file"));
}

#[test]
fn a_settings_file_key_serve_does_not_have_is_an_error_naming_it() {
    let dir = scratch("settings-bad");
    let file = dir.join("caselock.toml");
    std::fs::write(&file, "no-log = true\nadress = \"127.0.0.1:1\"\n").unwrap();
    let o = caselock(
        &["serve", "--print-config"],
        &[("CASELOCK_CONFIG", file.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`adress`: not a setting of `caselock serve`"),
        "{err}"
    );
    std::fs::write(&file, "addr = [\"127.0.0.1:1\"]\n").unwrap();
    let o = caselock(&["serve", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`addr`: takes one value, not a list"), "{err}");
    std::fs::write(&file, "addr = \n").unwrap();
    let o = caselock(&["serve", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("settings file"));
}

#[test]
fn a_value_from_the_file_is_validated_like_a_flag() {
    let dir = scratch("settings-invalid");
    let file = dir.join("caselock.toml");
    std::fs::write(
        &file,
        "no-log = true\npolicy = \"p\"\nwatch-interval = 1e-12\n",
    )
    .unwrap();
    let o = caselock(
        &[
            "serve",
            "--config",
            file.to_str().unwrap(),
            "--print-config",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--watch-interval"));
}

#[test]
fn docs_operations_holds_the_serve_settings_table() {
    let doc = std::fs::read_to_string("docs/operations.md").unwrap();
    let table = caselock::cli::serve_settings_table();
    assert!(
        doc.contains(&table),
        "docs/operations.md must hold this table (regenerate it):\n{table}"
    );
}

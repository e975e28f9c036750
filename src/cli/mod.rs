//! The command line: argument parsing only; every command calls the library.
//!
//! Exit codes are the same for every command: 0 success, 1 the command's finding (errors in a
//! policy, a failed test, a semantic difference), 2 a usage or I/O error.

mod audit;
mod check;
mod common;
mod compile;
mod completions;
mod diff;
mod eval;
mod explain;
mod fmt;
mod keygen;
mod lsp;
mod man;
mod report;
mod rule;
mod serve;
mod settings;
mod table;
mod test;
mod triggers;
mod who_can;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub(crate) use common::{Exit, Output};

/// caselock: compile, check, test and explain the rules that restrict sensitive case records.
#[derive(Debug, Parser)]
#[command(name = "caselock", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to use colour: auto (only on a terminal, and never when NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = common::ColorMode::Auto)]
    color: common::ColorMode,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and check policies; report every error and warning.
    Check(check::Args),
    /// Rewrite policy files in canonical layout, keeping every comment; `--check` only reports.
    Fmt(fmt::Args),
    /// Run the language server for editors (Language Server Protocol over stdio).
    Lsp(lsp::Args),
    /// Print the documentation of a diagnostic code, such as `caselock rule CL0101`.
    Rule(rule::Args),
    /// Run the `test` blocks of policies and report rule coverage.
    Test(test::Args),
    /// Compile a policy to a bundle: its decision table and manifest, optionally signed.
    Compile(compile::Args),
    /// Make a key for signing bundles, or for the decision log's keyed chain.
    Keygen(keygen::Args),
    /// Decide requests (JSON, or JSON lines with `--jsonl`).
    Eval(eval::Args),
    /// Explain the decision on one request, for a caseworker or an auditor.
    Explain(explain::Args),
    /// List restrictions overdue or due for review from a register export, by reviewer.
    Reviews(report::ReviewsArgs),
    /// Compute disposal dates for case files from the policy's retention schedule.
    Retention(report::RetentionArgs),
    /// Which restrictions records must carry: a register's records whose facts require a
    /// restriction they lack or forbid one they carry, or one record's facts.
    Triggers(triggers::Args),
    /// Print the compiled decision table for humans: markdown, HTML or CSV.
    Table(table::Args),
    /// Show who gains and who loses access between two policies or compiled tables.
    Diff(diff::Args),
    /// Every class of subject that can take an action on a category's records, and what stops them.
    WhoCan(who_can::Args),
    /// Verify a decision log's hash chain.
    Audit(audit::Args),
    /// Serve decisions over HTTP, with the caseworker page and the decision log.
    Serve(Box<serve::Args>),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the man page, or write one per command with `--dir`.
    Man(man::Args),
}

/// The version line: the crate's version, the compiled table format's and the language's.
pub fn version() -> String {
    format!(
        "{} (table format {}, language {})",
        env!("CARGO_PKG_VERSION"),
        crate::compile::FORMAT_VERSION,
        crate::syntax::LANGUAGE_VERSION
    )
}

/// The whole command-line definition, as completions and man pages are generated from it.
pub fn command() -> clap::Command {
    Cli::command().version(version())
}

/// The settings of `caselock serve` as a markdown table: flag, environment variable, settings
/// file key, default and meaning (docs/operations.md holds it).
pub fn serve_settings_table() -> String {
    command()
        .find_subcommand("serve")
        .map(settings::table)
        .unwrap_or_default()
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let cmd = match settings::apply(command(), &argv) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage.into();
        }
    };
    let matches = cmd.get_matches_from(&argv);
    if let Some(("serve", sub)) = matches.subcommand() {
        if sub.get_flag("print_config") {
            let mut built_in = command();
            // Built, so that flags show their implied defaults (`false`) as defaults.
            built_in.build();
            let text = built_in
                .find_subcommand("serve")
                .map(|s| settings::describe(s, sub))
                .unwrap_or_default();
            return common::print_bytes(text.as_bytes()).into();
        }
    }
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // A command whose reader goes away (`caselock test --format json | head`) ends quietly, as
    // other command-line tools do: the default SIGPIPE action stops the process instead of
    // `println!` panicking on the broken pipe. The service keeps the signal ignored: a closed
    // terminal or log reader must not stop it, and it ignores failed writes to stderr.
    if !matches!(cli.command, Command::Serve(_)) {
        sigpipe::reset();
    }
    let out = Output::new(cli.color);
    let exit = match cli.command {
        Command::Check(a) => check::run(a, &out),
        Command::Fmt(a) => fmt::run(a, &out),
        Command::Lsp(a) => lsp::run(a, &out),
        Command::Rule(a) => rule::run(a, &out),
        Command::Test(a) => test::run(a, &out),
        Command::Compile(a) => compile::run(a, &out),
        Command::Keygen(a) => keygen::run(a, &out),
        Command::Eval(a) => eval::run(a, &out),
        Command::Explain(a) => explain::run(a, &out),
        Command::Reviews(a) => report::run_reviews(a, &out),
        Command::Retention(a) => report::run_retention(a, &out),
        Command::Triggers(a) => triggers::run(a, &out),
        Command::Table(a) => table::run(a, &out),
        Command::Diff(a) => diff::run(a, &out),
        Command::WhoCan(a) => who_can::run(a, &out),
        Command::Audit(a) => audit::run(a, &out),
        Command::Serve(a) => serve::run(*a, &out),
        Command::Completions(a) => completions::run(a, &out),
        Command::Man(a) => man::run(a, &out),
    };
    exit.into()
}

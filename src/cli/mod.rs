//! The command line: argument parsing only; every command calls the library.
//!
//! Exit codes are the same for every command: 0 success, 1 the command's finding (errors in a
//! policy, a failed test, a semantic difference), 2 a usage or I/O error.

mod audit;
mod check;
mod common;
mod compile;
mod diff;
mod eval;
mod explain;
mod fmt;
mod keygen;
mod lsp;
mod report;
mod rule;
mod serve;
mod table;
mod test;
mod who_can;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use common::{Exit, Output};

/// caselock: compile, check, test and explain the rules that restrict sensitive case records.
#[derive(Debug, Parser)]
#[command(name = "caselock", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to use colour: auto (only on a terminal, and never when NO_COLOR is set), always, never.
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
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
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output::new(&cli.color);
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
        Command::Table(a) => table::run(a, &out),
        Command::Diff(a) => diff::run(a, &out),
        Command::WhoCan(a) => who_can::run(a, &out),
        Command::Audit(a) => audit::run(a, &out),
        Command::Serve(a) => serve::run(*a, &out),
    };
    exit.into()
}

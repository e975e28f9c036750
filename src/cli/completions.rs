//! `caselock completions SHELL`: shell completions generated from the command-line definition.

use clap_complete::Shell;

use super::common::{Exit, Output};

/// Print shell completions for caselock.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Install, for example: `caselock completions bash > /etc/bash_completion.d/caselock`, \
`caselock completions zsh > ~/.zfunc/_caselock`, `caselock completions fish > ~/.config/fish/completions/caselock.fish`."
)]
pub struct Args {
    /// The shell to complete for.
    shell: Shell,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    let mut cmd = super::command();
    let mut text = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "caselock", &mut text);
    super::common::print_bytes(&text)
}

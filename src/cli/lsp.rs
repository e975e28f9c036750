//! `caselock lsp`: the language server, for editors.

use super::common::{Exit, Output};

/// Run the language server over standard input and output.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "An editor starts this; it is not run by hand. It speaks the Language Server \
Protocol on standard input and output: diagnostics as you type, hover, go to definition, find \
references, completion, formatting and quick fixes. A file's policy is every `.policy` file of \
its directory. Set-up for VS Code, Neovim, Helix and Emacs: docs/editors.md."
)]
pub struct Args {
    /// Where `docs/diagnostics.md` is published: each diagnostic links to `URL#cl0101`. An editor
    /// may pass it as the `docsUrl` initialization option instead.
    #[arg(long, value_name = "URL")]
    docs_url: Option<String>,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    match crate::lsp::run_stdio(args.docs_url) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
    }
}

//! `caselock explain --policy P REQUEST.json --audience caseworker|auditor`

use std::path::PathBuf;

use super::common::{Exit, Output};
use super::eval::{Source, Trust, load};
use crate::eval::{Audience, Request};

/// Explain the decision on one request, for a caseworker or an auditor.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the decision comes from.
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    trust: Trust,
    /// The request file; `-` reads standard input.
    request: PathBuf,
    /// Who the explanation is for.
    #[arg(long, value_enum, default_value_t = Audience::Caseworker)]
    audience: Audience,
}

/// Runs the command.
pub fn run(args: Args, out: &Output) -> Exit {
    let decider = match load(&args.source, &args.trust, out) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let text = if args.request.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&args.request)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.request.display());
            return Exit::Usage;
        }
    };
    match Request::from_json(&text) {
        Ok(req) => {
            let d = decider.decide(&req);
            let text = decider.explain(&req, &d, args.audience);
            println!("{}", text.trim_end());
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Findings
        }
    }
}

//! `caselock keygen -o KEY` (an ed25519 signing key) or `caselock keygen --log-key -o FILE`.

use std::path::PathBuf;

use super::common::{Exit, Output};
use crate::audit::LogKey;
use crate::compile::keys;
use crate::durable::{self, Access};

/// Make a key: an ed25519 key pair for signing policy bundles (KEY, and KEY.pub to give to
/// `--trust`), or with `--log-key` a secret key for the decision log's keyed chain.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the private key (mode 0600); the public key goes beside it as `.pub`.
    #[arg(short, long, required = true)]
    output: PathBuf,
    /// Make a decision-log key (HMAC-SHA256) instead of a bundle-signing key pair.
    #[arg(long)]
    log_key: bool,
    /// Replace a key file that already exists.
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(args: Args, _out: &Output) -> Exit {
    let public = args.output.with_extension("pub");
    if !args.log_key && public == args.output {
        eprintln!(
            "error: `{}` ends in `.pub`, where the public key goes; name the private key `NAME.key`",
            args.output.display()
        );
        return Exit::Usage;
    }
    let exists = |p: &PathBuf| p.exists() && !args.force;
    if exists(&args.output) || (!args.log_key && exists(&public)) {
        eprintln!(
            "error: `{}` already exists; keys are not overwritten without `--force`",
            args.output.display()
        );
        return Exit::Usage;
    }
    let write = |path: &PathBuf, text: &str, access| {
        durable::write_atomically(path, text.as_bytes(), access).map_err(|e| {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            Exit::Usage
        })
    };
    if args.log_key {
        let key = match LogKey::generate() {
            Ok(k) => k,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Usage;
            }
        };
        if let Err(e) = write(&args.output, &key.to_file_text(), Access::Private) {
            return e;
        }
        eprintln!(
            "wrote the decision-log key to {} (keep it secret; `serve --log-key` and `audit verify --key` read it)",
            args.output.display()
        );
        return Exit::Ok;
    }
    let pair =
        keys::generate().and_then(|k| Ok((keys::to_pem(&k)?, keys::key_id(&k.verifying_key()))));
    let ((private, public_pem), id) = match pair {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    if let Err(e) = write(&args.output, &private, Access::Private) {
        return e;
    }
    if let Err(e) = write(&public, &public_pem, Access::Public) {
        return e;
    }
    eprintln!(
        "wrote signing key {id} to {} (keep it secret: `compile --sign`) and its public key to {} (`serve --trust`, `eval --trust`)",
        args.output.display(),
        public.display()
    );
    Exit::Ok
}

//! What every command shares: exit codes, colour, loading policies with diagnostics.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::check::Checked;
use crate::compile::{self, DecisionTable};
use crate::diag::Renderer;
use crate::loader::{self, PolicyFiles};
use crate::span::SourceMap;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok,
    /// The command's finding: policy errors, failed tests, a difference.
    Findings,
    /// Bad usage or an I/O error.
    Usage,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Ok => ExitCode::SUCCESS,
            Exit::Findings => ExitCode::from(1),
            Exit::Usage => ExitCode::from(2),
        }
    }
}

/// When to colour human output (`--color`, whose help says what each value means, so the
/// values carry no help of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
}

/// Terminal settings for human output.
#[derive(Debug, Clone)]
pub struct Output {
    /// Whether to use ANSI colour on stderr.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Output {
    /// Decides colour from `--color` and `NO_COLOR`.
    pub fn new(mode: ColorMode) -> Self {
        let color = match mode {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
            }
        };
        Output { color, width: 100 }
    }

    /// A renderer for these sources.
    pub fn renderer<'a>(&self, sources: &'a SourceMap) -> Renderer<'a> {
        Renderer::new(sources, self.color, self.width)
    }
}

/// Every policy found under the paths, with its sources.
pub fn discover(paths: &[PathBuf], sources: &mut SourceMap) -> Result<Vec<PolicyFiles>, String> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(loader::discover(p, sources).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// The name standard input is shown under when `--stdin-filename` is not given.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads all of standard input as text.
pub fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(text)
}

/// Like [`discover`], but a path `-` is standard input: a policy on its own, or, with
/// `stdin_filename`, that file of its directory's policy with the text read in its place.
pub fn discover_with_stdin(
    paths: &[PathBuf],
    stdin_filename: Option<&Path>,
    sources: &mut SourceMap,
) -> Result<Vec<PolicyFiles>, String> {
    let stdin_count = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return Err("`-` (standard input) may be given once".to_string());
    }
    if stdin_count == 0 && stdin_filename.is_some() {
        return Err("`--stdin-filename` names standard input: give `-` as a path too".to_string());
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() != "-" {
            out.extend(loader::discover(p, sources).map_err(|e| e.to_string())?);
            continue;
        }
        let text = read_stdin()?;
        match stdin_filename {
            Some(name) => {
                let given = |q: &Path| (q == name).then(|| text.clone());
                out.push(loader::load_with(name, &given, sources).map_err(|e| e.to_string())?);
            }
            None => out.push(PolicyFiles {
                root: PathBuf::from(STDIN_NAME),
                files: vec![sources.add(STDIN_NAME, text)],
            }),
        }
    }
    Ok(out)
}

/// Loads and checks exactly the policies under `paths`, printing any diagnostics to stderr.
///
/// Returns the checked policies with their sources, or the exit to use.
pub fn load_checked(paths: &[PathBuf], out: &Output) -> Result<(SourceMap, Vec<Checked>), Exit> {
    let mut sources = SourceMap::new();
    let policies = match discover(paths, &mut sources) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(Exit::Usage);
        }
    };
    let mut checked = Vec::new();
    let mut failed = false;
    for p in &policies {
        match crate::check_files(&sources, &p.files) {
            Ok(c) => checked.push(c),
            Err(diags) => {
                eprint!("{}", out.renderer(&sources).render_all(&diags));
                failed = true;
            }
        }
    }
    if failed {
        eprintln!("error: the policy has errors; run `caselock check` for details");
        return Err(Exit::Findings);
    }
    Ok((sources, checked))
}

/// Loads and checks the one policy whose files or directory are `paths`, printing any
/// diagnostics to stderr; more than one policy is a usage error.
pub fn one_policy(paths: &[PathBuf], out: &Output) -> Result<(SourceMap, Checked), Exit> {
    let (sources, mut checked) = load_checked(paths, out)?;
    if checked.len() != 1 {
        let named: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        eprintln!(
            "error: found {} policies in {}; give the files of one policy",
            checked.len(),
            named.join(", ")
        );
        return Err(Exit::Usage);
    }
    let one = checked.remove(0);
    Ok((sources, one))
}

/// Where a command's decision table comes from.
#[derive(Debug, Clone, Copy)]
pub enum TableSource<'a> {
    /// A bundle (or bare table) written by `caselock compile`, which must be signed by the key
    /// in the `trust` file when one is given.
    Compiled {
        /// The bundle's path.
        path: &'a Path,
        /// The public key file the bundle must be signed by.
        trust: Option<&'a Path>,
    },
    /// The files or directory of one policy, compiled on the spot.
    Policy(&'a [PathBuf]),
}

impl<'a> TableSource<'a> {
    /// A path given where a table or a policy may be: a `.json` file is a compiled table (no
    /// signature required), anything else a policy file or directory.
    pub fn of_path(path: &'a PathBuf) -> Self {
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            TableSource::Compiled { path, trust: None }
        } else {
            TableSource::Policy(std::slice::from_ref(path))
        }
    }
}

/// Loads a compiled table, or compiles a policy. Prints the problem and returns the exit on
/// failure.
pub fn load_table(source: TableSource<'_>, out: &Output) -> Result<DecisionTable, Exit> {
    match source {
        TableSource::Compiled { path, trust } => {
            let trust = trust
                .map(compile::keys::read_verifying_key)
                .transpose()
                .map_err(|e| {
                    eprintln!("error: {e}");
                    Exit::Usage
                })?;
            let text = std::fs::read_to_string(path).map_err(|e| {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                Exit::Usage
            })?;
            compile::bundle::load(&text, trust.as_ref())
                .map(|loaded| loaded.table)
                .map_err(|e| {
                    eprintln!("error: `{}`: {e}", path.display());
                    Exit::Usage
                })
        }
        TableSource::Policy(paths) => {
            let (sources, checked) = one_policy(paths, out)?;
            Ok(compile::compile(&checked, &sources))
        }
    }
}

/// Writes generated text to stdout; a closed stdout (`| head`) is not an error worth a panic.
pub fn print_bytes(bytes: &[u8]) -> Exit {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            Exit::Usage
        }
    }
}

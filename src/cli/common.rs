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
    pub fn new(mode: &str) -> Self {
        let color = match mode {
            "always" => true,
            "never" => false,
            _ => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
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

/// A compiled table from a path: a table JSON written by `caselock compile` (a `.json` file), or
/// a policy (file or directory) compiled on the spot. Prints the problem and returns the exit on
/// failure.
pub fn load_table(path: &Path, out: &Output) -> Result<DecisionTable, Exit> {
    if path.is_file() && path.extension().is_some_and(|e| e == "json") {
        let text = std::fs::read_to_string(path).map_err(|e| {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            Exit::Usage
        })?;
        return compile::load_table(&text).map_err(|e| {
            eprintln!("error: `{}`: {e}", path.display());
            Exit::Usage
        });
    }
    let (sources, checked) = load_checked(&[path.to_path_buf()], out)?;
    let [one] = checked.as_slice() else {
        eprintln!(
            "error: `{}` holds {} policies; name one policy",
            path.display(),
            checked.len()
        );
        return Err(Exit::Usage);
    };
    Ok(compile::compile(one, &sources))
}

//! Settings from a file: `caselock serve --config FILE` (or `CASELOCK_CONFIG`) reads a TOML file
//! whose keys are the command's own flag names, and each value becomes that flag's default.
//! So a flag given on the command line wins, then its `CASELOCK_*` variable, then the file, then
//! the built-in default — clap applies the first two, and this module supplies the third.
//!
//! A key the command does not have, or a value of the wrong shape, is an error naming the key
//! (never ignored). Relative paths in the file are relative to the file's directory.

use std::any::TypeId;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::markdown::cell;
use clap::Command;
use clap::parser::ValueSource;

/// The commands that read a settings file, and the argument naming it.
const CONFIGURABLE: &[&str] = &["serve"];

/// The argument (on each configurable command) that names the settings file.
pub const CONFIG_ARG: &str = "config";

/// Arguments a settings file may not set.
const NOT_SETTABLE: &[&str] = &[CONFIG_ARG, "help", "version", "print_config"];

/// Reads the settings file named on the command line (or by `CASELOCK_CONFIG`), if any, and
/// returns the command with the file's values as defaults.
pub fn apply(cmd: Command, argv: &[OsString]) -> Result<Command, String> {
    // A first, forgiving parse only to find the file; the real parse (and its errors) comes after.
    let Ok(first) = cmd.clone().ignore_errors(true).try_get_matches_from(argv) else {
        return Ok(cmd);
    };
    let Some((name, sub)) = first.subcommand() else {
        return Ok(cmd);
    };
    if !CONFIGURABLE.contains(&name) {
        return Ok(cmd);
    }
    let Ok(Some(path)) = sub.try_get_one::<PathBuf>(CONFIG_ARG) else {
        return Ok(cmd);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("settings file `{}`: {e}", path.display()))?;
    let values = parse(&text, path, cmd.find_subcommand(name))?;
    let name = name.to_string();
    Ok(cmd.mut_subcommand(&name, |mut sub| {
        let mut settled_groups = Vec::new();
        for (id, vals) in values {
            for g in sub.get_groups() {
                if g.get_args().any(|a| a.as_str() == id) {
                    settled_groups.push(g.get_id().to_string());
                }
            }
            sub = sub.mut_arg(&id, |a| a.default_values(vals));
        }
        // A group the file satisfies (such as "a policy or a bundle") is no longer required
        // on the command line.
        for g in settled_groups {
            sub = sub.mut_group(&g, |g| g.required(false));
        }
        sub
    }))
}

/// The file's values by argument id, each as the strings a command line would give.
fn parse(
    text: &str,
    path: &Path,
    sub: Option<&Command>,
) -> Result<Vec<(String, Vec<String>)>, String> {
    let Some(sub) = sub else {
        return Ok(Vec::new());
    };
    let where_ = |key: &str| format!("settings file `{}`: `{key}`", path.display());
    let table: toml::Table =
        toml::from_str(text).map_err(|e| format!("settings file `{}`: {e}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (key, value) in &table {
        let arg = sub
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()))
            .filter(|a| !NOT_SETTABLE.contains(&a.get_id().as_str()))
            .ok_or_else(|| {
                format!(
                    "{}: not a setting of `caselock {}` (keys are its flag names, such as `addr` or `token-file`)",
                    where_(key),
                    sub.get_name()
                )
            })?;
        let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1)
            || matches!(arg.get_action(), clap::ArgAction::Append);
        let scalars: Vec<&toml::Value> = match value {
            toml::Value::Array(items) if many => items.iter().collect(),
            toml::Value::Array(_) => {
                return Err(format!("{}: takes one value, not a list", where_(key)));
            }
            one => vec![one],
        };
        let is_path = arg.get_value_parser().type_id() == TypeId::of::<PathBuf>();
        let mut vals = Vec::new();
        for v in scalars {
            let s = match v {
                toml::Value::String(s) if is_path => base.join(s).display().to_string(),
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(format!(
                        "{}: expected a string, number or true/false{}",
                        where_(key),
                        if many { ", or a list of them" } else { "" }
                    ));
                }
            };
            vals.push(s);
        }
        out.push((arg.get_id().to_string(), vals));
    }
    Ok(out)
}

/// Where a setting's value came from, as `--print-config` says it.
fn source(s: Option<ValueSource>, from_file: bool) -> &'static str {
    match s {
        Some(ValueSource::CommandLine) => "flag",
        Some(ValueSource::EnvVariable) => "env",
        Some(ValueSource::DefaultValue) if from_file => "file",
        Some(ValueSource::DefaultValue) => "default",
        _ => "unset",
    }
}

/// Every setting of a command as resolved: `key = value  # source`, one a line (for
/// `--print-config`). Secrets are never settings (tokens and keys are given as files).
/// `built_in` is the command before [`apply`], whose defaults are the built-in ones.
pub fn describe(built_in: &Command, matches: &clap::ArgMatches) -> String {
    let mut out = String::new();
    for arg in built_in.get_arguments() {
        let id = arg.get_id().as_str();
        let Some(long) = arg.get_long() else { continue };
        if NOT_SETTABLE.contains(&id) && id != CONFIG_ARG {
            continue;
        }
        let vals: Vec<String> = matches
            .get_raw(id)
            .map(|v| v.map(|s| s.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        let from_file =
            matches.value_source(id) == Some(ValueSource::DefaultValue) && vals != defaults;
        let shown = match vals.as_slice() {
            [] => "(none)".to_string(),
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        out.push_str(&format!(
            "{long} = {shown}  # {}\n",
            source(matches.value_source(id), from_file)
        ));
    }
    out
}

/// The markdown table of a command's settings: flag, environment variable, file key, default
/// and meaning (docs/operations.md holds it; a test keeps it equal).
pub fn table(sub: &Command) -> String {
    let mut out = String::from(
        "| flag | environment variable | file key | default | meaning |\n| --- | --- | --- | --- | --- |\n",
    );
    for arg in sub.get_arguments() {
        let id = arg.get_id().as_str();
        let Some(long) = arg.get_long() else { continue };
        if NOT_SETTABLE.contains(&id) && id != CONFIG_ARG {
            continue;
        }
        let env = arg
            .get_env()
            .map(|e| format!("`{}`", e.to_string_lossy()))
            .unwrap_or_else(|| "—".to_string());
        let key = if id == CONFIG_ARG {
            "—".to_string()
        } else {
            format!("`{long}`")
        };
        let default: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        let default = if default.is_empty() || default == ["false"] {
            "—".to_string()
        } else {
            format!("`{}`", default.join(", "))
        };
        let help = cell(&arg.get_help().map(|h| h.to_string()).unwrap_or_default());
        out.push_str(&format!(
            "| `--{long}` | {env} | {key} | {default} | {help} |\n"
        ));
    }
    out
}

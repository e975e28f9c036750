//! Reading a mapping file (TOML, with the place of every name kept) and checking it against a
//! policy: unknown targets (CL0151), a name mapped to two identifiers (CL0152), a name listed
//! twice (CL0153). An unreadable file is CL0150.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::{Kind, Mapping, Vocabulary};
use crate::diag::{Code, Diagnostic, suggest};
use crate::span::{FileId, Span};

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    system: Spanned<String>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    teams: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    organisations: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// One line of a mapping: the system's name and the policy identifier it stands for.
#[derive(Debug, Clone)]
struct Pair {
    kind: Kind,
    name: String,
    name_span: Span,
    target: String,
    target_span: Span,
}

/// A parsed mapping file, not yet checked against a policy.
#[derive(Debug, Clone)]
pub struct MappingFile {
    system: String,
    /// In file order.
    pairs: Vec<Pair>,
}

fn span(file: FileId, r: std::ops::Range<usize>) -> Span {
    Span::new(file, r.start, r.end)
}

/// Parses a mapping file; a file that is not TOML, misses `system` or has a field the format
/// does not have is CL0150.
pub fn parse(file: FileId, text: &str) -> Result<MappingFile, Diagnostic> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let at = e.span().unwrap_or(0..0);
        Diagnostic::error(
            Code::MappingFile,
            format!("not a mapping file: {}", e.message().trim_end()),
            span(file, at),
            "here",
        )
        .with_help(
            "a mapping file has `system = \"NAME\"` and the tables `[roles]`, `[teams]` and `[organisations]`, each of `\"system's name\" = \"policy_identifier\"`",
        )
    })?;
    let system = raw.system.get_ref().clone();
    let system_span = span(file, raw.system.span());
    let valid = !system.is_empty()
        && system
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if !valid {
        return Err(Diagnostic::error(
            Code::MappingFile,
            format!("`{system}` cannot name a system"),
            system_span,
            "not a system name",
        )
        .with_help(
            "a system's name is letters, digits, `_`, `-` and `.`, such as `liquid_logic`",
        ));
    }
    let mut pairs = Vec::new();
    for (kind, table) in [
        (Kind::Role, raw.roles),
        (Kind::Team, raw.teams),
        (Kind::Organisation, raw.organisations),
    ] {
        for (name, target) in table {
            pairs.push(Pair {
                kind,
                name_span: span(file, name.span()),
                name: name.into_inner(),
                target_span: span(file, target.span()),
                target: target.into_inner(),
            });
        }
    }
    pairs.sort_by_key(|p| p.name_span.start);
    Ok(MappingFile { system, pairs })
}

impl MappingFile {
    /// The system's name.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The mapping, if [`check`] finds no error.
    pub fn mapping(&self, vocabulary: &Vocabulary) -> Result<Mapping, Vec<Diagnostic>> {
        let diags = check(self, vocabulary);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let mut names: HashMap<Kind, HashMap<String, String>> = HashMap::new();
        for p in &self.pairs {
            names
                .entry(p.kind)
                .or_default()
                .insert(p.name.to_ascii_lowercase(), p.target.clone());
        }
        Ok(Mapping {
            system: self.system.clone(),
            names,
        })
    }
}

/// Checks a mapping file against a policy's names.
pub fn check(file: &MappingFile, vocabulary: &Vocabulary) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: HashMap<(Kind, String), &Pair> = HashMap::new();
    for p in &file.pairs {
        if !vocabulary.has(p.kind, &p.target) {
            let mut d = Diagnostic::error(
                Code::UnknownMappingTarget,
                format!(
                    "`{}` maps to unknown {} `{}`",
                    p.name,
                    p.kind.word(),
                    p.target
                ),
                p.target_span,
                format!("the policy declares no {} `{}`", p.kind.word(), p.target),
            );
            d = match suggest::did_you_mean(&p.target, vocabulary.names(p.kind)) {
                Some(h) => d.with_help(h),
                None => d.with_help(format!(
                    "map `{}` to a {} the policy declares, or declare it in the policy",
                    p.name,
                    p.kind.word()
                )),
            };
            out.push(d);
        }
        let key = (p.kind, p.name.to_ascii_lowercase());
        match seen.get(&key) {
            None => {
                seen.insert(key, p);
            }
            Some(first) if first.target == p.target => out.push(
                Diagnostic::warning(
                    Code::DuplicateMapping,
                    format!(
                        "{} `{}` of system `{}` is listed twice",
                        p.kind.word(),
                        p.name,
                        file.system
                    ),
                    p.name_span,
                    "listed again",
                )
                .with_label(first.name_span, "first listed here")
                .with_help("names are matched ignoring case; remove one of the lines"),
            ),
            Some(first) => out.push(
                Diagnostic::error(
                    Code::AmbiguousMapping,
                    format!(
                        "{} `{}` of system `{}` is mapped to both `{}` and `{}`",
                        p.kind.word(),
                        p.name,
                        file.system,
                        first.target,
                        p.target
                    ),
                    p.name_span,
                    format!("mapped to `{}` here", p.target),
                )
                .with_label(first.name_span, format!("mapped to `{}` here", first.target))
                .with_help(
                    "names are matched ignoring case, so a request could not tell which is meant; keep one",
                ),
            ),
        }
    }
    out
}

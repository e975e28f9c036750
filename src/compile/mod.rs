//! Stage 3, compile: a checked policy to a [`DecisionTable`], and loading a table back with its
//! format version and hash checked.

pub(crate) mod bundle;
pub(crate) mod keys;
mod restriction_rules;
mod rows;
#[allow(
    dead_code,
    reason = "the schema mirrors are read by schemars and serde at the type level, never built"
)]
pub(crate) mod schema;
pub mod table;

use sha2::{Digest, Sha256};

use crate::policy::{CategoryKind, Checked, Policy, Purpose};
use crate::span::{FileId, SourceMap};

pub use bundle::{Bundle, Loaded, load as load_bundle};
pub use schema::table_schema;
pub use table::{DecisionTable, FORMAT_VERSION, Layer, Row, RowEffect};

/// Why a compiled table could not be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TableError {
    /// The text is not a decision table.
    #[error("not a caselock decision table: {0}")]
    #[diagnostic(code(caselock::table::malformed))]
    Malformed(String),
    /// The table was written in another format version.
    #[error(
        "decision table format version {found} is not supported (this caselock reads version {expected})"
    )]
    #[diagnostic(
        code(caselock::table::version),
        help("recompile the policy with `caselock compile`")
    )]
    Version {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The table's contents do not match its hash. The hash of the contents is never shown:
    /// it is what someone editing a table would need to pass this check.
    #[error("decision table hash mismatch: the table was edited or corrupted after compilation")]
    #[diagnostic(
        code(caselock::table::hash),
        help("recompile the policy with `caselock compile`; never edit a compiled table")
    )]
    Hash,
    /// A signed bundle was required and this is not one.
    #[error("refused: {0}")]
    #[diagnostic(
        code(caselock::bundle::unsigned),
        help("sign bundles in CI with `caselock compile --sign KEY` and trust its public key")
    )]
    Unsigned(String),
    /// The bundle's signature does not verify under the trusted key.
    #[error("refused: {0}")]
    #[diagnostic(
        code(caselock::bundle::signature),
        help("use the bundle your CI signed, or trust the key that signed this one")
    )]
    Signature(String),
    /// The bundle's manifest does not describe its table, or is malformed.
    #[error("refused: {0}")]
    #[diagnostic(
        code(caselock::bundle::manifest),
        help("recompile the policy with `caselock compile`; never edit a bundle")
    )]
    Manifest(String),
}

/// Compiles a checked policy whose files are in `sources`.
///
/// The output depends only on the policy and its sources, so compiling twice gives the same
/// bytes from [`to_json`].
pub fn compile(checked: &Checked, sources: &SourceMap) -> DecisionTable {
    let p = &checked.policy;
    let files = policy_files(p);
    let mut table = DecisionTable {
        format_version: FORMAT_VERSION,
        compiler: format!("caselock {}", env!("CARGO_PKG_VERSION")),
        policy: table::PolicyMeta {
            id: p.id.clone(),
            title: p.title.clone(),
            version: p.version,
            sources: p.sources.clone(),
            systems: p.systems.clone(),
            updated: p.updated.map(|d| d.format("%Y-%m-%d").to_string()),
            files: files
                .iter()
                .filter_map(|f| sources.get(*f).map(|s| s.policy_path.clone()))
                .collect(),
        },
        source_hash: source_hash(sources, &files),
        vocabulary: vocabulary(p, sources),
        unrestricted: p
            .unrestricted
            .as_ref()
            .map(|c| rows::category(p, c, CategoryKind::Unrestricted, sources)),
        categories: p
            .categories
            .iter()
            .map(|c| rows::category(p, c, CategoryKind::Restriction, sources))
            .collect(),
        acting: rows::acting(p, sources),
        flag_approval: p
            .approvals
            .iter()
            .find(|a| a.purpose == Purpose::Flag)
            .map(|a| rows::approval(p, a, false, sources)),
        flag_unstated: p
            .unstated_approvals
            .iter()
            .find(|u| u.purpose == Purpose::Flag)
            .map(|u| table::UnstatedApprovalEntry {
                purpose: u.purpose,
                reason: u.reason.clone(),
                inherited: false,
                source: sources.cite_in_policy(u.span),
            }),
        restriction_rules: restriction_rules::compile(p, sources),
        table_hash: String::new(),
    };
    table.table_hash = table_hash(&table);
    table
}

/// The table as compact JSON with a final newline: the bytes `caselock compile` writes.
pub fn to_json(table: &DecisionTable) -> String {
    let mut s = crate::json::to_string(table);
    s.push('\n');
    s
}

/// Reads a bundle or a bare table without requiring a signature, refusing another format
/// version or contents that do not match their hashes ([`bundle::load`] checks signatures).
pub fn load_table(text: &str) -> Result<DecisionTable, TableError> {
    bundle::load(text, None).map(|l| l.table)
}

/// Reads a bare table (what `caselock compile` wrote before bundles).
fn load_bare(text: &str) -> Result<DecisionTable, TableError> {
    #[derive(serde::Deserialize)]
    struct Header {
        format_version: u32,
    }
    let header: Header =
        serde_json::from_str(text).map_err(|e| TableError::Malformed(e.to_string()))?;
    if header.format_version != FORMAT_VERSION {
        return Err(TableError::Version {
            found: header.format_version,
            expected: FORMAT_VERSION,
        });
    }
    let table: DecisionTable =
        serde_json::from_str(text).map_err(|e| TableError::Malformed(e.to_string()))?;
    check_table(&table)?;
    Ok(table)
}

/// The table's format version, its role and team trees (parents in range, never looping), the
/// sections its categories protect and the links they reach (in range), and its own hash.
fn check_table(table: &DecisionTable) -> Result<(), TableError> {
    if table.format_version != FORMAT_VERSION {
        return Err(TableError::Version {
            found: table.format_version,
            expected: FORMAT_VERSION,
        });
    }
    for (what, members) in [
        ("role", &table.vocabulary.roles),
        ("team", &table.vocabulary.teams),
    ] {
        if let Some(e) = table::hierarchy_error(members) {
            return Err(TableError::Malformed(format!("{what} hierarchy: {e}")));
        }
    }
    let contexts = table.vocabulary.contexts.len();
    if let Some(v) = table
        .vocabulary
        .context_values
        .iter()
        .find(|v| v.context as usize >= contexts)
    {
        return Err(TableError::Malformed(format!(
            "context value `{}` belongs to context {}, which the vocabulary does not have",
            v.name, v.context
        )));
    }
    let sections = table.vocabulary.sections.len();
    let links = table.vocabulary.links.len();
    for c in table.unrestricted.iter().chain(&table.categories) {
        if let Some(s) = c.protects.iter().find(|s| **s as usize >= sections) {
            return Err(TableError::Malformed(format!(
                "category `{}` protects section {s}, but the table has {sections} sections",
                c.name
            )));
        }
        if let Some(l) = c.reaches.iter().find(|l| **l as usize >= links) {
            return Err(TableError::Malformed(format!(
                "category `{}` reaches link {l}, but the table has {links} kinds of link",
                c.name
            )));
        }
    }
    if let Some(e) = restriction_rules::malformed(
        &table.restriction_rules,
        table.categories.len(),
        table.vocabulary.facts.len(),
    ) {
        return Err(TableError::Malformed(e));
    }
    if table_hash(table) != table.table_hash {
        return Err(TableError::Hash);
    }
    Ok(())
}

/// SHA-256 of the canonical body: the table serialised with an empty `table_hash`.
fn table_hash(table: &DecisionTable) -> String {
    let body = DecisionTable {
        table_hash: String::new(),
        ..table.clone()
    };
    crate::digest::sha256_hex(crate::json::to_vec(&body))
}

/// SHA-256 over each file's path relative to the policy's root, a NUL byte and its text, in
/// order: the same policy copied anywhere hashes alike.
fn source_hash(sources: &SourceMap, files: &[FileId]) -> String {
    let mut h = Sha256::new();
    for f in files {
        if let Some(src) = sources.get(*f) {
            h.update(src.policy_path.as_bytes());
            h.update([0u8]);
            h.update(src.text.as_bytes());
        }
    }
    hex::encode(h.finalize())
}

/// The files a policy was read from, in load order.
///
/// INVARIANT: every file of a policy holds its header or at least one item, and every item
/// the checker keeps carries a span in its file; a file of comments only is not a policy file.
fn policy_files(p: &Policy) -> Vec<FileId> {
    let mut spans = vec![p.span];
    spans.extend(
        p.actions
            .iter()
            .chain(&p.sections)
            .chain(&p.links)
            .map(|n| n.span),
    );
    spans.extend(p.roles.iter().chain(&p.teams).map(|m| m.named.span));
    spans.extend(p.persons.iter().map(|m| m.named.span));
    spans.extend(p.organisations.iter().map(|m| m.named.span));
    spans.extend(p.groups.iter().map(|m| m.named.span));
    spans.extend(p.contexts.iter().map(|m| m.span));
    spans.extend(p.obligations.iter().map(|m| m.span));
    spans.extend(p.escalations.iter().map(|m| m.named.span));
    spans.extend(p.approvals.iter().map(|m| m.span));
    spans.extend(p.unrestricted.iter().chain(&p.categories).map(|c| c.span));
    spans.extend(p.retention.iter().map(|r| r.span));
    spans.extend(p.facts.iter().map(|f| f.span));
    spans.extend(p.restriction_rules.spans());
    spans.extend(p.tests.iter().map(|t| t.span));
    let mut files: Vec<FileId> = spans.into_iter().map(|s| s.file).collect();
    files.sort();
    files.dedup();
    files
}

fn vocabulary(p: &Policy, sources: &SourceMap) -> table::Vocabulary {
    let member = |m: &crate::policy::Member| table::Member {
        name: m.named.name.clone(),
        title: m.named.title.clone(),
        parent: m.parent,
    };
    table::Vocabulary {
        actions: p
            .actions
            .iter()
            .map(|a| table::Entry {
                name: a.name.clone(),
                title: a.title.clone(),
            })
            .collect(),
        sections: p
            .sections
            .iter()
            .map(|s| table::Entry {
                name: s.name.clone(),
                title: s.title.clone(),
            })
            .collect(),
        links: p
            .links
            .iter()
            .map(|s| table::Entry {
                name: s.name.clone(),
                title: s.title.clone(),
            })
            .collect(),
        roles: p.roles.iter().map(member).collect(),
        teams: p.teams.iter().map(member).collect(),
        persons: p
            .persons
            .iter()
            .map(|x| table::PersonEntry {
                name: x.named.name.clone(),
                title: x.named.title.clone(),
                subject_id: x.subject_id.clone(),
            })
            .collect(),
        organisations: p
            .organisations
            .iter()
            .map(|o| table::OrganisationEntry {
                name: o.named.name.clone(),
                title: o.named.title.clone(),
                kind: o.kind,
            })
            .collect(),
        obligations: p
            .obligations
            .iter()
            .map(|o| table::ObligationEntry {
                name: o.name.clone(),
                text: o.text.clone(),
            })
            .collect(),
        flags: p
            .flags
            .iter()
            .map(|f| table::FlagEntry {
                name: f.named.name.clone(),
                title: f.named.title.clone(),
                warns: f.warns.clone(),
                review: f.review.as_ref().map(|r| rows::review(p, r, sources)),
                source: sources.cite_in_policy(f.span),
            })
            .collect(),
        facts: p
            .facts
            .iter()
            .map(|f| table::Entry {
                name: f.name.clone(),
                title: f.title.clone(),
            })
            .collect(),
        contexts: p
            .contexts
            .iter()
            .map(|c| table::Entry {
                name: c.name.clone(),
                title: c.title.clone(),
            })
            .collect(),
        context_values: p
            .context_values
            .iter()
            .map(|v| table::ContextValueEntry {
                name: v.named.name.clone(),
                title: v.named.title.clone(),
                context: v.context,
            })
            .collect(),
    }
}

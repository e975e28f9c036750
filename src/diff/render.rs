//! A [`Diff`] as text for a terminal, markdown for a pull-request comment, or JSON.

use std::fmt::Write as _;

use super::{ChangeKind, DecisionChange, Diff, PolicyRef, SettingChange, SideDecision};
use crate::markdown::cell;

/// The formats `caselock diff` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Plain text.
    Text,
    /// Markdown grouped into who gains and who loses.
    Markdown,
    /// JSON.
    Json,
}

/// Renders a diff.
pub fn render(d: &Diff, format: DiffFormat) -> String {
    match format {
        DiffFormat::Json => {
            let mut s = crate::json::to_string_pretty(d);
            s.push('\n');
            s
        }
        DiffFormat::Text => text(d),
        DiffFormat::Markdown => markdown(d),
    }
}

fn policy(p: &PolicyRef) -> String {
    match p.version {
        Some(v) => format!("{} version {v}", p.id),
        None => p.id.clone(),
    }
}

fn side(s: &SideDecision) -> String {
    let mut out = if s.decision == "allow" {
        "allow".to_string()
    } else {
        format!("deny (sees {})", s.view)
    };
    if s.temporary {
        out.push_str(" with temporary access");
    }
    if !s.obligations.is_empty() {
        let _ = write!(out, ", must {}", s.obligations.join(", "));
    }
    match (&s.rule, &s.source) {
        (Some(r), Some(src)) => {
            let _ = write!(out, " by {r} ({src})");
        }
        _ => out.push_str(" (fails closed: the policy does not know the subject)"),
    }
    out
}

fn kind_word(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Gain => "access gained",
        ChangeKind::Loss => "access lost",
        ChangeKind::Other => "decision changed",
    }
}

fn text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "semantic diff: {} -> {}",
        policy(&d.old),
        policy(&d.new)
    );
    if d.is_empty() {
        out.push_str("no semantic change: every request is decided the same way\n");
        return out;
    }
    lists(&mut out, d, "");
    for c in &d.decisions {
        let _ = writeln!(
            out,
            "\n{} / {}: {}",
            c.category,
            c.action,
            kind_word(c.kind)
        );
        let _ = writeln!(out, "  for example {}", c.witness);
        let _ = writeln!(out, "  old: {}", side(&c.old));
        let _ = writeln!(out, "  new: {}", side(&c.new));
    }
    text_settings(&mut out, "settings", &d.settings);
    text_settings(&mut out, "flags", &d.flag_settings);
    text_settings(&mut out, "policy", &d.policy_settings);
    if !d.restriction_rules.is_empty() {
        out.push_str("\nrules about restrictions:\n");
        for r in &d.restriction_rules {
            let witness = r
                .witness
                .as_deref()
                .map_or_else(String::new, |w| format!(" for {w}"));
            let _ = writeln!(out, "  {}: {}{witness}", r.category, r.kind.words());
        }
    }
    let _ = writeln!(
        out,
        "\n{} decision changes ({} gains, {} losses), {} setting changes",
        d.decisions.len(),
        count(d, ChangeKind::Gain),
        count(d, ChangeKind::Loss),
        d.settings.len() + d.flag_settings.len() + d.policy_settings.len()
    );
    out
}

fn sources(a: &Option<String>, b: &Option<String>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!(" ({a} -> {b})"),
        (Some(a), None) => format!(" ({a} -> none)"),
        (None, Some(b)) => format!(" (none -> {b})"),
        (None, None) => String::new(),
    }
}

/// A value in a markdown cell, with where it is written.
fn at(v: &str, src: &Option<String>) -> String {
    match src {
        Some(src) => format!("{} (`{src}`)", cell(v)),
        None => cell(v),
    }
}

fn count(d: &Diff, k: ChangeKind) -> usize {
    d.decisions.iter().filter(|c| c.kind == k).count()
}

fn lists(out: &mut String, d: &Diff, bullet: &str) {
    for (label, items) in [
        ("categories added", &d.categories_added),
        ("categories removed", &d.categories_removed),
        ("actions added", &d.actions_added),
        ("actions removed", &d.actions_removed),
        ("flags added", &d.flags_added),
        ("flags removed", &d.flags_removed),
        ("facts added", &d.facts_added),
        ("facts removed", &d.facts_removed),
    ] {
        if !items.is_empty() {
            let _ = writeln!(out, "{bullet}{label}: {}", items.join(", "));
        }
    }
}

fn markdown(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Policy change: `{}` → `{}`\n",
        policy(&d.old),
        policy(&d.new)
    );
    if d.is_empty() {
        out.push_str("**No semantic change**: every request is decided the same way.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "Gains: {}; losses: {}; other decision changes: {}; setting changes: {}.",
        count(d, ChangeKind::Gain),
        count(d, ChangeKind::Loss),
        count(d, ChangeKind::Other),
        d.settings.len() + d.flag_settings.len() + d.policy_settings.len()
    );
    if [
        &d.categories_added,
        &d.categories_removed,
        &d.actions_added,
        &d.actions_removed,
        &d.flags_added,
        &d.flags_removed,
        &d.facts_added,
        &d.facts_removed,
    ]
    .iter()
    .any(|l| !l.is_empty())
    {
        out.push_str("\n#### Categories, actions, flags and facts\n\n");
        lists(&mut out, d, "- ");
    }
    for (kind, title) in [
        (ChangeKind::Gain, "Who gains"),
        (ChangeKind::Loss, "Who loses"),
        (ChangeKind::Other, "Other decision changes"),
    ] {
        let changes: Vec<&DecisionChange> = d.decisions.iter().filter(|c| c.kind == kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n#### {title}\n\n| Category | Action | For example | Before | After |\n| --- | --- | --- | --- | --- |"
        );
        for c in changes {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} |",
                c.category,
                c.action,
                cell(&c.witness),
                cell(&side(&c.old)),
                cell(&side(&c.new))
            );
        }
    }
    markdown_settings(&mut out, "Settings", "Category", &d.settings);
    markdown_settings(&mut out, "Flags", "Flag", &d.flag_settings);
    markdown_settings(&mut out, "Policy", "Policy", &d.policy_settings);
    if !d.restriction_rules.is_empty() {
        out.push_str(
            "\n#### Rules about restrictions\n\n| Category | Change | For example |\n| --- | --- | --- |\n",
        );
        for r in &d.restriction_rules {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                r.category,
                r.kind.words(),
                cell(r.witness.as_deref().unwrap_or("any record"))
            );
        }
    }
    out
}

/// Setting changes (of categories or of flags) under a heading, one line each.
fn text_settings(out: &mut String, heading: &str, changes: &[SettingChange]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{heading}:");
    for s in changes {
        let _ = writeln!(
            out,
            "  {} {}: {} -> {}{}",
            s.category,
            s.setting,
            s.old,
            s.new,
            sources(&s.old_source, &s.new_source)
        );
    }
}

/// Setting changes (of categories or of flags) as a markdown table under a heading.
fn markdown_settings(out: &mut String, heading: &str, owner: &str, changes: &[SettingChange]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n#### {heading}\n\n| {owner} | Setting | Before | After |\n| --- | --- | --- | --- |"
    );
    for s in changes {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            s.category,
            s.setting,
            at(&s.old, &s.old_source),
            at(&s.new, &s.new_source)
        );
    }
}

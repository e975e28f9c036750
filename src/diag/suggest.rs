//! "Did you mean" for every unknown-name error.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, c)| *d <= limit || c.starts_with(name) && name.len() >= 3)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The Levenshtein distance between two strings, by characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// ` (did you mean `x`?)`-style help text, or `None`.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(propose)
}

/// Help for a word outside a fixed list: the closest word proposed, then every word after
/// `lead`: "did you mean `minimal`? a view is one of `none`, `minimal`".
pub fn one_of(name: &str, options: &[&str], lead: &str) -> String {
    let listed = options
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match closest(name, options.iter().copied()) {
        Some(c) => format!("{} {lead} {listed}", propose(c)),
        None => format!("{lead} {listed}"),
    }
}

/// The help text that proposes `candidate` in place of what was written.
pub fn propose(candidate: &str) -> String {
    format!("{PROPOSE_START}{candidate}{PROPOSE_END}")
}

/// The replacement a help text proposes (made by [`propose`]), for an editor's quick fix.
pub fn proposed(help: &str) -> Option<&str> {
    let (_, rest) = help.split_once(PROPOSE_START)?;
    let (candidate, _) = rest.split_once(PROPOSE_END)?;
    Some(candidate)
}

const PROPOSE_START: &str = "did you mean `";
const PROPOSE_END: &str = "`?";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_not_strangers() {
        let names = ["emergency_duty", "placements", "iro"];
        assert_eq!(closest("emergancy_duty", names), Some("emergency_duty"));
        assert_eq!(closest("finance", names), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn one_of_proposes_the_closest_then_lists_all() {
        let views = ["none", "minimal"];
        assert_eq!(
            one_of("minimall", &views, "a view is one of"),
            "did you mean `minimal`? a view is one of `none`, `minimal`"
        );
        assert_eq!(
            one_of("secret", &views, "a view is one of"),
            "a view is one of `none`, `minimal`"
        );
    }

    #[test]
    fn a_proposal_reads_back() {
        let help = format!("{} view is one of `none`, `minimal`", propose("minimal"));
        assert_eq!(proposed(&help), Some("minimal"));
        assert_eq!(proposed("declare it first, for example `team x`"), None);
    }
}

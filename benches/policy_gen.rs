//! A generated policy of a given size, for the analysis bench and `examples/gen_policy.rs`:
//! `rules` grant and deny rules over `rules / 20` categories, with up to 1,000 roles and 1,000
//! teams in shallow hierarchies, four organisations and five actions. Deterministic: the same
//! size gives the same text.

/// How many sections a policy with sections declares.
const SECTIONS: usize = 10;

/// The policy text, every category covering the whole record (the shape of the earlier figures).
pub fn policy(rules: usize) -> String {
    policy_with(rules, false)
}

/// The policy text; with `sections`, it also declares ten sections of a record and one category
/// in three `protects` one or two of them (issue 15's record model). The rules, and the random
/// choices behind them, are the same either way, so the two shapes differ only by sections.
pub fn policy_with(rules: usize, sections: bool) -> String {
    let categories = (rules / 20).max(1);
    let names = (rules / 5).clamp(10, 1000);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut s = String::from(
        "policy generated \"Generated policy\" version 1\n\
         action view, edit, add_note, report, share\n\
         organisation council \"Council\" internal, police \"Police\" partner,\n  \
         health \"Health\" partner, vendor \"Vendor\" external\n\
         obligation case_note \"Record a case note\"\n",
    );
    if sections {
        let declared: Vec<String> = (0..SECTIONS)
            .map(|i| format!("s{i} \"Section {i}\""))
            .collect();
        s.push_str(&format!("section {}\n", declared.join(", ")));
    }
    for i in 0..names {
        // Every tenth name starts a small tree; the rest sit under the nearest root.
        let parent = if i % 10 == 0 {
            String::new()
        } else {
            format!(" in r{}", i - i % 10)
        };
        s.push_str(&format!("role r{i}{parent}\n"));
        let parent = if i % 10 == 0 {
            String::new()
        } else {
            format!(" in t{}", i - i % 10)
        };
        s.push_str(&format!("team t{i}{parent}\n"));
    }
    s.push_str(
        "approve place by role r0 -> role r10\napprove amend, lift by role r10\n\
         unrestricted {\n  restriction exclude\n  deny share to external organisations\n}\n",
    );
    let actions = [
        "view",
        "edit",
        "add_note",
        "report",
        "share",
        "view, edit",
        "all",
    ];
    for c in 0..categories {
        let universal = c % 4 != 3;
        s.push_str(&format!(
            "category c{c} \"Category {c}\" {{\n  restriction {}\n",
            if universal { "universal" } else { "exclude" }
        ));
        if sections && c % 3 == 1 {
            // Every other protecting category covers two sections, so a section is protected
            // by several categories and a category by several sections.
            let second = if c % 2 == 0 {
                format!(", s{}", (c + 1) % SECTIONS)
            } else {
                String::new()
            };
            s.push_str(&format!("  protects s{}{second}\n", c % SECTIONS));
        }
        let per = rules / categories + usize::from(c < rules % categories);
        for k in 0..per {
            let a = actions[next(actions.len())];
            let subject = match next(6) {
                0 => format!("role r{}", next(names)),
                1 => format!("team t{} and record_team", next(names)),
                2 => format!("role r{}, team t{}", next(names), next(names)),
                3 => format!("role r{} and not allocated_worker", next(names)),
                4 => "allocated_worker, allocated_manager".to_string(),
                _ => format!("team t{} and internal organisations", next(names)),
            };
            match k % 5 {
                0 => s.push_str(&format!(
                    "  deny all to partner organisations and role r{} absolute\n",
                    next(names)
                )),
                1 => s.push_str(&format!("  deny {a} to {subject}\n")),
                2 => s.push_str(&format!("  grant {a} to {subject} requires case_note\n")),
                _ => s.push_str(&format!("  grant {a} to {subject}\n")),
            }
        }
        s.push_str(&format!(
            "  review every 3 months by role r{}\n  temporary view for 24h approved_by owner\n}}\n",
            next(names)
        ));
    }
    s.push_str("\nend\n");
    s
}

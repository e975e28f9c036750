//! A generated policy of a given size, for the analysis bench and `examples/gen_policy.rs`:
//! `rules` grant and deny rules over `rules / 20` categories, with up to 1,000 roles and 1,000
//! teams in shallow hierarchies, four organisations and five actions. Deterministic: the same
//! size gives the same text.

/// The policy text.
pub fn policy(rules: usize) -> String {
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

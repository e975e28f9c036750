//! A generated policy with long role and team hierarchies, for the analysis bench and
//! `examples/gen_policy.rs -- chain N`. Deterministic: the same depth gives the same text.

/// A policy whose roles and teams form two chains `depth` long (`role r1 in r0`, ...), with ten
/// categories granting and denying to names spread along them: the shape that made the analysis
/// grow with the cube of the chain's length while every role's diagram was built up front.
pub fn role_chain(depth: usize) -> String {
    let depth = depth.max(10);
    let mut s = String::from(
        "policy chain \"Role chain\" version 1\n\
         action view, edit\n\
         organisation council \"Council\" internal, police \"Police\" partner\n\
         role r0\nteam t0\n",
    );
    for i in 1..depth {
        s.push_str(&format!(
            "role r{i} in r{}\nteam t{i} in t{}\n",
            i - 1,
            i - 1
        ));
    }
    s.push_str("approve place, lift by role r0\nunrestricted {\n  restriction exclude\n}\n");
    for c in 0..10 {
        let at = |k: usize| (c * 97 + k * 331) % depth;
        s.push_str(&format!(
            "category c{c} \"Category {c}\" {{\n  restriction universal\n  \
             grant view, edit to role r{}, allocated_worker\n  \
             grant view to team t{} and internal organisations\n  \
             deny edit to role r{} and not allocated_worker\n  \
             deny all to partner organisations absolute\n  \
             review every 3 months by role r0\n}}\n",
            at(1),
            at(2),
            at(3),
        ));
    }
    s.push_str("end\n");
    s
}

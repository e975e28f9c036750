//! Writes the generated policy the analysis bench uses: `cargo run --example gen_policy -- 10000
//! > big.policy`, then `caselock check big.policy`.

#[path = "../benches/policy_gen.rs"]
mod policy_gen;

fn main() {
    let rules = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    print!("{}", policy_gen::policy(rules));
}

//! Writes the generated policies the analysis bench uses, to standard output:
//! `cargo run --example gen_policy -- 10000` writes 10,000 rules (then `caselock check` the
//! file), `cargo run --example gen_policy -- sections 10000` the same rules with sections that
//! some categories protect, and `cargo run --example gen_policy -- chain 10000` role and team
//! hierarchies 10,000 deep.

#[path = "../benches/chain_gen.rs"]
mod chain_gen;
#[path = "../benches/policy_gen.rs"]
mod policy_gen;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let chain = args.first().is_some_and(|a| a == "chain");
    let sections = args.first().is_some_and(|a| a == "sections");
    let size = args
        .get(usize::from(chain || sections))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    if chain {
        print!("{}", chain_gen::role_chain(size));
    } else if sections {
        print!("{}", policy_gen::policy_with(size, true));
    } else {
        print!("{}", policy_gen::policy(size));
    }
}

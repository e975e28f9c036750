//! Writes the generated restrictions register the reports bench uses, for the generated policy
//! of `examples/gen_policy.rs`: `cargo run --release --example gen_register -- 1000000 >
//! big.csv`, then `caselock reviews --policy big.policy --register big.csv --as-of 2026-11-23`.
//! The optional second argument is the number of categories (500, as in the 10,000-rule policy).

#[path = "../benches/register_gen.rs"]
mod register_gen;

use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1).map(|a| a.parse().ok());
    let rows = args.next().flatten().unwrap_or(1_000_000);
    let categories = args.next().flatten().unwrap_or(500);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    register_gen::write(&mut out, rows, categories)?;
    out.flush()
}

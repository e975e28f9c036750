//! A generated restrictions register for the reports bench and `examples/gen_register.rs`:
//! `rows` rows over the categories `c0`..`c{categories - 1}` of the generated policy
//! (`policy_gen.rs`), with placeholder record, staff and team IDs, placement, review and
//! `review_by` dates that leave about 7% of restrictions overdue or due on 2026-11-23, and an
//! extra `child_name` column that the report must ignore.
//! Deterministic: the same arguments give the same text.

use std::io::Write;

/// Writes the register as CSV with a header row.
pub fn write(out: &mut impl Write, rows: usize, categories: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "record_id,category,placed_on,last_reviewed,review_by,reviewer,team,child_name"
    )?;
    let categories = categories.max(1);
    for i in 0..rows {
        // As of late November 2026, against the generated policy's three-monthly reviews: one
        // row in 50 was never reviewed (overdue), one in 20 was last reviewed in early September
        // (due within 30 days), the rest in October or November (not yet due). Every seventh row
        // has a later `review_by` date, which the earlier interval date overrides.
        let (y, m, d) = (2024 + i % 3, 1 + i % 12, 1 + i % 28);
        let reviewed = if i % 50 == 0 {
            String::new()
        } else if i % 20 == 1 {
            format!("2026-09-{:02}", 1 + i % 10)
        } else {
            format!("2026-{}-{:02}", 10 + i % 2, 1 + i % 20)
        };
        let review_by = if i % 7 == 0 {
            format!("2027-03-{:02}", 1 + i % 28)
        } else {
            String::new()
        };
        let reviewer = if i % 11 == 0 {
            String::new()
        } else {
            format!("u-{}", i % 400)
        };
        writeln!(
            out,
            "R{i:07},c{},{y}-{m:02}-{d:02},{reviewed},{review_by},{reviewer},t{},NAME-{i}",
            i % categories,
            i % 100
        )?;
    }
    Ok(())
}

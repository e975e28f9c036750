//! The README's language tour is a real policy: it checks with no errors and no warnings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn the_readme_tour_checks_clean() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        .find("```\npolicy ")
        .expect("the tour's policy block")
        + 4;
    let end = start + readme[start..].find("```").unwrap();
    let dir = std::env::temp_dir().join(format!("caselock-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tour.policy");
    std::fs::write(&file, &readme[start..end]).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["check", "--deny-warnings", "--color", "never"])
        .arg(&file)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("0 errors, 0 warnings"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! The README's benchmark figures are what `docs/benchmarks/report.json`
//! renders to (`compare --render-readme --check`), so the tables and the
//! report cannot drift apart; and the check does fail when a figure in the
//! README is changed by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `compare --render-readme --check` on `readme` against the
/// committed report; the chart is never written with `--check`.
fn check(readme: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_compare"))
        .arg("--render-readme")
        .arg("--check")
        .arg("--report")
        .arg(root().join("docs/benchmarks/report.json"))
        .arg("--readme")
        .arg(readme)
        .output()
        .expect("run compare")
}

#[test]
fn readme_benchmark_section_matches_the_committed_report() {
    let output = check(&root().join("README.md"));
    assert!(
        output.status.success(),
        "README.md's benchmark section is stale; run \
         `cargo run --release -p spindle-benches --bin compare -- --render-readme`:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_figure_edited_by_hand_fails_the_check() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let begin = readme
        .find("<!-- benchmarks:begin")
        .expect("README has the marker");
    // Change the first table cell that holds a CPU figure ("| 3." or "| 4.").
    let at = begin
        + readme[begin..]
            .find("| 3.")
            .or_else(|| readme[begin..].find("| 4."))
            .expect("a CPU µs/req figure in the section");
    let mut doctored = readme.clone();
    doctored.replace_range(at + 2..at + 3, "9");
    let dir = std::env::temp_dir().join(format!("spindle-readme-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("README.md");
    std::fs::write(&path, doctored).unwrap();
    let output = check(&path);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !output.status.success(),
        "a doctored README passed the check"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("first difference"), "{stderr}");
}

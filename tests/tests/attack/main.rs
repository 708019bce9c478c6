//! The attack suite: the server and the runtime under the abuse real
//! networks and real users deliver.
//!
//! Each scenario starts `spindle-server` (or, where a scenario needs a
//! handler that panics or sleeps, the `attack-target` example server built
//! on the same library) as a process on a free loopback port, attacks it
//! within fixed bounds of count and time, and then checks that the server is
//! still up, still answers a legitimate request correctly, and lost nothing
//! it had accepted. At the end it prints a summary table (and writes it to
//! `target/attack/summary.md`) and exits non-zero if any scenario failed.
//!
//! Run it alone with `cargo test -p spindle-tests --test attack`; the soak
//! lasts `SPINDLE_SOAK_SECS` seconds (15 by default, 60 for the full soak).
//! `SPINDLE_ATTACK=name,name` runs only the named scenarios.

mod fd_exhaustion;
mod floods;
mod half_close;
mod malformed;
mod oversized;
mod panics;
mod resets;
mod shutdown;
mod slowloris;
mod soak;
mod support;

use std::time::Instant;

use support::Row;

/// A scenario: attacks a fresh server and reports one row of the table.
type Scenario = fn() -> Row;

/// Every scenario, by the name `SPINDLE_ATTACK` selects it with.
const SCENARIOS: &[(&str, Scenario)] = &[
    ("malformed", malformed::run),
    ("oversized", oversized::run),
    ("slowloris", slowloris::run),
    ("resets", resets::run),
    ("half-close", half_close::run),
    ("floods", floods::run),
    ("fd-exhaustion", fd_exhaustion::run),
    ("panics", panics::run),
    ("shutdown", shutdown::run),
    ("soak", soak::run),
];

fn main() {
    support::raise_nofile();
    let only: Option<Vec<String>> = std::env::var("SPINDLE_ATTACK")
        .ok()
        .map(|list| list.split(',').map(str::to_string).collect());
    let mut rows = Vec::new();
    for (name, run) in SCENARIOS {
        if only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|o| o == name))
        {
            continue;
        }
        let start = Instant::now();
        eprintln!("attack: {name} ...");
        let row = match std::panic::catch_unwind(run) {
            Ok(row) => row,
            Err(payload) => Row {
                scenario: name,
                requests: 0,
                errors: 1,
                server: "?".into(),
                figure: "the scenario itself panicked".into(),
                passed: false,
                detail: payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            },
        };
        eprintln!(
            "attack: {name} {} in {:?}",
            if row.passed { "ok" } else { "FAILED" },
            start.elapsed()
        );
        rows.push(row);
    }
    let table = summary(&rows);
    println!("{table}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/attack");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("summary.md"), &table);
    }
    let failed = rows.iter().filter(|r| !r.passed).count();
    for row in rows.iter().filter(|r| !r.passed && !r.detail.is_empty()) {
        println!("{}: {}", row.scenario, row.detail);
    }
    println!("attack: {} passed, {failed} failed", rows.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

/// The Markdown summary table.
fn summary(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | requests | errors | server | figure | result |\n| --- | ---: | ---: | --- | --- | --- |\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.scenario,
            r.requests,
            r.errors,
            r.server,
            r.figure,
            if r.passed { "ok" } else { "FAILED" }
        ));
    }
    out
}

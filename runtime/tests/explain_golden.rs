//! The golden trace: `docs/explain-trace.md` is the `explain` example's
//! level-2 trace, annotated; this test runs the example and compares, line
//! for line, durations masked, so the document and the code never drift.

mod support;

// The example itself, compiled into this test: its `main` is unused here.
#[allow(dead_code)]
#[path = "../examples/explain.rs"]
mod example;

use support::trace::{strip_timings, Recorder};

/// The lines of every ```` ```text ```` block of the golden document.
fn golden() -> Vec<String> {
    let doc = include_str!("../../docs/explain-trace.md");
    let mut lines = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        match (inside, line.trim_end()) {
            (false, "```text") => inside = true,
            (true, "```") => inside = false,
            (true, line) => lines.push(line.to_owned()),
            _ => {}
        }
    }
    lines
}

#[test]
#[cfg_attr(
    mio_unsupported_force_poll_poll,
    ignore = "the golden trace is epoll's and kqueue's: poll(2) adds WouldBlock lines"
)]
fn the_explain_example_prints_the_golden_trace() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || example::run(2).unwrap());
    let actual: Vec<String> = recorder.lines().iter().map(|l| strip_timings(l)).collect();
    let expected: Vec<String> = golden().iter().map(|l| strip_timings(l)).collect();
    if actual != expected {
        let first = actual
            .iter()
            .zip(&expected)
            .position(|(a, e)| a != e)
            .unwrap_or(actual.len().min(expected.len()));
        panic!(
            "the trace differs from docs/explain-trace.md at line {}:\n  expected {:?}\n  actual   {:?}\n\nthe whole trace:\n{}",
            first + 1,
            expected.get(first),
            actual.get(first),
            actual.join("\n")
        );
    }
}

#[test]
fn timings_are_masked() {
    assert_eq!(
        strip_timings("poll returned 2 events after 0.3ms"),
        "poll returned 2 events after Nms"
    );
    assert_eq!(
        strip_timings("task 1 waits: timer at +12ms"),
        "task 1 waits: timer at +Nms"
    );
    assert_eq!(
        strip_timings("read token 3: 6 of 1024 bytes"),
        "read token 3: 6 of 1024 bytes"
    );
}

#[test]
fn the_readme_excerpt_is_one_whole_turn_of_the_golden_trace() {
    let readme = include_str!("../../README.md");
    let excerpt: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("spindle::explain: "))
        .collect();
    assert!(
        excerpt.first().is_some_and(|l| l.starts_with("turn ")),
        "{excerpt:?}"
    );
    let golden = golden();
    let at = golden
        .windows(excerpt.len())
        .position(|w| w.iter().zip(&excerpt).all(|(g, e)| g == e))
        .expect("the README's trace excerpt is not a run of lines of docs/explain-trace.md");
    // Whole: the next golden line starts the next turn.
    let next = golden.get(at + excerpt.len()).map(String::as_str);
    assert!(
        next.is_none_or(|l| l.starts_with("turn ")),
        "the excerpt stops mid-turn before {next:?}"
    );
}

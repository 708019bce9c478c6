//! RFC 9112 and RFC 9110 on the wire: every case of the conformance table
//! (`support/rfc9112.rs`), each a raw request, gets exactly the answer the
//! table gives (the statuses, and whether the connection closes).

mod support;

use std::collections::HashSet;
use std::time::Duration;

use support::rfc9112::{cases, observe};
use support::TestServer;

#[test]
fn every_case_gets_the_expected_answer() {
    let server = TestServer::hello();
    let mut wrong = Vec::new();
    for case in cases() {
        let got = observe(server.addr, &case, Duration::from_secs(5));
        if got != case.expect {
            wrong.push(format!(
                "{}: expected {}, got {} ({})",
                case.name,
                case.expect.cell(),
                got.cell(),
                case.rule
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_table_has_at_least_forty_cases_with_unique_names() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let names: HashSet<_> = cases.iter().map(|case| case.name).collect();
    assert_eq!(names.len(), cases.len(), "a name is used twice");
}

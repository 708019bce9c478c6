//! A `tracing` subscriber that records the explain trace, and matchers
//! for its lines.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One recorded explain event: its message and its other fields.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// The text line.
    pub(crate) message: String,
    /// Every other field, by name, as `Debug` shows its value.
    pub(crate) fields: BTreeMap<String, String>,
}

/// A tiny `tracing` subscriber that keeps every event whose target is
/// `spindle::explain`.
#[derive(Clone, Default)]
pub(crate) struct Recorder(Arc<Mutex<Vec<Line>>>);

impl Recorder {
    /// The messages, in order.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.events().into_iter().map(|l| l.message).collect()
    }

    /// The whole events, in order.
    pub(crate) fn events(&self) -> Vec<Line> {
        self.0.lock().unwrap().clone()
    }
}

/// Collects an event's fields.
struct Fields(Line);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.message = format!("{value:?}");
        } else {
            self.0
                .fields
                .insert(field.name().to_owned(), format!("{value:?}"));
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "spindle::explain"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Line {
            message: String::new(),
            fields: BTreeMap::new(),
        });
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Whether `line` matches `pattern`, where `*` stands for any text.
pub(crate) fn matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Asserts that `expected` patterns match lines of `trace` in this order
/// (other lines may come between them).
pub(crate) fn assert_in_order(trace: &[String], expected: &[&str]) {
    let mut at = 0;
    for pattern in expected {
        match trace[at..].iter().position(|line| matches(pattern, line)) {
            Some(found) => at += found + 1,
            None => panic!(
                "expected a line matching {pattern:?} after line {at}; the trace:\n{}",
                trace.join("\n")
            ),
        }
    }
}

/// Replaces every duration (`0.3ms`, `+12ms`) with `Nms`, so traces from
/// two runs compare equal.
pub(crate) fn strip_timings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if i > start {
            if line[i..].starts_with("ms") && bytes[start].is_ascii_digit() {
                out.push('N');
            } else {
                out.push_str(&line[start..i]);
            }
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

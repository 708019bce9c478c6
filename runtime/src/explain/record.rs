//! The timeline's record: every explain event with its time, bounded.
//!
//! When `SPINDLE_EXPLAIN_HTML` or `SPINDLE_EXPLAIN_JSON` (or
//! `Builder::explain_html` / `explain_json`) names a file, the runtime
//! keeps each [`Event`] it emits, with the time since the runtime was
//! built and the task being polled at that moment, in this record. When
//! the runtime drops, `Core::shutdown` calls [`Explain::finish`]
//! (super::Explain::finish), which turns the record into the files
//! (`Recorder::write_files` in `mod.rs`: `timeline.rs` for the page,
//! `chrome.rs` for the JSON). This file knows neither.
//!
//! # Bounded
//!
//! A runtime may run for days; the record must not grow with it. It keeps
//! the first [`Recorder::CAP`] events and counts the rest without keeping
//! them; the page and the JSON say how many were left out. The cap is for
//! memory (an entry is under 100 bytes: 100,000 of them stay under
//! 10 MB), and the first events are the ones a learner reads.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::event::Event;

/// One recorded event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Time since the recorder started (the runtime was built).
    pub(crate) at: Duration,
    /// The task being polled when the event was emitted, if any.
    pub(crate) polling: Option<u64>,
    /// What happened.
    pub(crate) event: Event,
}

/// The bounded record and where it goes.
#[derive(Debug)]
pub(crate) struct Recorder {
    /// Time zero of the record.
    origin: Instant,
    /// The first `CAP` events; pushed by `Explain::emit` and
    /// `Explain::set_polling`.
    pub(super) entries: Vec<Entry>,
    /// Events seen after the record was full.
    pub(super) dropped: u64,
    /// Where the HTML page goes, if asked.
    pub(super) html: Option<PathBuf>,
    /// Where the Chrome JSON goes, if asked.
    pub(super) json: Option<PathBuf>,
}

impl Recorder {
    /// Events kept at most (see "Bounded" above).
    pub(crate) const CAP: usize = 100_000;

    /// An empty record starting at `origin`.
    pub(crate) fn new(origin: Instant, html: Option<PathBuf>, json: Option<PathBuf>) -> Recorder {
        Recorder {
            origin,
            entries: Vec::new(),
            dropped: 0,
            html,
            json,
        }
    }

    /// Keeps `event`, or counts it when the record is full.
    pub(crate) fn push(&mut self, polling: Option<u64>, event: Event) {
        if self.entries.len() < Self::CAP {
            self.entries.push(Entry {
                at: self.origin.elapsed(),
                polling,
                event,
            });
        } else {
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::timeline::Timeline;

    #[test]
    fn the_record_keeps_the_first_cap_events_and_counts_the_rest() {
        let mut recorder = Recorder::new(Instant::now(), None, None);
        for task in 0..(Recorder::CAP as u64 + 5) {
            recorder.push(None, Event::Spawn { task });
        }
        assert_eq!(recorder.entries.len(), Recorder::CAP);
        assert_eq!(recorder.dropped, 5);
        assert_eq!(recorder.entries[0].event, Event::Spawn { task: 0 });
        let page = Timeline::build(&recorder.entries, recorder.dropped).html();
        assert!(page.contains("\"dropped\":5,\"cap\":100000"));
    }

    #[test]
    fn a_file_that_cannot_be_written_is_named_in_the_error() {
        let dir = std::env::temp_dir().join("spindle-no-such-dir-for-sure");
        let mut recorder = Recorder::new(Instant::now(), Some(dir.join("page.html")), None);
        recorder.push(None, Event::Spawn { task: 1 });
        let err = recorder.write_files().unwrap_err();
        assert!(err.to_string().contains("HTML timeline"), "{err}");
        assert!(err.to_string().contains("page.html"), "{err}");
    }
}

//! The timeline: the recorded events laid out as lanes, and the HTML page
//! that draws them.
//!
//! [`Timeline::build`] reads the record once and sorts it into what a
//! picture needs; `html` (here) and `chrome.rs` both draw from that one
//! model:
//!
//! ```text
//!   time ─────────────────────────────────────────────────────────►
//!   reactor   ░░ epoll_wait: no timeout ░░│ event token 3 ─┐
//!   timers                                │                │   ┆ tick: a timer fired
//!   block_on  ███                         │                │
//!   task 4       ███ Pending              │                └──► ███ Ready
//! ```
//!
//! - a **bar** is one poll, from `set_polling` to its `poll … -> R` line,
//!   coloured by `R`;
//! - a **gap** is the reactor blocked in `epoll_wait`/`kevent`, from the
//!   `block in poll` line to `poll returned`, labelled with its reason
//!   (long gaps are drawn shortened; hovering shows the real length);
//! - an **arrow** is a wake: from the reactor lane (a socket event, a wake
//!   from another thread), the timers lane (a timer fired) or the waking
//!   task's lane, to the start of the woken task's next poll;
//! - a **mark** is any other line (a socket operation, a waker parked, a
//!   registration), a tick on the lane of the task that was being polled,
//!   or on the reactor's.
//!
//! Hovering any shape shows its trace line. The page is one file: inline
//! CSS, an inline script that draws SVG from the data embedded beside it,
//! no network. When its script has drawn everything it sets `data-ok` on
//! `<body>`, with the counts it drew (`data-task-lanes`, `data-arrows`,
//! `data-bars`), which is what the browser test reads.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

use super::record::{Entry, Recorder};
use super::{Event, PollResult};

/// A lane of the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    /// The reactor: blocking gaps, events, remote wakes.
    Reactor,
    /// The timer store: a tick per timer that fired.
    Timers,
    /// One task (0 is the `block_on` future).
    Task(u64),
}

/// One poll of one task.
#[derive(Debug)]
pub(crate) struct Bar {
    /// The task polled.
    pub(crate) task: u64,
    /// Start and end, µs since the runtime was built.
    pub(crate) start: f64,
    /// See `start`.
    pub(crate) end: f64,
    /// What the poll returned.
    pub(crate) result: PollResult,
    /// The trace line.
    pub(crate) line: String,
}

/// The reactor blocked in the kernel.
#[derive(Debug)]
pub(crate) struct Gap {
    /// Start and end, µs.
    pub(crate) start: f64,
    /// See `start`.
    pub(crate) end: f64,
    /// Why it blocked, and what ended it (two trace lines).
    pub(crate) line: String,
}

/// A wake, from where it came from to the woken task's next poll.
#[derive(Debug)]
pub(crate) struct Arrow {
    /// Where the wake came from.
    pub(crate) from: Lane,
    /// When, µs.
    pub(crate) at: f64,
    /// The woken task.
    pub(crate) task: u64,
    /// The start of its next poll (or the end of the record), µs.
    pub(crate) to: f64,
    /// The trace line.
    pub(crate) line: String,
}

/// Any other line, as a tick on a lane.
#[derive(Debug)]
pub(crate) struct Mark {
    /// The lane it sits on.
    pub(crate) lane: Lane,
    /// When, µs.
    pub(crate) at: f64,
    /// The event's kind (`Event::kind`), for its colour.
    pub(crate) kind: &'static str,
    /// The trace line.
    pub(crate) line: String,
}

/// Everything the page and the JSON draw.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    /// Every task seen, in id order; one lane each.
    pub(crate) tasks: Vec<u64>,
    /// The polls.
    pub(crate) bars: Vec<Bar>,
    /// The blocking waits.
    pub(crate) gaps: Vec<Gap>,
    /// The wakes.
    pub(crate) arrows: Vec<Arrow>,
    /// The other lines.
    pub(crate) marks: Vec<Mark>,
    /// Every printed line with its time, µs, in order.
    pub(crate) lines: Vec<(f64, String)>,
    /// The time of the last event, µs.
    pub(crate) end: f64,
    /// Events not recorded because the record was full.
    pub(crate) dropped: u64,
}

/// A duration as µs.
fn micros(at: Duration) -> f64 {
    at.as_secs_f64() * 1e6
}

impl Timeline {
    /// Sorts the record into lanes, bars, gaps, arrows and marks.
    pub(crate) fn build(entries: &[Entry], dropped: u64) -> Timeline {
        let mut t = Timeline {
            dropped,
            ..Timeline::default()
        };
        let mut tasks = BTreeSet::new();
        let mut open_polls: HashMap<u64, f64> = HashMap::new();
        let mut poll_starts: HashMap<u64, Vec<f64>> = HashMap::new();
        let mut open_block: Option<(f64, String)> = None;
        for entry in entries {
            let at = micros(entry.at);
            t.end = t.end.max(at);
            let event = entry.event;
            let line = event.to_string();
            if event.level() > 0 {
                t.lines.push((at, line.clone()));
            }
            let here = entry.polling.map_or(Lane::Reactor, Lane::Task);
            let wake = |t: &mut Timeline, from: Lane, task: Option<u64>| {
                if let Some(task) = task {
                    t.arrows.push(Arrow {
                        from,
                        at,
                        task,
                        to: f64::NAN,
                        line: line.clone(),
                    });
                }
            };
            match event {
                Event::PollStart { task } => {
                    tasks.insert(task);
                    open_polls.insert(task, at);
                    poll_starts.entry(task).or_default().push(at);
                }
                Event::Poll { task, result } => {
                    tasks.insert(task);
                    let start = open_polls.remove(&task).unwrap_or(at);
                    t.bars.push(Bar {
                        task,
                        start,
                        end: at,
                        result,
                        line,
                    });
                }
                Event::Spawn { task } => {
                    tasks.insert(task);
                    t.marks.push(Mark {
                        lane: here,
                        at,
                        kind: event.kind(),
                        line,
                    });
                }
                Event::Block {
                    timeout: Some(Duration::ZERO),
                    ..
                } => t.marks.push(Mark {
                    lane: Lane::Reactor,
                    at,
                    kind: "no_block",
                    line,
                }),
                Event::Block { .. } => open_block = Some((at, line)),
                Event::PollReturned { .. } => match open_block.take() {
                    Some((start, why)) => t.gaps.push(Gap {
                        start,
                        end: at,
                        line: format!("{why}\n{line}"),
                    }),
                    None => t.marks.push(Mark {
                        lane: Lane::Reactor,
                        at,
                        kind: event.kind(),
                        line,
                    }),
                },
                Event::Ready { reader, writer, .. } => {
                    wake(&mut t, Lane::Reactor, reader.flatten());
                    wake(&mut t, Lane::Reactor, writer.flatten());
                    t.marks.push(Mark {
                        lane: Lane::Reactor,
                        at,
                        kind: event.kind(),
                        line,
                    });
                }
                Event::TimerFired { task } => {
                    wake(&mut t, Lane::Timers, task.flatten());
                    t.marks.push(Mark {
                        lane: Lane::Timers,
                        at,
                        kind: event.kind(),
                        line,
                    });
                }
                Event::RemoteWake { task } => wake(&mut t, Lane::Reactor, Some(task)),
                Event::Wake { by, task } => wake(&mut t, Lane::Task(by), Some(task)),
                _ => t.marks.push(Mark {
                    lane: here,
                    at,
                    kind: event.kind(),
                    line,
                }),
            }
        }
        for arrow in &mut t.arrows {
            tasks.insert(arrow.task);
            let next = poll_starts
                .get(&arrow.task)
                .and_then(|starts| starts.iter().find(|&&s| s >= arrow.at));
            arrow.to = next.copied().unwrap_or(t.end);
        }
        t.tasks = tasks.into_iter().collect();
        t
    }

    /// The self-contained HTML page.
    pub(crate) fn html(&self) -> String {
        let data = self.data_json();
        // `</` inside a script would end it early; the data never needs it.
        let data = data.replace("</", "<\\/");
        PAGE.replace("/*DATA*/", &data)
    }

    /// The model as one JSON object, for the page's script.
    fn data_json(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "{{\"end\":{:.1},\"dropped\":{},\"cap\":{},\"tasks\":[",
            self.end,
            self.dropped,
            Recorder::CAP
        );
        join(&mut out, &self.tasks, |out, task| {
            let _ = write!(out, "{task}");
        });
        out.push_str("],\"bars\":[");
        join(&mut out, &self.bars, |out, b| {
            let _ = write!(
                out,
                "[{},{:.1},{:.1},\"{}\",{}]",
                b.task,
                b.start,
                b.end,
                b.result.name(),
                json_str(&b.line)
            );
        });
        out.push_str("],\"gaps\":[");
        join(&mut out, &self.gaps, |out, g| {
            let _ = write!(out, "[{:.1},{:.1},{}]", g.start, g.end, json_str(&g.line));
        });
        out.push_str("],\"arrows\":[");
        join(&mut out, &self.arrows, |out, a| {
            let _ = write!(
                out,
                "[{},{:.1},{},{:.1},{}]",
                lane_json(a.from),
                a.at,
                a.task,
                a.to,
                json_str(&a.line)
            );
        });
        out.push_str("],\"marks\":[");
        join(&mut out, &self.marks, |out, m| {
            let _ = write!(
                out,
                "[{},{:.1},\"{}\",{}]",
                lane_json(m.lane),
                m.at,
                m.kind,
                json_str(&m.line)
            );
        });
        out.push_str("],\"lines\":[");
        join(&mut out, &self.lines, |out, (at, line)| {
            let _ = write!(out, "[{at:.1},{}]", json_str(line));
        });
        out.push_str("]}");
        out
    }
}

/// A lane as the page's data names it: `"reactor"`, `"timers"` or a task id.
fn lane_json(lane: Lane) -> String {
    match lane {
        Lane::Reactor => "\"reactor\"".to_owned(),
        Lane::Timers => "\"timers\"".to_owned(),
        Lane::Task(task) => task.to_string(),
    }
}

/// Writes `items` separated by commas.
pub(super) fn join<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
}

/// A JSON string literal.
pub(super) fn json_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The page, with `/*DATA*/` where the model goes.
const PAGE: &str = include_str!("timeline.html");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reactor::ready::Ready;

    fn entry(us: u64, polling: Option<u64>, event: Event) -> Entry {
        Entry {
            at: Duration::from_micros(us),
            polling,
            event,
        }
    }

    #[test]
    fn polls_gaps_and_wakes_become_bars_gaps_and_arrows() {
        let entries = [
            entry(0, None, Event::PollStart { task: 4 }),
            entry(
                5,
                Some(4),
                Event::Poll {
                    task: 4,
                    result: PollResult::Pending,
                },
            ),
            entry(
                6,
                None,
                Event::Block {
                    timeout: None,
                    runnable: 0,
                    sockets: 1,
                },
            ),
            entry(
                100,
                None,
                Event::PollReturned {
                    events: 1,
                    elapsed: Duration::from_micros(94),
                },
            ),
            entry(
                101,
                None,
                Event::Ready {
                    token: 3,
                    ready: Ready::READABLE,
                    reader: Some(Some(4)),
                    writer: None,
                    more: 0,
                },
            ),
            entry(110, None, Event::PollStart { task: 4 }),
            entry(
                120,
                Some(4),
                Event::Poll {
                    task: 4,
                    result: PollResult::Ready,
                },
            ),
        ];
        let t = Timeline::build(&entries, 0);
        assert_eq!(t.tasks, [4]);
        assert_eq!(t.bars.len(), 2);
        assert_eq!((t.bars[1].start, t.bars[1].end), (110.0, 120.0));
        assert_eq!(t.gaps.len(), 1);
        assert!(t.gaps[0].line.contains("nothing to wait for but I/O"));
        assert_eq!(t.arrows.len(), 1);
        assert_eq!((t.arrows[0].at, t.arrows[0].to), (101.0, 110.0));
        assert!(t.html().contains("event token 3: READABLE -> wake task 4"));
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}

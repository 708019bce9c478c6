//! The timeline in the Chrome trace-event JSON format, for Perfetto and
//! `chrome://tracing`.
//!
//! The format (the "Trace Event Format" document of the Chromium project)
//! is a list of events, each with a phase `ph`, a time `ts` in µs, a
//! process `pid` and a thread `tid`. spindle writes one process with one
//! "thread" per lane:
//!
//! | lane | `tid` | events |
//! | --- | --- | --- |
//! | reactor | 1 | `X` (complete) events for the blocking waits, `i` (instant) events for socket events |
//! | timers | 2 | `i` events for fired timers |
//! | `block_on`, task N | 100 + N | `X` events for polls (`args.result`), `i` events for the other lines |
//!
//! A wake is a flow: an `s` event on the lane it came from, at the wake,
//! and an `f` event (`"bp": "e"`, bound to the enclosing slice) on the woken
//! task's lane at the start of its next poll, so Perfetto draws the arrow
//! from the reactor to the poll the wake caused. Each flow starts inside a
//! tiny `X` slice named `wake`, because a flow binds to slices. Every event
//! carries its trace line in `args.line`. Lane names come from `M`
//! (metadata) events.

use std::fmt::Write as _;

use super::timeline::{json_str, Lane, Timeline};

/// The process id every event carries.
const PID: u32 = 1;

/// A lane's `tid`.
fn tid(lane: Lane) -> u64 {
    match lane {
        Lane::Reactor => 1,
        Lane::Timers => 2,
        Lane::Task(task) => 100 + task,
    }
}

/// The whole file.
pub(crate) fn render(timeline: &Timeline) -> String {
    let mut events: Vec<String> = Vec::new();
    let mut lanes = vec![
        (Lane::Reactor, "reactor".to_owned()),
        (Lane::Timers, "timers".to_owned()),
    ];
    for &task in &timeline.tasks {
        let name = if task == 0 {
            "block_on".to_owned()
        } else {
            format!("task {task}")
        };
        lanes.push((Lane::Task(task), name));
    }
    events.push(format!(
        "{{\"ph\":\"M\",\"pid\":{PID},\"tid\":0,\"name\":\"process_name\",\"args\":{{\"name\":\"spindle runtime\"}}}}"
    ));
    for (i, (lane, name)) in lanes.iter().enumerate() {
        let tid = tid(*lane);
        events.push(format!(
            "{{\"ph\":\"M\",\"pid\":{PID},\"tid\":{tid},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}",
            json_str(name)
        ));
        events.push(format!(
            "{{\"ph\":\"M\",\"pid\":{PID},\"tid\":{tid},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{i}}}}}"
        ));
    }
    for bar in &timeline.bars {
        events.push(format!(
            "{{\"ph\":\"X\",\"pid\":{PID},\"tid\":{},\"name\":\"poll -> {}\",\"cat\":\"poll\",\"ts\":{:.1},\"dur\":{:.1},\"args\":{{\"result\":\"{}\",\"line\":{}}}}}",
            tid(Lane::Task(bar.task)),
            bar.result.name(),
            bar.start,
            (bar.end - bar.start).max(0.1),
            bar.result.name(),
            json_str(&bar.line)
        ));
    }
    for gap in &timeline.gaps {
        events.push(format!(
            "{{\"ph\":\"X\",\"pid\":{PID},\"tid\":1,\"name\":\"blocked in epoll_wait\",\"cat\":\"block\",\"ts\":{:.1},\"dur\":{:.1},\"args\":{{\"line\":{}}}}}",
            gap.start,
            (gap.end - gap.start).max(0.1),
            json_str(&gap.line)
        ));
    }
    for mark in &timeline.marks {
        events.push(format!(
            "{{\"ph\":\"i\",\"s\":\"t\",\"pid\":{PID},\"tid\":{},\"name\":\"{}\",\"cat\":\"line\",\"ts\":{:.1},\"args\":{{\"line\":{}}}}}",
            tid(mark.lane),
            mark.kind,
            mark.at,
            json_str(&mark.line)
        ));
    }
    for (id, arrow) in timeline.arrows.iter().enumerate() {
        let from = tid(arrow.from);
        let line = json_str(&arrow.line);
        events.push(format!(
            "{{\"ph\":\"X\",\"pid\":{PID},\"tid\":{from},\"name\":\"wake\",\"cat\":\"wake\",\"ts\":{:.1},\"dur\":0.1,\"args\":{{\"line\":{line}}}}}",
            arrow.at
        ));
        events.push(format!(
            "{{\"ph\":\"s\",\"pid\":{PID},\"tid\":{from},\"name\":\"wake\",\"cat\":\"wake\",\"id\":{id},\"ts\":{:.1}}}",
            arrow.at
        ));
        events.push(format!(
            "{{\"ph\":\"f\",\"bp\":\"e\",\"pid\":{PID},\"tid\":{},\"name\":\"wake\",\"cat\":\"wake\",\"id\":{id},\"ts\":{:.1}}}",
            tid(Lane::Task(arrow.task)),
            arrow.to
        ));
    }
    let mut out =
        String::from("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"source\":\"spindle explain\"");
    let _ = writeln!(
        out,
        ",\"dropped_events\":{}}},\"traceEvents\":[",
        timeline.dropped
    );
    out.push_str(&events.join(",\n"));
    out.push_str("\n]}\n");
    out
}

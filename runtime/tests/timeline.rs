//! The explain timeline: `Builder::explain_html` writes a page that a real
//! browser renders with one lane per task and one arrow per wake, without
//! script errors; `Builder::explain_json` writes Chrome trace-event JSON
//! with a complete event per poll and a flow per wake; both come from the
//! same record as the text trace.
//!
//! The browser test runs Chromium headless (`--dump-dom` for the counts
//! the page's script writes into `<body>`, `--screenshot` for a PNG). It is
//! skipped, with a printed reason, when no Chromium is installed; CI
//! installs Debian's `chromium`.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use support::trace::Recorder;

/// One echo round trip, a timer and a wake from another thread: every
/// kind of arrow the page draws (reactor, timers, task to task).
async fn scenario() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = spindle::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0; 4];
        stream.read_exact(&mut buf).await.unwrap();
        stream.write_all(&buf).await.unwrap();
    });
    let sleeper = spindle::spawn(spindle::time::sleep(Duration::from_millis(5)));
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"ping").await.unwrap();
    let mut echoed = [0; 4];
    client.read_exact(&mut echoed).await.unwrap();
    assert_eq!(&echoed, b"ping");
    let (tx, rx) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(10));
        tx.send(()).unwrap();
    });
    rx.await.unwrap();
    sleeper.await.unwrap();
    server.await.unwrap();
}

/// What the text trace says the picture must hold.
struct Expected {
    /// Tasks that were polled (`block_on` included).
    tasks: usize,
    /// Wakes: socket events that woke a task (one per woken task), fired
    /// timers that woke one, remote wakes, and task-to-task wakes.
    arrows: usize,
    /// Polls.
    polls: usize,
}

/// Counts, from the level-1 lines, what the timeline must draw.
fn expected(lines: &[String]) -> Expected {
    let mut tasks = BTreeSet::new();
    let (mut arrows, mut polls) = (0, 0);
    for line in lines {
        if let Some(rest) = line.strip_prefix("poll ") {
            if let Some((task, _)) = rest.split_once(" -> ") {
                tasks.insert(task.to_owned());
                polls += 1;
            }
        } else if line.starts_with("event token ") && !line.ends_with("wakes nobody") {
            arrows += if line.contains(" (read), ") { 2 } else { 1 };
        } else if line.starts_with("timer fired -> wake ")
            || line.starts_with("remote wake -> ")
            || line.contains(" wakes ")
        // `task 2 wakes block_on`
        {
            arrows += 1;
        }
    }
    Expected {
        tasks: tasks.len(),
        arrows,
        polls,
    }
}

/// Runs the scenario with the text trace recorded and the files asked
/// for; returns the level-1 lines.
fn run_scenario(html: Option<&Path>, json: Option<&Path>) -> Vec<String> {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let mut builder = spindle::Runtime::builder();
        builder.explain_level(1);
        if let Some(html) = html {
            builder.explain_html(html);
        }
        if let Some(json) = json {
            builder.explain_json(json);
        }
        let rt = builder.build().unwrap();
        rt.block_on(scenario());
        drop(rt); // writes the files
    });
    recorder.lines()
}

/// A scratch path for this test binary.
fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
fn the_html_timeline_is_one_self_contained_file_with_every_line() {
    let html = scratch("timeline-self-contained.html");
    let lines = run_scenario(Some(&html), None);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    // No network: no external script, stylesheet, font or image (the one
    // `http://` is the SVG namespace name, which is never fetched).
    for banned in [
        "src=",
        "<link",
        "@import",
        "url(http",
        "href=\"http",
        "https://",
    ] {
        assert!(!page.contains(banned), "the page contains {banned:?}");
    }
    // Every printed line is in the page, for hovering and the line list.
    for line in &lines {
        let escaped = line.replace('"', "\\\"");
        assert!(page.contains(&escaped), "{line:?} is not in the page");
    }
}

#[test]
fn the_chrome_json_has_a_complete_event_per_poll_and_a_flow_per_wake() {
    let json = scratch("timeline.json");
    let lines = run_scenario(None, Some(&json));
    let want = expected(&lines);
    let text = std::fs::read_to_string(&json).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let events = value["traceEvents"].as_array().expect("traceEvents");
    let count = |ph: &str, cat: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == ph && e["cat"] == cat)
            .count()
    };
    assert_eq!(count("X", "poll"), want.polls);
    assert_eq!(count("s", "wake"), want.arrows);
    assert_eq!(count("f", "wake"), want.arrows);
    assert!(
        count("X", "block") >= 2,
        "the scenario blocks for the timer and the thread"
    );
    // One named lane per task, plus the reactor and the timers.
    let lanes = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .count();
    assert_eq!(lanes, want.tasks + 2);
    // Every poll sits on its task's lane and carries its trace line.
    for poll in events.iter().filter(|e| e["cat"] == "poll") {
        let line = poll["args"]["line"].as_str().unwrap();
        assert!(lines.iter().any(|l| l == line), "{line:?}");
        assert!(poll["tid"].as_u64().unwrap() >= 100);
    }
}

/// The Chromium binary on `PATH`, if any.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs Chromium headless on `page` with `args`; returns its stdout.
/// Panics if it fails or takes more than a minute.
fn run_chromium(chromium: &Path, page: &Path, args: &[&str]) -> String {
    let profile = scratch("chromium-profile");
    // Its output and its log go to files (a pipe could fill up while this
    // waits); the log is shown if it fails.
    let out_path = scratch("chromium.out");
    let log_path = scratch("chromium.log");
    let out = std::fs::File::create(&out_path).unwrap();
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .args([
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(out)
        .stderr(log)
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium took more than a minute on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "chromium failed ({status:?}); its log:\n{}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
    String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned()
}

/// The value of attribute `name` in the `<body …>` tag of `dom`.
fn body_attribute<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let start = body.find(&format!("{name}=\""))? + name.len() + 2;
    let len = body[start..].find('"')?;
    Some(&body[start..start + len])
}

#[test]
fn a_browser_draws_a_lane_per_task_and_an_arrow_per_wake() {
    let Some(chromium) = chromium() else {
        println!(
            "SKIPPED: no chromium on PATH (apt-get install chromium); the page is not rendered"
        );
        return;
    };
    let html = scratch("timeline-browser.html");
    let lines = run_scenario(Some(&html), None);
    let want = expected(&lines);
    let dom = run_chromium(&chromium, &html, &["--dump-dom"]);
    assert_eq!(body_attribute(&dom, "data-error"), None, "script error");
    assert_eq!(
        body_attribute(&dom, "data-ok"),
        Some("true"),
        "the script did not finish"
    );
    let count = |name| body_attribute(&dom, name).and_then(|v| v.parse::<usize>().ok());
    assert_eq!(count("data-task-lanes"), Some(want.tasks));
    assert_eq!(count("data-arrows"), Some(want.arrows));
    assert_eq!(count("data-bars"), Some(want.polls));
    // The drawn shapes themselves, not only the script's counts.
    assert_eq!(dom.matches("class=\"arrow\"").count(), want.arrows);
    assert_eq!(dom.matches("class=\"poll\"").count(), want.polls);

    let png = scratch("explain-timeline.png");
    let _ = std::fs::remove_file(&png);
    let screenshot = format!("--screenshot={}", png.display());
    run_chromium(&chromium, &html, &[&screenshot, "--window-size=1400,520"]);
    let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    println!("screenshot: {}", png.display());
}

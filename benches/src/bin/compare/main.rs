//! `compare`: every contender, the same load, side by side.
//!
//! ```text
//! cargo run --release -p spindle-benches --bin compare [-- --quick] [options]
//! ```
//!
//! For each contender × mode (http, echo) × connection count it starts a
//! fresh server process on port 0, pins it to one CPU and `loadgen` to the
//! others, warms up, measures, and records throughput, latency percentiles,
//! server CPU time and system calls per request, and peak RSS. Contenders
//! run interleaved (A B C … A B C …) for several rounds; the report gives
//! medians and each ratio to tokio-current-thread and raw-mio. Then it runs
//! every contender but blocking-iterative open loop at half of tokio's peak
//! (see `open_loop.rs`) and pipelined, 16 requests per write over 256
//! connections (`pipelined.rs`); probes every event loop beside one
//! flooding connection (`fairness.rs`); measures server CPU while 1,000
//! connections sit idle, and resident memory per connection with 10,000
//! idle keep-alive connections held open. `--render-readme` runs nothing:
//! it rewrites the README's benchmark section and chart from a saved
//! `report.json` (`readme.rs`).
//!
//! The contenders are this crate's eight servers and `spindle-server` (built
//! by `cargo build --release -p spindle-server`); a binary that does not
//! exist is reported as `missing`, not an error.
//!
//! Output, in `target/compare/`: `report.md` (also printed), `report.json`,
//! `chart.svg`, and `logs/` with each server's stderr. `compare` exits
//! non-zero if one of the three files, or a row for a contender, is missing,
//! so CI can run a tiny configuration as a smoke test.
//!
//! # What it compares against
//!
//! tokio-current-thread is the industry reference for a single-threaded
//! runtime; raw-mio is the floor (the same event loop without futures); the
//! blocking and busy-poll servers show what an event loop buys at all.
//!
//! Every server process is killed by a guard when its cell ends, also on a
//! panic; Ctrl-C stops the run at the next check (every 50 ms) and the
//! guards clean up.

mod chart;
mod fairness;
mod loadgen;
mod open_loop;
mod perf;
mod pipelined;
mod procfs;
mod readme;
mod report;
mod scenarios;
mod server;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::Ordering;

use clap::Parser;
use spindle_benches::affinity::allowed_cpus;
use spindle_benches::{rlimit, Mode};

use crate::open_loop::OpenLoopTable;
use crate::report::{CellRun, IdleRow, MemoryRow, Outcome, Report, Row, ScalingRow};
use crate::scenarios::{Ctx, Load};
use crate::server::{sibling_binary, speaks, Cpus, CONTENDERS};

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Run every contender server under the same load and report side by side")]
struct Cli {
    /// A short run (a minute or two): connections 1,100; 1.5 s windows after
    /// 0.5 s warmups; one round; open loop at 100 connections; idle test
    /// 1.5 s; no 10k memory scenario.
    #[arg(long)]
    quick: bool,
    /// Measured window per cell, seconds [full: 5, quick: 1.5].
    #[arg(long)]
    duration: Option<f64>,
    /// Warmup per cell, seconds [full: 1, quick: 0.5].
    #[arg(long)]
    warmup: Option<f64>,
    /// Rounds (each contender once per cell per round) [full: 5, quick: 1].
    #[arg(long)]
    rounds: Option<usize>,
    /// Connection counts [full: 1,16,100,1000,10000; quick: 1,100].
    #[arg(long, value_delimiter = ',')]
    connections: Option<Vec<usize>>,
    /// Modes to run.
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [Mode::Http, Mode::Echo])]
    modes: Vec<Mode>,
    /// Contenders to run, by name (default: all nine).
    #[arg(long, value_delimiter = ',')]
    contenders: Option<Vec<String>>,
    /// Connections held open in the idle-CPU test.
    #[arg(long, default_value_t = 1000)]
    idle_connections: usize,
    /// Length of the idle-CPU test, seconds [full: 5, quick: 1.5].
    #[arg(long)]
    idle_secs: Option<f64>,
    /// Skip the idle-CPU test.
    #[arg(long)]
    skip_idle: bool,
    /// Connections held open in the memory scenario.
    #[arg(long, default_value_t = 10_000)]
    memory_connections: usize,
    /// Skip the memory scenario (implied by --quick unless --memory is given).
    #[arg(long)]
    skip_memory: bool,
    /// Run the memory scenario even with --quick.
    #[arg(long)]
    memory: bool,
    /// Per-request deadline for loadgen, seconds.
    #[arg(long, default_value_t = 2.0)]
    timeout: f64,
    /// Also run spindle-server --threads N on N CPUs for each N listed
    /// (loadgen on the remaining CPUs).
    #[arg(long, value_delimiter = ',')]
    scaling: Option<Vec<usize>>,
    /// Connections for the open-loop latency scenario.
    #[arg(long, default_value_t = 100)]
    open_loop_connections: usize,
    /// Skip the open-loop latency scenario (every contender but
    /// blocking-iterative at half of tokio's closed-loop peak).
    #[arg(long)]
    skip_open_loop: bool,
    /// Connections for the pipelined scenario [full: 256, quick: 32].
    #[arg(long)]
    pipelined_connections: Option<usize>,
    /// Requests per write in the pipelined scenario.
    #[arg(long, default_value_t = pipelined::DEPTH)]
    pipeline_depth: usize,
    /// Skip the pipelined scenario.
    #[arg(long)]
    skip_pipelined: bool,
    /// Length of each phase of the fairness scenario (probe alone, probe
    /// beside a flood), seconds [full: 3, quick: 1].
    #[arg(long)]
    fairness_secs: Option<f64>,
    /// Skip the fairness scenario.
    #[arg(long)]
    skip_fairness: bool,
    /// Instead of running anything: rewrite the benchmark section of
    /// README (between its markers) and the chart from a report.json
    /// (default: docs/benchmarks/report.json, README.md and
    /// docs/benchmarks/chart.svg under the workspace root).
    #[arg(long)]
    render_readme: bool,
    /// With --render-readme: only check that README's section is what
    /// the report renders to; exit 1 with the difference if not.
    #[arg(long)]
    check: bool,
    /// With --render-readme: the report to render.
    #[arg(long)]
    report: Option<PathBuf>,
    /// With --render-readme: the README to rewrite.
    #[arg(long)]
    readme: Option<PathBuf>,
    /// With --render-readme: where to draw the chart.
    #[arg(long)]
    chart: Option<PathBuf>,
    /// Connections for the --scaling runs.
    #[arg(long, default_value_t = 1000)]
    scaling_connections: usize,
    /// Let loadgen sleep in epoll_wait during load cells instead of
    /// busy-polling its own CPU. Spinning is the default because on virtual
    /// machines a sleeping vCPU can take milliseconds to wake, and that
    /// delay would be charged to the server's latency.
    #[arg(long)]
    no_spin: bool,
    /// Output directory [default: target/compare next to the binaries].
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.render_readme {
        return match readme::render(
            cli.report.as_deref(),
            cli.readme.as_deref(),
            cli.chart.as_deref(),
            cli.check,
        ) {
            Ok(code) => code,
            Err(msg) => {
                eprintln!("compare --render-readme: {msg}");
                ExitCode::FAILURE
            }
        };
    }
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("compare: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// The whole run; `Err` is a message for the user.
fn run(cli: Cli) -> Result<ExitCode, String> {
    let _ = ctrlc::set_handler(|| loadgen::INTERRUPTED.store(true, Ordering::Relaxed));
    let nofile = rlimit::raise_nofile().map_err(|e| format!("cannot raise RLIMIT_NOFILE: {e}"))?;

    let quick = cli.quick;
    let duration = cli.duration.unwrap_or(if quick { 1.5 } else { 5.0 });
    let warmup = cli.warmup.unwrap_or(if quick { 0.5 } else { 1.0 });
    let rounds = cli.rounds.unwrap_or(if quick { 1 } else { 5 }).max(1);
    let conns = cli.connections.clone().unwrap_or_else(|| {
        if quick {
            vec![1, 100]
        } else {
            vec![1, 16, 100, 1000, 10_000]
        }
    });
    let idle_secs = cli.idle_secs.unwrap_or(if quick { 1.5 } else { 5.0 });
    let run_memory = !cli.skip_memory && (!quick || cli.memory);
    let contenders: Vec<String> = match &cli.contenders {
        Some(list) => list.clone(),
        None => CONTENDERS.iter().map(|s| s.to_string()).collect(),
    };
    if let Some(unknown) = contenders
        .iter()
        .find(|c| !CONTENDERS.contains(&c.as_str()))
    {
        return Err(format!(
            "unknown contender {unknown:?}; known: {}",
            CONTENDERS.join(", ")
        ));
    }

    // CPUs: the server gets the first, loadgen the rest.
    let cpus = allowed_cpus();
    let (cpu_plan, pin_note) = if cpus.len() >= 2 {
        let plan = Cpus {
            server: vec![cpus[0]],
            load: cpus[1..].to_vec(),
        };
        let note = format!(
            "server pinned to CPU {}, loadgen to CPUs {:?}",
            cpus[0],
            &cpus[1..]
        );
        (plan, note)
    } else {
        let plan = Cpus {
            server: Vec::new(),
            load: Vec::new(),
        };
        (
            plan,
            format!(
                "NOT pinned: only {} CPU available, server and loadgen share it",
                cpus.len()
            ),
        )
    };
    if let Some(scaling) = &cli.scaling {
        let need = scaling.iter().max().copied().unwrap_or(0) + 1;
        if cpus.len() < need {
            return Err(format!(
                "--scaling {scaling:?} needs {need} CPUs ({} for spindle-server --threads {} and at least 1 for loadgen); this machine allows {}: {cpus:?}",
                need - 1,
                need - 1,
                cpus.len()
            ));
        }
    }
    println!("compare: {pin_note}");
    Cpus::pin(&cpu_plan.load);

    let loadgen_exe = ensure_own_binaries()?;
    let out = cli.out.clone().unwrap_or_else(default_out_dir);
    let logs = out.join("logs");
    fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    let perf_ok = perf::available();
    let ctx = Ctx {
        loadgen: loadgen_exe,
        loadgen_threads: cpu_plan.load.len().max(1),
        cpus: cpu_plan,
        duration,
        warmup,
        timeout: cli.timeout,
        perf: perf_ok,
        spin: !cli.no_spin,
    };
    let exe_of = |name: &str| sibling_binary(name);
    let log_of = |name: &str| logs.join(format!("{name}.log"));

    // 1. The load matrix, interleaved: round → mode → connections → contender.
    let mut runs = Vec::new();
    for round in 1..=rounds {
        for &mode in &cli.modes {
            for &connections in &conns {
                for name in contenders.iter().filter(|c| speaks(c, mode)) {
                    check_interrupted()?;
                    let outcome = Outcome::of(exe_of(name), |exe| {
                        scenarios::load_cell(
                            &ctx,
                            exe,
                            &[],
                            mode,
                            connections,
                            Load::Closed,
                            &log_of(name),
                        )
                    });
                    print_cell(round, rounds, name, mode, connections, &outcome);
                    runs.push(CellRun {
                        contender: name.clone(),
                        mode,
                        connections,
                        round,
                        outcome,
                    });
                }
            }
        }
    }

    let rows = report::summarize(&runs, &contenders, &cli.modes, &conns);

    // 1b. Open loop at half of tokio's peak, interleaved the same way.
    let mut open_tables = Vec::new();
    if !cli.skip_open_loop {
        let open_conns = cli.open_loop_connections;
        let open_contenders = open_loop::contenders(&contenders);
        for &mode in &cli.modes {
            let table = open_loop_basis(&ctx, &rows, mode, open_conns, rounds, &log_of)?;
            if let Some(rate) = table.rate {
                println!(
                    "open   {} {open_conns} conns: {rate:.0} req/s ({})",
                    mode.name(),
                    table.basis
                );
            }
            open_tables.push(table);
        }
        for round in 1..=rounds {
            for table in &mut open_tables {
                let Some(rate) = table.rate else { continue };
                for name in open_contenders.iter().filter(|c| speaks(c, table.mode)) {
                    check_interrupted()?;
                    let outcome = Outcome::of(exe_of(name), |exe| {
                        scenarios::load_cell(
                            &ctx,
                            exe,
                            &[],
                            table.mode,
                            open_conns,
                            Load::Open(rate),
                            &log_of(name),
                        )
                    });
                    println!(
                        "[{round}/{rounds}] open {:<4} {open_conns:>5} conns  {name:<22} {}",
                        table.mode.name(),
                        open_loop::progress(&outcome)
                    );
                    table.runs.push(CellRun {
                        contender: name.clone(),
                        mode: table.mode,
                        connections: open_conns,
                        round,
                        outcome,
                    });
                }
            }
        }
        for table in &mut open_tables {
            open_loop::summarize(table, &open_contenders);
        }
    }

    // 1c. Pipelined, interleaved the same way.
    let mut pipelined_table = None;
    if !cli.skip_pipelined && cli.modes.contains(&Mode::Http) {
        let connections =
            cli.pipelined_connections
                .unwrap_or(if quick { 32 } else { pipelined::CONNECTIONS });
        let depth = cli.pipeline_depth.max(1);
        let names = pipelined::contenders(&contenders);
        let mut table = pipelined::PipelinedTable {
            depth,
            connections,
            rows: Vec::new(),
            runs: Vec::new(),
        };
        for round in 1..=rounds {
            for name in &names {
                check_interrupted()?;
                let outcome = Outcome::of(exe_of(name), |exe| {
                    let load = Load::Pipelined(depth);
                    scenarios::load_cell(
                        &ctx,
                        exe,
                        &[],
                        Mode::Http,
                        connections,
                        load,
                        &log_of(name),
                    )
                });
                println!(
                    "[{round}/{rounds}] pipelined x{depth} {connections:>5} conns  {name:<22} {}",
                    open_loop::progress(&outcome)
                );
                table.runs.push(CellRun {
                    contender: name.clone(),
                    mode: Mode::Http,
                    connections,
                    round,
                    outcome,
                });
            }
        }
        pipelined::summarize(&mut table, &names);
        pipelined_table = Some(table);
    }

    // 1d. Fairness: a probe beside a flood, interleaved the same way.
    let mut fairness_table = None;
    if !cli.skip_fairness {
        let phase_secs = cli.fairness_secs.unwrap_or(if quick { 1.0 } else { 3.0 });
        let names = fairness::contenders(&contenders);
        let mut table = fairness::FairnessTable {
            phase_secs,
            ..Default::default()
        };
        for round in 1..=rounds {
            for &mode in &cli.modes {
                for name in names.iter().filter(|c| speaks(c, mode)) {
                    check_interrupted()?;
                    let phase = std::time::Duration::from_secs_f64(phase_secs);
                    let outcome = Outcome::of(exe_of(name), |exe| {
                        fairness::cell(&ctx, exe, mode, phase, &log_of(name))
                    });
                    let what = match &outcome {
                        Outcome::Ok(o) => format!(
                            "probe p99 quiet {:>6} µs, flooded {:>7} µs (max {} µs), flood {:.0} MiB/s",
                            o.quiet.p99_us, o.flooded.p99_us, o.flooded.max_us, o.flood_mib_per_sec
                        ),
                        Outcome::Missing => "missing (binary not built)".to_string(),
                        Outcome::Failed(msg) => format!("failed: {msg}"),
                    };
                    println!(
                        "[{round}/{rounds}] fairness {:<4} {name:<22} {what}",
                        mode.name()
                    );
                    table.runs.push(fairness::FairnessRun {
                        contender: name.clone(),
                        mode,
                        round,
                        outcome,
                    });
                }
            }
        }
        fairness::summarize(&mut table, &names, &cli.modes);
        fairness_table = Some(table);
    }

    // 2. Idle CPU.
    let mut idle = Vec::new();
    if !cli.skip_idle {
        for name in &contenders {
            check_interrupted()?;
            let outcome = Outcome::of(exe_of(name), |exe| {
                scenarios::idle_cpu(&ctx, exe, cli.idle_connections, idle_secs, &log_of(name))
            });
            println!("idle   {name:<22} {outcome:?}");
            idle.push(IdleRow {
                contender: name.clone(),
                connections: cli.idle_connections,
                outcome,
            });
        }
    }

    // 3. Memory per connection.
    let mut memory = Vec::new();
    if run_memory {
        for name in &contenders {
            check_interrupted()?;
            let outcome = Outcome::of(exe_of(name), |exe| {
                scenarios::memory(&ctx, exe, cli.memory_connections, &log_of(name))
            });
            println!("memory {name:<22} {outcome:?}");
            memory.push(MemoryRow {
                contender: name.clone(),
                connections: cli.memory_connections,
                outcome,
            });
        }
    }

    // 4. Scaling (checked above that the CPUs exist).
    let mut scaling = Vec::new();
    for &threads in cli.scaling.iter().flatten() {
        check_interrupted()?;
        let outcome = match exe_of("spindle-server") {
            None => Outcome::Missing,
            Some(exe) => {
                let mut scaled = ctx.clone();
                scaled.cpus = Cpus {
                    server: cpus[..threads].to_vec(),
                    load: cpus[threads..].to_vec(),
                };
                scaled.loadgen_threads = cpus.len() - threads;
                let extra = vec!["--threads".to_string(), threads.to_string()];
                let result = scenarios::load_cell(
                    &scaled,
                    &exe,
                    &extra,
                    Mode::Http,
                    cli.scaling_connections,
                    Load::Closed,
                    &log_of("spindle-server"),
                );
                match result {
                    Ok(o) => Outcome::Ok(o),
                    Err(msg) => Outcome::Failed(msg),
                }
            }
        };
        println!("scaling threads={threads} {outcome:?}");
        scaling.push(ScalingRow {
            threads,
            connections: cli.scaling_connections,
            outcome,
        });
    }

    // 5. Report.
    let setup = vec![
        format!("machine: {} CPUs allowed ({cpus:?}); {pin_note}", cpus.len()),
        format!(
            "cells: {} round(s) × modes {:?} × connections {conns:?}; warmup {warmup} s, window {duration} s, request deadline {} s",
            rounds,
            cli.modes.iter().map(|m| m.name()).collect::<Vec<_>>(),
            cli.timeout
        ),
        format!(
            "system calls: {}",
            if perf_ok { "perf stat -e raw_syscalls:sys_enter" } else { "n/a (perf stat cannot count raw_syscalls:sys_enter here)" }
        ),
        format!("open-file limit raised to {nofile}"),
        format!(
            "loadgen: closed loop, {} thread(s), one request in flight per connection, {}",
            ctx.loadgen_threads,
            if ctx.spin { "busy-polling its CPU (--spin)" } else { "sleeping in epoll_wait" }
        ),
        if cli.skip_open_loop {
            "open loop: skipped (--skip-open-loop)".to_string()
        } else {
            format!(
                "open loop: {} connections at {:.0}% of tokio-current-thread's closed-loop req/s there, latency from each request's scheduled send time; {} left out",
                cli.open_loop_connections,
                open_loop::OPEN_LOOP_FRACTION * 100.0,
                open_loop::EXCLUDED
            )
        },
    ];
    let report = Report {
        setup,
        rows,
        idle,
        memory,
        scaling,
        open_loop: open_tables,
        pipelined: pipelined_table,
        fairness: fairness_table,
        runs,
    };
    let md_path = out.join("report.md");
    let json_path = out.join("report.json");
    let chart_path = out.join("chart.svg");
    let chart_result = chart::draw(&chart_path, &report, &contenders, &cli.modes);
    if let Err(err) = &chart_result {
        eprintln!("compare: could not draw {}: {err}", chart_path.display());
    }
    let md = report::markdown(&report, &chart_path.display().to_string());
    fs::write(&md_path, &md).map_err(|e| format!("writing {}: {e}", md_path.display()))?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    fs::write(&json_path, json).map_err(|e| format!("writing {}: {e}", json_path.display()))?;
    println!("\n{md}");
    println!(
        "report: {}\njson:   {}\nchart:  {}",
        md_path.display(),
        json_path.display(),
        chart_path.display()
    );

    // 6. Self-check for CI: every file, and a row per contender.
    let mut problems = Vec::new();
    for path in [&md_path, &json_path, &chart_path] {
        if fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true) {
            problems.push(format!("{} is missing or empty", path.display()));
        }
    }
    for name in &contenders {
        if !report.rows.iter().any(|r| &r.contender == name) || !md.contains(&format!("| {name} |"))
        {
            problems.push(format!("no row for {name}"));
        }
    }
    if problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for problem in problems {
            eprintln!("compare: {problem}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// The open-loop table for `mode` with its rate set: half of tokio's
/// median closed-loop req/s from `rows` when that cell ran, else from
/// `rounds` closed-loop cells of tokio measured now. Without a tokio figure
/// the table has no rate and its cells are not run.
fn open_loop_basis(
    ctx: &scenarios::Ctx,
    rows: &[Row],
    mode: Mode,
    connections: usize,
    rounds: usize,
    log_of: &dyn Fn(&str) -> PathBuf,
) -> Result<OpenLoopTable, String> {
    let tokio = open_loop::REFERENCE;
    let mut table = open_loop::unmeasured(mode, connections, String::new());
    if let Some(peak) = open_loop::peak_from_rows(rows, mode, connections) {
        table.tokio_peak = Some(peak);
        table.rate = open_loop::rate_from_rows(rows, mode, connections);
        table.basis = format!(
            "{tokio} median {peak:.0} req/s in the closed-loop {} cell at {connections} connections",
            mode.name()
        );
        return Ok(table);
    }
    let Some(exe) = sibling_binary(tokio) else {
        table.basis = format!("{tokio} is not built, so its peak is unknown");
        return Ok(table);
    };
    // That cell was not in the matrix (or tokio was not a contender):
    // measure tokio's closed-loop peak there now.
    let mut peak_runs = Vec::new();
    for round in 1..=rounds {
        check_interrupted()?;
        let outcome = match scenarios::load_cell(
            ctx,
            &exe,
            &[],
            mode,
            connections,
            Load::Closed,
            &log_of(tokio),
        ) {
            Ok(o) => Outcome::Ok(o),
            Err(msg) => Outcome::Failed(msg),
        };
        print_cell(round, rounds, tokio, mode, connections, &outcome);
        peak_runs.push(CellRun {
            contender: tokio.to_string(),
            mode,
            connections,
            round,
            outcome,
        });
    }
    let peak_rows = report::summarize(&peak_runs, &[tokio.to_string()], &[mode], &[connections]);
    table.tokio_peak = open_loop::peak_from_rows(&peak_rows, mode, connections);
    table.rate = open_loop::rate_from_rows(&peak_rows, mode, connections);
    table.basis = match table.tokio_peak {
        Some(peak) => format!(
            "{tokio} median {peak:.0} req/s over {rounds} closed-loop {} cell(s) at {connections} connections measured for this table",
            mode.name()
        ),
        None => format!("{tokio}'s closed-loop peak could not be measured ({})", peak_rows[0].status),
    };
    table.peak_runs = peak_runs;
    Ok(table)
}

/// Fails with a message once Ctrl-C was pressed.
fn check_interrupted() -> Result<(), String> {
    if loadgen::INTERRUPTED.load(Ordering::Relaxed) {
        Err("interrupted".into())
    } else {
        Ok(())
    }
}

/// Prints one line of progress for a finished cell.
fn print_cell(
    round: usize,
    rounds: usize,
    name: &str,
    mode: Mode,
    conns: usize,
    outcome: &Outcome<scenarios::CellOutcome>,
) {
    let what = match outcome {
        Outcome::Ok(o) => format!(
            "{:>9.0} req/s  p99 {:>6} µs  errors {} timeouts {} answered {}",
            o.load.req_per_sec, o.load.p99_us, o.load.errors, o.load.timeouts, o.load.connected
        ),
        Outcome::Missing => "missing (binary not built)".to_string(),
        Outcome::Failed(msg) => format!("failed: {msg}"),
    };
    println!(
        "[{round}/{rounds}] {:<4} {conns:>5} conns  {name:<22} {what}",
        mode.name()
    );
}

/// Makes sure this crate's contender binaries and `loadgen` sit next to
/// `compare`; `cargo run --bin compare` builds only `compare`, so when they
/// are missing and we were started by cargo, build them once. Returns the
/// path of `loadgen`.
fn ensure_own_binaries() -> Result<PathBuf, String> {
    let own: Vec<&str> = CONTENDERS
        .iter()
        .copied()
        .filter(|c| *c != "spindle-server")
        .chain(["loadgen"])
        .collect();
    let missing = |list: &[&str]| list.iter().any(|name| sibling_binary(name).is_none());
    if missing(&own) {
        let cargo = std::env::var_os("CARGO").ok_or(
            "contender binaries are missing; run `cargo build --release -p spindle-benches --bins`",
        )?;
        let release = std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.parent()?.file_name()? == "release"))
            .unwrap_or(false);
        let mut command = Command::new(cargo);
        command.args(["build", "-p", "spindle-benches", "--bins"]);
        if release {
            command.arg("--release");
        }
        println!("compare: building the contender binaries: {command:?}");
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() || missing(&own) {
            return Err("could not build the contender binaries".into());
        }
    }
    sibling_binary("loadgen").ok_or_else(|| "loadgen is missing".into())
}

/// `target/compare`: the directory above the profile directory holding
/// `compare` (so `CARGO_TARGET_DIR` is respected), else `./target/compare`.
fn default_out_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("compare")))
        .unwrap_or_else(|| Path::new("target").join("compare"))
}

#!/usr/bin/env python3
"""The instruction-count guard: spindle's hot paths against a committed baseline.

    python3 benches/scripts/instruction-guard.py [--only OP,OP] [--baseline FILE]
    python3 benches/scripts/instruction-guard.py --update --reason "why it grew"

Counts user-space instructions per operation under
`valgrind --tool=cachegrind --cache-sim=no` for each hot path:

| op                  | what one operation is                                        |
| ------------------- | ------------------------------------------------------------ |
| server-echo         | one 64-byte echo message through `spindle-server --mode echo` |
| server-http         | one HTTP request through `spindle-server`                     |
| runtime-http, -echo | one HTTP request, echo message, through `spindle-runtime`     |
| hosted-http, -echo  | the same, with `spindle-runtime --tokio-host` (feature tokio) |
| ping-pong           | one 1-byte TCP round trip between two spindle tasks           |
| spawn-join          | `spawn(async { 1 }).await`                                    |
| timer               | arm a `sleep`, register it, cancel it                         |
| budget-yield        | one yield of a task whose budget is spent                     |
| tokio-http, -echo   | the tokio contender's request (a reference; never fails)      |

Each op runs twice, at N and at 3N operations (`hot-ops`, in
`benches/src/bin/hot-ops.rs`, is the workload; for the servers it is the
client, one request in flight on one connection), and the figure is
(I_3N - I_N) / 2N: start-up, connects and shutdown cancel out. One
connection with one request in flight fixes how many events a turn of the
loop handles, so the count repeats from run to run (within a few tenths
of a percent) whatever the machine's load.

The baseline is `docs/benchmarks/instructions.json`, with the rustc and
valgrind versions it was taken with. The guard fails (exit 1) when a
guarded op costs more than 5% above its baseline on the same rustc, and
names each one with its growth. When this rustc differs from the
baseline's, the compiler may have moved every figure: the guard prints the
new counts beside the old, warns, and passes. A deliberate increase (or a
new toolchain) is recorded with `--update --reason "..."` in the same
commit as the change that caused it.

Build first, spindle-server on its own so that the benches' `tokio` feature
stays out of it: `cargo build --release -p spindle-server && cargo build
--release -p spindle-benches`.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

from cachegrind import instructions, under_load, valgrind

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# Where cargo put the release binaries: `CARGO_TARGET_DIR` if set, as cargo does.
RELEASE = os.path.join(os.path.abspath(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")), "release")
BASELINE = os.path.join(ROOT, "docs", "benchmarks", "instructions.json")

# How much an op may grow on the same toolchain before the guard fails.
# Repeated runs of one binary agree within about 0.5%; a real change to a
# hot path shows as several percent.
THRESHOLD = 0.05

# (op, what one operation is, how to run it, N, guarded).
# N is sized so that each run takes a few seconds under valgrind.
OPS = [
    ("server-echo", "per echo message", ("server", "echo", ["spindle-server", "--mode", "echo", "--threads", "1"]), 10000, True),
    ("server-http", "per request", ("server", "http", ["spindle-server", "--mode", "http", "--threads", "1"]), 10000, True),
    ("runtime-http", "per request", ("server", "http", ["spindle-runtime", "--mode", "http"]), 10000, True),
    ("hosted-http", "per request, hosted in tokio", ("server", "http", ["spindle-runtime", "--mode", "http", "--tokio-host"]), 10000, True),
    ("hosted-echo", "per echo message, hosted in tokio", ("server", "echo", ["spindle-runtime", "--mode", "echo", "--tokio-host"]), 10000, True),
    ("runtime-echo", "per echo message", ("server", "echo", ["spindle-runtime", "--mode", "echo"]), 10000, True),
    ("ping-pong", "per round trip", ("local", "ping-pong"), 10000, True),
    ("spawn-join", "per spawn and join", ("local", "spawn-join"), 50000, True),
    ("timer", "per arm and cancel", ("local", "timer"), 50000, True),
    ("budget-yield", "per yield", ("local", "budget-yield"), 50000, True),
    ("tokio-http", "per request (reference)", ("server", "http", ["tokio-current-thread", "--mode", "http"]), 10000, False),
    ("tokio-echo", "per echo message (reference)", ("server", "echo", ["tokio-current-thread", "--mode", "echo"]), 10000, False),
]


def run_local(op, n):
    """Instructions of `hot-ops OP n` under cachegrind."""
    argv = valgrind([os.path.join(RELEASE, "hot-ops"), op, str(n)])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"instruction-guard: hot-ops {op} {n} failed:\n{done.stderr}")
    return instructions(done.stderr, f"hot-ops {op} {n}")


def run_server(mode, server, n):
    """Instructions of `server` under cachegrind while `hot-ops client` makes n requests."""
    def load(addr):
        client = subprocess.run(
            [os.path.join(RELEASE, "hot-ops"), "client", mode, addr, str(n)],
            capture_output=True, text=True, timeout=600,
        )
        if client.returncode != 0:
            sys.exit(f"instruction-guard: the client against {server[0]} failed: {client.stderr.strip()}")

    argv = [os.path.join(RELEASE, server[0])] + server[1:] + ["--addr", "127.0.0.1:0"]
    return under_load(argv, load)[0]


def measure(how, n):
    """Instructions per operation: the difference between a run of 3n and one of n."""
    if how[0] == "local":
        small, large = run_local(how[1], n), run_local(how[1], 3 * n)
    else:
        small, large = run_server(how[1], how[2], n), run_server(how[1], how[2], 3 * n)
    return (large - small) / (2 * n)


def version(argv):
    """The first line a tool prints of its version, or "unknown"."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[0].strip()
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description="spindle's instruction-count guard")
    parser.add_argument("--only", help="comma-separated ops to measure (default: all)")
    parser.add_argument("--baseline", default=BASELINE, help="the baseline JSON (default: %(default)s)")
    parser.add_argument("--update", action="store_true", help="write the measured counts as the new baseline")
    parser.add_argument("--reason", help="why the baseline changes (required with --update)")
    args = parser.parse_args()

    names = [op[0] for op in OPS]
    only = args.only.split(",") if args.only else names
    unknown = [name for name in only if name not in names]
    if unknown:
        sys.exit(f"instruction-guard: unknown op(s) {', '.join(unknown)}; known: {', '.join(names)}")
    if args.update and not args.reason:
        sys.exit("instruction-guard: --update needs --reason: say why the counts change")
    for binary in ("hot-ops", "spindle-server", "spindle-runtime", "tokio-current-thread"):
        if not os.path.exists(os.path.join(RELEASE, binary)):
            sys.exit(f"instruction-guard: target/release/{binary} is missing; run "
                     "`cargo build --release -p spindle-server && cargo build --release -p spindle-benches` first")

    rustc = version(["rustc", "--version"])
    baseline = {}
    if os.path.exists(args.baseline):
        with open(args.baseline) as f:
            baseline = json.load(f)
    old_ops = baseline.get("ops", {})
    same_toolchain = baseline.get("rustc") == rustc

    measured = {}
    failures = []
    print(f"{'op':<14} {'unit':<34} {'baseline':>10} {'now':>10} {'change':>8}")
    for name, unit, how, n, guarded in OPS:
        if name not in only:
            continue
        now = measure(how, n)
        measured[name] = {"instructions": round(now, 1), "unit": unit, "guarded": guarded}
        old = old_ops.get(name, {}).get("instructions")
        if old:
            change = now / old - 1
            mark = ""
            if guarded and change > THRESHOLD:
                mark = "  FAIL" if same_toolchain else "  (other rustc)"
                if same_toolchain:
                    failures.append(f"{name}: {old:,.1f} -> {now:,.1f} instructions {unit} ({change:+.1%})")
            print(f"{name:<14} {unit:<34} {old:>10,.1f} {now:>10,.1f} {change:>+8.1%}{mark}", flush=True)
        else:
            print(f"{name:<14} {unit:<34} {'-':>10} {now:>10,.1f} {'new':>8}", flush=True)

    for mode in ("http", "echo"):
        if f"hosted-{mode}" in measured and f"runtime-{mode}" in measured:
            ratio = measured[f"hosted-{mode}"]["instructions"] / measured[f"runtime-{mode}"]["instructions"]
            print(f"spindle-runtime {mode} hosted in tokio / standalone: {ratio:.2f}x")
    if "runtime-http" in measured and "tokio-http" in measured:
        ratio = measured["runtime-http"]["instructions"] / measured["tokio-http"]["instructions"]
        print(f"\nspindle-runtime http / tokio contender http: {ratio:.2f}x")

    if args.update:
        ops = dict(old_ops)
        ops.update(measured)
        record = {
            "rustc": rustc,
            "valgrind": version(["valgrind", "--version"]),
            "recorded": datetime.date.today().isoformat(),
            "reason": args.reason,
            "threshold": THRESHOLD,
            "ops": ops,
        }
        with open(args.baseline, "w") as f:
            json.dump(record, f, indent=2)
            f.write("\n")
        print(f"\nwrote {os.path.relpath(args.baseline, ROOT)}")
        return

    if not baseline:
        print(f"\ninstruction-guard: no baseline at {args.baseline}; record one with --update --reason ...")
        return
    if not same_toolchain:
        print(f"\ninstruction-guard: WARNING: the baseline was taken with {baseline.get('rustc')!r}, "
              f"this is {rustc!r}; the counts above are not compared (record a new baseline "
              "with --update on this toolchain)")
        return
    if failures:
        print(f"\ninstruction-guard: FAILED: grew by more than {THRESHOLD:.0%} on the same toolchain:")
        for failure in failures:
            print(f"  {failure}")
        print("A deliberate increase updates the baseline in the same commit: "
              "--update --reason \"...\"")
        sys.exit(1)
    print(f"\ninstruction-guard: every guarded op within {THRESHOLD:.0%} of its baseline")


if __name__ == "__main__":
    main()

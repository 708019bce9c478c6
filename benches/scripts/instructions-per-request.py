#!/usr/bin/env python3
"""User-space instructions per request of one server, counted by cachegrind.

    python3 benches/scripts/instructions-per-request.py [--connections N] MODE SERVER [ARGS...]

MODE is `http` or `echo`; SERVER and ARGS start a server that prints
`listening on ADDR` (spindle-server, or any contender in target/release).
`--connections` sets loadgen's connections (default 16).
Examples, after `cargo build --release -p spindle-server -p spindle-benches`:

    python3 benches/scripts/instructions-per-request.py http \\
        target/release/spindle-server --addr 127.0.0.1:0 --threads 1
    python3 benches/scripts/instructions-per-request.py http \\
        target/release/tokio-current-thread --mode http --addr 127.0.0.1:0
    python3 benches/scripts/instructions-per-request.py --connections 1 echo \\
        target/release/spindle-runtime --mode echo --addr 127.0.0.1:0 --tokio-host

The server runs under `valgrind --tool=cachegrind --cache-sim=no` twice;
`loadgen` (16 connections unless told, no warmup) drives it for 1 s, then
for 4 s, and SIGTERM stops it. The figure is (I_4s - I_1s) / (N_4s - N_1s): startup,
shutdown and the connects cancel out. Instruction counts do not depend on
the machine's load, unlike CPU time, so this is the figure to compare
across commits on a shared machine. Kernel time (the syscalls) is not in it.
"""
import json
import os
import subprocess
import sys

from cachegrind import under_load

LOADGEN = os.path.join(os.path.dirname(__file__), "..", "..", "target", "release", "loadgen")


def count(mode, server, secs, connections):
    """Runs `server` under cachegrind for `secs` of load: (instructions, requests)."""
    def load(addr):
        done = subprocess.run(
            [LOADGEN, "--addr", addr, "--mode", mode, "--connections", str(connections),
             "--duration", str(secs), "--warmup", "0", "--timeout", "20"],
            capture_output=True, text=True, timeout=secs + 120,
        )
        if done.returncode != 0:
            sys.exit(f"loadgen failed: {done.stderr.strip()}")
        return json.loads(done.stdout.strip().splitlines()[-1])["requests"]

    return under_load(server, load)


def main():
    args, connections = sys.argv[1:], 16
    if args[:1] == ["--connections"]:
        if len(args) < 2 or not args[1].isdigit() or int(args[1]) < 1:
            sys.exit(__doc__)
        args, connections = args[2:], int(args[1])
    if len(args) < 2 or args[0] not in ("http", "echo"):
        sys.exit(__doc__)
    mode, server = args[0], args[1:]
    short, long = count(mode, server, 1, connections), count(mode, server, 4, connections)
    if long[1] <= short[1]:
        sys.exit("the 4 s run answered no more requests than the 1 s run")
    per_request = (long[0] - short[0]) / (long[1] - short[1])
    print(f"{os.path.basename(server[0])} {mode}, {connections} connections: {per_request:,.0f} instructions/request "
          f"({short[0]:,} over {short[1]:,} requests, {long[0]:,} over {long[1]:,})")


if __name__ == "__main__":
    main()

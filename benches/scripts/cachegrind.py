"""Counting a server's user-space instructions under cachegrind: the part
`instruction-guard.py` and `instructions-per-request.py` share.

`under_load(argv, load)` starts `argv` under
`valgrind --tool=cachegrind --cache-sim=no`, waits for its
`listening on ADDR` line, calls `load(addr)`, stops it with SIGTERM and
returns the instructions it ran with what `load` returned. Any failure
ends the calling script with a message naming the server.
"""
import re
import signal
import subprocess
import sys
import tempfile
import time


def valgrind(argv):
    """The cachegrind command line that runs `argv`, writing no profile."""
    return ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"] + argv


def instructions(stderr, what):
    """The `I refs` total cachegrind printed on stderr."""
    refs = re.search(r"I\s+refs:\s+([\d,]+)", stderr)
    if refs is None:
        sys.exit(f"no instruction count from valgrind for {what}:\n{stderr}")
    return int(refs.group(1).replace(",", ""))


def under_load(argv, load):
    """(instructions, load(addr)) of the server `argv` under cachegrind."""
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(valgrind(argv), stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            addr = None
            deadline = time.monotonic() + 120
            while addr is None and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                found = re.search(r"listening on (\S+)", line)
                if found:
                    addr = found.group(1)
            if addr is None:
                err.seek(0)
                sys.exit(f"{argv[0]} printed no `listening on ADDR` line:\n{err.read()}")
            result = load(addr)
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        return instructions(err.read(), argv[0]), result

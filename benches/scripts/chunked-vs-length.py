#!/usr/bin/env python3
"""What a request body costs spindle-server when it arrives in 1 KiB pieces:
chunked against Content-Length, at several sizes, in instructions.

    python3 benches/scripts/chunked-vs-length.py [--sizes 16,128,1000] [--pace-ms 1] [--server PATH]

After `cargo build --release -p spindle-server`. For each body size (KiB)
and each framing, the server runs under `valgrind --tool=cachegrind
--cache-sim=no` twice while one client connection sends it 1 and then 3
requests (`GET /` with the body, answered `200`); the figure is
(I_3 - I_1) / 2, the instructions of one request with startup and shutdown
cancelled out. The body goes out in 1 KiB writes with `--pace-ms` between
them, so that the server reads it piece by piece (under valgrind it is
slow enough that unpaced writes would pile up into a few large reads):

- `length`: `Content-Length: S`, then S bytes in 1 KiB writes;
- `chunked`: `Transfer-Encoding: chunked`, each write one chunk of 1 KiB
  (`400\\r\\n` + 1,024 bytes + `\\r\\n`), then `0\\r\\n\\r\\n`.

A server that parses a request from its first byte after every read
costs O(S^2) here; one that keeps its place costs O(S). The table gives
the instructions per request and per KiB (flat across sizes when linear)
and the chunked/length ratio at each size.
"""
import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cachegrind import under_load  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SERVER = os.path.join(ROOT, "target", "release", "spindle-server")
PIECE = 1024


def pieces(framing, kib):
    """The writes of one request: the head, then the body piece by piece."""
    data = b"x" * PIECE
    if framing == "length":
        yield f"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: {kib * PIECE}\r\n\r\n".encode()
        for _ in range(kib):
            yield data
    else:
        yield b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in range(kib):
            yield b"400\r\n" + data + b"\r\n"
        yield b"0\r\n\r\n"


def read_response(sock):
    """Reads one response to the end of its Content-Length body."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        more = sock.recv(4096)
        if not more:
            sys.exit("chunked-vs-length: the server closed the connection")
        buf += more
    head, _, rest = buf.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit(f"chunked-vs-length: unexpected answer {head[:40]!r}")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += sock.recv(4096)


def client(framing, kib, requests, pace):
    """A load function for `under_load`: `requests` requests on one connection."""
    def load(addr):
        host, port = addr.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=60) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(requests):
                for piece in pieces(framing, kib):
                    sock.sendall(piece)
                    time.sleep(pace)
                read_response(sock)
        return requests
    return load


def per_request(server, framing, kib, pace):
    """Instructions of one request: (I_3 - I_1) / 2."""
    argv = [server, "--mode", "http", "--threads", "1", "--addr", "127.0.0.1:0"]
    one = under_load(argv, client(framing, kib, 1, pace))[0]
    three = under_load(argv, client(framing, kib, 3, pace))[0]
    return (three - one) / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="16,128,1000", help="body sizes in KiB (default %(default)s)")
    parser.add_argument("--pace-ms", type=float, default=1.0, help="pause after each write (default %(default)s)")
    parser.add_argument("--server", default=SERVER, help="the spindle-server binary (default: target/release)")
    args = parser.parse_args()
    if not os.path.exists(args.server):
        sys.exit("chunked-vs-length: build first: cargo build --release -p spindle-server")
    sizes = [int(s) for s in args.sizes.split(",")]
    if any(s < 1 or s * PIECE > 1024 * 1024 for s in sizes):
        sys.exit("chunked-vs-length: sizes are 1..1024 KiB (the server's default body limit is 1 MiB)")
    pace = args.pace_ms / 1000
    print(f"{'body':>8} {'length':>14} {'per KiB':>9} {'chunked':>14} {'per KiB':>9} {'chunked/length':>15}")
    for kib in sizes:
        length = per_request(args.server, "length", kib, pace)
        chunked = per_request(args.server, "chunked", kib, pace)
        print(f"{kib:>5} KiB {length:>14,.0f} {length / kib:>9,.0f} {chunked:>14,.0f} "
              f"{chunked / kib:>9,.0f} {chunked / length:>14.2f}x", flush=True)


if __name__ == "__main__":
    main()

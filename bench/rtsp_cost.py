#!/usr/bin/env python3
"""Helpers for bench/rtsp-cost.sh (standard library only, loopback only).

  sink DIR NAME SECS   a UDP sink on 127.0.0.1:0: writes its port to DIR/NAME.port, counts datagrams and bytes; on
                       SIGTERM (or after SECS s) writes DIR/NAME.json
  report WORK          the table, from the files the script left in WORK
"""
import json
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze_cost import cpu_window  # noqa: E402  (the same /proc readings)


def sink(directory, name, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    with open(os.path.join(directory, name + ".port.tmp"), "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(os.path.join(directory, name + ".port.tmp"), os.path.join(directory, name + ".port"))
    datagrams = size = 0
    first = last = None
    deadline = time.monotonic() + seconds
    while not stop["now"] and time.monotonic() < deadline:
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        now = time.monotonic()
        first = first or now
        last = now
        datagrams += 1
        size += len(data)
    with open(os.path.join(directory, name + ".json"), "w") as f:
        json.dump({"datagrams": datagrams, "bytes": size,
                   "seconds": (last - first) if first and last else 0}, f)


def facts(path):
    d = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            d[k] = v
    return d


def report(work):
    top = facts(os.path.join(work, "facts"))
    rows = []
    for name in ("relay", "ffmpeg"):
        run = os.path.join(work, name)
        if not os.path.isdir(run):
            continue
        f = facts(os.path.join(run, "facts"))
        with open(os.path.join(run, "snaps.jsonl")) as s:
            a, b = [json.loads(line) for line in s if line.strip()]
        seconds, total, threads = cpu_window(a, b, f["pid"])
        with open(os.path.join(run, "sink.json")) as s:
            got = json.load(s)
        mbit = got["bytes"] * 8 / got["seconds"] / 1e6 if got["seconds"] else 0
        top_threads = ", ".join(f"{n} {c * 100:.1f}%" for n, c in threads[:3])
        rows.append((f["what"], f"{total * 100:.1f}% of one core", f"{got['datagrams']} datagrams, "
                     f"{mbit:.2f} Mbit/s", f.get("rss_kb", "?"), top_threads, seconds))
    print(f"RTSP input cost, {top.get('date', '?')}; {top.get('host_note', '')}")
    print(f"clip: {top.get('clip_desc', '?')}; window {top.get('measure', '?')} s after {top.get('warmup', '?')} s")
    print(f"command: {top.get('command', '?')}")
    print()
    print("| process | CPU over the window | UDP sink got | RSS at the end, KiB | busiest threads |")
    print("|---|---|---|---|---|")
    for what, cpu, sink_got, rss, threads, _ in rows:
        print(f"| {what} | {cpu} | {sink_got} | {rss} | {threads} |")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "sink":
        sink(args[0], args[1], float(args[2]))
    elif cmd == "report":
        report(args[0])
    else:
        raise SystemExit(__doc__)

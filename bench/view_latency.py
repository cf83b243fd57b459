#!/usr/bin/env python3
"""Helpers for bench/view-latency.sh (standard library only, loopback only).

  tap DIR SECS     a UDP forwarder on 127.0.0.1 (to the port in DIR/forward, once it exists) between the camera and
                   the relay; for each video PES it notes the capture time in the access unit's SEI (io.streamtee.ts
                   CaptureTime) and when the PES's first and last datagrams passed (epoch ns): DIR/frames.tsv. Writes
                   its port to DIR/port; ends after SECS seconds or on SIGTERM
  report DIR       the tables (Markdown), from DIR/facts, DIR/first.jsonl, DIR/samples.jsonl, DIR/summary.json and
                   DIR/frames.tsv
"""
import json
import os
import signal
import socket
import statistics
import sys
import threading
import time

UUID = bytes.fromhex("d97094fe76cb4bb5aae75abe37fddf10")


def unescape(b):
    """Drops the emulation prevention bytes (00 00 03 -> 00 00)."""
    out = bytearray()
    zeros = 0
    for v in b:
        if zeros >= 2 and v == 3:
            zeros = 0
            continue
        zeros = zeros + 1 if v == 0 else 0
        out.append(v)
    return bytes(out)


def capture_us(payload):
    """Our capture time (epoch us) in the first bytes of an access unit, or None."""
    raw = unescape(payload)
    i = raw.find(UUID)
    if i < 0 or i + 24 > len(raw):
        return None
    return int.from_bytes(raw[i + 16:i + 24], "big", signed=True)


def tap(out_dir, seconds):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    fwd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with open(os.path.join(out_dir, "port.tmp"), "w") as f:
        f.write(f"{udp.getsockname()[1]}\n")
    os.rename(os.path.join(out_dir, "port.tmp"), os.path.join(out_dir, "port"))
    forward_port = None
    video_pid = None
    frame = None  # [capture_us or None, first_ns, last_ns, head bytes]
    with open(os.path.join(out_dir, "frames.tsv"), "w", buffering=1) as out:
        def close(f):
            if f is not None and f[0] is not None:
                out.write(f"{f[0]}\t{f[1]}\t{f[2]}\n")

        end = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < end:
            try:
                data = udp.recv(65536)
            except socket.timeout:
                continue
            now = time.time_ns()
            if forward_port is None:
                try:
                    forward_port = int(open(os.path.join(out_dir, "forward")).read())
                except (FileNotFoundError, ValueError):
                    continue
            fwd.sendto(data, ("127.0.0.1", forward_port))
            for off in range(0, len(data) - 187, 188):
                p = data[off:off + 188]
                if p[0] != 0x47:
                    continue
                pid = ((p[1] & 0x1F) << 8) | p[2]
                afc = (p[3] >> 4) & 3
                if not afc & 1:
                    continue
                i = 4 + (1 + p[4] if afc == 3 else 0)
                if p[1] & 0x40 and p[i:i + 3] == b"\x00\x00\x01" and 0xE0 <= p[i + 3] <= 0xEF:
                    video_pid = pid
                    close(frame)
                    frame = [None, now, now, bytearray(p[i + 9 + p[i + 8]:])]
                elif pid == video_pid and frame is not None:
                    frame[2] = now
                    if frame[0] is None and len(frame[3]) < 4096:
                        frame[3] += p[i:]
                else:
                    continue
                if frame[0] is None and len(frame[3]) < 4096 + 184:
                    frame[0] = capture_us(bytes(frame[3]))
        close(frame)


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))]


def row(name, values, goal=""):
    if not values:
        return f"| {name} | - | - | - | - | 0 | {goal} |"
    p = [percentile(values, q) for q in (50, 90, 99)]
    return (f"| {name} | {p[0]:.1f} | {p[1]:.1f} | {p[2]:.1f} | {max(values):.1f} | {len(values)} | {goal} |")


def report(d):
    facts = dict(line.rstrip("\n").split("\t", 1) for line in open(os.path.join(d, "facts")))
    print(f"## streamtee view latency, {facts.get('date', '')}\n")
    print(f"`{facts.get('command', '')}`; {facts.get('host_note', '')}; {facts.get('setup', '')}\n")

    first = [json.loads(x) for x in open(os.path.join(d, "first.jsonl")) if x.strip()]
    if first:
        print(f"### First picture, {len(first)} fresh page loads (ms after the page started loading; GOP "
              f"{facts.get('gop', '?')} frames)\n")
        print("| load | HTML loaded | WebSocket made | open | first message | first decode | first picture (any)"
              " | **first live picture** | frames decoded by then | page's firstFrameMs |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for f in first:
            if f.get("firstLive") is None:  # an MSE page: its own figure
                f["firstLive"], f["decodesAtLive"] = f.get("pageFirstFrameMs"), None
        for k, f in enumerate(first, 1):
            cells = [f.get(x) for x in ("htmlLoaded", "ws", "open", "firstMessage", "firstDecode", "firstDraw")]
            page = f.get("pageFirstFrameMs")
            print(f"| {k} | " + " | ".join("-" if c is None else f"{c:.0f}" for c in cells)
                  + f" | **{f['firstLive']:.0f}** | {f.get('decodesAtLive')} | "
                  + ("-" if page is None else f"{page:.0f}") + " |")
        shown = [f["firstLive"] for f in first]
        decode = [f["firstLive"] - f["firstDecode"] for f in first if f.get("firstDecode") is not None]
        per = [(f["firstLive"] - f["firstDecode"]) / f["decodesAtLive"] for f in first
               if f.get("firstDecode") is not None and f.get("decodesAtLive")]
        print("\nA live picture is the frame that was the newest on the server when the WebSocket opened, or a newer"
              " one; the first picture (any) of a page that shows the cached GOP's stale frames comes earlier.")
        warm = f"; without the first load (a cold browser and the viewer's first WebSocket): median" \
            f" {statistics.median(shown[1:]):.0f} ms, max {max(shown[1:]):.0f} ms" if len(shown) > 1 else ""
        # the MSE page decodes inside the <video>: no decode() calls to time
        decoding = (f" Of it, decoding the cached GOP up to the live frame: median {statistics.median(decode):.0f} ms"
                    + (f" ({statistics.median(per):.1f} ms a frame)" if per else "") + ".") if decode else ""
        print(f"\nFirst live picture: median {statistics.median(shown):.0f} ms, max {max(shown):.0f} ms{warm}"
              f" (goal <= 500).{decoding}\n")

    if not os.path.exists(os.path.join(d, "summary.json")):
        return
    summary = json.load(open(os.path.join(d, "summary.json")))
    samples = [json.loads(x) for x in open(os.path.join(d, "samples.jsonl")) if x.strip()]
    taps = {}
    tap_file = os.path.join(d, "frames.tsv")
    if os.path.exists(tap_file):
        for line in open(tap_file):
            c, a, b = line.split()
            taps[int(c)] = (int(a) / 1e6, int(b) / 1e6)
    live = [s for s in samples if s.get("drawn") is not None]
    stamped = [s for s in live if s.get("capture") is not None]
    print(f"### Per frame drawn, {facts.get('seconds', '?')} s, mode {summary.get('mode')}, codec"
          f" {summary.get('codec')}\n")
    print(f"{len(samples)} frames decoded and sampled ({summary.get('samplesLost', 0)} samples lost;"
          f" {sum(1 for s in samples if s.get('catchUp'))} of them the cached GOP at the start), {len(live)}"
          f" drawn, {len(stamped)} of them with the capture-time SEI, {sum(1 for s in stamped if s['capture'] in taps)}"
          f" seen by the tap; page: received {summary.get('received')}, decoded {summary.get('decoded')}, drawn"
          f" {summary.get('drawn')}, dropped {summary.get('dropped')} (missing {summary.get('missing')}, decoded"
          f" but not drawn {summary.get('notDrawn')}), errors {summary.get('errors')}\n")
    print("| stage (ms) | p50 | p90 | p99 | max | frames | goal |")
    print("|---|---|---|---|---|---|---|")
    total = [s["drawn"] - s["capture"] / 1000 for s in stamped]
    with_tap = [s for s in stamped if s["capture"] in taps]
    if with_tap:
        print(row("camera: capture -> its first datagram sent", [taps[s["capture"]][0] - s["capture"] / 1000
                                                                  for s in with_tap]))
        print(row("camera: capture -> its last datagram sent", [taps[s["capture"]][1] - s["capture"] / 1000
                                                                 for s in with_tap]))
        print(row("network + relay + viewer's assembly: last datagram -> server receive",
                  [s["server"] - taps[s["capture"]][1] for s in with_tap]))
    else:
        print(row("camera + network + relay + assembly: capture -> server receive",
                  [s["server"] - s["capture"] / 1000 for s in stamped]))
    print(row("viewer server + WebSocket: server receive -> page arrival", [s["arrival"] - s["server"] for s in live]))
    if all(s.get("output") is not None for s in live):
        print(row("browser decode: arrival -> decoder output", [s["output"] - s["arrival"] for s in live]))
        print(row("draw: decoder output -> drawn", [s["drawn"] - s["output"] for s in live]))
    else:  # MSE: the <video> decodes and presents by itself; its buffer is part of this stage
        print(row("MSE: arrival -> presented (append, the video's buffer, decode, present)",
                  [s["drawn"] - s["arrival"] for s in live]))
    print(row("(not in the total) drawn -> the page's next rendering frame begins",
              [s["frame"] - s["drawn"] for s in live if s.get("frame") is not None]))
    print(row("server to screen: server receive -> drawn", [s["drawn"] - s["server"] for s in live]))
    if with_tap:
        print(row("everything after the camera: its last datagram sent -> drawn",
                  [s["drawn"] - taps[s["capture"]][1] for s in with_tap]))
    print(row("**glass to glass: capture -> drawn**", total, "p50 <= 150, p99 <= 300"))
    print()


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "tap":
        tap(sys.argv[2], float(sys.argv[3]))
    elif cmd == "report":
        report(sys.argv[2])
    else:
        sys.exit(__doc__)

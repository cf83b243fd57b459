#!/usr/bin/env python3
"""Helpers for bench/analyze-cost.sh (standard library only, loopback only).

  snap PID [PID...]          one line of JSON: wall clock and CPU ticks (utime+stime) of each process and thread
  tap DIR SECS               a UDP forwarder on 127.0.0.1 (to the port in DIR/forward, once it exists) that notes
                             when each video PES (by PTS) first arrives, plus an HTTP server recording every POST
                             (the analyzer's webhook sink) with its arrival time; writes DIR/ports ("udp N" and
                             "http N"), DIR/pts.tsv, DIR/hooks.jsonl; ends after SECS seconds or on SIGTERM
  decode-cpu LOG VIDEO_S     CPU seconds per second of video from `ffmpeg -benchmark` output
  report DIR                 the table, from the files the script left in DIR
"""
import json
import os
import re
import signal
import socket
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(stat_path):
    with open(stat_path) as f:
        text = f.read()
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return name, int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


def snap(pids):
    out = {"wall_ns": time.monotonic_ns(), "procs": {}}
    for pid in pids:
        _, total = cpu_ticks(f"/proc/{pid}/stat")
        threads = {}
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                name, ticks = cpu_ticks(f"/proc/{pid}/task/{tid}/stat")
            except (FileNotFoundError, ProcessLookupError):
                continue
            threads[tid] = [name, ticks]
        out["procs"][pid] = {"ticks": total, "threads": threads}
    print(json.dumps(out))


def video_ptses(datagram):
    """The PTS of every video PES that starts in this datagram (7 TS packets)."""
    found = []
    for off in range(0, len(datagram) - 187, 188):
        p = datagram[off:off + 188]
        if p[0] != 0x47 or not p[1] & 0x40:
            continue
        afc = (p[3] >> 4) & 3
        i = 4
        if afc == 2 or afc == 0:
            continue
        if afc == 3:
            i += 1 + p[4]
        h = p[i:i + 14]
        if len(h) < 14 or h[0:3] != b"\x00\x00\x01" or not 0xE0 <= h[3] <= 0xEF or not h[7] & 0x80:
            continue
        pts = (((h[9] >> 1) & 7) << 30) | (h[10] << 22) | ((h[11] >> 1) << 15) | (h[12] << 7) | (h[13] >> 1)
        found.append(pts)
    return found


def tap(out_dir, seconds):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    fwd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hooks = open(os.path.join(out_dir, "hooks.jsonl"), "a", buffering=1)
    lock = threading.Lock()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            arrival = time.time_ns()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            try:
                event = json.loads(body)
            except ValueError:
                event = None
            with lock:
                hooks.write(json.dumps({"arrival_ns": arrival, "event": event}) + "\n")

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    with open(os.path.join(out_dir, "ports.tmp"), "w") as f:
        f.write(f"udp {udp.getsockname()[1]}\nhttp {http.server_address[1]}\n")
    os.rename(os.path.join(out_dir, "ports.tmp"), os.path.join(out_dir, "ports"))
    seen = set()
    forward_port = None  # the analyzer's, from DIR/forward once the script knows it
    with open(os.path.join(out_dir, "pts.tsv"), "w", buffering=1) as pts_out:
        end = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < end:
            try:
                data = udp.recv(65536)
            except socket.timeout:
                continue
            arrival = time.time_ns()
            if forward_port is None:
                try:
                    forward_port = int(open(os.path.join(out_dir, "forward")).read())
                except (FileNotFoundError, ValueError):
                    continue
            fwd.sendto(data, ("127.0.0.1", forward_port))
            for pts in video_ptses(data):
                if pts not in seen:
                    seen.add(pts)
                    pts_out.write(f"{pts}\t{arrival}\n")
    http.shutdown()
    hooks.close()


def decode_cpu(log, video_seconds):
    m = re.search(r"bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s", open(log).read())
    if not m:
        sys.exit(f"no 'bench:' line in {log}")
    cpu = float(m.group(1)) + float(m.group(2))
    print(f"{cpu / float(video_seconds):.5f} {cpu:.3f} {float(m.group(3)):.3f}")


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))]


def cpu_window(a, b, pid):
    pa, pb = a["procs"][pid], b["procs"][pid]
    seconds = (b["wall_ns"] - a["wall_ns"]) / 1e9
    total = (pb["ticks"] - pa["ticks"]) / TICK / seconds
    by_name = {}
    for tid, (name, ticks) in pb["threads"].items():
        before = pa["threads"].get(tid, [name, 0])[1]
        by_name[name] = by_name.get(name, 0) + (ticks - before) / TICK / seconds
    return seconds, total, sorted(by_name.items(), key=lambda kv: -kv[1])


def visits(camera_log, day):
    """[(number, painted epoch ns, pts)] from the camera's 'visitor N in at HH:MM:SS.mmm UTC (frame F, pts P)'."""
    out = []
    for line in open(camera_log):
        m = re.search(r"visitor (\d+) in at (\d\d):(\d\d):(\d\d)\.(\d{3}) UTC \(frame \d+, pts (\d+)\)", line)
        if not m:
            continue
        t = day.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=int(m.group(4)),
                        microsecond=int(m.group(5)) * 1000)
        if t < day - timedelta(hours=12):
            t += timedelta(days=1)
        out.append((int(m.group(1)), int(t.timestamp() * 1e9), int(m.group(6))))
    return out


def facts(d):
    """DIR/facts: one 'key<TAB>value' a line, written by the script; a key given twice is a list."""
    r = {}
    for line in open(os.path.join(d, "facts")):
        key, _, value = line.rstrip("\n").partition("\t")
        if key in ("ffmpeg_threads1", "ffmpeg_threads_auto"):
            r.setdefault(key, []).append(value)
        else:
            r[key] = value
    return r


def report(d):
    r = facts(d)
    lines = []
    p = lines.append
    p(f"analyzer cost, {r['date']}, {r['host_note']}")
    p(f"clip: {r['clip']} ({r['clip_desc']})")
    p("")
    # 1. CPU
    a = [json.loads(l) for l in open(os.path.join(d, "cpu-snaps.jsonl"))]
    secs, an_cpu, an_threads = cpu_window(a[0], a[1], r["analyzer_pid"])
    _, cam_cpu, _ = cpu_window(a[0], a[1], r["sender_pid"])
    dec1 = [float(x.split()[0]) for x in r["ffmpeg_threads1"]]
    decn = [float(x.split()[0]) for x in r["ffmpeg_threads_auto"]]
    dec1_mean = statistics.mean(dec1)
    p(f"| measure | value | goal |")
    p(f"|---|---|---|")
    p(f"| **analyzer CPU**, {secs:.0f} s window after {r['warmup']} s warm-up | {an_cpu * 100:.1f}% of one core"
      f" | <= 12% |")
    p(f"| ffmpeg bare decode, -threads 1 (as VideoDecoder) | {dec1_mean * 100:.1f}% of one core at real time"
      f" (runs: {', '.join(f'{x * 100:.1f}%' for x in dec1)}) | |")
    p(f"| ffmpeg bare decode, default threads | {statistics.mean(decn) * 100:.1f}% of one core at real time"
      f" (runs: {', '.join(f'{x * 100:.1f}%' for x in decn)}) | |")
    if "ffmpeg_paced" in r:
        paced = float(r["ffmpeg_paced"].split()[0])
        p(f"| ffmpeg decode paced at real time (-re), -threads 1 | {paced * 100:.1f}% of one core"
          f" (analyzer / this: {an_cpu / paced:.2f}x) | |")
    p(f"| **ratio analyzer / ffmpeg -threads 1** | {an_cpu / dec1_mean:.2f}x | <= 1.3x |")
    p(f"| sender ({r['sender']}) CPU, same window | {cam_cpu * 100:.1f}% of one core | |")
    heap = {k[5:]: float(v) for k, v in r.items() if k.startswith("heap_") and v}
    p(f"| analyzer heap after full GC (live objects) | {heap.get('live_kb', 0) / 1024:.1f} MiB | |")
    p(f"| analyzer heap used after full GC (GC.heap_info) | {heap.get('used_kb', 0) / 1024:.1f} MiB | |")
    p(f"| analyzer heap committed after full GC | {heap.get('committed_kb', 0) / 1024:.1f} MiB | |")
    p(f"| analyzer RSS (peak) | {heap.get('rss_kb', 0) / 1024:.0f} MiB ({heap.get('hwm_kb', 0) / 1024:.0f} MiB)"
      f" | |")
    # 4. latency
    lat = latency(d, r)
    if lat["n"]:
        p(f"| visitor's first frame sent -> START event at the webhook, p50 / p90 (n={lat['n']}) |"
          f" {lat['p50']:.0f} / {lat['p90']:.0f} ms (min {lat['min']:.0f}, max {lat['max']:.0f}) | p50 <= 300 ms |")
        p(f"| same, from the frame's painting (camera log) | {lat['p50_paint']:.0f} / {lat['p90_paint']:.0f} ms"
          f" | |")
        rest = lat["all"][1:]
        if rest:
            p(f"| same without the first visit (the process's first webhook), p50 / p90 (n={len(rest)}) |"
              f" {percentile(rest, 50):.0f} / {percentile(rest, 90):.0f} ms | |")
    p(f"| visits / with their own START event / missed / inside an open event | {lat['visits']} / {lat['n']} /"
      f" {lat['missed']} / {lat['open']} | |")
    p("")
    p(f"analyzer threads over the window (% of one core): "
      + ", ".join(f"{name} {v * 100:.1f}" for name, v in an_threads[:6] if v > 0.0005))
    p(f"analyzer (CPU phase): {r.get('analyzer_summary', '?')}")
    p(f"sender: {r.get('sender_summary', '?')}")
    p(f"analyzer (latency phase): {r.get('latency_summary', '?')}")
    p(f"latency per visit (ms from sent): {', '.join(f'{x:.0f}' for x in lat['all']) or '-'}")
    for warning in warnings(r):
        p(f"WARNING: {warning}")
    p(f"ANALYZE_ARGS: '{r['analyze_args']}'; JVM: {r.get('jvm', '?')}")
    p(f"reproduce: {r['command']}")
    print("\n".join(lines))


def warnings(r):
    """What makes the figures doubtful: frames not decoded, datagrams not received."""
    out = []
    for phase, key in (("CPU", "analyzer_summary"), ("latency", "latency_summary")):
        m = re.search(r"(\d+) skipped \(overload\)", r.get(key, ""))
        if m and int(m.group(1)):
            out.append(f"the {phase} phase's analyzer skipped {m.group(1)} access units (overload): it fell behind")
    got = re.search(r"after [\d.]+s: (\d+) datagrams", r.get("analyzer_summary", ""))
    sent = re.search(r"sent (\d+) datagrams", r.get("sender_summary", ""))
    if got and sent and got.group(1) != sent.group(1):
        out.append(f"the CPU phase's analyzer received {got.group(1)} of {sent.group(1)} datagrams sent")
    return out


def latency(d, r):
    day = datetime.fromtimestamp(int(r["latency_start_epoch"]), timezone.utc)
    vs = visits(os.path.join(d, "latency-camera.log"), day)
    pts_at = {}
    for line in open(os.path.join(d, "pts.tsv")):
        pts, t = line.split()
        pts_at[int(pts)] = int(t)
    hooks = [json.loads(l) for l in open(os.path.join(d, "hooks.jsonl"))]
    motion = [h for h in hooks if h["event"] and h["event"].get("kind") == "MOTION"]
    starts = sorted((h["arrival_ns"], h["event"]["id"]) for h in motion if h["event"].get("phase") == "START")
    ends = {h["event"]["id"]: h["arrival_ns"] for h in motion if h["event"].get("phase") == "END"}
    every_ns = int(float(r["visit_every_s"]) * 1e9)
    from_sent, from_paint, missed, open_ = [], [], 0, 0
    for number, painted, pts in vs:
        sent = pts_at.get(pts % (1 << 33))
        if sent is None:
            missed += 1  # the camera stopped before it was sent, or the tap missed it
            continue
        mine = [t for t, _ in starts if sent <= t < sent + every_ns]
        if mine:
            from_sent.append((mine[0] - sent) / 1e6)
            from_paint.append((mine[0] - painted) / 1e6)
        elif any(t < sent and ends.get(i, 1 << 62) > sent for t, i in starts):
            open_ += 1
        else:
            missed += 1
    res = {"visits": len(vs), "n": len(from_sent), "missed": missed, "open": open_, "all": from_sent}
    if from_sent:
        res.update(p50=percentile(from_sent, 50), p90=percentile(from_sent, 90), min=min(from_sent),
                   max=max(from_sent), p50_paint=percentile(from_paint, 50), p90_paint=percentile(from_paint, 90))
    return res


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "snap":
        snap(args)
    elif cmd == "tap":
        tap(args[0], float(args[1]))
    elif cmd == "decode-cpu":
        decode_cpu(args[0], args[1])
    elif cmd == "report":
        report(args[0])
    else:
        sys.exit(f"unknown command {cmd}")

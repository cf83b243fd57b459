#!/usr/bin/env python3
"""Many cameras in one relay against one C relay per camera, in one sitting (issue 15):

    python3 bench/many-routes.py [--routes 100] [--rate 380] [--outs 3] [--seconds 20] [--warmup 10] \
        [--cand ideal,streamtee,samplicator] [--samplicator PATH]

Each camera is a route with --rate datagrams/s of 1,316 bytes and --outs outputs. The load is one process for all
cameras and the check one for all outputs (`bench/yardsticks/multiudp.c`: paced round-robin sends; epoll over every
output port, each copy checked whole, once, in order, with its one-way latency), so that a hundred cameras do not
take a hundred generators. Candidates, one after
the other: `streamtee` (this checkout's `bin/streamtee relay --config` with all routes, one process), `ideal`
(relaybench's idealrelay, one process per route) and `samplicator` (one `samplicate` process per route, as one runs
it per camera: its config rules choose outputs by the sender's address, not by the port a datagram arrived on, so one
process cannot serve 100 input ports; the binary is $SAMPLICATOR or --samplicator, built as bench/README.md says,
with the same 8 MiB socket buffers as in bench/relay-rates.sh). The relay side is pinned
to CPU 1, the load and the receivers to CPU 0, as relaybench pins them. Prints one JSON line per candidate: CPU of
the relay side per input datagram and in cores over the measured window (after --warmup s of load), copies lost,
and the one-way latency percentiles over every copy. Ports are free ports found at start. Loopback only; bounded.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("RELAYBENCH_DIR", os.path.join(ROOT, "..", "shared", "bench"))
BIN = os.path.expanduser("~/.cache/relaybench/bin")
TICKS = os.sysconf("SC_CLK_TCK")
MULTI = os.path.join(tempfile.gettempdir(), "streamtee-multiudp")


def tools():
    os.makedirs(BIN, exist_ok=True)
    out = os.path.join(BIN, "idealrelay")
    if not os.path.exists(out):
        subprocess.run(["gcc", "-O2", "-Wall", "-o", out, os.path.join(SHARED, "idealrelay.c")], check=True)
    subprocess.run(["gcc", "-O2", "-Wall", "-o", MULTI, os.path.join(ROOT, "bench", "yardsticks", "multiudp.c")],
                   check=True)


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def cpu_seconds(pids):
    """utime + stime of the processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / TICKS


def run(candidate, args):
    n, outs = args.routes, args.outs
    ports = free_ports(n * (1 + outs))
    ins, outp = ports[:n], [ports[n + i * outs:n + (i + 1) * outs] for i in range(n)]
    total = args.warmup + args.seconds
    recv = subprocess.Popen(["taskset", "-c", "0", MULTI, "recv", "-t", str(total + 30), "-i", "3000"]
                            + [str(p) for route in outp for p in route], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    relays = []
    cfg = None
    if candidate == "streamtee":
        cfg = tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False)
        cfg.write("statsInterval: 0s\nroutes:\n")
        for i in range(n):
            cfg.write(f"  cam{i}:\n    input: udp://127.0.0.1:{ins[i]}\n    outputs: ["
                      + ", ".join(f"127.0.0.1:{p}" for p in outp[i]) + "]\n")
        cfg.close()
        relay_log = tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="many-routes-", delete=False)
        relays.append(subprocess.Popen(["taskset", "-c", "1", os.path.join(ROOT, "bin", "streamtee"), "relay",
                                        "--config", cfg.name], stdout=subprocess.DEVNULL, stderr=relay_log))
    elif candidate == "samplicator":
        for i in range(n):
            relays.append(subprocess.Popen(["taskset", "-c", "1", args.samplicator, "-s", "127.0.0.1",
                                            "-p", str(ins[i]), "-b", "8388608"]
                                           + [f"127.0.0.1/{p}" for p in outp[i]], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
    else:
        for i in range(n):
            relays.append(subprocess.Popen(["taskset", "-c", "1", os.path.join(BIN, "idealrelay"), str(ins[i])]
                                           + [f"127.0.0.1:{p}" for p in outp[i]], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
    try:
        # ready when every input port is bound by the relay side
        deadline = time.time() + 60
        while time.time() < deadline:
            with open("/proc/net/udp") as f:
                bound = {int(line.split()[1].split(":")[1], 16) for line in f.readlines()[1:]}
            if all(p in bound for p in ins):
                break
            time.sleep(0.2)
        else:
            said = ""
            if candidate == "streamtee":
                with open(relay_log.name) as f:
                    said = "; the relay said:\n" + "".join(f.readlines()[-5:])
            raise SystemExit(f"{candidate}: inputs not bound in 60 s{said}")
        gen = subprocess.Popen(["taskset", "-c", "0", MULTI, "gen", "-r", str(args.rate), "-t", str(total)]
                               + [str(p) for p in ins], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
        time.sleep(args.warmup)
        pids = [r.pid for r in relays]
        if candidate == "streamtee":  # bin/streamtee execs java: the pid is the JVM's
            pids = [relays[0].pid]
        c0, t0 = cpu_seconds(pids), time.time()
        time.sleep(args.seconds)
        c1, t1 = cpu_seconds(pids), time.time()
        sent = json.loads(gen.communicate(timeout=120)[0].strip().splitlines()[-1])["sent"]
        got = json.loads(recv.communicate(timeout=120)[0].strip().splitlines()[-1])
    finally:
        for r in relays:
            r.terminate()
        for r in relays:
            try:
                r.wait(timeout=10)
            except subprocess.TimeoutExpired:
                r.kill()
        if recv.poll() is None:
            recv.kill()
        if cfg:
            os.unlink(cfg.name)
    measured = args.rate * n * (t1 - t0)
    return {"candidate": candidate, "routes": n, "rate_per_route": args.rate, "outputs": outs,
            "cpu_us_per_datagram": round((c1 - c0) * 1e6 / measured, 2), "cores": round((c1 - c0) / (t1 - t0), 3),
            "sent": sent, "copies_expected": sent * outs, "copies_lost": sent * outs - got["unique"],
            "corrupt": got["corrupt"], "dup_or_reorder": got["dup_or_reorder"], "p50_us": got["lat_us_p50"],
            "p99_us": got["lat_us_p99"], "p999_us": got["lat_us_p999"], "max_us": got["lat_us_max"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--routes", type=int, default=100)
    ap.add_argument("--rate", type=int, default=380, help="datagrams/s per route (380: a 4 Mbit/s camera)")
    ap.add_argument("--outs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--cand", default=None,
                    help="comma-separated: ideal, streamtee, samplicator (default: ideal,streamtee, plus samplicator "
                         "when --samplicator or $SAMPLICATOR names it)")
    ap.add_argument("--samplicator", default=os.environ.get("SAMPLICATOR"),
                    help="path to samplicator's samplicate binary (default: $SAMPLICATOR)")
    args = ap.parse_args()
    if args.cand is None:
        args.cand = "ideal,streamtee" + (",samplicator" if args.samplicator else "")
    if "samplicator" in args.cand.split(",") and not (args.samplicator and os.access(args.samplicator, os.X_OK)):
        sys.exit("many-routes.py: --samplicator (or $SAMPLICATOR) must name an executable samplicate binary")
    if args.routes < 1 or args.routes > 500 or args.seconds > 600:
        sys.exit("many-routes.py: --routes 1-500, --seconds at most 600")
    tools()
    subprocess.run([os.path.join(ROOT, "bin", "streamtee"), "--version"], check=True, stdout=subprocess.DEVNULL)
    for c in args.cand.split(","):
        print(json.dumps(run(c, args)), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Burst check of the relay's UDP input: does a fresh relay lose anything in its first seconds of large datagrams?

    bench/burst-check.py [--runs N] [--count 3000] [--burst 50] [--pause-ms 5] [--outs 3] [--neighbour]
                         [--relay-cmd 'TEMPLATE'] [--checkout DIR] [-- EXTRA RELAY FLAGS]

Each run starts a fresh relay (this checkout's bin/streamtee relay, default settings, 3 outputs to loopback
receivers on ports picked free), sends --count datagrams of random size (1 to 65,507 bytes, random bytes) in bursts
of --burst with pauses of at least --pause-ms that hold the average at --mbps (100 MB/s), and compares every byte at every output, in order: a datagram counts as arrived
only if an identical one arrives after the previous match. It prints one JSON line per run (lost per output, corrupt,
the relay input socket's kernel drop count, MB/s offered) and a summary line. Every run is bounded in time. With
--neighbour a CPU-bound loop (`while :; do :; done`) runs pinned to the relay's core (CPU 1) for the whole check.
A relay template takes {IN} and {TO} (as relaybench's). Needs python3 only; loopback only.
"""
import argparse, json, os, random, shlex, signal, socket, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX = 65507


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def big_buffer(sock, opt, size):
    force = {socket.SO_RCVBUF: 33, socket.SO_SNDBUF: 32}[opt]  # SO_RCVBUFFORCE / SO_SNDBUFFORCE
    try:
        sock.setsockopt(socket.SOL_SOCKET, force, size)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, opt, size)


def input_queue(port):
    """(bytes queued, drops) of the UDP socket bound to 127.0.0.1:port, from /proc/net/udp, or None."""
    want = "0100007F:%04X" % port
    with open("/proc/net/udp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == want:
                return int(fields[4].split(":")[1], 16), int(fields[-1])
    return None


def trace_queue(port, stop, out):
    """Samples the input socket's queue every millisecond until stop is set: when the relay stalls, it fills."""
    t0 = time.monotonic()
    out.append((time.time(), -1, -1))  # wall clock of the first sample
    while not stop.is_set():
        q = input_queue(port)
        if q is not None:
            out.append((round(time.monotonic() - t0, 4), q[0], q[1]))
        time.sleep(0.001)


def input_drops(port):
    """The kernel's drop count of the UDP socket bound to 127.0.0.1:port (last column of /proc/net/udp)."""
    want = "0100007F:%04X" % port
    with open("/proc/net/udp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == want:
                return int(fields[-1])
    return None


class Receiver(threading.Thread):
    def __init__(self, sent):
        super().__init__(daemon=True)
        self.sent = sent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        big_buffer(self.sock, socket.SO_RCVBUF, 64 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.matched = []
        self.corrupt = 0
        self.pos = 0
        self.stop_at = None
        self.last = time.monotonic()

    def run(self):
        buf = bytearray(65536)
        view = memoryview(buf)
        while True:
            try:
                n = self.sock.recv_into(buf)
            except socket.timeout:
                if self.stop_at is not None and time.monotonic() > self.stop_at:
                    break
                continue
            self.last = time.monotonic()
            got = view[:n]
            j = self.pos
            while j < len(self.sent) and not (len(self.sent[j]) == n and self.sent[j] == got):
                j += 1
            if j == len(self.sent):
                self.corrupt += 1
            else:
                self.matched.append(j)
                self.pos = j + 1
        self.sock.close()


def one_run(args, sizes_rng, extra):
    sent = [os.urandom(sizes_rng.randint(1, MAX)) for _ in range(args.count)] * args.passes
    recvs = [Receiver(sent) for _ in range(args.outs)]
    for r in recvs:
        r.start()
    in_port = free_port()
    to = " ".join(f"--to udp://127.0.0.1:{r.port}" for r in recvs)
    template = args.relay_cmd or f"{args.checkout}/bin/streamtee relay --listen udp://127.0.0.1:{{IN}} {{TO}} --stats-interval 0"
    cmd = template.replace("{IN}", str(in_port)).replace("{TO}", to)
    argv = shlex.split(cmd) + extra
    if args.pin is not None:
        argv = ["taskset", "-c", str(args.pin)] + argv
    log = tempfile.NamedTemporaryFile("w+", prefix="burst-relay-", suffix=".log", delete=False)
    relay = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + args.startup_timeout
        while input_drops(in_port) is None:  # bound?
            if relay.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"relay did not bind 127.0.0.1:{in_port} (log: {log.name})")
            time.sleep(0.02)
        time.sleep(args.settle)
        drops0 = input_drops(in_port) or 0
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        big_buffer(tx, socket.SO_SNDBUF, 8 << 20)
        stop_trace, samples = threading.Event(), []
        if args.trace:
            threading.Thread(target=trace_queue, args=(in_port, stop_trace, samples), daemon=True).start()
        t0 = time.monotonic()
        total = 0
        burst_start, burst_bytes = t0, 0
        for i, d in enumerate(sent):
            if i > 0 and i % args.count == 0:  # the next pass, once the relay has had time to settle
                time.sleep(args.drain)
                burst_start = time.monotonic()
            tx.sendto(d, ("127.0.0.1", in_port))
            total += len(d)
            burst_bytes += len(d)
            if (i + 1) % args.burst == 0:
                # at least --pause-ms, and long enough that the average stays at --mbps
                spent = time.monotonic() - burst_start
                time.sleep(max(args.pause_ms / 1000, burst_bytes / (args.mbps * 1e6) - spent))
                burst_start, burst_bytes = time.monotonic(), 0
        elapsed = time.monotonic() - t0 - args.drain * (args.passes - 1)
        tx.close()
        idle_by = time.monotonic() + args.drain
        for r in recvs:
            r.stop_at = idle_by
        for r in recvs:
            r.join(args.drain + 30)
        drops = (input_drops(in_port) or 0) - drops0
        stop_trace.set()
        if args.trace:
            with open(args.trace, "a") as f:
                for t, queued, dropped in samples:
                    f.write(f"{t:.4f} {queued} {dropped - drops0}\n")
                f.write("\n")
    finally:
        try:
            os.killpg(relay.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            relay.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(relay.pid, signal.SIGKILL)
    lost = [args.count * args.passes - len(r.matched) for r in recvs]
    row = {
        "lost_per_output": lost, "lost_pct_worst": round(100 * max(lost) / (args.count * args.passes), 2),
        "corrupt": sum(r.corrupt for r in recvs), "input_socket_drops": drops,
        "mb_per_s": round(total / elapsed / 1e6, 1), "seconds": round(elapsed, 2), "relay_log": log.name,
    }
    if args.passes > 1:
        row["lost_per_pass_worst"] = [max(args.count - sum(1 for j in r.matched if p * args.count <= j < (p + 1) * args.count)
                                          for r in recvs) for p in range(args.passes)]
    return row


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--burst", type=int, default=50)
    ap.add_argument("--pause-ms", type=float, default=5)
    ap.add_argument("--mbps", type=float, default=100, help="average offered MB/s at most (pauses grow to keep it)")
    ap.add_argument("--outs", type=int, default=3)
    ap.add_argument("--passes", type=int, default=1, help="send the datagrams this many times to one relay (warm-up study)")
    ap.add_argument("--checkout", default=ROOT)
    ap.add_argument("--relay-cmd", help="relay command template with {IN} and {TO}")
    ap.add_argument("--pin", type=int, default=None, help="pin the relay to this CPU")
    ap.add_argument("--neighbour", action="store_true", help="a CPU-bound loop pinned to CPU 1 throughout")
    ap.add_argument("--settle", type=float, default=0.5, help="seconds between bind and the first datagram")
    ap.add_argument("--drain", type=float, default=2.0, help="seconds of quiet that end a run")
    ap.add_argument("--startup-timeout", type=float, default=30)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--trace", help="append the input queue's bytes and drops, sampled each ms, to this file")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    neighbour = None
    if args.neighbour:
        neighbour = subprocess.Popen(["taskset", "-c", "1", "timeout", str(60 + 20 * args.runs), "sh", "-c",
                                      "while :; do :; done"], start_new_session=True)
    lossless = 0
    try:
        for run in range(1, args.runs + 1):
            row = one_run(args, rng, extra)
            row = {"run": run, **row}
            print(json.dumps(row), flush=True)
            if max(row["lost_per_output"]) == 0 and row["corrupt"] == 0:
                lossless += 1
    finally:
        if neighbour is not None:
            os.killpg(neighbour.pid, signal.SIGTERM)
    print(f"lossless runs: {lossless} of {args.runs} ({args.count} datagrams of 1-{MAX} bytes, bursts of "
          f"{args.burst}, {args.pause_ms}+ ms pauses, <= {args.mbps:g} MB/s, {args.outs} outputs{', CPU-bound neighbour on CPU 1' if args.neighbour else ''})")
    sys.exit(0 if lossless == args.runs else 1)


if __name__ == "__main__":
    main()

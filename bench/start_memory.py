#!/usr/bin/env python3
"""Helper of bench/start-memory.sh: the relay's start gap and its resident memory under load.

  start_memory.py start  --runs N -- CMD [;; CMD2...]   CMD may use {IN} and {OUT}; several commands run interleaved;
                                                 one JSON line per run, then the median of each
  start_memory.py memory --seconds S --rate R --outs K --every E -- CMD...   (CMD as relaybench's --cmd template)
  start_memory.py rss    --seconds S --every E -- CMD...     RSS of any command over a bounded run
  start_memory.py exec-pidfile FILE CMD...      writes its pid to FILE, then execs CMD (same pid)

start: a sender sends a small datagram every 1 ms to 127.0.0.1:{IN} from before the command is started; a receiver
on 127.0.0.1:{OUT} notes when the first one arrives. Start gap = first arrival - the moment just before the command
is exec'd (Popen). The command is stopped with SIGTERM after the first arrival (SIGKILL after 5 s). Bounded: a run
that sees nothing within --timeout seconds counts as failed.

memory: runs relaybench's `run` mode with CMD (wrapped by exec-pidfile, so the relay's own pid is known) and samples
VmRSS and the thread count from /proc/PID/status every --every seconds.
"""
import argparse, json, os, signal, socket, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
RELAYBENCH = os.environ.get("RELAYBENCH", "/work/shared/bench/relaybench.py")


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stop(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def one_start(cmd, timeout, log):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    out_port = rx.getsockname()[1]
    in_port = free_udp_port()
    rx.settimeout(timeout)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    done = threading.Event()

    def send():
        seq, nxt = 0, time.monotonic()
        while not done.is_set():
            try:
                tx.sendto(seq.to_bytes(8, "big") + b"\0" * 180, ("127.0.0.1", in_port))
            except OSError:
                pass  # nobody listens yet
            seq += 1
            nxt += 0.001
            delay = nxt - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    time.sleep(0.05)  # the sender is running before the exec
    argv = [a.replace("{IN}", str(in_port)).replace("{OUT}", str(out_port)) for a in cmd]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        rx.recv(2048)
        gap = time.monotonic() - t0
    except socket.timeout:
        gap = None
    finally:
        done.set()
        stop(p)
        sender.join()
        rx.close()
        tx.close()
    return gap


def cmd_start(args):
    """Runs each command (several are separated by a ';;' argument) --runs times, interleaved: A B A B ..."""
    cmds, cur = [], []
    for a in args.cmd:
        if a == ";;":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    gaps = [[] for _ in cmds]
    with open(args.log, "a") as log:
        for i in range(args.runs):
            for c, cmd in enumerate(cmds):
                gap = one_start(cmd, args.timeout, log)
                print(json.dumps({"cmd": c + 1, "run": i + 1, "start_gap_s": None if gap is None else round(gap, 3)}),
                      flush=True)
                if gap is not None:
                    gaps[c].append(gap)
                time.sleep(args.pause)
    for c, cmd in enumerate(cmds):
        g = gaps[c]
        print(json.dumps({"cmd": " ".join(cmd), "runs": args.runs, "ok": len(g),
                          "median_s": round(statistics.median(g), 3) if g else None,
                          "min_s": round(min(g), 3) if g else None,
                          "max_s": round(max(g), 3) if g else None}), flush=True)


def status(pid):
    """VmRSS in MB and the thread count of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            st = dict(line.split(":", 1) for line in f if ":" in line)
        return round(int(st["VmRSS"].split()[0]) / 1024, 1), int(st["Threads"])
    except (OSError, KeyError, ValueError):
        return None


def sample_until(pid_of, proc, every, label, samples):
    t0 = time.monotonic()
    while proc.poll() is None:
        pid = pid_of()
        s = status(pid) if pid else None
        if s:
            row = {"t_s": round(time.monotonic() - t0), "rss_mb": s[0], "threads": s[1]}
            samples.append(row)
            print(json.dumps(dict(row, what=label)), flush=True)
        for _ in range(int(every * 10)):
            if proc.poll() is not None:
                break
            time.sleep(0.1)


def summary(label, samples, extra):
    rss = [s["rss_mb"] for s in samples]
    row = {"what": label, "samples": len(rss)}
    if rss:
        tail = rss[len(rss) // 2:]
        row.update(rss_mb_first=rss[0], rss_mb_last=rss[-1], rss_mb_max=max(rss),
                   rss_mb_second_half_min=min(tail), rss_mb_second_half_max=max(tail),
                   threads_last=samples[-1]["threads"])
    row.update(extra)
    print(json.dumps(row), flush=True)


def cmd_memory(args):
    pidfile = os.path.join(args.work, "relay.pid")
    if os.path.exists(pidfile):
        os.remove(pidfile)
    template = f"python3 {os.path.abspath(__file__)} exec-pidfile {pidfile} " + " ".join(args.cmd)
    rb = subprocess.Popen(["python3", RELAYBENCH, "run", "--cmd", template, "--rate", str(args.rate),
                           "--outs", str(args.outs), "--seconds", str(args.seconds), "--startup", str(args.startup)],
                          stdout=subprocess.PIPE, text=True)

    def pid_of():
        try:
            with open(pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    samples = []
    sample_until(pid_of, rb, args.every, "relay", samples)
    out = rb.stdout.read().strip().splitlines()
    result = json.loads(out[-1]) if out else {}
    summary("relay", samples, {"rate": args.rate, "outs": args.outs, "seconds": args.seconds,
                               "worst_loss_pct": result.get("worst_loss_pct"),
                               "relay_cpu_us_per_pkt": result.get("relay_cpu_us_per_pkt"),
                               "alive_at_end": result.get("alive_at_end"), "cmd": " ".join(args.cmd)})


def cmd_rss(args):
    with open(args.log, "a") as log:
        p = subprocess.Popen(args.cmd, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        samples = []
        deadline = time.monotonic() + args.seconds
        watcher = threading.Thread(target=lambda: (time.sleep(max(0, deadline - time.monotonic())), stop(p)),
                                   daemon=True)
        watcher.start()
        sample_until(lambda: p.pid, p, args.every, args.label, samples)
        watcher.join()
        summary(args.label, samples, {"seconds": args.seconds, "exit": p.returncode, "cmd": " ".join(args.cmd)})


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "exec-pidfile":
        with open(sys.argv[2], "w") as f:
            f.write(str(os.getpid()))
        os.execvp(sys.argv[3], sys.argv[3:])
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["start", "memory", "rss"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rate", type=float, default=20000)
    ap.add_argument("--outs", type=int, default=3)
    ap.add_argument("--every", type=float, default=10)
    ap.add_argument("--startup", type=float, default=3)
    ap.add_argument("--label", default="cmd")
    ap.add_argument("--work", default="/tmp")
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("cmd", nargs="+")
    args = ap.parse_args()
    {"start": cmd_start, "memory": cmd_memory, "rss": cmd_rss}[args.mode](args)


if __name__ == "__main__":
    main()

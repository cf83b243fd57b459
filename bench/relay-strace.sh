#!/usr/bin/env bash
# System calls per received datagram of the relay at a camera's rate:
#   bench/relay-strace.sh [CHECKOUT] [RATE] [SECONDS] [EXTRA RELAY FLAGS...]
# Starts CHECKOUT's bin/streamtee relay (3 outputs to loopback receivers), sends RATE datagrams/s of 1316 bytes
# for 3 s to warm it, then attaches `strace -c -f` for SECONDS while the load goes on and prints each system call
# per datagram sent in that window. Ports are picked free. Needs strace and relaybench's udpgen/udprecv
# (compiled by ../shared/bench/relaybench.py into ~/.cache/relaybench/bin).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
CHECKOUT="$(cd "${1:-$ROOT}" && pwd)"
RATE="${2:-2000}"
SECS="${3:-5}"
shift $(( $# > 3 ? 3 : $# ))
BIN="$HOME/.cache/relaybench/bin"
BENCH="${RELAYBENCH:-$ROOT/../shared/bench/relaybench.py}"
[ -f "$BENCH" ] || BENCH=/work/shared/bench/relaybench.py # a worktree under /work/wt
[ -x "$BIN/udpgen" ] || python3 "$BENCH" list >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IN=$(free_port); O1=$(free_port); O2=$(free_port); O3=$(free_port)
tmp="$(mktemp -d -t relay-strace.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for o in $O1 $O2 $O3; do
  "$BIN/udprecv" -p "$o" -s 1316 -t $((SECS + 20)) -i 3000 >/dev/null 2>&1 & pids+=($!)
done
"$CHECKOUT/bin/streamtee" relay --listen "udp://127.0.0.1:$IN" --to "udp://127.0.0.1:$O1" --to "udp://127.0.0.1:$O2" \
  --to "udp://127.0.0.1:$O3" --stats-interval 0 "$@" >"$tmp/relay.log" 2>&1 & relay=$!; pids+=($relay)
sleep 4
"$BIN/udpgen" -p "$IN" -s 1316 -r "$RATE" -t $((SECS + 5)) >"$tmp/gen.json" & pids+=($!)
sleep 3
timeout -s INT "$SECS" strace -c -f -p "$relay" -o "$tmp/strace.txt" 2>/dev/null || true
n=$(python3 -c "print(int($RATE*$SECS))")
python3 - "$tmp/strace.txt" "$n" <<'PY'
import sys
n = int(sys.argv[2])
print(f"per datagram ({n} datagrams in the window):")
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
        calls = int(f[3])
        if calls / n >= 0.01:
            print(f"  {f[-1]:<16} {calls / n:6.2f}")
    elif f and f[-1] == "total":
        print(f"  {'total':<16} {int(f[3]) / n:6.2f}")
PY
echo "strace output: $tmp/strace.txt"

#!/usr/bin/env bash
# The fixed-rate comparison of the relay with C yardsticks, interleaved, in one sitting:
#   bench/relay-rates.sh [ROUNDS] [RATES]          e.g. bench/relay-rates.sh 3 "500 2000 60000"
# Each round runs every candidate once at each rate with relaybench's `run` mode (3 outputs, 1316-byte datagrams,
# relay pinned to CPU 1, load and receivers to CPU 0); the candidates are
#   ideal     relaybench's idealrelay (C: recvmmsg in, sendmmsg out)
#   idealgso  bench/yardsticks/idealgso.c (C: recvmmsg in, one UDP GSO sendmsg per output per run of equal sizes)
#   streamtee this checkout's bin/streamtee relay (default settings, --stats-interval 0)
#   samplicator  samplicator (C: recvfrom in, one sendto per output), only if SAMPLICATOR=/path/to/samplicate is given
#             (build it from upstream outside this tree: bench/README.md, "samplicator as a yardstick")
#   javafloor bench/yardsticks/JavaFloor.java (Java: blocking receive in, one write per connected output, nothing
#             else, with the relay's JVM options), only if JAVA_FLOOR=1: the least a relay on this JVM costs
#   javaselect  the same waiting in epoll (an NIO Selector) as an event loop does, also with JAVA_FLOOR=1
#   before    another checkout's bin/streamtee relay, only if BEFORE=/path/to/checkout is given
#   variant   this checkout's relay with VARIANT_FLAGS (e.g. '--transport io_uring') and/or VARIANT_JAVA_OPTS (JVM
#             options, e.g. '-XX:TieredStopAtLevel=1', given as $STREAMTEE_JAVA_OPTS), named VARIANT_LABEL
# It prints one JSON line per run, then a Markdown table of the medians over the rounds: relay CPU time per input
# datagram (relaybench's relay_cpu_us_per_pkt, the figure its README says to quote) with its ratio to ideal, worst
# output loss, and p50 one-way latency. With SEARCH=1 it then also searches each candidate's highest loss-free rate
# (relaybench's `search`: worst output <= 0.1% lost, nothing corrupt). The machine is shared: quote the ratios.
# Extra relay flags for streamtee: STREAMTEE_FLAGS; LABEL names that candidate. WARMUP (3) and SECONDS_PER_RUN (5)
# are the relay's warm-up and each run's length in seconds; at camera rates the JIT needs 10 s or more to settle.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ROUNDS="${1:-3}"
RATES="${2:-500 2000 60000}"
BENCH="${RELAYBENCH:-$ROOT/../shared/bench/relaybench.py}"
[ -f "$BENCH" ] || BENCH=/work/shared/bench/relaybench.py # a worktree under /work/wt
SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}"
BIN="$HOME/.cache/relaybench/bin"
out="$(mktemp -t relay-rates.XXXXXX)"
# relaybench binds fixed ports (18100 and up); another session's run on them would mix with ours. So it runs here
# with its base port moved to four free ones (RELAYBENCH_PORT to choose).
PORT="${RELAYBENCH_PORT:-$(python3 -c '
import random, socket
for _ in range(200):
    base, socks = random.randrange(20000, 30000), []
    try:
        for p in range(base, base + 4):
            socks.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
            socks[-1].bind(("127.0.0.1", p))
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
')}"
relaybench() { # the shared relaybench.py, on our ports
  python3 -c "
import os, sys
sys.path.insert(0, os.path.dirname('$BENCH'))
import relaybench
relaybench.IN_PORT = $PORT
sys.argv = ['relaybench.py'] + sys.argv[1:]
relaybench.main()
" "$@"
}

relaybench list >/dev/null # compiles relaybench's tools into $BIN
src="$ROOT/bench/yardsticks/idealgso.c"
if [ ! -x "$BIN/idealgso" ] || [ "$BIN/idealgso" -ot "$src" ]; then
  gcc -O2 -Wall -o "$BIN/idealgso" "$src"
fi
"$ROOT/bin/streamtee" --version >/dev/null # builds on first use

LABEL="${LABEL:-streamtee}"
cands=(ideal idealgso "$LABEL")
[ -n "${SAMPLICATOR:-}" ] && cands+=(samplicator)
[ -n "${BEFORE:-}" ] && cands+=(before)
if [ "${JAVA_FLOOR:-0}" = 1 ]; then
  cands+=(javafloor javaselect)
  # shellcheck source=../bin/jdk.sh
  source "$ROOT/bin/jdk.sh"
  floor_src="$ROOT/bench/yardsticks/JavaFloor.java"
  if [ ! -f "$BIN/javafloor/JavaFloor.class" ] || [ "$BIN/javafloor/JavaFloor.class" -ot "$floor_src" ]; then
    "$JAVA_HOME/bin/javac" -d "$BIN/javafloor" "$floor_src"
  fi
  # the relay's own JVM options, so that the difference is the relay's code, not the JVM's settings
  # shellcheck source=../bin/jvm.sh
  source "$ROOT/bin/jvm.sh"
  JAVA_MAJOR="$(java_major "$JAVA_HOME/bin/java")" jvm_defaults relay
  floor_opts="${JVM_OPTS[*]}"
fi
VARIANT="${VARIANT_LABEL:-variant}"
[ -n "${VARIANT_FLAGS:-}${VARIANT_JAVA_OPTS:-}" ] && cands+=("$VARIANT")
variant_bin="$ROOT/bin/streamtee"
if [ -n "${VARIANT_JAVA_OPTS:-}" ]; then # relaybench splits a command on spaces: the options go in a wrapper
  variant_bin="$(mktemp -t relay-rates-variant.XXXXXX)"
  printf '#!/usr/bin/env bash\nSTREAMTEE_JAVA_OPTS=%q exec %q "$@"\n' "$VARIANT_JAVA_OPTS" "$ROOT/bin/streamtee" >"$variant_bin"
  chmod +x "$variant_bin"
fi
cmd_of() { # $1 = candidate
  case "$1" in
    idealgso) echo "$BIN/idealgso {IN} {OUTS}" ;;
    samplicator) echo "$SAMPLICATOR -s 127.0.0.1 -p {IN} -b 8388608 {OUTS_SLASH}" ;;
    javafloor) echo "$JAVA_HOME/bin/java $floor_opts -cp $BIN/javafloor JavaFloor {IN} {OUTS}" ;;
    javaselect) echo "$JAVA_HOME/bin/java $floor_opts -cp $BIN/javafloor JavaFloor --select {IN} {OUTS}" ;;
    before) echo "$BEFORE/bin/streamtee relay --listen udp://127.0.0.1:{IN} {TO} --stats-interval 0" ;;
    "$VARIANT") echo "$variant_bin relay --listen udp://127.0.0.1:{IN} {TO} --stats-interval 0 ${VARIANT_FLAGS:-}" ;;
    *) echo "$ROOT/bin/streamtee relay --listen udp://127.0.0.1:{IN} {TO} --stats-interval 0 ${STREAMTEE_FLAGS:-}" ;;
  esac
}
one() { # $1 = candidate, $2 = rate or "search"
  local c="$1" mode=run extra=(--rate "$2")
  [ "$2" = search ] && { mode=search; extra=(); }
  if [ "$c" = ideal ]; then
    relaybench "$mode" --cand ideal "${extra[@]}" --outs 3 --seconds "$SECONDS_PER_RUN"
  elif [ "$c" = "$LABEL" ] || [ "$c" = before ] || [ "$c" = "$VARIANT" ] || [ "$c" = javafloor ] || [ "$c" = javaselect ]; then
    relaybench "$mode" --cmd "$(cmd_of "$c")" "${extra[@]}" --outs 3 --seconds "$SECONDS_PER_RUN" \
        --startup 4 --warmup "${WARMUP:-3}"
  else
    relaybench "$mode" --cmd "$(cmd_of "$c")" "${extra[@]}" --outs 3 --seconds "$SECONDS_PER_RUN"
  fi 2>/dev/null | sed "s/^{/{\"label\": \"$c\", /"
}

for round in $(seq 1 "$ROUNDS"); do
  for rate in $RATES; do
    for c in "${cands[@]}"; do
      one "$c" "$rate" | sed "s/^{/{\"round\": $round, /" | tee -a "$out"
    done
  done
done
if [ "${SEARCH:-0}" = 1 ]; then
  for c in "${cands[@]}"; do
    one "$c" search | sed 's/^{/{"search": true, /' | tee -a "$out"
  done
fi

python3 - "$out" "${cands[@]}" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
cands = sys.argv[2:]
runs = [r for r in rows if not r.get("search")]
med = lambda xs: statistics.median(xs) if xs else None
print()
print("| load (3 outputs, 1316 B) | " + " | ".join(cands) + " |")
print("|---|" + "---|" * len(cands))
for rate in sorted({r["rate"] for r in runs}):
    by = {c: [r for r in runs if r["rate"] == rate and r["label"] == c] for c in cands}
    ideal = med([r["relay_cpu_us_per_pkt"] for r in by["ideal"]])
    cpu, loss, lat = [], [], []
    for c in cands:
        rs = by[c]
        if not rs:
            cpu.append("-"); loss.append("-"); lat.append("-")
            continue
        v = med([r["relay_cpu_us_per_pkt"] for r in rs])
        cpu.append(f"{v:.1f} us ({v / ideal:.2f}x ideal)" if ideal else f"{v:.1f} us")
        loss.append(f"{med([r['worst_loss_pct'] for r in rs]):.2f}%"
                    + (f", {sum(r['corrupt_or_resized'] for r in rs)} corrupt" if any(r['corrupt_or_resized'] for r in rs) else ""))
        lat.append(f"{med([r['lat_us_p50'] for r in rs]):.0f} us")
    n = len(by["ideal"])
    print(f"| {rate:,.0f} datagrams/s: relay CPU per datagram (median of {n}) | " + " | ".join(cpu) + " |")
    print(f"| {rate:,.0f} datagrams/s: worst output loss | " + " | ".join(loss) + " |")
    print(f"| {rate:,.0f} datagrams/s: p50 one-way latency | " + " | ".join(lat) + " |")
searches = {r["label"]: r["max_rate_pps"] for r in rows if r.get("search")}
if searches:
    ideal = searches.get("ideal")
    print("| highest loss-free rate (search, ~10% steps, one each) | " + " | ".join(
        (f"{searches[c]:,}" + (f" ({searches[c] / ideal:.2f}x)" if ideal and c != "ideal" else "")) if c in searches else "-"
        for c in cands) + " |")
EOF
echo "runs: $out"

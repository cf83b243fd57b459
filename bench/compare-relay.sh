#!/usr/bin/env bash
# Compares the relay of two checkouts with the C yardstick (idealrelay), interleaved, in one sitting:
#   bench/compare-relay.sh OLD_CHECKOUT [ROUNDS] [RATES]
# e.g. bench/compare-relay.sh /tmp/streamtee-before 5 "2000 60000"
# Each round runs ideal, the old relay and this checkout's relay once at each rate (3 outputs, 1316-byte datagrams,
# pinned as relaybench pins them) and prints one JSON line per run; the last lines are the medians of CPU per input
# datagram and worst-output loss per candidate and rate. Both checkouts must be built (bin/streamtee builds on
# first use). Quote the ratio to ideal, not the absolute figure: the machine is shared and noisy.
# With SEARCH=1 it then also searches each candidate's highest loss-free rate (worst output <= 0.1% lost, nothing
# corrupt; relaybench's search), in the same sitting.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
OLD="$(cd "${1:?usage: bench/compare-relay.sh OLD_CHECKOUT [ROUNDS] [RATES]}" && pwd)"
ROUNDS="${2:-5}"
RATES="${3:-2000 60000}"
BENCH="${RELAYBENCH:-$ROOT/../shared/bench/relaybench.py}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}"
out="$(mktemp -t relay-compare.XXXXXX)"

relay_cmd() { # $1 = checkout
  echo "$1/bin/streamtee relay --listen udp://127.0.0.1:{IN} {TO} --stats-interval 0"
}
for checkout in "$OLD" "$ROOT"; do
  "$checkout/bin/streamtee" --version >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
  for rate in $RATES; do
    python3 "$BENCH" run --cand ideal --rate "$rate" --outs 3 --seconds "$SECONDS_PER_RUN" \
      | sed "s/^{/{\"label\": \"ideal\", \"round\": $round, /" | tee -a "$out"
    for label in before after; do
      checkout="$OLD"; [ "$label" = after ] && checkout="$ROOT"
      python3 "$BENCH" run --cmd "$(relay_cmd "$checkout")" --rate "$rate" --outs 3 --seconds "$SECONDS_PER_RUN" \
          --startup 4 --warmup "${WARMUP:-3}" \
        | sed "s/^{/{\"label\": \"$label\", \"round\": $round, /" | tee -a "$out"
    done
  done
done

if [ "${SEARCH:-0}" = 1 ]; then
  for label in ideal before after; do
    if [ "$label" = ideal ]; then
      python3 "$BENCH" search --cand ideal --outs 3 --seconds "$SECONDS_PER_RUN" 2>/dev/null
    else
      checkout="$OLD"; [ "$label" = after ] && checkout="$ROOT"
      python3 "$BENCH" search --cmd "$(relay_cmd "$checkout")" --outs 3 --seconds "$SECONDS_PER_RUN" --startup 4 \
          --warmup 3 2>/dev/null
    fi | sed "s/^{/{\"label\": \"$label\", \"search\": true, /" | tee -a "$out"
  done
fi

python3 - "$out" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
searches = [r for r in rows if r.get("search")]
rows = [r for r in rows if not r.get("search")]
by = {}
for r in rows:
    by.setdefault((r["rate"], r["label"]), []).append(r)
print("median over rounds (3 outputs, 1316 B):")
for rate in sorted({k[0] for k in by}):
    ideal = statistics.median(r["relay_cpu_us_per_pkt"] for r in by[(rate, "ideal")])
    for label in ("ideal", "before", "after"):
        rs = by.get((rate, label), [])
        if not rs:
            continue
        cpu = statistics.median(r["relay_cpu_us_per_pkt"] for r in rs)
        loss = statistics.median(r["worst_loss_pct"] for r in rs)
        print(f"  rate {rate:>7.0f}/s  {label:<6}  cpu {cpu:7.2f} us/datagram  ({cpu / ideal:4.2f}x ideal)"
              f"  worst loss {loss:.3f}%  corrupt {sum(r['corrupt_or_resized'] for r in rs)}")
ideal_max = next((r["max_rate_pps"] for r in searches if r["label"] == "ideal"), None)
for r in searches:
    ratio = f"  ({r['max_rate_pps'] / ideal_max:4.2f}x ideal)" if ideal_max else ""
    print(f"  highest loss-free rate  {r['label']:<6}  {r['max_rate_pps']:>7} datagrams/s{ratio}")
EOF
echo "runs: $out"

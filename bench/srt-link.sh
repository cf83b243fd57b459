#!/usr/bin/env bash
# SRT on loopback (issue 13, "SRT throughput on loopback"): what an SRT link costs and carries, measured with
# relaybench (../shared/bench/relaybench.py) against the same relay with plain UDP in its place, in one sitting.
#
#   bench/srt-link.sh                       search: the highest rate each link carries with <= 0.1% loss, then
#                                           CPU per datagram at 2,000/s (a 20 Mbit/s camera), SRT and UDP
#   RATES="2000 20000" ROUNDS=3 bench/srt-link.sh   other fixed rates, more rounds (median)
#
# One relay process, two routes joined by the link under test:
#   send:    udp://127.0.0.1:IN                  -> srt://127.0.0.1:P?mode=caller&passphrase=...&latency=120ms
#   receive: srt://127.0.0.1:P?mode=listener&... -> relaybench's output
# (LINK=udp: the same two routes with udp://127.0.0.1:P between them.) So the CPU relaybench charges to the relay is
# both ends of the link: encryption, retransmission bookkeeping and the receive buffer's latency included. The link
# is encrypted (AES-128, the passphrase below): that is how it is used across the internet. Everything stays on
# 127.0.0.1; relaybench bounds every run.
#
# Reading relaybench's lines: with SRT, "dup" and "reorder" are not the link's doing. relaybench's warm-up load
# (before its receivers open) and the measured load both number their datagrams from 0, and SRT hands the warm-up's
# last 120 ms (its latency) to the outputs after the receivers opened: those few are counted as duplicates of the
# measured ones with the same numbers, and the measured ones below the warm-up's last number as reordered. Loss,
# corruption, latency and CPU are unaffected.
#
# Internal use by relaybench's --cmd: bench/srt-link.sh relay LINK IN OUTS_COMMA
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
RELAYBENCH="${RELAYBENCH:-$ROOT/../shared/bench/relaybench.py}"
PASSPHRASE="bench-passphrase-0123456789"

if [ "${1:-}" = relay ]; then
  link="$2" in="$3" outs="$4"
  port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  conf="$(mktemp -t srt-link.XXXXXX.yml)"
  if [ "$link" = srt ]; then
    common="passphrase=$PASSPHRASE&latency=120ms"
    to="srt://127.0.0.1:$port?mode=caller&$common"
    from="srt://127.0.0.1:$port?mode=listener&$common"
  else
    to="udp://127.0.0.1:$port"
    from="udp://127.0.0.1:$port"
  fi
  {
    echo "statsInterval: 3600s"
    echo "routes:"
    echo "  receive:"
    echo "    input: \"$from\""
    echo "    outputs:"
    for o in ${outs//,/ }; do echo "      - udp://$o"; done
    echo "  send:"
    echo "    input: udp://127.0.0.1:$in"
    echo "    outputs: [\"$to\"]"
  } >"$conf"
  exec "$ROOT/bin/streamtee" relay -c "$conf"
fi

[ -f "$RELAYBENCH" ] || { echo "srt-link: no relaybench at $RELAYBENCH (set RELAYBENCH)" >&2; exit 2; }
"$ROOT/bin/streamtee" --version >/dev/null # builds on first use
RATES="${RATES:-2000}"
ROUNDS="${ROUNDS:-1}"
SELF="$ROOT/bench/srt-link.sh"
echo "srt-link: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
for link in srt udp; do
  echo "== $link: search (1316 B, 1 output, <= 0.1% loss)"
  python3 "$RELAYBENCH" search --cmd "$SELF relay $link {IN} {OUTS_COMMA}" --outs 1 --startup 6 --warmup 3
done
for round in $(seq 1 "$ROUNDS"); do
  for rate in $RATES; do
    for link in srt udp; do
      echo "== $link: run at $rate/s (round $round)"
      python3 "$RELAYBENCH" run --cmd "$SELF relay $link {IN} {OUTS_COMMA}" --outs 1 --rate "$rate" --startup 6 \
        --warmup 3
    done
  done
done

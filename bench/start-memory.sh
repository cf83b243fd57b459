#!/usr/bin/env bash
# The relay's start gap and resident memory (issue 15, "Start" and "Memory"):
#   bench/start-memory.sh start     [N runs, default 10]
#   bench/start-memory.sh memory    [SECONDS, default 600]        (20,000 datagrams/s, 3 outputs, RSS every 10 s)
#   bench/start-memory.sh services  [SECONDS, default 60]         (RSS of camera, record, analyze, view; demo)
# start: a sender sends a datagram every 1 ms to the relay's input from before the exec; a receiver at the output
#   notes the first arrival; start gap = first arrival - exec of the command; one JSON line per run, then the median.
#   The command: START_CMD (default: bin/streamtee relay --listen udp://127.0.0.1:{IN} --to 127.0.0.1:{OUT}); several
#   commands separated by ' ;; ' run interleaved (A B A B ...), e.g. a launcher before and after a change.
# memory: relaybench's run mode (/work/shared/bench/relaybench.py, or $RELAYBENCH) drives the relay (MEMORY_CMD,
#   a relaybench template; default: bin/streamtee relay --listen udp://127.0.0.1:{IN} {TO}) at RATE (20000)
#   datagrams/s to OUTS (3) outputs for SECONDS; VmRSS and threads of the relay's JVM from /proc every EVERY (10) s.
# services: each service fed by `streamtee camera --pattern` (4 Mbit/s, 1280x720 30 fps) for SECONDS, RSS of the
#   service every EVERY s; then `streamtee demo --seconds SECONDS`, its RSS and whether it logged an OutOfMemoryError.
# Extra JVM options for every command: STREAMTEE_JAVA_OPTS (passed through). Every process is bounded and stopped.
# Logs: $WORK (default a new temp dir). Figures are from a shared machine unless said otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ST="${ST:-$ROOT/bin/streamtee}"   # the launcher to measure (ST=/path/to/other/bin/streamtee: another build)
HELPER="$ROOT/bench/start_memory.py"
WORK="${WORK:-$(mktemp -d -t start-memory.XXXXXX)}"
EVERY="${EVERY:-10}"
mkdir -p "$WORK"
mode="${1:-start}"

"$ST" --version >/dev/null   # builds once if needed, so no run pays for a build

case "$mode" in
  start)
    default="$ST relay --listen udp://127.0.0.1:{IN} --to 127.0.0.1:{OUT}"
    read -r -a cmd <<<"${START_CMD:-$default}"
    python3 "$HELPER" start --runs "${2:-10}" --log "$WORK/start.log" -- "${cmd[@]}" | tee "$WORK/start.jsonl"
    ;;
  memory)
    default="$ST relay --listen udp://127.0.0.1:{IN} {TO}"
    read -r -a cmd <<<"${MEMORY_CMD:-$default}"
    python3 "$HELPER" memory --seconds "${2:-600}" --rate "${RATE:-20000}" --outs "${OUTS:-3}" --every "$EVERY" \
      --work "$WORK" -- "${cmd[@]}" | tee "$WORK/memory.jsonl"
    ;;
  services)
    seconds="${2:-60}"
    cd "$WORK"   # demo writes its recordings and events under the working directory
    port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "$ST" camera --to "127.0.0.1:$port" --pattern --bitrate 4M --size 1280x720 --fps 30 \
      >/dev/null 2>"$WORK/camera.log" &
    camera=$!
    trap 'kill "$camera" 2>/dev/null || true' EXIT
    python3 "$HELPER" rss --label camera --seconds 1 --every 1 -- sleep 0 >/dev/null   # (warms the helper)
    python3 "$HELPER" rss --label record --seconds "$seconds" --every "$EVERY" --log "$WORK/record.log" -- \
      "$ST" record --listen "udp://127.0.0.1:$port" --dir "$WORK/recordings" | tail -n1
    python3 "$HELPER" rss --label analyze --seconds "$seconds" --every "$EVERY" --log "$WORK/analyze.log" -- \
      "$ST" analyze --listen "udp://127.0.0.1:$port" --camera bench --events "$WORK/events.jsonl" | tail -n1
    python3 "$HELPER" rss --label view --seconds "$seconds" --every "$EVERY" --log "$WORK/view.log" -- \
      "$ST" view --listen "udp://127.0.0.1:$port" --http 127.0.0.1:0 | tail -n1
    kill "$camera" 2>/dev/null || true
    python3 "$HELPER" rss --label camera --seconds "$seconds" --every "$EVERY" --log "$WORK/camera2.log" -- \
      "$ST" camera --to "127.0.0.1:$port" --pattern --bitrate 4M --size 1280x720 --fps 30 | tail -n1
    python3 "$HELPER" rss --label demo --seconds "$((seconds + 30))" --every "$EVERY" --log "$WORK/demo.log" -- \
      "$ST" demo --seconds "$seconds" --http 127.0.0.1:0 | tail -n1
    if grep -q OutOfMemoryError "$WORK"/*.log; then
      echo "OutOfMemoryError in: $(grep -l OutOfMemoryError "$WORK"/*.log | tr '\n' ' ')"
    else
      echo "no OutOfMemoryError in any log ($WORK)"
    fi
    ;;
  *)
    echo "usage: bench/start-memory.sh start [N] | memory [SECONDS] | services [SECONDS]" >&2
    exit 2
    ;;
esac
echo "logs: $WORK" >&2

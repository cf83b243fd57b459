#!/usr/bin/env bash
# The live viewer's latency (issue 11, "Latency"), in one sitting, printed as Markdown tables:
#   bench/view-latency.sh                        60 s, WebCodecs
#   bench/view-latency.sh --seconds 15           a short check (on a busy machine)
#   bench/view-latency.sh --mode mse             the page's MSE mode (?mode=mse)
# `streamtee camera` (the test pattern, 1280x720, 30 fps, 4 Mbit/s, a keyframe every GOP = 120 frames: 4 s) -> a
# Python tap (bench/view_latency.py: notes each frame's capture-time SEI and when its first and last datagrams
# passed) -> `streamtee relay` -> `streamtee view` -> headless Debian Chromium (software decoding: the flags of the
# page tests, testing/src/main/browser/page-check.mjs) driven by bench/view_latency.mjs with playwright-core from
# view/src/test/browser (`npm ci` there on first use).
# 1. First picture: FIRST fresh page loads (a new browser context each, in one running browser, 0.3-1.8 s apart so
#    that they join at different points of the GOP), each timed from navigation start to the first live picture drawn
#    (window.streamteeStats.firstFrameMs), with the milestones before it (HTML, WebSocket open, first message,
#    first decode) noted by an init script.
# 2. Per frame, for SECONDS s: drawn time minus the SEI capture time (glass to glass), broken down into the camera
#    (capture -> its datagrams sent, from the tap), network + relay + the viewer's assembly (last datagram -> the
#    viewer server's receive stamp), the viewer server + WebSocket (-> the page's arrival stamp), the browser's
#    decode (-> the decoder's output callback) and the draw (-> drawImage returned); p50/p90/p99/max.
# All on this machine's one clock (the camera's capture instant, the tap's, the server's and the page's epoch
# clocks). Everything stays on 127.0.0.1, every run is bounded, every process the script starts is stopped on exit.
# Options (or environment): --seconds N (SECONDS_RUN, 60; 0: the first picture only), --mode webcodecs|mse (MODE, webcodecs), --first N
# (FIRST, 5), --gop N (GOP, 120), --no-tap (TAP=0: the camera and the network are then one stage), WORK (output
# dir, default a new temp dir), ST (the streamtee launcher, default bin/streamtee: another checkout's, to compare).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ST="${ST:-$ROOT/bin/streamtee}"
HELPER="$ROOT/bench/view_latency.py"
DRIVER="$ROOT/bench/view_latency.mjs"
SECONDS_RUN="${SECONDS_RUN:-60}"
MODE="${MODE:-webcodecs}"
FIRST="${FIRST:-5}"
GOP="${GOP:-120}"
TAP="${TAP:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_RUN="$2"; shift 2 ;;
    --mode) MODE="$2"; shift 2 ;;
    --first) FIRST="$2"; shift 2 ;;
    --gop) GOP="$2"; shift 2 ;;
    --no-tap) TAP=0; shift ;;
    *) echo "view-latency: unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done
case "$MODE" in webcodecs|mse) ;; *) echo "view-latency: --mode is webcodecs or mse, not $MODE" >&2; exit 2 ;; esac
WORK="${WORK:-$(mktemp -d -t view-latency.XXXXXX)}"
mkdir -p "$WORK"

for tool in node npm python3 /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "view-latency: $tool is needed" >&2; exit 1; }
done
if [ ! -d "$ROOT/view/src/test/browser/node_modules/playwright-core" ]; then
  (cd "$ROOT/view/src/test/browser" && npm ci --no-audit --no-fund >/dev/null)
fi

BENCH=view-latency
# shellcheck source=lib/procs.sh
. "$ROOT/bench/lib/procs.sh" # PIDS, stop_pid, cleanup on exit, wait_for, pause, fact, log

"$ST" --version >/dev/null # builds on first use
: >"$WORK/facts"
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact host_note "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
fact command "bench/view-latency.sh --seconds $SECONDS_RUN --mode $MODE --first $FIRST --gop $GOP$([ "$TAP" = 1 ] \
  || echo ' --no-tap')"
fact seconds "$SECONDS_RUN"
fact gop "$GOP"
fact setup "camera 1280x720 30 fps 4 Mbit/s GOP $GOP -> $([ "$TAP" = 1 ] && echo 'tap -> ')relay -> view ->\
 $(/usr/bin/chromium --version 2>/dev/null | head -n1) headless, software decoding"

log "starting the viewer, the relay$([ "$TAP" = 1 ] && echo ', the tap') and the camera"
"$ST" view --listen udp://127.0.0.1:0 --http 127.0.0.1:0 >"$WORK/view.log" 2>&1 &
VIEW=$!; PIDS+=("$VIEW")
wait_for "$WORK/view.log" 'at http://127\.0\.0\.1:[0-9]+/' 60 "$VIEW"
VIEW_UDP="$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/view.log" | head -n1 | cut -d: -f2)"
URL="$(grep -Eo 'http://127\.0\.0\.1:[0-9]+/' "$WORK/view.log" | head -n1)"
[ "$MODE" = webcodecs ] || URL="${URL}?mode=$MODE"
"$ST" relay --listen udp://127.0.0.1:0 --to "127.0.0.1:$VIEW_UDP" >"$WORK/relay.log" 2>&1 &
RELAY=$!; PIDS+=("$RELAY")
wait_for "$WORK/relay.log" 'route default: udp://127\.0\.0\.1:[0-9]+' 60 "$RELAY"
RELAY_UDP="$(grep -Eo 'route default: udp://127\.0\.0\.1:[0-9]+' "$WORK/relay.log" | head -n1 | sed -E 's/.*:([0-9]+)$/\1/')"
CAMERA_TO="$RELAY_UDP"
TOTAL=$((SECONDS_RUN + FIRST * 4 + 60))
if [ "$TAP" = 1 ]; then
  python3 "$HELPER" tap "$WORK" "$TOTAL" >"$WORK/tap.log" 2>&1 &
  TAPPID=$!; PIDS+=("$TAPPID")
  for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  echo "$RELAY_UDP" >"$WORK/forward"
  CAMERA_TO="$(cat "$WORK/port")"
fi
"$ST" camera --to "udp://127.0.0.1:$CAMERA_TO" --size 1280x720 --fps 30 --bitrate 4M --gop "$GOP" \
  --seconds "$TOTAL" >"$WORK/camera.log" 2>&1 &
CAM=$!; PIDS+=("$CAM")
pause 6 # the first keyframe is cached, the JITs warm

log "first picture: $FIRST fresh page loads of $URL"
: >"$WORK/first.jsonl"
timeout $((FIRST * 20 + 30)) node "$DRIVER" first "$URL" "$FIRST" >"$WORK/first.jsonl"

if [ "$SECONDS_RUN" -gt 0 ]; then
  log "per-frame latency: $SECONDS_RUN s"
  timeout $((SECONDS_RUN + 60)) node "$DRIVER" run "$URL" "$SECONDS_RUN" "$WORK/samples.jsonl" >"$WORK/summary.json"
fi
fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
cleanup
trap - EXIT
python3 "$HELPER" report "$WORK" | tee "$WORK/report.md"
echo "load average at the end: $(grep load_after "$WORK/facts" | cut -f2); files in $WORK (screenshot samples.png)"

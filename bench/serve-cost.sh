#!/usr/bin/env bash
# What `streamtee serve` costs per camera (issue 12, "Cost"), in one sitting, printed as one table:
#   bench/serve-cost.sh                                   (1, 2 and 4 cameras plus the yardstick: about 8 minutes)
#   WARMUP=5 MEASURE=10 CAMERAS="1 2" bench/serve-cost.sh (a short check that it works; not a figure to quote)
# For each N in CAMERAS, a fresh `streamtee serve` with a generated config (cameras cam1..camN, each only
# `input: udp://127.0.0.1:0`, so recorded, analyzed and viewable at serve's defaults; data in the work dir), fed by N
# `streamtee camera --file CLIP` processes (one per camera, started STAGGER s apart so that their keyframes do not
# coincide), each replaying the same 1280x720 30 fps 4 Mbit/s H.264 High clip (made once with ffmpeg, the one
# bench/analyze-cost.sh uses) at its PCR rate: no encoding in the senders, and their CPU is reported apart. One
# WebSocket viewer per camera (bench/serve_cost.py viewers) on serve's /cameras/NAME/ws, attached before the cameras
# start; when serve has no such route, the run goes on without viewers and the table says so.
# Measured per run: utime + stime of serve's JVM from /proc/PID/stat over MEASURE s after WARMUP s (all cameras
# sending), as % of one core, nothing subtracted; the senders' CPU over the same window; then heap after a full GC
# (jcmd GC.run, GC.heap_info, GC.class_histogram's total = live objects) and RSS / peak RSS. After the window the
# cameras end on their own (whole frames), serve stops cleanly and its log gives, per camera, the datagrams and
# frames the analyzer got and decoded and the datagrams the recorder got; the recordings on disk are counted too
# (bytes, video PES = frames), and each viewer's frames (distinct PTS). Frames sent: a `camera --file` run of S s
# ends before the first frame at or past S s, so each camera sends S x 30 frames (checked against the recordings).
# The yardstick, from the same sitting: `streamtee analyze` alone (its defaults) on the same clip, one camera, the
# same windows: what serve adds on top of the analyzer's decode.
# Everything stays on 127.0.0.1, every run is bounded, every process the script starts is stopped on exit.
# Environment: CAMERAS ("1 2 4"), WARMUP (20), MEASURE (60), STAGGER (0.5 s), YARDSTICK (1; 0 skips it),
# CLIP (made if missing), WORK (output dir, default a new temp dir), STREAMTEE_JAVA_OPTS (passed to every JVM).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the tree
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bin/jdk.sh
source "$ROOT/bin/jdk.sh"
ST="$ROOT/bin/streamtee"
HELPER="$ROOT/bench/serve_cost.py"
SNAP="$ROOT/bench/analyze_cost.py"
CAMERAS="${CAMERAS:-1 2 4}"
WARMUP="${WARMUP:-20}"
MEASURE="${MEASURE:-60}"
STAGGER="${STAGGER:-0.5}"
YARDSTICK="${YARDSTICK:-1}"
CLIP="${CLIP:-$ROOT/bench/target/analyze-clip-720p30-4M.ts}"
WORK="${WORK:-$(mktemp -d -t serve-cost.XXXXXX)}"
mkdir -p "$WORK"
JCMD="$JAVA_HOME/bin/jcmd"
# each camera runs past the window by this much, then ends on its own (whole frames); serve is bounded beyond it
CAMERA_SECONDS=$((WARMUP + MEASURE + 15))
BOUND=$((CAMERA_SECONDS + 120))

BENCH=serve-cost
# shellcheck source=lib/procs.sh
. "$ROOT/bench/lib/procs.sh" # PIDS, stop_pid, cleanup on exit, wait_for, pause, fact, log

for n in $CAMERAS; do
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "$BENCH: CAMERAS: each a number of cameras 1-99, not '$n'" >&2; exit 2; }
done
"$ST" --version >/dev/null # builds on first use
TOP="$WORK" # fact writes to $WORK/facts: each run points WORK at its own directory, then back
: >"$WORK/facts"
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact host_note "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
fact warmup "$WARMUP"
fact measure "$MEASURE"
fact stagger "$STAGGER"
fact command "CAMERAS='$CAMERAS' WARMUP=$WARMUP MEASURE=$MEASURE STAGGER=$STAGGER YARDSTICK=$YARDSTICK \
bench/serve-cost.sh"
fact jvm "$("$JAVA" -version 2>&1 | head -n1)${STREAMTEE_JAVA_OPTS:+, STREAMTEE_JAVA_OPTS=$STREAMTEE_JAVA_OPTS}"

# --- the clip (the same as bench/analyze-cost.sh's): 60 s, 1280x720, 30 fps, 4 Mbit/s H.264 High with B-frames,
# GOP 60: testsrc2 with sensor-like noise and an orange 120x240 box crossing for 4 s of every 10 s
if [ ! -s "$CLIP" ]; then
  mkdir -p "$(dirname "$CLIP")"
  log "making $CLIP (once; about a minute)"
  timeout 600 nice ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t+u[bg];color=c=0xff8020:size=120x240:rate=30[box];\
[bg][box]overlay=x='100+mod(t*300\,1000)':y=250:eval=frame:enable='between(mod(t\,10)\,2\,6)':shortest=1" \
    -t 60 -c:v libx264 -preset medium -profile:v high -pix_fmt yuv420p \
    -b:v 4M -maxrate 4M -bufsize 4M -g 60 -f mpegts "$CLIP.tmp"
  mv "$CLIP.tmp" "$CLIP"
fi
fact clip "$CLIP"
fact clip_desc "$(ffprobe -v error -select_streams v:0 -of csv=p=0 \
  -show_entries stream=codec_name,profile,width,height,r_frame_rate,has_b_frames "$CLIP" | head -n1), \
$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$CLIP" | cut -d. -f1) s, \
$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$CLIP" | awk '{printf "%.2f Mbit/s", $1 / 1e6}')"
fact fps "$(ffprobe -v error -select_streams v:0 -of csv=p=0 -show_entries stream=r_frame_rate "$CLIP" | head -n1 \
  | awk -F/ '{print ($2 ? $1 / $2 : $1)}')"
fact camera_seconds "$CAMERA_SECONDS"
fact clip_pes_length "$(python3 "$HELPER" pes-length "$CLIP")"

start_cameras() { # $1 = run dir, then the ports: one `camera --file` per port, STAGGER s apart; sets SENDERS
  local dir="$1" i=0 port
  shift
  SENDERS=()
  for port in "$@"; do
    i=$((i + 1))
    [ "$i" -eq 1 ] || pause "$STAGGER"
    "$ST" camera --file "$CLIP" --to "udp://127.0.0.1:$port" --seconds "$CAMERA_SECONDS" >"$dir/camera-$i.log" 2>&1 &
    SENDERS+=("$!"); PIDS+=("$!")
  done
}
end_cameras() { # waits (bounded) for the cameras to end on their own, then stops any left
  local pid i
  for pid in "${SENDERS[@]}"; do
    for i in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    stop_pid "$pid"
  done
}
alive() { # every process of the run still there, else its log and exit
  local pid i=0
  kill -0 "$1" 2>/dev/null || { echo "$BENCH: the measured process ended early (log in $WORK)" >&2; exit 1; }
  for pid in "${SENDERS[@]}"; do
    i=$((i + 1))
    kill -0 "$pid" 2>/dev/null || { echo "$BENCH: camera $i ended early:" >&2; cat "$WORK/camera-$i.log" >&2; exit 1; }
  done
}
measure() { # $1 = the measured JVM's pid (CLIENT: the viewers' too); the window, then heap and RSS, into $WORK
  local pid="$1"
  pause "$WARMUP"
  alive "$pid"
  python3 "$SNAP" snap "$pid" "${SENDERS[@]}" ${CLIENT:+"$CLIENT"} >"$WORK/snaps.jsonl"
  pause "$MEASURE"
  alive "$pid"
  python3 "$SNAP" snap "$pid" "${SENDERS[@]}" ${CLIENT:+"$CLIENT"} >>"$WORK/snaps.jsonl"
  "$JCMD" "$pid" GC.run >/dev/null
  "$JCMD" "$pid" GC.heap_info >"$WORK/heap-info.txt"
  "$JCMD" "$pid" GC.class_histogram >"$WORK/heap-histogram.txt"
  fact heap_live_kb "$(awk '/^Total/ {print $3 / 1024}' "$WORK/heap-histogram.txt")"
  fact heap_used_kb "$(grep -Eo '(committed|total) [0-9]+K, used [0-9]+K' "$WORK/heap-info.txt" | head -n1 \
    | sed -E 's/.* ([0-9]+)K$/\1/')"
  fact heap_committed_kb "$(grep -Eo '(committed|total) [0-9]+K, used [0-9]+K' "$WORK/heap-info.txt" | head -n1 \
    | sed -E 's/^[a-z]+ ([0-9]+)K.*/\1/')"
  fact rss_kb "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
  fact hwm_kb "$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")"
  fact max_heap "$("$JCMD" "$pid" VM.flags | grep -Eo -- '-XX:MaxHeapSize=[0-9]+' \
    | awk -F= '{printf "%.0f MiB", $2 / 1048576}')"
}

# --- the yardstick: the analyzer alone, one camera, the same clip and windows
if [ "$YARDSTICK" = 1 ]; then
  WORK="$TOP/analyze"; mkdir -p "$WORK"; : >"$WORK/facts"
  log "yardstick: streamtee analyze alone, ${WARMUP} s warm-up, ${MEASURE} s measured"
  # (analyze has no --seconds: the script stops it after the cameras end, or on exit)
  "$ST" analyze --listen udp://127.0.0.1:0 --camera bench --events "$WORK/events.jsonl" >"$WORK/analyzer.log" 2>&1 &
  AN=$!; PIDS+=("$AN")
  wait_for "$WORK/analyzer.log" 'listening on 127\.0\.0\.1:[0-9]+' 120 "$AN"
  start_cameras "$WORK" "$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/analyzer.log" | head -n1 | cut -d: -f2)"
  fact kind analyze
  fact cameras 1
  fact pid "$AN"
  fact sender_pids "${SENDERS[*]}"
  CLIENT=""
  measure "$AN"
  end_cameras
  pause 2 # the tail of the stream through the analyzer
  stop_pid "$AN"
  WORK="$TOP"
fi

# --- serve with N cameras
for n in $CAMERAS; do
  WORK="$TOP/serve-$n"; mkdir -p "$WORK"; : >"$WORK/facts"
  log "serve with $n camera(s): ${WARMUP} s warm-up, ${MEASURE} s measured"
  python3 "$HELPER" config "$WORK/serve.yml" "$n" "$WORK/data"
  "$ST" serve -c "$WORK/serve.yml" --seconds "$BOUND" >"$WORK/serve.log" 2>&1 &
  SERVE=$!; PIDS+=("$SERVE")
  wait_for "$WORK/serve.log" 'serve: web on http://127\.0\.0\.1:[0-9]+/' 120 "$SERVE"
  URL="$(grep -Eo 'serve: web on http://127\.0\.0\.1:[0-9]+/' "$WORK/serve.log" | head -n1 | cut -d' ' -f4)"
  PORTS=()
  WS=()
  for i in $(seq 1 "$n"); do
    PORTS+=("$(grep -Eo "route cam$i: udp://127\.0\.0\.1:[0-9]+" "$WORK/serve.log" | head -n1 | grep -Eo '[0-9]+$')")
    WS+=("${URL/http:/ws:}cameras/cam$i/ws")
  done
  # the viewers first (bounded), so that each sees the stream from its first frame
  python3 "$HELPER" viewers "$WORK" $((BOUND + 30)) "${WS[@]}" >"$WORK/viewers.log" 2>&1 &
  VIEWERS=$!; PIDS+=("$VIEWERS")
  wait_for "$WORK/viewers.ready" . 30 "$VIEWERS"
  grep -q ' connected$' "$WORK/viewers.ready" \
    || log "no viewer: serve has no /cameras/NAME/ws ($(head -n1 "$WORK/viewers.ready" | cut -d' ' -f2-));" \
      "measured without"
  start_cameras "$WORK" "${PORTS[@]}"
  fact kind serve
  fact cameras "$n"
  fact pid "$SERVE"
  fact sender_pids "${SENDERS[*]}"
  fact web "$URL"
  fact client_pid "$VIEWERS"
  CLIENT="$VIEWERS"
  measure "$SERVE"
  end_cameras
  pause 3 # the tail of each stream through the relay into the services
  stop_pid "$VIEWERS"
  stop_pid "$SERVE"
  for i in $(seq 1 "$n"); do
    fact "recorded_cam$i" "$(python3 "$HELPER" recorded-frames "$WORK/data/cam$i" "$WORK/recorded-pts-cam$i.json")"
  done
  WORK="$TOP"
done

python3 "$HELPER" report "$WORK" | tee "$WORK/report.md"
echo "files: $WORK"

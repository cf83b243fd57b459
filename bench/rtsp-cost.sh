#!/usr/bin/env bash
# What an RTSP input costs (issue 13, "Cost"), next to ffmpeg doing the same job, in one sitting, as one table:
#   bench/rtsp-cost.sh                           (20 s warm-up, 30 s measured, each: about 2 minutes)
#   WARMUP=3 MEASURE=5 bench/rtsp-cost.sh        (a short check that it works; not a figure to quote)
# GStreamer's gst-rtsp-server (the tests' testing/src/main/resources/.../rtsp_server.py: Debian's python3-gi and
# gir1.2-gst-rtsp-server-1.0) serves a 1280x720 30 fps 4 Mbit/s H.264 High clip with B-frames (the one
# bench/analyze-cost.sh makes) at real time on 127.0.0.1, each client from the clip's start. Then, one after the
# other:
#   relay:  streamtee relay --listen rtsp://127.0.0.1:PORT/stream --to udp://127.0.0.1:SINK
#   ffmpeg: ffmpeg -rtsp_transport tcp -i rtsp://127.0.0.1:PORT/stream -c copy -bsf:v setts=... -f mpegts
#           udp://127.0.0.1:SINK?pkt_size=1316
# ffmpeg's setts filter fills in the times libavformat's RTSP client leaves unset on the stream's first access units
# (the first keyframe has none; with B-frames the next few no DTS): without it ffmpeg's mpegts muxer stops at once
# ("first pts and dts value must be set"); streamtee fills them in too (bridge MissingTimes). Both over TCP.
# Measured per run: utime + stime of the process (/proc/PID/stat) over MEASURE s after WARMUP s, as % of one core,
# and its RSS at the end; a UDP sink (bench/rtsp_cost.py) counts what came out. Everything stays on 127.0.0.1,
# every run is bounded, every process the script starts is stopped on exit.
# Environment: WARMUP (20), MEASURE (30), CLIP (made if missing; at least WARMUP + MEASURE + 5 s long), WORK (output
# dir, default a new temp dir), FFMPEG (ffmpeg), STREAMTEE_JAVA_OPTS (passed to the relay's JVM).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the tree
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bin/jdk.sh
source "$ROOT/bin/jdk.sh"
ST="$ROOT/bin/streamtee"
HELPER="$ROOT/bench/rtsp_cost.py"
SNAP="$ROOT/bench/analyze_cost.py"
SERVER="$ROOT/testing/src/main/resources/io/streamtee/testing/rtsp_server.py"
WARMUP="${WARMUP:-20}"
MEASURE="${MEASURE:-30}"
FFMPEG="${FFMPEG:-ffmpeg}"
CLIP="${CLIP:-$ROOT/bench/target/analyze-clip-720p30-4M.ts}"
WORK="${WORK:-$(mktemp -d -t rtsp-cost.XXXXXX)}"
mkdir -p "$WORK"
BOUND=$((WARMUP + MEASURE + 30))

BENCH=rtsp-cost
# shellcheck source=lib/procs.sh
. "$ROOT/bench/lib/procs.sh" # PIDS, stop_pid, cleanup on exit, wait_for, pause, fact, log

/usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0')" 2>/dev/null \
  || { echo "$BENCH: needs gst-rtsp-server's python bindings (Debian: python3-gi" \
    "gir1.2-gst-rtsp-server-1.0)" >&2; exit 2; }
"$ST" --version >/dev/null # builds on first use
TOP="$WORK"
: >"$WORK/facts"
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact host_note "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
fact warmup "$WARMUP"
fact measure "$MEASURE"
fact command "WARMUP=$WARMUP MEASURE=$MEASURE bench/rtsp-cost.sh"

# --- the clip (bench/analyze-cost.sh's): 60 s, 1280x720, 30 fps, 4 Mbit/s H.264 High with B-frames, GOP 60
if [ ! -s "$CLIP" ]; then
  mkdir -p "$(dirname "$CLIP")"
  log "making $CLIP (once; about a minute)"
  timeout 600 nice "$FFMPEG" -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t+u[bg];color=c=0xff8020:size=120x240:rate=30[box];\
[bg][box]overlay=x='100+mod(t*300\,1000)':y=250:eval=frame:enable='between(mod(t\,10)\,2\,6)':shortest=1" \
    -t 60 -c:v libx264 -preset medium -profile:v high -pix_fmt yuv420p \
    -b:v 4M -maxrate 4M -bufsize 4M -g 60 -f mpegts "$CLIP.tmp"
  mv "$CLIP.tmp" "$CLIP"
fi
LENGTH="$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$CLIP" | cut -d. -f1)"
[ "$LENGTH" -ge $((WARMUP + MEASURE + 5)) ] \
  || { echo "$BENCH: the clip is $LENGTH s, shorter than WARMUP + MEASURE + 5 s" >&2; exit 2; }
fact clip_desc "$(ffprobe -v error -select_streams v:0 -of csv=p=0 \
  -show_entries stream=codec_name,profile,width,height,r_frame_rate,has_b_frames "$CLIP" | head -n1), $LENGTH s, \
$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$CLIP" | awk '{printf "%.2f Mbit/s", $1 / 1e6}')"

# stdin: a pipe that stays open while the script runs (the server stops when its stdin ends)
/usr/bin/python3 "$SERVER" "$CLIP" 0 >"$WORK/server.log" 2>&1 < <(sleep $((3 * BOUND))) &
SRV=$!; PIDS+=("$SRV")
wait_for "$WORK/server.log" '^PORT [0-9]+' 30 "$SRV"
URL="rtsp://127.0.0.1:$(awk '/^PORT/ {print $2}' "$WORK/server.log")/stream"
fact server "$URL"

run() { # $1 = name, $2 = description, then the command (SINK in it is replaced by the sink's port)
  local name="$1" what="$2" port pid arg
  shift 2
  WORK="$TOP/$name"; mkdir -p "$WORK"; : >"$WORK/facts"
  python3 "$HELPER" sink "$WORK" sink "$BOUND" &
  local sink=$!; PIDS+=("$sink")
  wait_for "$WORK/sink.port" . 10 "$sink"
  port="$(cat "$WORK/sink.port")"
  local cmd=()
  for arg in "$@"; do cmd+=("${arg//SINK/$port}"); done
  log "$name: ${WARMUP} s warm-up, ${MEASURE} s measured"
  timeout "$BOUND" "${cmd[@]}" >"$WORK/run.log" 2>&1 </dev/null &
  pid=$!; PIDS+=("$pid")
  # the measured process is timeout's child
  for _ in $(seq 1 50); do
    [ -n "$(pgrep -P "$pid" | head -n1)" ] && break
    sleep 0.1
  done
  local child
  child="$(pgrep -P "$pid" | head -n1)"
  fact what "$what"
  fact pid "$child"
  pause "$WARMUP"
  kill -0 "$child" 2>/dev/null || { echo "$BENCH: $name ended early; its log:" >&2; cat "$WORK/run.log" >&2; exit 1; }
  python3 "$SNAP" snap "$child" >"$WORK/snaps.jsonl"
  pause "$MEASURE"
  kill -0 "$child" 2>/dev/null || { echo "$BENCH: $name ended early; its log:" >&2; cat "$WORK/run.log" >&2; exit 1; }
  python3 "$SNAP" snap "$child" >>"$WORK/snaps.jsonl"
  fact rss_kb "$(awk '/^VmRSS/ {print $2}' "/proc/$child/status")"
  stop_pid "$child"
  stop_pid "$pid"
  stop_pid "$sink"
  WORK="$TOP"
}

run relay "streamtee relay (RTSP input over TCP -> UDP)" \
  "$ST" relay --listen "$URL" --to "udp://127.0.0.1:SINK"
run ffmpeg "ffmpeg -c copy (RTSP over TCP -> UDP, setts)" \
  "$FFMPEG" -hide_banner -nostdin -loglevel error -rtsp_transport tcp -i "$URL" -map 0:v -c copy \
  -bsf:v "setts=pts='if(eq(PTS,NOPTS),0,PTS)':dts='if(eq(DTS,NOPTS),if(eq(PTS,NOPTS),0,PTS),DTS)'" \
  -f mpegts "udp://127.0.0.1:SINK?pkt_size=1316"

python3 "$HELPER" report "$WORK" | tee "$WORK/report.md"
echo "files: $WORK"

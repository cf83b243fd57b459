#!/usr/bin/env bash
# Many viewers of one camera (issue 11, "Many viewers"), in one sitting, printed as one table:
#   bench/view-fanout.sh                      (about 30 s of steps plus start-up and warm-up: under a minute)
#   bench/view-fanout.sh --seconds 12         (a short check)
#   bench/view-fanout.sh --viewers 50 --source pattern
# One 4 Mbit/s 1280x720 30 fps H.264 camera -> `streamtee view` -> WebSocket viewers from one load client
# (bench/src/main/java/io/streamtee/bench/ViewLoad.java, JDK only, run as a source file), added in steps of
# 0, 1, 10 and VIEWERS (default 100) viewers, the last step with one stalled viewer (a TCP socket with a 4 KiB
# receive buffer that sends the WebSocket upgrade and never reads, so the server's sends to it back up in TCP).
# Printed: the viewer server's CPU in each step (utime + stime from /proc/PID/stat over the step's window, as % of
# one core, nothing subtracted) and per viewer, its RSS, the load client's and the sender's CPU over the same
# windows; then whether each reading viewer got every frame in order (count of viewers with gaps or reorders: must
# be 0) and the stalled viewer's fate from /healthz (skips, cutOff, and when each was first seen).
# Sources (--source): clip (default: a clip made once with ffmpeg, libx264 without B-frames, 4 Mbit/s, GOP 60,
# testsrc2 with noise, replayed by `streamtee camera --file`, which costs the sender little) or pattern (the camera
# simulator's own test pattern: `streamtee camera --size 1280x720 --fps 30 --bitrate 4M`, an openh264 encoder that
# costs a core's good part on this machine).
# Everything stays on 127.0.0.1, every run is bounded, every process the script starts is stopped on exit.
# Flags: --seconds S (the steps' total, default 30; the steps before the last S/8 each, at least 2 s; the stalled
# viewer is cut off about 15 s after it joins, so below 30 s it may only be skipped), --viewers N (100), --warmup S (5:
# the stream into the server before the first step), --source clip|pattern, --work DIR (default a new temp dir).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bin/jdk.sh
source "$ROOT/bin/jdk.sh"
ST="$ROOT/bin/streamtee"
CLIENT="$ROOT/bench/src/main/java/io/streamtee/bench/ViewLoad.java"
STEPS_SECONDS=30
VIEWERS=100
WARMUP=5
SOURCE=clip
WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) STEPS_SECONDS="$2"; shift 2 ;;
    --viewers) VIEWERS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --source) SOURCE="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "view-fanout: unknown flag $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$STEPS_SECONDS" =~ ^[0-9]+$ ]] && [ "$STEPS_SECONDS" -ge 4 ] && [ "$STEPS_SECONDS" -le 600 ] \
  || { echo "view-fanout: --seconds: 4..600, not '$STEPS_SECONDS'" >&2; exit 2; }
[[ "$VIEWERS" =~ ^[0-9]+$ ]] && [ "$VIEWERS" -ge 2 ] && [ "$VIEWERS" -le 1000 ] \
  || { echo "view-fanout: --viewers: 2..1000, not '$VIEWERS'" >&2; exit 2; }
[[ "$WARMUP" =~ ^[0-9]+$ ]] && [ "$WARMUP" -le 120 ] \
  || { echo "view-fanout: --warmup: 0..120, not '$WARMUP'" >&2; exit 2; }
case "$SOURCE" in clip|pattern) ;; *) echo "view-fanout: --source: clip or pattern, not '$SOURCE'" >&2; exit 2 ;; esac
WORK="${WORK:-$(mktemp -d -t view-fanout.XXXXXX)}"
mkdir -p "$WORK"
if [ "$VIEWERS" -gt 10 ]; then STEPS="0,1,10,$VIEWERS"; else STEPS="0,1,$VIEWERS"; fi
CLIP="$ROOT/bench/target/view-clip-720p30-4M-nobf.ts"

BENCH=view-fanout
# shellcheck source=lib/procs.sh
. "$ROOT/bench/lib/procs.sh" # PIDS, stop_pid, cleanup on exit, wait_for, pause, fact, log

"$ST" --version >/dev/null # builds on first use
LOAD_AVG="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the source: 1280x720, 30 fps, 4 Mbit/s H.264 without B-frames (the client checks PTS steps), GOP 60
if [ "$SOURCE" = clip ] && [ ! -s "$CLIP" ]; then
  mkdir -p "$(dirname "$CLIP")"
  log "making $CLIP (once; about half a minute)"
  timeout 600 nice ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t+u" -t 20 -c:v libx264 -preset veryfast \
    -profile:v high -bf 0 -pix_fmt yuv420p -b:v 4M -maxrate 4M -bufsize 4M -g 60 -f mpegts "$CLIP.tmp"
  mv "$CLIP.tmp" "$CLIP"
fi

# --- the viewer server, on free ports
"$ST" view --listen udp://127.0.0.1:0 --http 127.0.0.1:0 >"$WORK/view.log" 2>&1 &
VIEW=$!; PIDS+=("$VIEW")
wait_for "$WORK/view.log" 'listening on 127\.0\.0\.1:[0-9]+' 60 "$VIEW"
wait_for "$WORK/view.log" 'http://127\.0\.0\.1:[0-9]+/' 10 "$VIEW"
UDP_PORT="$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/view.log" | head -n1 | cut -d: -f2)"
URL="$(grep -Eo 'http://127\.0\.0\.1:[0-9]+/' "$WORK/view.log" | head -n1)"

# --- the camera, bounded: warm-up + steps + ramp and drain time
CAMERA_SECONDS=$((WARMUP + STEPS_SECONDS + 120))
if [ "$SOURCE" = clip ]; then
  "$ST" camera --file "$CLIP" --to "udp://127.0.0.1:$UDP_PORT" --seconds "$CAMERA_SECONDS" >"$WORK/camera.log" 2>&1 &
  SOURCE_DESC="$(ffprobe -v error -select_streams v:0 -of csv=p=0 \
    -show_entries stream=codec_name,profile,width,height,r_frame_rate,has_b_frames "$CLIP" | head -n1), \
$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$CLIP" | awk '{printf "%.2f Mbit/s", $1 / 1e6}'), \
replayed by streamtee camera --file"
else
  "$ST" camera --to "udp://127.0.0.1:$UDP_PORT" --size 1280x720 --fps 30 --bitrate 4M --seconds "$CAMERA_SECONDS" \
    >"$WORK/camera.log" 2>&1 &
  SOURCE_DESC="streamtee camera --size 1280x720 --fps 30 --bitrate 4M (the test pattern, openh264)"
fi
CAM=$!; PIDS+=("$CAM")
for i in $(seq 1 300); do # the first keyframe in the server's GOP cache, at most 30 s
  curl -fsS "${URL}healthz" 2>/dev/null | grep -Eq '"cachedFrames":[1-9]' && break
  kill -0 "$CAM" 2>/dev/null || { echo "view-fanout: the camera ended early:" >&2; cat "$WORK/camera.log" >&2; exit 1; }
  [ "$i" -lt 300 ] || { echo "view-fanout: no frame reached the viewer server in 30 s" >&2; exit 1; }
  sleep 0.1
done
log "warm-up ${WARMUP} s, then steps of $STEPS viewers over ${STEPS_SECONDS} s"
pause "$WARMUP"

# --- the viewers
timeout $((STEPS_SECONDS + 240)) "$JAVA" "$CLIENT" --url "$URL" --server-pid "$VIEW" --sender-pid "$CAM" \
  --steps "$STEPS" --stalled 1 --seconds "$STEPS_SECONDS" --clk-tck "$(getconf CLK_TCK)" \
  --quiet-file "$WORK/measured" >"$WORK/load.txt" 2>"$WORK/load.err" &
LOAD=$!; PIDS+=("$LOAD")
for i in $(seq 1 $(((STEPS_SECONDS + 180) * 10))); do # the steps are over: end the stream, the client checks
  [ -e "$WORK/measured" ] && break
  kill -0 "$LOAD" 2>/dev/null || break
  sleep 0.1
done
stop_pid "$CAM"
LOAD_EXIT=0
wait "$LOAD" || LOAD_EXIT=$?
RSS_PEAK="$(awk '/^VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$VIEW/status" 2>/dev/null || echo "?")"
stop_pid "$VIEW"

{
  echo "## view fan-out, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(nproc) cores, load average $LOAD_AVG at the start (a shared machine unless you made sure it is quiet)."
  echo "Command: bench/view-fanout.sh --seconds $STEPS_SECONDS --viewers $VIEWERS --warmup $WARMUP --source $SOURCE"
  echo "Source: $SOURCE_DESC. Viewer server: streamtee view (its own JVM), peak RSS $RSS_PEAK."
  echo
  cat "$WORK/load.txt"
  if [ -s "$WORK/load.err" ]; then
    echo
    echo "Load client's standard error (first lines):"
    head -n 20 "$WORK/load.err"
  fi
  echo
  echo "The viewer server's log: $(grep -cE 'cut off' "$WORK/view.log" || true) cut-off line(s)."
} | tee "$WORK/report.md"
echo "files: $WORK"
exit "$LOAD_EXIT"

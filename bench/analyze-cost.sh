#!/usr/bin/env bash
# The analyzer's cost (issue 10, "Cost"), in one sitting, printed as one table:
#   bench/analyze-cost.sh
#   WARMUP=10 MEASURE=15 LATENCY_SECONDS=30 bench/analyze-cost.sh     (a short check on a busy machine)
# 1. CPU of `streamtee analyze` (defaults plus $ANALYZE_ARGS) receiving a 1280x720 30 fps 4 Mbit/s H.264 High
#    clip (libx264, B-frames, a moving box; made once with ffmpeg) that `streamtee camera --file` replays at its PCR
#    rate, from /proc/PID/stat over MEASURE s after WARMUP s, as % of one core, nothing subtracted; the sender's
#    own CPU over the same window.
# 2. `ffmpeg -benchmark -threads 1 -i CLIP -f null -` (the analyzer's VideoDecoder uses one thread; the ratio uses
#    this) before and after the analyzer, and once with ffmpeg's default threads: CPU s per s of video. Also, for
#    reference, the same decode paced at real time (-re) for MEASURE s, as the analyzer receives it.
# 3. Heap after a full GC (jcmd GC.run, GC.heap_info; GC.class_histogram's total = live objects) and RSS of the
#    analyzer at the end of the CPU window (one camera, one JVM: there is no multi-camera command yet).
# 4. Latency: `streamtee camera` (pattern, visitor every VISIT_EVERY s for VISIT_FOR s) -> a Python tap that notes
#    when the first datagram of each frame passes (by PTS) -> the analyzer with a webhook sink to the same Python
#    process, which notes when each event arrives. Visitor's first frame sent -> its motion START event at the hook.
# Everything stays on 127.0.0.1, every run is bounded, every process the script starts is stopped on exit.
# Environment: WARMUP (20), MEASURE (60), LATENCY_SECONDS (60), VISIT_EVERY (5), VISIT_FOR (2), ANALYZE_ARGS
# (extra analyzer options, e.g. "--threshold 20"), CLIP (made if missing, CLIP_LENGTH s long: 60), WORK (output
# dir, default a new temp dir), PROFILE=1 (a JFR recording of the CPU phase; its CPU figure then includes JFR's own
# cost).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bin/jdk.sh
source "$ROOT/bin/jdk.sh"
ST="$ROOT/bin/streamtee"
HELPER="$ROOT/bench/analyze_cost.py"
WARMUP="${WARMUP:-20}"
MEASURE="${MEASURE:-60}"
LATENCY_SECONDS="${LATENCY_SECONDS:-60}"
VISIT_EVERY="${VISIT_EVERY:-5}"
VISIT_FOR="${VISIT_FOR:-2}"
ANALYZE_ARGS="${ANALYZE_ARGS:-}"
CLIP="${CLIP:-$ROOT/bench/target/analyze-clip-720p30-4M.ts}"
CLIP_LENGTH="${CLIP_LENGTH:-60}"
WORK="${WORK:-$(mktemp -d -t analyze-cost.XXXXXX)}"
mkdir -p "$WORK"
read -r -a EXTRA <<<"$ANALYZE_ARGS"

BENCH=analyze-cost
# shellcheck source=lib/procs.sh
. "$ROOT/bench/lib/procs.sh" # PIDS, stop_pid, cleanup on exit, wait_for, pause, fact, log

"$ST" --version >/dev/null # builds on first use
: >"$WORK/facts"
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact host_note "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
fact warmup "$WARMUP"
fact analyze_args "$ANALYZE_ARGS"
fact visit_every_s "$VISIT_EVERY"
fact command "${PROFILE:+PROFILE=$PROFILE }WARMUP=$WARMUP MEASURE=$MEASURE LATENCY_SECONDS=$LATENCY_SECONDS \
VISIT_EVERY=$VISIT_EVERY VISIT_FOR=$VISIT_FOR ANALYZE_ARGS='$ANALYZE_ARGS' bench/analyze-cost.sh"

# --- the clip: CLIP_LENGTH s, 1280x720, 30 fps, 4 Mbit/s H.264 High with B-frames, GOP 60: testsrc2 (moving parts) with
# sensor-like noise and an orange 120x240 box crossing for 4 s of every 10 s
if [ ! -s "$CLIP" ]; then
  mkdir -p "$(dirname "$CLIP")"
  log "making $CLIP (once; about a minute)"
  timeout 600 nice ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t+u[bg];color=c=0xff8020:size=120x240:rate=30[box];\
[bg][box]overlay=x='100+mod(t*300\,1000)':y=250:eval=frame:enable='between(mod(t\,10)\,2\,6)':shortest=1" \
    -t "$CLIP_LENGTH" -c:v libx264 -preset medium -profile:v high -pix_fmt yuv420p \
    -b:v 4M -maxrate 4M -bufsize 4M -g 60 -f mpegts "$CLIP.tmp"
  mv "$CLIP.tmp" "$CLIP"
fi
CLIP_SECONDS="$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$CLIP")"
fact clip "$CLIP"
CLIP_VIDEO="$(ffprobe -v error -select_streams v:0 -of csv=p=0 \
  -show_entries stream=codec_name,profile,width,height,r_frame_rate,has_b_frames "$CLIP" | head -n1)"
CLIP_RATE="$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$CLIP" \
  | awk '{printf "%.2f Mbit/s", $1 / 1e6}')"
fact clip_desc "$CLIP_VIDEO, ${CLIP_SECONDS%.*} s, $CLIP_RATE"

decode() { # $1 = threads (1 or auto), $2 = run label: ffmpeg decoding alone, as fast as it can
  local out="$WORK/ffmpeg-$2.log"
  timeout 600 ffmpeg -hide_banner -nostdin -benchmark -threads "$1" -i "$CLIP" -map 0:v:0 -f null - >"$out" 2>&1
  python3 "$HELPER" decode-cpu "$out" "$CLIP_SECONDS"
}
log "ffmpeg bare decode, -threads 1"
fact ffmpeg_threads1 "$(decode 1 t1-before)"
log "ffmpeg bare decode, default threads"
fact ffmpeg_threads_auto "$(decode auto auto)"

# --- CPU and heap: the clip, paced, into the analyzer at its defaults
JAVA_OPTS_CPU="${STREAMTEE_JAVA_OPTS:-}"
if [ "${PROFILE:-0}" = 1 ]; then
  JAVA_OPTS_CPU="$JAVA_OPTS_CPU -XX:StartFlightRecording=name=bench,settings=profile"
  # JDK 25's CPU-time sampler also sees the time spent in FFmpeg (native), which the execution sampler does not
  [ "$(java_major "$JAVA")" -lt 25 ] || JAVA_OPTS_CPU="$JAVA_OPTS_CPU,jdk.CPUTimeSample#enabled=true"
fi
log "CPU phase: ${WARMUP} s warm-up, ${MEASURE} s measured"
STREAMTEE_JAVA_OPTS="$JAVA_OPTS_CPU" "$ST" analyze --listen udp://127.0.0.1:0 --camera bench \
  --events "$WORK/cpu-events.jsonl" "${EXTRA[@]}" >"$WORK/cpu-analyzer.log" 2>&1 &
AN=$!; PIDS+=("$AN")
wait_for "$WORK/cpu-analyzer.log" 'listening on 127\.0\.0\.1:[0-9]+' 60 "$AN"
PORT="$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/cpu-analyzer.log" | head -n1 | cut -d: -f2)"
"$ST" camera --file "$CLIP" --to "udp://127.0.0.1:$PORT" --seconds $((WARMUP + MEASURE + 30)) \
  >"$WORK/cpu-camera.log" 2>&1 &
CAM=$!; PIDS+=("$CAM")
fact analyzer_pid "$AN"
fact sender_pid "$CAM"
fact sender "streamtee camera --file"
pause "$WARMUP"
python3 "$HELPER" snap "$AN" "$CAM" >"$WORK/cpu-snaps.jsonl"
pause "$MEASURE"
python3 "$HELPER" snap "$AN" "$CAM" >>"$WORK/cpu-snaps.jsonl"
JCMD="$JAVA_HOME/bin/jcmd"
"$JCMD" "$AN" GC.run >/dev/null
"$JCMD" "$AN" GC.heap_info >"$WORK/heap-info.txt"
"$JCMD" "$AN" GC.class_histogram >"$WORK/heap-histogram.txt"
fact heap_live_kb "$(awk '/^Total/ {print $3 / 1024}' "$WORK/heap-histogram.txt")"
fact heap_used_kb "$(grep -Eo '(committed|total) [0-9]+K, used [0-9]+K' "$WORK/heap-info.txt" | head -n1 \
  | sed -E 's/.* ([0-9]+)K$/\1/')"
fact heap_committed_kb "$(grep -Eo '(committed|total) [0-9]+K, used [0-9]+K' "$WORK/heap-info.txt" | head -n1 \
  | sed -E 's/^[a-z]+ ([0-9]+)K.*/\1/')"
fact heap_rss_kb "$(awk '/^VmRSS/ {print $2}' "/proc/$AN/status")"
fact heap_hwm_kb "$(awk '/^VmHWM/ {print $2}' "/proc/$AN/status")"
fact jvm "$("$JAVA" -version 2>&1 | head -n1), $(grep -m1 -Eo '^ *[a-z-]+ heap' "$WORK/heap-info.txt" | xargs),\
 max heap $("$JCMD" "$AN" VM.flags | grep -Eo -- '-XX:MaxHeapSize=[0-9]+' \
  | awk -F= '{printf "%.0f MiB", $2 / 1048576}')"
if [ "${PROFILE:-0}" = 1 ]; then
  "$JCMD" "$AN" JFR.dump name=bench filename="$WORK/analyze.jfr" >/dev/null
fi
stop_pid "$CAM"
stop_pid "$AN"
fact analyzer_summary "$(grep -Eo "stopped after .*" "$WORK/cpu-analyzer.log" | tail -n1)"
fact sender_summary "$(grep -Eo "camera stopped: .*" "$WORK/cpu-camera.log" | tail -n1)"

log "ffmpeg bare decode, -threads 1, again"
fact ffmpeg_threads1 "$(decode 1 t1-after)"
log "ffmpeg decode paced at real time (-re), -threads 1, ${MEASURE} s"
timeout $((MEASURE + 60)) ffmpeg -hide_banner -nostdin -benchmark -re -threads 1 -i "$CLIP" -t "$MEASURE" -map 0:v:0 \
  -f null - >"$WORK/ffmpeg-paced.log" 2>&1
fact ffmpeg_paced "$(python3 "$HELPER" decode-cpu "$WORK/ffmpeg-paced.log" "$MEASURE")"

# --- latency: pattern camera -> tap (notes each frame's first datagram) -> analyzer -> webhook -> tap (notes arrival)
log "latency phase: ${LATENCY_SECONDS} s, a visitor every ${VISIT_EVERY} s for ${VISIT_FOR} s"
python3 "$HELPER" tap "$WORK" $((LATENCY_SECONDS + 120)) >"$WORK/tap.log" 2>&1 &
TAP=$!; PIDS+=("$TAP")
wait_for "$WORK/ports" '^http ' 10 "$TAP"
TAP_UDP="$(awk '$1 == "udp" {print $2}' "$WORK/ports")"
TAP_HTTP="$(awk '$1 == "http" {print $2}' "$WORK/ports")"
"$ST" analyze --listen udp://127.0.0.1:0 --camera bench --events off --sink "http://127.0.0.1:$TAP_HTTP/hook" \
  "${EXTRA[@]}" >"$WORK/latency-analyzer.log" 2>&1 &
AN2=$!; PIDS+=("$AN2")
wait_for "$WORK/latency-analyzer.log" 'listening on 127\.0\.0\.1:[0-9]+' 60 "$AN2"
grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/latency-analyzer.log" | head -n1 | cut -d: -f2 >"$WORK/forward"
fact latency_start_epoch "$(date -u +%s)"
timeout $((LATENCY_SECONDS + 60)) "$ST" camera --to "udp://127.0.0.1:$TAP_UDP" --visitor-every "${VISIT_EVERY}s" \
  --visitor-for "${VISIT_FOR}s" --seconds "$LATENCY_SECONDS" >"$WORK/latency-camera.log" 2>&1
pause 5 # the last event's quiet gap
stop_pid "$AN2"
stop_pid "$TAP"
fact latency_summary "$(grep -Eo "stopped after .*" "$WORK/latency-analyzer.log" | tail -n1)"

python3 "$HELPER" report "$WORK" | tee "$WORK/report.md"
if [ "${PROFILE:-0}" = 1 ]; then
  for view in cpu-time-hot-methods hot-methods native-methods allocation-by-site; do
    echo "== jfr view $view"
    "$JAVA_HOME/bin/jfr" view --width 160 "$view" "$WORK/analyze.jfr" 2>&1 | head -n 30
  done >"$WORK/profile.txt"
  echo "profile (JFR): $WORK/profile.txt"
fi
echo "files: $WORK"

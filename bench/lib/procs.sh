# Process handling shared by the bench scripts (sourced, not run). Before sourcing, set BENCH to the script's name
# (for messages) and WORK to its work directory. Every process the script starts goes into PIDS; on exit (or Ctrl-C)
# each gets SIGTERM and up to 15 s, then SIGKILL.

PIDS=()
PAUSE=""
stop_pid() { # $1 = pid: SIGTERM, up to 15 s for a clean exit, then SIGKILL
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  [ -z "$PAUSE" ] || kill "$PAUSE" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # $1 = file, $2 = extended regex, $3 = seconds, $4 = pid that must stay alive
  local i
  for i in $(seq 1 $(($3 * 10))); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { echo "$BENCH: process $4 ended early; its log $1:" >&2; cat "$1" >&2; exit 1; }
    sleep 0.1
  done
  echo "$BENCH: no /$2/ in $1 after $3 s" >&2
  exit 1
}
pause() { sleep "$1" & PAUSE=$!; wait "$PAUSE"; } # a signal interrupts it at once (a plain sleep defers the trap)
fact() { printf '%s\t%s\n' "$1" "$2" >>"$WORK/facts"; }
log() { echo "$BENCH: $*" >&2; }

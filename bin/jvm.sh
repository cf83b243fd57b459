# Sourced by both launchers (bin/streamtee and the archive's bin/streamtee): the JVM options of each command and the
# start-up cache. See README.md, "Start-up and memory".
#
#   jvm_defaults COMMAND [ARGS...] sets JVM_OPTS: memory bounds fit for COMMAND (needs JAVA_MAJOR); for serve, ARGS
#                                 (its -c/--config FILE) give the number of cameras its heap bound scales with
#   aot_prepare CACHE_DIR JARS... sets AOT_OPTS: use this Java's start-up cache in CACHE_DIR, made first if it is
#                                 missing or older than one of the files JARS (needs JAVA, JAVA_MAJOR, CLASS_PATH)
#
# $STREAMTEE_JAVA_OPTS comes after JVM_OPTS on the java command line, so its options win (e.g. -Xmx1g).

# Memory bounds per command, sized from what each one was measured to need (bench/start-memory.sh): the relay keeps
# no video, only the datagrams in flight; the services that decode or encode video keep frames on the heap and the
# codecs' buffers outside it. SerialGC: the smallest collector, no GC threads; at these heap sizes its pauses are
# about a millisecond. -Xms: without it the heap starts at 1/64 of the machine's memory (376 MB here), and the young
# generation's share of that becomes resident bit by bit; with it the heap grows from a small start as needed. TrimNativeHeapInterval gives the C library's free memory back to the system (JDK 22+; what
# the JIT compilers used at start-up stays resident otherwise).
jvm_defaults() {
  # io.netty.jfr.enabled=false: Netty's JFR events for buffer allocation cost 0.05-0.07 s on the first datagram
  # (JFR event classes are never in the start-up cache) and are only of use under a JFR recording.
  local common=(-XX:+UseSerialGC -Xss512k -Dio.netty.jfr.enabled=false)
  if [ "${JAVA_MAJOR:-0}" -ge 22 ]; then common+=(-XX:TrimNativeHeapInterval=5000); fi
  case "${1:-}" in
    relay)
      # Direct memory holds the datagrams: per route 1 MiB of receive buffer and, only while an output is stalled,
      # up to its queue limit (--send-buffer, 1 MiB) per output. 256 MB: 64 routes of 3 outputs all stalled at once.
      # The heap holds little for UDP and TCP, but a Kafka output's records wait on it (the producer's 32 MB buffer,
      # and each output's queue of up to 8192 datagrams while the broker is away) and so do a Kafka input's fetches:
      # -Xmx256m is room for that; the heap grows from -Xms only when it is used, so it costs UDP nothing.
      # -XX:TieredStopAtLevel=1: C1 only. The relay's work per datagram is a few hundred nanoseconds of Java around
      # the system calls, which C1's code does as well as C2's; but at a camera's rate C2 reaches its thresholds
      # slowly and was still compiling (and recompiling) 20 s after the load started, costing more CPU than the
      # relay's own thread: 180 against 60-64 us per datagram at 500/s; at 2,000/s about level (C1 61 against C2 58
      # in one sitting, 32 against 52 in another), the same at 60,000/s (bench/relay-rates.sh, VARIANT_JAVA_OPTS; README "Performance").
      # STREAMTEE_JAVA_OPTS=-XX:TieredStopAtLevel=4 brings C2 back.
      JVM_OPTS=("${common[@]}" -Xms16m -Xmx256m -XX:MaxDirectMemorySize=256m -XX:ReservedCodeCacheSize=32m
        -XX:MaxMetaspaceSize=128m -XX:TieredStopAtLevel=1) ;;
    camera | record | view | playback)
      JVM_OPTS=("${common[@]}" -Xms32m -Xmx256m -XX:MaxDirectMemorySize=128m -XX:ReservedCodeCacheSize=64m
        -XX:MaxMetaspaceSize=192m) ;;
    analyze)
      JVM_OPTS=("${common[@]}" -Xms32m -Xmx384m -XX:MaxDirectMemorySize=128m -XX:ReservedCodeCacheSize=64m
        -XX:MaxMetaspaceSize=192m) ;;
    serve | demo)
      # The heap scales with the cameras: SERVE_HEAP_BASE_MB for the web server, the relay and the JIT's garbage,
      # plus SERVE_HEAP_PER_CAMERA_MB per camera (its recorder, analyzer and live view: the view's cached GOP of a
      # 20 Mbit/s camera alone is about 5 MB). demo runs --cameras N (default 2); serve counts its config's;
      # a config it cannot count (flow style, unreadable) gets SERVE_HEAP_UNKNOWN_CAMERAS. bench/soak runs serve
      # under exactly this bound (3 cameras at 20 Mbit/s, recorded, analyzed, viewed: README, "Start-up and memory").
      local cameras
      if [ "$1" = demo ]; then cameras="$(demo_cameras "${@:2}")"; else cameras="$(serve_cameras "${@:2}")"; fi
      [ "$cameras" -gt 0 ] 2>/dev/null || cameras=$SERVE_HEAP_UNKNOWN_CAMERAS
      JVM_OPTS=("${common[@]}" -Xms64m -Xmx$((SERVE_HEAP_BASE_MB + SERVE_HEAP_PER_CAMERA_MB * cameras))m
        -XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=256m) ;;
    *)
      JVM_OPTS=("${common[@]}" -Xmx64m) ;;  # --help, --version, help: print and exit
  esac
}

SERVE_HEAP_BASE_MB=128
SERVE_HEAP_PER_CAMERA_MB=64
SERVE_HEAP_UNKNOWN_CAMERAS=8

# serve_cameras ARGS...: prints how many cameras the config named by -c/--config FILE in ARGS has (its block-style
# `cameras:` mapping: the keys at the first indentation under it), or 0 when there is no such file or none is found.
# Bash built-ins only.
serve_cameras() {
  local file="" line lead text indent="" inside="" n=0
  while [ $# -gt 0 ]; do
    case "$1" in
      -c | --config) file="${2:-}"; shift ;;
      --config=*) file="${1#--config=}" ;;
      -c=*) file="${1#-c=}" ;;
      -c?*) file="${1#-c}" ;;
    esac
    shift
  done
  [ -n "$file" ] && [ -r "$file" ] || { echo 0; return 0; }
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    lead="${line%%[![:space:]]*}"
    text="${line#"$lead"}"
    case "$text" in '' | '#'*) continue ;; esac
    if [ -z "$inside" ]; then
      case "$line" in 'cameras:' | 'cameras:'[[:space:]]* | 'cameras:#'*) inside=1 ;; esac
      continue
    fi
    [ -n "$lead" ] || break # the next top-level key
    [ -n "$indent" ] || indent="$lead"
    if [ "$lead" = "$indent" ]; then
      case "$text" in *:*) n=$((n + 1)) ;; esac
    fi
  done <"$file"
  echo "$n"
}

# demo_cameras ARGS...: prints demo's --cameras N from ARGS (default 2; 0 when it is not a number).
demo_cameras() {
  local n=2
  while [ $# -gt 0 ]; do
    case "$1" in
      --cameras) n="${2:-}"; shift ;;
      --cameras=*) n="${1#--cameras=}" ;;
    esac
    shift
  done
  case "$n" in '' | *[!0-9]*) echo 0 ;; *) echo "$n" ;; esac
}

# The start-up cache (JDK 25's AOT cache, JEP 483/514/515): the classes the relay loads and links on its way to the
# first datagram, and their profiles, made by one training run (io.streamtee.app.AotTraining: a relay on two
# loopback ports, 2,000 datagrams through it, 2-4 s) with this very Java and these jars. A JVM that finds the cache
# stale (another Java build, changed jars) or unreadable says nothing and starts without it; a training run that
# fails leaves a .failed mark (retried when a jar changes), so no start pays for it twice. Older Java: no cache.
# STREAMTEE_AOT_CACHE=DIR puts it elsewhere; STREAMTEE_AOT_CACHE=off uses none. Bash built-ins only, but for readlink,
# and mkdir and mv to make the cache (without them: no cache).
aot_prepare() {
  AOT_OPTS=()
  local dir="${STREAMTEE_AOT_CACHE:-$1}" name="" home line f cache tmp log stale=""
  shift
  [ "${JAVA_MAJOR:-0}" -ge 25 ] && [ "$dir" != off ] || return 0
  # One cache per Java: its exact build (the release file of its home, /usr/bin/java followed) and its home name it,
  # so an upgraded Java makes a cache of its own.
  home="$(readlink -f "$JAVA" 2>/dev/null || echo "$JAVA")"
  home="${home%/bin/java}"
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_RUNTIME_VERSION=*) name="${line#*=}"; name="${name//\"/}" ;; esac
    done <"$home/release"
  fi
  name="${name}${home}"
  cache="$dir/streamtee-${name//[^A-Za-z0-9.+-]/_}.aot"
  if [ -f "$cache" ]; then
    for f in "$@"; do [ "$f" -nt "$cache" ] && { stale=1; break; }; done
  fi
  if [ ! -f "$cache" ] || [ -n "$stale" ]; then
    if [ -f "$cache.failed" ]; then
      stale=""
      for f in "$@"; do [ "$f" -nt "$cache.failed" ] && { stale=1; break; }; done
      [ -n "$stale" ] || return 0
    fi
    command -v mkdir >/dev/null && command -v mv >/dev/null || return 0
    mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] || return 0
    echo "streamtee: making the start-up cache for this Java (once, a few seconds): $cache" >&2
    tmp="$cache.$$.tmp"
    log="$dir/streamtee-aot-training.log"
    jvm_defaults relay
    if "$JAVA" "${JVM_OPTS[@]}" -XX:AOTCacheOutput="$tmp" --enable-native-access=ALL-UNNAMED -cp "$CLASS_PATH" \
        io.streamtee.app.AotTraining >"$log" 2>&1 && [ -s "$tmp" ] && mv -f "$tmp" "$cache"; then
      [ ! -f "$cache.failed" ] || rm -f "$cache.failed" 2>/dev/null || true
    else
      : >"$cache.failed"
      echo "streamtee: could not make the start-up cache (see $log); starting without it" >&2
      return 0
    fi
  fi
  AOT_OPTS=(-XX:AOTCache="$cache" -Xlog:aot=off -Xlog:cds=off)
}

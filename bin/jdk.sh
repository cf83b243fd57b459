# Sourced by the scripts in bin/: sets JAVA_HOME and JAVA to a JDK >= 21.
# Looks at $JAVA_HOME, then /usr/lib/jvm/*, then the java on PATH; says clearly when there is none.
# The major version (8, 17, 21, 25...) of the java executable $1: from the release file of its home when there is one
# (no JVM started: that costs 0.05-0.1 s a candidate, on every start), else by asking the JVM.
java_major() {
  local home="${1%/bin/java}" v="" line
  [ "$home" != "$1" ] || home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v="${line#JAVA_VERSION=\"}"; v="${v%%[!0-9]*}"; break ;; esac
    done <"$home/release"
    [ "$v" = 1 ] && v=8   # 1.8.0_x
  fi
  if [ -z "$v" ]; then
    v="$("$1" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9.]*\).*/\1/p' | head -n1)"
    v="${v#1.}"; v="${v%%.*}"
  fi
  echo "$v"
}
find_jdk() {
  local best="" best_major=0 cand major
  for cand in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    major="$(java_major "$cand/bin/java")"
    [ -n "$major" ] || continue
    if [ "$cand" = "${JAVA_HOME:-}" ] && [ "$major" -ge 21 ]; then best="$cand"; break; fi
    if [ "$major" -gt "$best_major" ]; then best="$cand"; best_major="$major"; fi
  done
  if [ -z "$best" ] || [ "$best_major" -lt 21 ] && [ "$best" != "${JAVA_HOME:-}" ]; then
    if command -v javac >/dev/null 2>&1; then
      cand="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
      major="$(java_major "$cand/bin/java")"
      if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$cand"; best_major="$major"; fi
    fi
  fi
  if [ -z "$best" ] || [ "$(java_major "$best/bin/java")" -lt 21 ]; then
    echo "streamtee: needs a JDK 21 or newer, found ${best:+only Java $(java_major "$best/bin/java") at $best}${best:-none}." >&2
    echo "  Install one (Debian/Ubuntu: apt-get install openjdk-21-jdk) or set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  JAVA="$JAVA_HOME/bin/java"
}
find_jdk

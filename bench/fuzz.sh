#!/usr/bin/env bash
# Fuzzes every Jazzer @FuzzTest of the project, one after another, each for SECONDS_PER_TARGET (default 60):
#   bench/fuzz.sh              # 60 s per target
#   bench/fuzz.sh 3            # the bounded run bin/test (CI) makes after the tests
#   bench/fuzz.sh 3600         # a long run
#   TARGETS='ts:TsFuzzTest#demux core:ConfigFuzzTest#endpointInput' bench/fuzz.sh 30    # only these
# A plain `mvn test` only replays each fuzz test's inputs (seeds and past findings in
# src/test/resources/<package>/<Class>Inputs/<method>/); here JAZZER_FUZZ=1 makes the one selected test fuzz.
# Jazzer fuzzes at most one @FuzzTest per JVM, so each target gets its own JVM: one Maven run first compiles the
# modules and writes each one's test class path (target/fuzz-classpath.txt), then every target is a plain `java`
# running bench/lib/FuzzOne.java (the JUnit launcher on one method) in its module's directory: a JVM start per
# target instead of a Maven start. The time limit and a per-input timeout reach libFuzzer as -max_total_time and
# -timeout through Jazzer's jazzer.internal.arg.N JUnit parameters (they come after the annotation's maxDuration,
# so they win). Jazzer writes each finding (crash-*, timeout-*) into that Inputs directory, where the next
# `mvn test` replays it: turn it into a fix and a regression test. The corpus it grows stays in
# <module>/.cifuzz-corpus/ (not committed) and is reused by the next run.
# Prints per target: executions (libFuzzer's number_of_executed_units), new coverage-increasing inputs, findings,
# wall time; and appends per target one figure line (id fuzz.<module>.<method-in-kebab-case>, values executions,
# seconds, findings) to target/figures/figures.jsonl at the repository root, for docs/reliability.md (not with
# FUZZ_FIGURES=0, as bin/test's short run: the newest line of an id wins, and the long run's are the ones). The
# exit code is 1 when any target had a finding or failed. Runs only the JVMs of the tests: nothing here talks to the
# network (the playback and view targets talk to their own servers, on loopback).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bin/jdk.sh
source "$ROOT/bin/jdk.sh"
SECONDS_PER_TARGET="${1:-60}"
PER_INPUT_TIMEOUT="${PER_INPUT_TIMEOUT:-30}"
# the JVM of each target: a bounded heap on a shared machine; bin/test adds -XX:TieredStopAtLevel=1 (a faster start
# for its short runs)
read -r -a java_opts <<< "${FUZZ_JAVA_OPTS:--Xmx1g}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bench/fuzz.sh [SECONDS_PER_TARGET]   (a positive whole number of seconds, got '$SECONDS_PER_TARGET')" >&2
  exit 2
fi
cd "$ROOT"
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/streamtee-fuzz.XXXXXX")"

# module:Class#method for every @FuzzTest method under */src/test/java.
discover() {
  grep -rl --include='*.java' '@FuzzTest' -- */src/test/java | sort | while read -r file; do
    module="${file%%/src/test/java/*}"
    class="$(basename "$file" .java)"
    awk '/@FuzzTest/ { want = 1; next }
         want && match($0, /void [A-Za-z0-9_]+\(/) { m = substr($0, RSTART + 5, RLENGTH - 6); print m; want = 0 }' \
        "$file" | while read -r method; do
      echo "$module:$class#$method"
    done
  done
}

if [[ -n "${TARGETS:-}" ]]; then
  read -r -a targets <<< "$TARGETS"
else
  mapfile -t targets < <(discover)
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "no @FuzzTest found" >&2
  exit 2
fi

stat_of() { # libFuzzer's final stat NAME from a log, or nothing
  grep -oE "stat::$1:[[:space:]]*[0-9]+" "$2" | tail -1 | grep -oE '[0-9]+$' || true
}

source_of() { # module class -> the test's source file
  grep -rl --include="$2.java" "class $2" -- "$1/src/test/java" | head -1
}

inputs_dir() { # module class method -> the Inputs directory Jazzer writes findings to
  local file pkg
  file="$(source_of "$1" "$2")"
  pkg="${file#"$1"/src/test/java/}"
  echo "$1/src/test/resources/$(dirname "$pkg")/$2Inputs/$3"
}

fqcn() { # module class -> package.Class
  local file pkg
  file="$(source_of "$1" "$2")"
  pkg="${file#"$1"/src/test/java/}"
  pkg="${pkg%.java}"
  echo "${pkg//\//.}"
}

modules="$(for t in "${targets[@]}"; do echo "${t%%:*}"; done | sort -u | paste -sd, -)"
build_start=$(date +%s)
echo "bench/fuzz.sh: compiling $modules and writing their test class paths..."
if ! mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.outputFile=target/fuzz-classpath.txt \
    -Dmdep.includeScope=test -pl "$modules" -am > "$LOGS/build.log" 2>&1; then
  echo "bench/fuzz.sh: the build failed, see $LOGS/build.log" >&2
  tail -20 "$LOGS/build.log" >&2
  exit 1
fi
first="${targets[0]%%:*}"
mkdir -p "$LOGS/launcher"
"$JAVA_HOME/bin/javac" -d "$LOGS/launcher" -cp "$(cat "$first/target/fuzz-classpath.txt")" bench/lib/FuzzOne.java
echo "bench/fuzz.sh: build $(( $(date +%s) - build_start )) s"

echo "bench/fuzz.sh: ${#targets[@]} targets, ${SECONDS_PER_TARGET} s each, per-input timeout ${PER_INPUT_TIMEOUT} s;" \
     "logs in $LOGS; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
printf '%-42s %12s %8s %9s %7s  %s\n' TARGET EXECUTIONS EXEC/S NEW_COV WALL_S FINDINGS
status=0
total_start=$(date +%s)
mkdir -p target/figures
for target in "${targets[@]}"; do
  module="${target%%:*}"
  test="${target#*:}"
  class="${test%%#*}"
  method="${test#*#}"
  dir="$(inputs_dir "$module" "$class" "$method")"
  mkdir -p "$dir"
  before="$(ls "$dir" | grep -E '^(crash|timeout|slow-unit|oom)-' || true)"
  log="$LOGS/$module-$class-$method.log"
  name="$(fqcn "$module" "$class")"
  start=$(date +%s)
  rc=0
  # the same environment as surefire's (root pom): never probe the EC2 metadata address; a hard stop well after
  # the fuzzing time in case a target hangs outside libFuzzer's per-input timeout
  (cd "$module" && JAZZER_FUZZ=1 AWS_EC2_METADATA_DISABLED=true timeout -k 10 $(( SECONDS_PER_TARGET + 120 )) \
      "$JAVA_HOME/bin/java" "${java_opts[@]}" \
      -cp "target/test-classes:target/classes:$(cat target/fuzz-classpath.txt):$LOGS/launcher" \
      -Daws.disableEc2Metadata=true \
      -Djazzer.internal.arg.0=fake_argv0 \
      -Djazzer.internal.arg.1=-max_total_time="$SECONDS_PER_TARGET" \
      -Djazzer.internal.arg.2=-timeout="$PER_INPUT_TIMEOUT" \
      -Djazzer.internal.arg.3=-print_final_stats=1 \
      FuzzOne "$name" "$method") > "$log" 2>&1 || rc=$?
  wall=$(( $(date +%s) - start ))
  execs="$(stat_of number_of_executed_units "$log")"
  rate="$(stat_of average_exec_per_sec "$log")"
  newcov="$(stat_of new_units_added "$log")"
  after="$(ls "$dir" | grep -E '^(crash|timeout|slow-unit|oom)-' || true)"
  found="$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
  count="$(echo "$found" | wc -w)"
  if [[ -n "${found// /}" ]]; then
    findings="$found(in $dir)"
    status=1
  elif [[ $rc -ne 0 ]]; then
    findings="failed (exit $rc), see $log"
    count=1
    status=1
  else
    findings="none"
  fi
  printf '%-42s %12s %8s %9s %7s  %s\n' "$module:$test" "${execs:-?}" "${rate:-?}" "${newcov:-?}" "$wall" "$findings"
  if [[ -n "$execs" && "${FUZZ_FIGURES:-1}" != 0 ]]; then
    id="fuzz.$module.$(echo "$method" | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr 'A-Z' 'a-z')"
    printf '{"id":"%s","test":"%s","at":"%s","values":{"executions":%s,"seconds":%s,"findings":%s}}\n' \
      "$id" "$test" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$execs" "$SECONDS_PER_TARGET" "$count" \
      >> target/figures/figures.jsonl
  fi
done
echo "total wall time: $(( $(date +%s) - total_start )) s for the targets, after a build of" \
     "$(( total_start - build_start )) s$([[ "${FUZZ_FIGURES:-1}" != 0 ]] && echo "; figures appended to target/figures/figures.jsonl")"
exit $status

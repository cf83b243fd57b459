#!/usr/bin/env bash
# The Kafka benchmark (issue 14): an in-process KRaft broker (Apache Kafka's own artifacts, test scope of the kafka
# module) and two relays on loopback:
#   bench/kafka-bench.sh [RATES] [SECONDS]      e.g. bench/kafka-bench.sh 2000,5000,10000,20000,40000 10
# 1. CPU per datagram (1316 B) of a route with one UDP output, then with a Kafka output as well, at the first rate:
#    the relay's event loops + the Kafka output's thread + its producer's network thread (thread CPU time); the
#    difference is the Kafka output's cost.
# 2. a consumer catching up on a backlog of 50,000 datagrams (throughput and CPU per datagram); 100 cameras of 380
#    datagrams/s each in one relay, UDP outputs only, then UDP and Kafka outputs (CPU per datagram, cores);
# 3. camera -> relay -> Kafka -> relay -> UDP at each rate in turn until one loses or reorders a datagram; the last
#    lossless rate is "highest_lossless_rate".
# One JSON line per run; `python3 bench/scale_model.py OUTPUT` turns them into docs/scale.md. The broker runs in the same JVM and competes for the same cores: quote figures with the
# machine they came from, and never from a shared machine as capacity.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bin/jdk.sh
source "$ROOT/bin/jdk.sh"
RATES="${1:-2000,5000,10000,20000}"
SECONDS_PER_RUN="${2:-5}"
cp="$(mktemp -t kafka-bench-cp.XXXXXX)"
trap 'rm -f "$cp"' EXIT
(cd "$ROOT" && mvn -q -B -ntp -pl kafka -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp" >/dev/null)
# the sitting: when, and how busy the machine was (the figures of a busy machine are not a quiet machine's)
printf '{"run": "sitting", "date": "%s", "load": "%s"}\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
# the JSON lines only (the broker's and the relays' log lines go to the same stdout)
"$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -Dlogback.configurationFile="$ROOT/kafka/src/test/resources/logback-test.xml" \
  -cp "$ROOT/kafka/target/test-classes:$ROOT/kafka/target/classes:$(cat "$cp")" \
  io.streamtee.kafka.KafkaBench "$RATES" "$SECONDS_PER_RUN" | grep --line-buffered -o '{"run".*'

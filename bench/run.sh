#!/usr/bin/env bash
# The benchmark command: builds the bench module and runs every benchmark section (or those named), writing
# docs/benchmarks.md and its charts, e.g.
#   bench/run.sh                                  # everything, as docs/benchmarks.md shows it
#   bench/run.sh --sections latency,state         # only these; the page keeps the other sections' last results
#   bench/run.sh --sections soak --soak-seconds 600 --soak-fraction 0.5 [--soak-max-rate R]
# Options: see docs/benchmarks.md.
#
# Two JVMs, one after the other: the latency section runs on G1 (the JDK's default collector, which Flink runs with
# unless told otherwise; pauses well under a second), every other section on Parallel GC (the throughput collector;
# its pauses do not matter to events per second, and they would be most of the latency section's p99). Both get a
# 12 GiB heap, for ten million events and their state. JAVA_OPTS replaces the options of both; LATENCY_JAVA_OPTS and
# THROUGHPUT_JAVA_OPTS those of one. The latency section runs its job in a child JVM of its own (-Xms2g -Xmx2g -XX:+UseG1GC,
# about a TaskManager of docker/flink; --latency-job-jvm-options "..." replaces them), with its output and GC log in
# bench/target/latency-job/.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
CLASSPATH_ARG="bench/target/classes:$(cat bench/target/classpath.txt)"
ALL_SECTIONS="throughput,rules,experiments,latency,soak,state,micro,profile,discovery"

sections=""
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--sections" && $# -ge 2 ]]; then
    sections="$2"
    shift 2
  else
    args+=("$1")
    shift
  fi
done
[[ -n "$sections" ]] || sections="$ALL_SECTIONS"

latency=""
soak=""
others=""
IFS=',' read -ra named <<< "$sections"
for s in "${named[@]}"; do
  if [[ "$s" == "latency" ]]; then
    latency="latency"
  elif [[ "$s" == "soak" ]]; then
    soak="soak"
  else
    others="${others:+$others,}$s"
  fi
done

run() {
  local opts="$1"
  shift
  # shellcheck disable=SC2086
  java $opts -cp "$CLASSPATH_ARG" io.guidance.bench.Benchmarks "$@"
}

if [[ -n "$others" ]]; then
  run "${JAVA_OPTS:-${THROUGHPUT_JAVA_OPTS:--Xmx12g -XX:+UseParallelGC}}" --sections "$others" ${args[@]+"${args[@]}"}
fi
if [[ -n "$latency" ]]; then
  run "${JAVA_OPTS:-${LATENCY_JAVA_OPTS:--Xmx12g -XX:+UseG1GC}}" --sections latency ${args[@]+"${args[@]}"}
fi
if [[ -n "$soak" ]]; then
  run "${JAVA_OPTS:-${SOAK_JAVA_OPTS:--Xmx4g -XX:+UseG1GC -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=20}}" --sections soak ${args[@]+"${args[@]}"}
fi

#!/usr/bin/env bash
# Builds the bench module and runs the throughput benchmark with the given arguments, e.g.
#   bench/run.sh --events 10000000 --write-docs
# JAVA_OPTS overrides the JVM options (default: a 12 GiB heap for ten million events and their state).
# BENCH_MAIN runs another benchmark of the module, e.g. BENCH_MAIN=io.guidance.bench.LatencyBenchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java ${JAVA_OPTS:--Xmx12g -XX:+UseParallelGC} \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  "${BENCH_MAIN:-io.guidance.bench.ThroughputBenchmark}" "$@"

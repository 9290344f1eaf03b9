#!/usr/bin/env bash
# Builds the bench module and runs the throughput benchmark with the given arguments, e.g.
#   bench/run.sh --events 10000000 --write-docs
# JAVA_OPTS overrides the JVM options (default: a 12 GiB heap for ten million events and their state).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java ${JAVA_OPTS:--Xmx12g -XX:+UseParallelGC} \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.guidance.bench.ThroughputBenchmark "$@"

#!/usr/bin/env bash
# The benchmark command: builds the bench module and runs every benchmark section (or those named), writing
# docs/benchmarks.md and its charts, e.g.
#   bench/run.sh                                  # everything, as docs/benchmarks.md shows it
#   bench/run.sh --sections latency,state         # only these; the page keeps the other sections' last results
# Options: see docs/benchmarks.md. JAVA_OPTS overrides the JVM options (default: a 12 GiB heap for ten million events
# and their state).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java ${JAVA_OPTS:--Xmx12g -XX:+UseG1GC} \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.guidance.bench.Benchmarks "$@"

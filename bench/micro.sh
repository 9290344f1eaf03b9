#!/usr/bin/env bash
# Builds the bench module and runs the JMH microbenchmarks with the given arguments, e.g.
#   bench/micro.sh                                  # full run: forks 1, warmup 5 x 2 s, measurement 5 x 1 s
#   bench/micro.sh --include 'DetectorBenchmark' --out /tmp/micro.md
# JAVA_OPTS sets the JVM options of the runner; JMH's forked JVMs take the same ones.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java ${JAVA_OPTS:--Xmx2g} \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.guidance.bench.jmh.MicroBenchmarks "$@"

#!/usr/bin/env bash
# Builds the bench module and compares the full pipeline with the Flink CEP baseline of the hesitation rules, e.g.
#   bench/cep.sh --events 1000000 --parallelism 1,2 --runs 3
# JAVA_OPTS overrides the JVM options (default: a 12 GiB heap, enough for ten million events and their state).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java ${JAVA_OPTS:--Xmx12g -XX:+UseParallelGC} \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.guidance.bench.CepBenchmark "$@"

#!/usr/bin/env bash
# The measurement run behind BENCHMARKS.md: about 30 minutes of JMH on 2 cores, then about 14
# minutes of interleaved cross-checks (Interleaved.java) that are robust to outside load. Results (JMH JSON and
# the full console output) go to benchmarks/results/<UTC timestamp>/. Runs the JMH jar as built;
# build it first: mvn -B -q install -DskipTests (root), then mvn -B -q -f benchmarks/pom.xml package.
set -euo pipefail
cd "$(dirname "$0")"
JAR=${JAR:-target/benchmarks.jar}
OUT=${OUT:-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
ITER=(-f 1 -wi 2 -w 3s -i 3 -r 5s)
CLIENTS=laml,reactorNettyRaw,reactorNettyCopy,jdkHttpClient,webClientByteBuffer,webClient,rawSocket

jmh() { # name, then JMH arguments
  local name=$1; shift
  echo "=== $name: java -jar $JAR $*" | tee -a "$OUT/commands.txt"
  java -jar "$JAR" "$@" -rf json -rff "$OUT/$name.json" > "$OUT/$name.txt" 2>&1 || echo "!!! $name failed (see $OUT/$name.txt)"
  grep -E '^(Benchmark|[A-Z][A-Za-z]+\.[a-zA-Z]+)' "$OUT/$name.txt" | grep -v ':jfr' || true
}

{
  echo "started $(date -u +%FT%TZ)"; nproc; free -g | head -2; java -version 2>&1; uptime
} > "$OUT/machine.txt"

jmh downloads-256x1m   ConcurrentDownloads "${ITER[@]}" -p concurrency=256  -p size=1048576  -p client=$CLIENTS
jmh downloads-16x16m   ConcurrentDownloads "${ITER[@]}" -p concurrency=16   -p size=16777216 -p client=$CLIENTS
jmh downloads-1024x64k ConcurrentDownloads "${ITER[@]}" -p concurrency=1024 -p size=65536    -p client=$CLIENTS
jmh downloads-1x1m     ConcurrentDownloads "${ITER[@]}" -p concurrency=1    -p size=1048576  -p client=$CLIENTS
jmh filesink FileSink "${ITER[@]}" \
  -p client=laml,lamlNoFsync,reactorNetty,reactorNettyForce
jmh metadata MetadataFetch -f 1 -wi 4 -w 3s -i 3 -r 5s -p client=laml,reactorNettyJackson,twilio
jmh alloc-256x1m ConcurrentDownloads "${ITER[@]}" -p concurrency=256 -p size=1048576 \
  -p client=laml,reactorNettyCopy,reactorNettyRaw -prof gc
jmh dates DateParsing
java -Xmx64m -XX:MaxDirectMemorySize=64m -cp "$JAR" dev.laml.recordings.benchmarks.MemoryBound 2>&1 | tee "$OUT/memorybound.txt"
echo "JMH finished $(date -u +%FT%TZ)" | tee -a "$OUT/machine.txt"; uptime >> "$OUT/machine.txt"

# Noise-robust cross-check of the download ratios: all clients in one JVM, interleaved turns.
IL=laml,reactorNettyCopy,reactorNettyRaw,webClientByteBuffer,jdkHttpClient,rawSocket
for shape in "256 1048576" "16 16777216" "1024 65536"; do
  set -- $shape
  java -Xms2g -Xmx2g -Dio.netty.leakDetection.level=disabled -cp "$JAR" dev.laml.recordings.benchmarks.Interleaved \
    --concurrency "$1" --size "$2" --rounds 10 --turn-ms 1500 --clients "$IL" 2>/dev/null | tee "$OUT/interleaved-$1x$2.md"
done
for c in 64 1; do
  java -Xms2g -Xmx2g -Dio.netty.leakDetection.level=disabled -cp "$JAR" dev.laml.recordings.benchmarks.Interleaved --metadata \
    --concurrency "$c" --rounds 10 --turn-ms 1500 --clients laml,reactorNettyJackson,twilio \
    2>/dev/null | tee "$OUT/interleaved-metadata-$c.md"
done
java -Xms2g -Xmx2g -Dio.netty.leakDetection.level=disabled -cp "$JAR" dev.laml.recordings.benchmarks.Interleaved --filesink \
  --shape 16x16777216 --rounds 6 --turn-ms 2500 \
  --clients laml,lamlNoFsync,reactorNetty,reactorNettyForce \
  2>/dev/null | tee "$OUT/interleaved-filesink-16x16777216.md"
echo "finished $(date -u +%FT%TZ)" | tee -a "$OUT/machine.txt"; uptime >> "$OUT/machine.txt"

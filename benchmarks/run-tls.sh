#!/usr/bin/env bash
# The TLS measurement run behind BENCHMARKS.md "Over TLS": about 25 minutes of JMH on 2 cores
# (ConcurrentDownloads tls=true at the three target shapes, a plain-HTTP reference for laml and
# reactorNettyCopy, NewConnections, allocation, MemoryBound --tls), then about 10 minutes of
# interleaved cross-checks over TLS (Interleaved.java --tls). Results (JMH JSON, console output,
# cross-check tables, Diagnostics --tls) go to benchmarks/results/<OUT>. Runs the JMH jar as
# built; build it first: mvn -B -q -pl benchmarks -am package -DskipTests (root).
# PART=jmh or PART=il runs only that part (same OUT directory to complete a run).
set -euo pipefail
cd "$(dirname "$0")"
JAR=${JAR:-target/benchmarks.jar}
OUT=${OUT:-results/tls-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
ITER=(-f 1 -wi 2 -w 3s -i 3 -r 5s)
TLS=laml,lamlJdkTls,reactorNettyRaw,reactorNettyCopy,reactorNettyCopyJdkTls,webClientByteBuffer,jdkHttpClient,reactorNettyH2
JVM=(-Xms2g -Xmx2g -Dio.netty.leakDetection.level=disabled)
PART=${PART:-all}

jmh() { # name, then JMH arguments
  local name=$1; shift
  echo "=== $name: java -jar $JAR $*" | tee -a "$OUT/commands.txt"
  java -jar "$JAR" "$@" -rf json -rff "$OUT/$name.json" > "$OUT/$name.txt" 2>&1 || echo "!!! $name failed (see $OUT/$name.txt)"
  grep -E '^(Benchmark|[A-Z][A-Za-z]+\.[a-zA-Z]+)|^\[NewConnections\]' "$OUT/$name.txt" || true
}

il() { # name, then Interleaved arguments
  local name=$1; shift
  echo "=== $name: java ${JVM[*]} -cp $JAR dev.laml.recordings.benchmarks.Interleaved $*" | tee -a "$OUT/commands.txt"
  java "${JVM[@]}" -cp "$JAR" dev.laml.recordings.benchmarks.Interleaved "$@" 2>/dev/null | tee "$OUT/$name.md" \
    || echo "!!! $name failed"
}

{
  echo "started $(date -u +%FT%TZ) (PART=$PART)"; nproc; free -g | head -2; java -version 2>&1; uptime
  git -C .. rev-parse HEAD; git -C .. status --short | head -5
} >> "$OUT/machine.txt"

if [[ $PART == all || $PART == jmh ]]; then
java -cp "$JAR" dev.laml.recordings.benchmarks.Diagnostics --tls 2>/dev/null | tee "$OUT/diagnostics-tls.txt"

jmh tls-256x1m   ConcurrentDownloads "${ITER[@]}" -p tls=true -p concurrency=256  -p size=1048576  -p client=$TLS,reactorNettyH2Tuned
jmh tls-16x16m   ConcurrentDownloads "${ITER[@]}" -p tls=true -p concurrency=16   -p size=16777216 -p client=$TLS
jmh tls-1024x64k ConcurrentDownloads "${ITER[@]}" -p tls=true -p concurrency=1024 -p size=65536    -p client=$TLS
# What TLS costs: the same shapes over plain HTTP, laml and its copy baseline.
jmh plain-256x1m   ConcurrentDownloads "${ITER[@]}" -p tls=false -p concurrency=256  -p size=1048576  -p client=laml,reactorNettyCopy
jmh plain-16x16m   ConcurrentDownloads "${ITER[@]}" -p tls=false -p concurrency=16   -p size=16777216 -p client=laml,reactorNettyCopy
jmh plain-1024x64k ConcurrentDownloads "${ITER[@]}" -p tls=false -p concurrency=1024 -p size=65536    -p client=laml,reactorNettyCopy
# Handshake-bound: the server closes every connection after its body (lamlJdkTls x plain is skipped).
jmh newconn NewConnections "${ITER[@]}" -p tls=true,false -p client=laml,lamlJdkTls,reactorNettyCopy,jdkHttpClient
jmh tls-alloc-256x1m ConcurrentDownloads "${ITER[@]}" -p tls=true -p concurrency=256 -p size=1048576 \
  -p client=laml,lamlJdkTls,reactorNettyCopy -prof gc
fi
if [[ $PART == all || $PART == jmh || $PART == il ]]; then
java -Xmx64m -XX:MaxDirectMemorySize=64m -cp "$JAR" dev.laml.recordings.benchmarks.MemoryBound --tls 2>&1 \
  | tee "$OUT/memorybound-tls.txt" || echo "!!! MemoryBound --tls failed"
echo "JMH finished $(date -u +%FT%TZ)" | tee -a "$OUT/machine.txt"; uptime >> "$OUT/machine.txt"
fi
if [[ $PART == all || $PART == il ]]; then

# Noise-robust cross-checks over TLS: all clients in one JVM, interleaved turns.
il interleaved-tls-256x1048576  --tls --concurrency 256  --size 1048576  --rounds 10 --turn-ms 1500 \
  --clients laml,lamlJdkTls,reactorNettyCopy,webClientByteBuffer,jdkHttpClient
il interleaved-tls-16x16777216  --tls --concurrency 16   --size 16777216 --rounds 10 --turn-ms 1500 \
  --clients laml,lamlJdkTls,reactorNettyCopy,jdkHttpClient
il interleaved-tls-1024x65536   --tls --concurrency 1024 --size 65536    --rounds 10 --turn-ms 1500 \
  --clients laml,lamlJdkTls,reactorNettyCopy,jdkHttpClient,reactorNettyH2
il interleaved-tls-newconn-1024x65536 --tls --new-connections --concurrency 1024 --size 65536 --rounds 8 --turn-ms 1500 \
  --clients laml,reactorNettyCopy,jdkHttpClient
il interleaved-tls-h2-256x1048576 --tls --concurrency 256 --size 1048576 --rounds 8 --turn-ms 1500 \
  --clients reactorNettyCopy,reactorNettyH2,reactorNettyH2Tuned --reference reactorNettyH2
fi
echo "finished $(date -u +%FT%TZ)" | tee -a "$OUT/machine.txt"; uptime >> "$OUT/machine.txt"

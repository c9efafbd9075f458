#!/bin/bash
# A/B of the Interleaved cross-check: 8f04e3a (before issue 20) vs HEAD, alternated in one sitting.
# /tmp/bench-8f04e3a.jar and /tmp/bench-head.jar are each commit's benchmarks/target/benchmarks.jar
# (mvn -B -q -pl benchmarks -am package -DskipTests in a checkout of that commit). Usage: ab.sh OUTDIR
out=${1:?outdir}; mkdir -p "$out"
uptime > "$out/load-before.txt"; nproc >> "$out/load-before.txt"; java -version 2>> "$out/load-before.txt"
run() { # jar label mode pass
  local extra=""; [ "$3" = tls ] && extra="--tls"
  java -Xms2g -Xmx2g -Dio.netty.leakDetection.level=disabled -cp "$1" dev.laml.recordings.benchmarks.Interleaved $extra \
    --concurrency 256 --size 1048576 --rounds 10 --turn-ms 1500 --clients laml,reactorNettyCopy > "$out/$3-$2-$4.txt" 2>&1
  echo "$(date +%T) $3 $2 pass $4: $(grep '^| reactorNettyCopy' "$out/$3-$2-$4.txt" | awk -F'|' '{print $8}')"
}
for mode in plain tls; do
  for pass in 1 2 3; do
    if [ $((pass % 2)) = 1 ]; then run /tmp/bench-8f04e3a.jar before $mode $pass; run /tmp/bench-head.jar head $mode $pass
    else run /tmp/bench-head.jar head $mode $pass; run /tmp/bench-8f04e3a.jar before $mode $pass; fi
  done
done
uptime > "$out/load-after.txt"

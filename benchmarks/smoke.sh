#!/usr/bin/env bash
# CI smoke test of the benchmarks (well under 2 minutes): every JMH benchmark and client once at
# its smallest parameters over plain HTTP (one fork, one 0.5 s warmup and one 0.5 s measurement
# iteration; any benchmark error fails the script), one TLS run of laml (ConcurrentDownloads and
# NewConnections, tls=true: certificate generation, hand-over and trust, OpenSSL on both sides),
# then MemoryBound scaled down under -Xmx64m, then the archive benchmarks scaled down: ArchiveThroughput (directory,
# S3Proxy over the SDK's Netty and CRT clients, each on the SHA-256 and the MD5 path; every copy checked, every upload
# request's check counted on the wire) and S3MemoryBound under -Xmx128m (multipart uploads into S3Proxy, every object's
# size and SHA-256 checked, no multipart upload left), then EventsIntake scaled down (signed callbacks into
# RecordingEventsServer over SQLite and an embedded PostgreSQL: every answer 204 and every callback in the inbox; three
# recordings from callback to stored file, beside the list-based archive).
# Numbers from this run mean nothing; it proves the benchmarks still build, wire up and verify
# their byte counts. Real runs: see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")"
JAR=target/benchmarks.jar
if [[ ! -f "$JAR" ]]; then
  # Builds the module and what it depends on from the root reactor.
  mvn -B -q -f ../pom.xml -pl benchmarks -am package -DskipTests
fi
start=$SECONDS
# ignoreLock: a smoke must not fail because a real run holds JMH's machine-wide lock.
SMOKE=(-f 1 -wi 1 -w 500ms -i 1 -r 500ms -foe true)
java -Djmh.ignoreLock=true -jar "$JAR" 'ConcurrentDownloads|FileSink|MetadataFetch' "${SMOKE[@]}" \
  -p concurrency=1 -p size=65536 -p shape=16x65536 -p tls=false \
  -rf json -rff target/smoke.json
java -Djmh.ignoreLock=true -jar "$JAR" 'ConcurrentDownloads|NewConnections' "${SMOKE[@]}" \
  -p concurrency=16 -p size=65536 -p tls=true -p client=laml \
  -rf json -rff target/smoke-tls.json
java -Xmx64m -XX:MaxDirectMemorySize=64m -cp "$JAR" dev.laml.recordings.benchmarks.MemoryBound --ci
s3start=$SECONDS
java -Xms512m -Xmx512m -cp "$JAR" dev.laml.recordings.benchmarks.ArchiveThroughput --ci
java -Xmx128m -XX:+ExitOnOutOfMemoryError -cp "$JAR" dev.laml.recordings.benchmarks.S3MemoryBound --ci
echo "archive benchmarks smoke: $((SECONDS - s3start)) s"
evstart=$SECONDS
java -Xmx256m -cp "$JAR" dev.laml.recordings.benchmarks.EventsIntake --ci
echo "events benchmark smoke: $((SECONDS - evstart)) s"
echo "benchmarks smoke: OK in $((SECONDS - start)) s"

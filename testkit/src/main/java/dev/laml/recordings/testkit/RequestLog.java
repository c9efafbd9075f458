package dev.laml.recordings.testkit;

import io.netty.handler.codec.http.HttpHeaders;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Request counters and the bounded log of {@link RecordedRequest}s. Thread-safe: written from event loops, read from
 * test threads.
 *
 * <p>Bounded because benchmarks send millions of requests through one server: past the capacity the oldest entries
 * are dropped (counters stay exact).
 */
final class RequestLog {

    private final int capacity;
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder total = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> perPath = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final ArrayDeque<RecordedRequest> log = new ArrayDeque<>();

    RequestLog(int capacity) {
        this.capacity = capacity;
    }

    void record(String method, String target, String path, HttpHeaders headers) {
        record(method, target, path, headers, "");
    }

    /** Logs a request with its body (already read; "" for none). */
    void record(String method, String target, String path, HttpHeaders headers, String body) {
        long number = sequence.getAndIncrement();
        total.increment();
        perPath.computeIfAbsent(path, p -> new LongAdder()).increment();
        if (capacity == 0) {
            return; // skip copying headers when nobody will read them
        }
        RecordedRequest request = new RecordedRequest(number, method, target, path, headers, body);
        lock.lock();
        try {
            if (log.size() == capacity) {
                log.removeFirst();
            }
            log.addLast(request);
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long count() {
        return total.sum();
    }

    long count(String path) {
        LongAdder n = perPath.get(path);
        return n == null ? 0 : n.sum();
    }

    /** Removes and returns the oldest logged request, waiting up to {@code timeout}; null if none arrived. */
    RecordedRequest take(Duration timeout) {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (log.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = added.awaitNanos(nanos);
            }
            return log.removeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a request", e);
        } finally {
            lock.unlock();
        }
    }

    List<RecordedRequest> snapshot() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    void reset() {
        total.reset();
        perPath.clear();
        lock.lock();
        try {
            log.clear();
        } finally {
            lock.unlock();
        }
    }
}

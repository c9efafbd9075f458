package dev.laml.recordings.benchmarks.server;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts, among the PutObject and UploadPart requests an {@code S3AsyncClient} transmits, those that carry
 * {@code Content-MD5} and those that carry an S3 additional checksum ({@code x-amz-checksum-*}, as a header or
 * announced as a trailer), as the HTTP request leaves the SDK: proof that a benchmark measured the integrity path it
 * names, not the one the target fell back to.
 *
 * <p>Thread-safe (called from the SDK's threads); counters only grow.
 */
public final class ChecksumHeaders implements ExecutionInterceptor {

    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong contentMd5 = new AtomicLong();
    private final AtomicLong additional = new AtomicLong();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof PutObjectRequest) && !(context.request() instanceof UploadPartRequest)) {
            return;
        }
        SdkHttpRequest http = context.httpRequest();
        uploads.incrementAndGet();
        if (http.firstMatchingHeader("Content-MD5").isPresent()) {
            contentMd5.incrementAndGet();
        }
        boolean checksum = http.headers().keySet().stream()
                .anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("x-amz-checksum-"))
                || http.firstMatchingHeader("x-amz-trailer")
                        .filter(t -> t.toLowerCase(Locale.ROOT).contains("x-amz-checksum")).isPresent();
        if (checksum) {
            additional.incrementAndGet();
        }
    }

    /** A snapshot of the counters. */
    public Counts counts() {
        return new Counts(uploads.get(), contentMd5.get(), additional.get());
    }

    /** PutObject + UploadPart requests sent, how many with {@code Content-MD5}, how many with {@code x-amz-checksum-*}. */
    public record Counts(long uploads, long contentMd5, long additional) {

        public Counts minus(Counts before) {
            return new Counts(uploads - before.uploads, contentMd5 - before.contentMd5, additional - before.additional);
        }

        /**
         * Whether every upload request carried exactly the check of {@code path} ({@code "md5"} or {@code "sha256"})
         * and none the other (at least one upload sent).
         */
        public boolean allOn(String path) {
            return uploads > 0 && switch (path) {
                case "md5" -> contentMd5 == uploads && additional == 0;
                case "sha256" -> additional == uploads && contentMd5 == 0;
                default -> throw new IllegalArgumentException("path must be md5 or sha256: " + path);
            };
        }

        @Override
        public String toString() {
            return uploads + " PutObject/UploadPart requests, " + contentMd5 + " with Content-MD5, " + additional
                    + " with x-amz-checksum-*";
        }
    }
}

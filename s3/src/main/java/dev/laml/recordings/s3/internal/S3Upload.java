package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.S3StorageException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Streams objects into S3 and reads them back, on the AWS SDK v2's {@link S3AsyncClient}: the
 * engine under the archive's S3 target.
 *
 * <p>{@link #upload} takes a {@code Flux<ByteBuffer>} and never holds more than
 * {@link Settings#partsInFlight()} parts of {@link Settings#partSize()} bytes (plus one incoming
 * buffer): an object of at most one part is sent as one {@code PutObject}, a longer one (or one of
 * unknown length that outgrows a part) as a multipart upload whose parts each carry their SHA-256,
 * so that S3 verifies every byte it stores. The whole object's SHA-256 is computed on the way
 * through. A failed or cancelled multipart upload is aborted: no orphan parts.
 *
 * <p>Where the object's SHA-256 goes: a single {@code PutObject} is sent only once its bytes are
 * all in hand (they fit in one part buffer anyway), so it carries {@code x-amz-checksum-sha256}
 * of the whole object, which S3 checks, and the user metadata {@value #SHA256_METADATA} (hex). A
 * multipart upload's metadata is fixed by {@code CreateMultipartUpload}, before the first byte
 * is known, and S3 has no whole-object SHA-256 for multipart objects (SHA-256 is composite only:
 * a hash of the parts' hashes; full-object checksums exist only for the CRC algorithms), so a
 * multipart object has no {@value #SHA256_METADATA} metadata: the caller records
 * {@link Uploaded#sha256()} elsewhere (the archive's sidecar), with {@link Uploaded#eTag()} and
 * S3's composite {@link Uploaded#checksumSha256()} to recognise the object by a {@code HEAD}.
 *
 * <p>Thread-safe and immutable: one instance serves any number of concurrent calls. Every
 * method returns a cold publisher; nothing is sent before subscription. Arguments are non-null
 * unless documented otherwise; invalid ones throw {@link IllegalArgumentException} or
 * {@link NullPointerException} at call time. S3 failures arrive as {@link S3StorageException}s.
 */
public final class S3Upload {

    private static final int MIB = 1024 * 1024;

    /** S3's smallest part (every part but the last must be at least this long). */
    public static final int MIN_PART_SIZE = 5 * MIB;
    /** A part is one byte array: far below S3's 5 GiB, and plenty for recordings. */
    public static final int MAX_PART_SIZE = 1024 * MIB;
    /** 8 MiB: the AWS SDK's and CLI's default part size. */
    public static final int DEFAULT_PART_SIZE = 8 * MIB;
    /** Two parts uploading while a third fills: 24 MiB per upload at the default part size. */
    public static final int DEFAULT_PARTS_IN_FLIGHT = 3;
    /** The user-metadata key under which a single-request object carries its SHA-256 (hex). */
    public static final String SHA256_METADATA = "sha256";

    /** S3 allows 2 KB of user metadata (keys and values); {@value #SHA256_METADATA} takes 70 bytes of it. */
    static final int MAX_CALLER_METADATA_BYTES = 2048 - (SHA256_METADATA.length() + 64);
    private static final Pattern METADATA_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern METADATA_VALUE = Pattern.compile("[\\x20-\\x7e]*");

    private final S3AsyncClient s3;
    private final Settings settings;

    /** With {@link Settings#defaults()}. */
    public S3Upload(S3AsyncClient s3) {
        this(s3, Settings.defaults());
    }

    /**
     * @param s3       the caller's client, used as is and never closed here; its endpoint, region,
     *                 credentials and HTTP client are the caller's choice
     * @param settings part size, parts in flight and abort retries
     */
    public S3Upload(S3AsyncClient s3, Settings settings) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** This uploader's settings. */
    public Settings settings() {
        return settings;
    }

    /**
     * Streams {@code body} into {@code destination}.
     *
     * <p>Requests one buffer at a time, and only while a part buffer has room for it, so a
     * producer that outpaces S3 is slowed to S3's pace. The buffers must be the caller's to give
     * (heap or direct, read from {@code position} to {@code limit}, not changed afterwards); they are
     * copied into part buffers and not retained.
     *
     * <p>Ends with the {@link Uploaded} object once S3 has it; or with the body's own error, or an
     * {@link S3StorageException}, or an {@link dev.laml.recordings.IncompleteBodyException} when
     * {@code contentLength} was given and the body was shorter or longer. On failure the body is
     * cancelled and no further part is sent; the parts already in flight are let finish (one
     * cancelled on the client may still be stored by the server, after the abort, where no
     * listing would show it), then the multipart upload is aborted (retried as
     * {@link Settings#abortAttempts()} says), and only then is the error signalled: when it
     * arrives, nothing is left unless {@link S3StorageException#orphanedUploadId()} says so. (One
     * failure comes after the object exists: S3 reporting a composite checksum that is not that
     * of the parts sent. The object is then not what was sent, and must not be trusted.)
     * Cancelling does the same in the background, and cancels a single {@code PutObject} at once
     * (a PUT stores all or nothing). A request in flight ends by the client's own timeouts (the
     * SDK's Netty client reads and writes with 30 s timeouts by default).
     *
     * @param contentLength the body's length when known, or -1; a known length at most
     *                      {@link Settings#partSize()} means a single {@code PutObject}
     */
    public Mono<Uploaded> upload(Destination destination, Flux<ByteBuffer> body, long contentLength) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(body, "body");
        if (contentLength < -1) {
            throw new IllegalArgumentException("contentLength must be -1 (unknown) or at least 0: " + contentLength);
        }
        return Mono.create(sink -> {
            StreamingUpload upload = new StreamingUpload(this, destination, contentLength, sink);
            sink.onCancel(upload::cancelledByDownstream);
            body.subscribe(upload);
        });
    }

    /**
     * Puts a small object held in memory (the archive's sidecar) with one {@code PutObject},
     * checked by S3 against its SHA-256 like any single-request upload. {@code content} is not
     * copied: don't change it until the {@code Mono} ends.
     */
    public Mono<Uploaded> put(Destination destination, byte[] content) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(content, "content");
        return Mono.defer(() -> {
            MessageDigest sha256 = newSha256();
            sha256.update(content);
            return Mono.fromFuture(() -> putObject(destination, new ByteBuffer[] {ByteBuffer.wrap(content)},
                    content.length, sha256.digest()));
        });
    }

    /**
     * The object's size, ETag, content type and metadata, or an empty {@code Mono} when there is
     * no such object (404). Asks for S3's stored checksum ({@code x-amz-checksum-mode: ENABLED});
     * stores that keep none answer without it.
     */
    public Mono<ObjectInfo> head(String bucket, String key) {
        requireName(bucket, "bucket");
        requireName(key, "key");
        HeadObjectRequest request = HeadObjectRequest.builder()
                .bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED).build();
        return Mono.fromFuture(() -> s3.headObject(request))
                .map(S3Upload::objectInfo)
                .onErrorResume(e -> S3Errors.hasStatus(e, 404), e -> Mono.empty())
                .onErrorMap(e -> S3Errors.of("HeadObject", bucket, key, e));
    }

    /**
     * Streams the object's bytes, with the reader's backpressure; each buffer is the
     * subscriber's (a copy the SDK made). A missing object is an {@link S3StorageException} with
     * status 404; cancelling closes the response.
     */
    public Flux<ByteBuffer> get(String bucket, String key) {
        requireName(bucket, "bucket");
        requireName(key, "key");
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(key).build();
        return Mono.fromFuture(() -> s3.getObject(request, AsyncResponseTransformer.toPublisher()))
                .flatMapMany(Flux::from)
                .onErrorMap(e -> S3Errors.of("GetObject", bucket, key, e));
    }

    /** Reads the whole object back and hashes it: the archive's {@code --verify-remote}. */
    public Mono<ObjectDigest> digest(String bucket, String key) {
        return Mono.defer(() -> {
            MessageDigest sha256 = newSha256();
            long[] size = new long[1];
            return get(bucket, key)
                    .doOnNext(buffer -> {
                        size[0] += buffer.remaining();
                        sha256.update(buffer);
                    })
                    .then(Mono.fromCallable(() -> new ObjectDigest(size[0], HexFormat.of().formatHex(sha256.digest()))));
        });
    }

    /** Deletes the object; deleting one that isn't there succeeds, as in S3. */
    public Mono<Void> delete(String bucket, String key) {
        requireName(bucket, "bucket");
        requireName(key, "key");
        DeleteObjectRequest request = DeleteObjectRequest.builder().bucket(bucket).key(key).build();
        return Mono.fromFuture(() -> s3.deleteObject(request))
                .onErrorMap(e -> S3Errors.of("DeleteObject", bucket, key, e))
                .then();
    }

    /**
     * The multipart uploads begun and neither completed nor aborted whose keys start with
     * {@code keyPrefix} (empty for all), every page of them.
     */
    public Flux<PendingUpload> incompleteUploads(String bucket, String keyPrefix) {
        requireName(bucket, "bucket");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        ListMultipartUploadsRequest request = ListMultipartUploadsRequest.builder()
                .bucket(bucket).prefix(keyPrefix.isEmpty() ? null : keyPrefix).build();
        return Flux.defer(() -> Flux.from(s3.listMultipartUploadsPaginator(request).uploads()))
                .map(u -> new PendingUpload(u.key(), u.uploadId(), u.initiated()))
                .onErrorMap(e -> S3Errors.of("ListMultipartUploads", bucket, null, e));
    }

    /**
     * Aborts a multipart upload, retrying as {@link Settings#abortAttempts()} says: the one
     * request that frees what a failed upload left. An upload that no longer exists (404
     * {@code NoSuchUpload}) counts as aborted. When every attempt fails, the
     * {@link S3StorageException} names the upload in {@link S3StorageException#orphanedUploadId()}.
     */
    public Mono<Void> abort(String bucket, String key, String uploadId) {
        requireName(bucket, "bucket");
        requireName(key, "key");
        requireName(uploadId, "uploadId");
        AbortMultipartUploadRequest request = AbortMultipartUploadRequest.builder()
                .bucket(bucket).key(key).uploadId(uploadId).build();
        Mono<Void> once = Mono.fromFuture(() -> s3.abortMultipartUpload(request)).then();
        return once
                .onErrorResume(e -> S3Errors.hasStatus(e, 404), e -> Mono.empty())
                .retryWhen(Retry.backoff(settings.abortAttempts() - 1L, settings.abortBackoff())
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorMap(e -> {
                    S3StorageException failure = S3Errors.of("AbortMultipartUpload", bucket, key, e);
                    failure.recordOrphanedUpload(uploadId);
                    return failure;
                });
    }

    /**
     * Aborts the incomplete uploads under {@code keyPrefix} that {@code which} selects, and
     * counts them: the sweep that frees what a killed process (or an abort that found the store
     * down) left behind. Select narrowly: an upload in progress elsewhere (another worker of a
     * sharded archive) is indistinguishable from an abandoned one except by its key.
     */
    public Mono<Integer> abortIncompleteUploads(String bucket, String keyPrefix, Predicate<PendingUpload> which) {
        Objects.requireNonNull(which, "which");
        return incompleteUploads(bucket, keyPrefix)
                .filter(which)
                .flatMap(u -> abort(bucket, u.key(), u.uploadId()).thenReturn(1), 4)
                .reduce(0, Integer::sum);
    }

    // ---- shared with StreamingUpload

    S3AsyncClient client() {
        return s3;
    }

    /** One PutObject of {@code content} ({@code length} bytes in all) whose SHA-256 is {@code sha256}. */
    CompletableFuture<Uploaded> putObject(Destination destination, ByteBuffer[] content, int length, byte[] sha256) {
        String hex = HexFormat.of().formatHex(sha256);
        Map<String, String> metadata = new LinkedHashMap<>(destination.metadata());
        metadata.put(SHA256_METADATA, hex);
        PutObjectRequest request = PutObjectRequest.builder()
                .bucket(destination.bucket())
                .key(destination.key())
                .contentType(destination.contentType())
                .contentLength((long) length)
                .metadata(metadata)
                // A precomputed value travels as the x-amz-checksum-sha256 header, which S3
                // checks against what it received (400 BadDigest otherwise); the SDK then computes
                // no checksum of its own.
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumSHA256(Base64.getEncoder().encodeToString(sha256))
                .build();
        // Not copied: the buffers are never written again; see ReleasableBody for the release.
        ReleasableBody requestBody = new ReleasableBody(content, length);
        CompletableFuture<PutObjectResponse> put = s3.putObject(request, requestBody);
        CompletableFuture<Uploaded> uploaded = put.handle((response, failure) -> {
            requestBody.release();
            if (failure != null) {
                // Unwrapped again by Mono.fromFuture and S3Errors.
                throw new CompletionException(S3Errors.of("PutObject", destination.bucket(), destination.key(), failure));
            }
            return new Uploaded(destination.bucket(), destination.key(), length, hex,
                    response.eTag(), response.checksumSHA256(), 0);
        });
        // Cancelling a dependent future does not cancel the one it depends on: forward it, so
        // that a cancelled upload stops sending.
        uploaded.whenComplete((ignored, failure) -> {
            if (uploaded.isCancelled()) {
                put.cancel(true);
            }
        });
        return uploaded;
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static ObjectInfo objectInfo(HeadObjectResponse r) {
        return new ObjectInfo(r.contentLength() == null ? -1 : r.contentLength(), r.eTag(), r.contentType(),
                r.metadata(), r.checksumSHA256(), r.lastModified());
    }

    private static void requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    // ---- values

    /**
     * How uploads are cut and cleaned up. Immutable; thread-safe.
     *
     * @param partSize      bytes per part, from {@link #MIN_PART_SIZE} to {@link #MAX_PART_SIZE};
     *                      also the largest object sent as a single {@code PutObject}
     * @param partsInFlight part buffers one upload may hold, the one being filled included (at
     *                      least 1): the memory bound is {@code partsInFlight × partSize}, and
     *                      {@code partsInFlight - 1} parts upload while the next fills
     * @param abortAttempts how many times to try {@code AbortMultipartUpload} (at least 1); the
     *                      SDK's own retries come on top of each attempt
     * @param abortBackoff  the first wait between abort attempts, doubling (with jitter)
     * @param memoryProbe   told of every part buffer allocated and freed; {@link MemoryProbe#NONE}
     *                      outside tests
     */
    public record Settings(int partSize, int partsInFlight, int abortAttempts, Duration abortBackoff,
                           MemoryProbe memoryProbe) {

        public Settings {
            if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
                throw new IllegalArgumentException("partSize must be from " + MIN_PART_SIZE + " to "
                        + MAX_PART_SIZE + " bytes: " + partSize);
            }
            if (partsInFlight < 1) {
                throw new IllegalArgumentException("partsInFlight must be at least 1: " + partsInFlight);
            }
            if (abortAttempts < 1) {
                throw new IllegalArgumentException("abortAttempts must be at least 1: " + abortAttempts);
            }
            Objects.requireNonNull(abortBackoff, "abortBackoff");
            if (abortBackoff.isNegative()) {
                throw new IllegalArgumentException("abortBackoff must not be negative: " + abortBackoff);
            }
            Objects.requireNonNull(memoryProbe, "memoryProbe");
        }

        /** 8 MiB parts, 3 in flight, 4 abort attempts 500 ms apart and more (about 4 s in all). */
        public static Settings defaults() {
            return new Settings(DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT, 4, Duration.ofMillis(500), MemoryProbe.NONE);
        }

        public Settings withPartSize(int partSize) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe);
        }

        public Settings withPartsInFlight(int partsInFlight) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe);
        }

        public Settings withAbortRetries(int abortAttempts, Duration abortBackoff) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe);
        }

        public Settings withMemoryProbe(MemoryProbe memoryProbe) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe);
        }
    }

    /**
     * Where an upload goes and what it carries. Immutable; thread-safe.
     *
     * @param bucket      the bucket; not empty
     * @param key         the object key; not empty, at most 1024 bytes of UTF-8
     * @param contentType the {@code Content-Type}; null means {@code application/octet-stream}
     * @param metadata    user metadata ({@code x-amz-meta-*}): lower-case keys of letters, digits,
     *                    {@code . _ -}, printable-ASCII values without surrounding spaces, at most
     *                    {@value #MAX_CALLER_METADATA_BYTES} bytes in all; the key
     *                    {@value #SHA256_METADATA} is the uploader's. Null means none; copied.
     */
    public record Destination(String bucket, String key, String contentType, Map<String, String> metadata) {

        public Destination {
            requireName(bucket, "bucket");
            requireName(key, "key");
            if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
                throw new IllegalArgumentException("key longer than S3's 1024 bytes: " + key);
            }
            contentType = contentType == null ? "application/octet-stream" : contentType;
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
            int bytes = 0;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                String name = e.getKey();
                String value = e.getValue();
                if (!METADATA_KEY.matcher(name).matches()) {
                    throw new IllegalArgumentException("metadata key must be lower-case letters, digits, . _ -: " + name);
                }
                if (name.equals(SHA256_METADATA)) {
                    throw new IllegalArgumentException("metadata key " + SHA256_METADATA + " is set by the uploader");
                }
                if (!METADATA_VALUE.matcher(value).matches() || !value.strip().equals(value)) {
                    throw new IllegalArgumentException("metadata value of " + name
                            + " must be printable ASCII without surrounding spaces");
                }
                bytes += name.length() + value.length();
            }
            if (bytes > MAX_CALLER_METADATA_BYTES) {
                throw new IllegalArgumentException("metadata takes " + bytes + " bytes; at most "
                        + MAX_CALLER_METADATA_BYTES + " fit beside " + SHA256_METADATA);
            }
        }

        public static Destination of(String bucket, String key) {
            return new Destination(bucket, key, null, null);
        }
    }

    /**
     * An object S3 has accepted. Immutable; thread-safe.
     *
     * @param size           its length in bytes
     * @param sha256         the SHA-256 of its bytes, lower-case hex, computed while streaming
     * @param eTag           the ETag S3 returned (quoted, as S3 sends it); changes whenever the
     *                       object is replaced
     * @param checksumSha256 S3's own SHA-256 record as it returned it, base64: of the whole
     *                       object for a single request, composite ({@code base64-N}) for a
     *                       multipart upload; null when the store confirmed none
     * @param parts          the number of parts, or 0 for a single {@code PutObject}
     */
    public record Uploaded(String bucket, String key, long size, String sha256, String eTag,
                           String checksumSha256, int parts) {
    }

    /**
     * What a HEAD tells about an object. Immutable; thread-safe.
     *
     * @param size           its length in bytes
     * @param eTag           its ETag, quoted
     * @param contentType    its {@code Content-Type}, or null
     * @param metadata       its user metadata (keys lower-case), never null
     * @param checksumSha256 S3's stored SHA-256 record (see {@link Uploaded#checksumSha256()}),
     *                       or null when the store keeps or returns none
     * @param lastModified   when it was written, or null
     */
    public record ObjectInfo(long size, String eTag, String contentType, Map<String, String> metadata,
                             String checksumSha256, Instant lastModified) {

        public ObjectInfo {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }

        /** The {@value #SHA256_METADATA} metadata (hex), or null for an object uploaded in parts. */
        public String sha256() {
            return metadata.get(SHA256_METADATA);
        }
    }

    /** An object's length and SHA-256 (lower-case hex) as read back. Immutable; thread-safe. */
    public record ObjectDigest(long size, String sha256) {
    }

    /**
     * A multipart upload begun and not finished. Immutable; thread-safe.
     *
     * @param initiated when it was begun as the store reports it, or null
     */
    public record PendingUpload(String key, String uploadId, Instant initiated) {
    }

    /**
     * Observes the part buffers an upload holds, to test the memory bound. Called from whichever
     * thread allocates or frees, so implementations must be thread-safe and quick.
     */
    public interface MemoryProbe {

        MemoryProbe NONE = new MemoryProbe() {
            @Override
            public void allocated(long bytes) {
            }

            @Override
            public void freed(long bytes) {
            }
        };

        /** A block of {@code bytes} was allocated for a part. */
        void allocated(long bytes);

        /** A part's blocks, {@code bytes} in all, are no longer referenced by the upload. */
        void freed(long bytes);
    }
}

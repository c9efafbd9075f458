package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.S3StorageException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
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
import software.amazon.awssdk.services.s3.model.StorageClass;
import dev.laml.recordings.s3.internal.Integrity.Check;

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
    private static final Pattern MD5_HEX = Pattern.compile("[0-9a-fA-F]{32}");
    /** What {@link #upload(Destination, Flux, long)} and {@link #put(Destination, byte[])} ask for. */
    private static final Integrity SHA256_ONLY = Integrity.fixed(Check.SHA256);

    /**
     * Per request, for the MD5 and no-check paths: the SDK's client-wide default (since 2.30,
     * {@code requestChecksumCalculation = WHEN_SUPPORTED}) adds a CRC32 checksum to every PutObject and UploadPart
     * that carries no {@code x-amz-checksum-*} header of its own ({@code HttpChecksumUtils.isHttpChecksumCalculationNeeded}
     * does not count {@code Content-MD5}), and a store without the additional checksums refuses that header with 501.
     * The client is the caller's and built with defaults, so the setting is changed for these requests only, by a
     * request-level plugin: WHEN_REQUIRED adds nothing to operations that do not require a checksum.
     */
    static final SdkPlugin NO_SDK_CHECKSUM = config -> {
        if (config instanceof S3ServiceClientConfiguration.Builder s3config) {
            s3config.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
        }
    };

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
        return upload(destination, body, contentLength, SHA256_ONLY);
    }

    /**
     * As {@link #upload(Destination, Flux, long)}, asking the store for the check {@code integrity} says: SHA-256
     * (as above), {@code Content-MD5} on the PutObject and on every UploadPart (the MD5 of each part computed as its
     * blocks arrive; a single PutObject's ETag, when it has the form of an MD5, must then equal it), or nothing. With
     * {@link Integrity.Mode#AUTO}, a request the store refuses for its SHA-256 header is sent once more with
     * {@code Content-MD5}, from the same bytes.
     */
    public Mono<Uploaded> upload(Destination destination, Flux<ByteBuffer> body, long contentLength,
            Integrity integrity) {
        Objects.requireNonNull(integrity, "integrity");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(body, "body");
        if (contentLength < -1) {
            throw new IllegalArgumentException("contentLength must be -1 (unknown) or at least 0: " + contentLength);
        }
        return Mono.create(sink -> {
            StreamingUpload upload = new StreamingUpload(this, destination, contentLength, integrity, sink);
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
        return put(destination, content, SHA256_ONLY);
    }

    /**
     * As {@link #put(Destination, byte[])}, checked as {@code integrity} says. Sent without the storage class of
     * {@link Settings#objectOptions()}: a small document (a sidecar) must stay readable at once (not in GLACIER), and
     * the infrequent-access classes bill an object below 128 KiB as 128 KiB anyway.
     */
    public Mono<Uploaded> put(Destination destination, byte[] content, Integrity integrity) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(integrity, "integrity");
        return Mono.defer(() -> {
            MessageDigest sha256 = newSha256();
            sha256.update(content);
            MessageDigest md5 = newMd5();
            md5.update(content);
            return Mono.fromFuture(() -> putObject(destination, new ByteBuffer[] {ByteBuffer.wrap(content)},
                    content.length, sha256.digest(), md5.digest(), integrity, false));
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
                .bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED)
                .expectedBucketOwner(settings.objectOptions().expectedBucketOwner()).build();
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
        GetObjectRequest request = getRequest(bucket, key);
        return Mono.fromFuture(() -> s3.getObject(request, AsyncResponseTransformer.toPublisher()))
                .flatMapMany(Flux::from)
                .onErrorMap(e -> S3Errors.of("GetObject", bucket, key, e));
    }

    /**
     * A GetObject that asks for the store's checksum ({@code x-amz-checksum-mode: ENABLED}, which the SDK then
     * validates when the store sends one). Without it, a client built with defaults adds {@code x-amz-te: append-md5}
     * (its legacy GetObject validation, {@code ChecksumsEnabledValidator}), which stores without S3's additional
     * checksums refuse with 501; the checksum mode header they accept and ignore.
     */
    public GetObjectRequest getRequest(String bucket, String key) {
        return GetObjectRequest.builder().bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED)
                .expectedBucketOwner(settings.objectOptions().expectedBucketOwner()).build();
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
        DeleteObjectRequest request = DeleteObjectRequest.builder().bucket(bucket).key(key)
                .expectedBucketOwner(settings.objectOptions().expectedBucketOwner()).build();
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
                .bucket(bucket).prefix(keyPrefix.isEmpty() ? null : keyPrefix)
                .expectedBucketOwner(settings.objectOptions().expectedBucketOwner()).build();
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
                .bucket(bucket).key(key).uploadId(uploadId)
                .expectedBucketOwner(settings.objectOptions().expectedBucketOwner()).build();
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

    /**
     * One PutObject of {@code content} ({@code length} bytes in all) whose SHA-256 and MD5 are given (the MD5 may be
     * null when {@code integrity} cannot ask for it), checked as {@code integrity} says; sent once more with
     * {@code Content-MD5} when AUTO falls back on the store's refusal of the SHA-256 header. With
     * {@code withStorageClass} false, the storage class is left to the bucket (see {@link #put}).
     */
    CompletableFuture<Uploaded> putObject(Destination destination, ByteBuffer[] content, int length, byte[] sha256,
            byte[] md5, Integrity integrity, boolean withStorageClass) {
        String hex = HexFormat.of().formatHex(sha256);
        // Not copied: the buffers are never written again; see ReleasableBody for the release.
        ReleasableBody requestBody = new ReleasableBody(content, length);
        CompletableFuture<Uploaded> uploaded = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<?>> inFlight =
                new java.util.concurrent.atomic.AtomicReference<>();
        Check first = integrity.current();
        sendPut(destination, requestBody, length, hex, sha256, md5, first, withStorageClass, inFlight)
                .whenComplete((response, failure) -> {
                    if (failure != null && md5 != null && !uploaded.isDone()
                            && integrity.fallBack(first, failure, storeName(destination))) {
                        sendPut(destination, requestBody, length, hex, sha256, md5, integrity.current(),
                                withStorageClass, inFlight).whenComplete((again, failureAgain) ->
                                finishPut(destination, requestBody, length, hex, md5, integrity.current(), again,
                                        failureAgain, integrity, uploaded));
                        return;
                    }
                    finishPut(destination, requestBody, length, hex, md5, first, response, failure, integrity,
                            uploaded);
                });
        // Cancelling a dependent future does not cancel the one it depends on: forward it, so
        // that a cancelled upload stops sending.
        uploaded.whenComplete((ignored, failure) -> {
            if (uploaded.isCancelled()) {
                CompletableFuture<?> current = inFlight.get();
                if (current != null) {
                    current.cancel(true);
                }
                requestBody.release();
            }
        });
        return uploaded;
    }

    private CompletableFuture<PutObjectResponse> sendPut(Destination destination, ReleasableBody body, int length,
            String hex, byte[] sha256, byte[] md5, Check check, boolean withStorageClass,
            java.util.concurrent.atomic.AtomicReference<CompletableFuture<?>> inFlight) {
        Map<String, String> metadata = new LinkedHashMap<>(destination.metadata());
        metadata.put(SHA256_METADATA, hex);
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(destination.bucket())
                .key(destination.key())
                .contentType(destination.contentType())
                .contentLength((long) length)
                .metadata(metadata);
        ObjectOptions options = settings.objectOptions();
        request.expectedBucketOwner(options.expectedBucketOwner())
                .serverSideEncryption(options.sse())
                .ssekmsKeyId(options.kmsKeyId());
        if (withStorageClass && options.storageClass() != null) {
            request.storageClass(options.storageClass());
        }
        switch (check) {
            // A precomputed value travels as the x-amz-checksum-sha256 header, which S3 checks against what it
            // received (400 BadDigest otherwise); the SDK then computes no checksum of its own.
            case SHA256 -> request.checksumAlgorithm(ChecksumAlgorithm.SHA256)
                    .checksumSHA256(Base64.getEncoder().encodeToString(sha256));
            // Content-MD5: checked by S3 and by every S3-compatible store (400 BadDigest).
            case MD5 -> request.contentMD5(Base64.getEncoder().encodeToString(md5))
                    .overrideConfiguration(o -> o.addPlugin(NO_SDK_CHECKSUM));
            case NONE -> request.overrideConfiguration(o -> o.addPlugin(NO_SDK_CHECKSUM));
        }
        CompletableFuture<PutObjectResponse> put;
        try {
            put = s3.putObject(request.build(), body);
        } catch (RuntimeException e) {
            put = CompletableFuture.failedFuture(e);
        }
        inFlight.set(put);
        return put;
    }

    private void finishPut(Destination destination, ReleasableBody body, int length, String hex, byte[] md5,
            Check check, PutObjectResponse response, Throwable failure, Integrity integrity,
            CompletableFuture<Uploaded> uploaded) {
        body.release();
        if (failure != null) {
            uploaded.completeExceptionally(S3Errors.of("PutObject", destination.bucket(), destination.key(), failure));
            return;
        }
        if (check == Check.SHA256) {
            integrity.sha256Accepted();
        }
        if (check == Check.MD5 && !eTagIsMd5OrOpaque(response.eTag(), md5)) {
            // The store said it checked the Content-MD5, and its ETag (the MD5 of what it stored, for a single
            // request without SSE-KMS or SSE-C) says otherwise.
            uploaded.completeExceptionally(new S3StorageException("PutObject s3://" + destination.bucket() + "/"
                    + destination.key() + " stored an object whose ETag " + response.eTag()
                    + " is not the MD5 of the bytes sent, " + HexFormat.of().formatHex(md5), "PutObject",
                    destination.bucket(), destination.key(), response.sdkHttpResponse().statusCode(), null, null));
            return;
        }
        uploaded.complete(new Uploaded(destination.bucket(), destination.key(), length, hex,
                response.eTag(), response.checksumSHA256(), 0, check));
    }

    /**
     * Whether a single request's ETag agrees with the MD5 sent: equal to it, or not an MD5 at all (SSE-KMS and SSE-C
     * objects, and some stores, have opaque ETags: the store's own check of {@code Content-MD5} is then the proof).
     */
    boolean eTagIsMd5OrOpaque(String eTag, byte[] md5) {
        if (eTag == null || settings.objectOptions().sse() == ServerSideEncryption.AWS_KMS
                || settings.objectOptions().sse() == ServerSideEncryption.AWS_KMS_DSSE) {
            return true;
        }
        String bare = eTag.startsWith("\"") && eTag.endsWith("\"") && eTag.length() >= 2
                ? eTag.substring(1, eTag.length() - 1) : eTag;
        if (!MD5_HEX.matcher(bare).matches()) {
            return true;
        }
        return bare.equalsIgnoreCase(HexFormat.of().formatHex(md5));
    }

    /** How a notice names the store: by the client's endpoint is not reachable here, so by the bucket. */
    static String storeName(Destination destination) {
        return "the store of s3://" + destination.bucket();
    }

    static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
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
                           MemoryProbe memoryProbe, ObjectOptions objectOptions) {

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
            Objects.requireNonNull(objectOptions, "objectOptions");
        }

        /** 8 MiB parts, 3 in flight, 4 abort attempts 500 ms apart and more (about 4 s in all). */
        public static Settings defaults() {
            return new Settings(DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT, 4, Duration.ofMillis(500), MemoryProbe.NONE,
                    ObjectOptions.NONE);
        }

        public Settings withPartSize(int partSize) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe, objectOptions);
        }

        public Settings withPartsInFlight(int partsInFlight) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe, objectOptions);
        }

        public Settings withAbortRetries(int abortAttempts, Duration abortBackoff) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe, objectOptions);
        }

        public Settings withMemoryProbe(MemoryProbe memoryProbe) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe, objectOptions);
        }

        public Settings withObjectOptions(ObjectOptions objectOptions) {
            return new Settings(partSize, partsInFlight, abortAttempts, abortBackoff, memoryProbe, objectOptions);
        }
    }

    /**
     * How objects are stored: their storage class, server-side encryption, and the account that must own the bucket.
     * Immutable; thread-safe.
     *
     * @param storageClass        {@code x-amz-storage-class} of uploaded audio (not of sidecars, see {@link #put}), or
     *                            null for the bucket's default
     * @param sse                 {@code x-amz-server-side-encryption}, or null for the bucket's default
     * @param kmsKeyId            the KMS key for {@code aws:kms}, or null for the account's default key
     * @param expectedBucketOwner {@code x-amz-expected-bucket-owner}, sent on every request S3 accepts it on (all that
     *                            this class sends); null for none
     */
    public record ObjectOptions(StorageClass storageClass, ServerSideEncryption sse, String kmsKeyId,
                                String expectedBucketOwner) {

        public static final ObjectOptions NONE = new ObjectOptions(null, null, null, null);

        public ObjectOptions {
            if (kmsKeyId != null && sse != ServerSideEncryption.AWS_KMS && sse != ServerSideEncryption.AWS_KMS_DSSE) {
                throw new IllegalArgumentException("a KMS key id goes with aws:kms encryption only");
            }
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
     * @param check          the check the store performed on what it received: SHA-256, MD5, or none
     */
    public record Uploaded(String bucket, String key, long size, String sha256, String eTag,
                           String checksumSha256, int parts, Check check) {
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

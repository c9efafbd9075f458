package dev.laml.recordings.s3;

import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.s3.internal.Integrity;
import dev.laml.recordings.s3.internal.S3Errors;
import dev.laml.recordings.s3.internal.S3Upload.Destination;
import dev.laml.recordings.s3.internal.S3Upload.ObjectInfo;
import dev.laml.recordings.s3.internal.S3Upload;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An {@link ArchiveTarget} in an S3 bucket (or any S3-compatible store), for
 * {@code RecordingsClient.archive(accountSid, query, S3Target.of(s3, "bucket", "recordings"), options)}.
 *
 * <p>Same layout as on disk, below the prefix: {@code prefix/yyyy/MM/dd/{sid}.wav} and, written after it, the sidecar
 * {@code prefix/yyyy/MM/dd/{sid}.json}. The audio streams from the download straight into the upload, never to disk
 * and never whole in memory: one {@code PutObject} when it fits in a part (8 MiB), else a multipart upload with at
 * most 3 parts in flight, each part carrying its SHA-256 for S3 to check; a failed or cancelled upload is aborted,
 * so no parts are left behind. Objects carry {@code Content-Type} and the metadata {@code sid}, {@code call-sid},
 * {@code date-created}, {@code duration}, and {@code sha256} when uploaded in one request (S3 cannot take metadata
 * after a multipart upload began; the sidecar always has the SHA-256, and S3's composite checksum proves the parts).
 *
 * <p>Checking a copy (to skip it on a rerun, and before deleting the recording from SignalWire) is one HEAD: the
 * object's size must equal the sidecar's, and its SHA-256 metadata, or S3's checksum record, or its ETag must equal
 * what a HEAD said right after it was uploaded (recorded in the sidecar). {@code ArchiveOptions.verifyRemote(true)} reads the object back and hashes
 * it instead.
 *
 * <p>Integrity adapts to the store ({@link #checksum(Checksum)}): by default ({@link Checksum#AUTO}) each request
 * carries S3's SHA-256 checksum; a store that answers that it does not implement S3's additional checksums (501
 * NotImplemented, or a 400 saying so, as S3Proxy 2.x and several S3-compatible stores do) makes the run fall back,
 * once and for all its uploads, to {@code Content-MD5} on every PutObject and UploadPart, which such stores check;
 * the refused request is sent again from the bytes in hand, so nothing is downloaded twice. The whole recording's
 * SHA-256 is computed while it streams whatever the store checks, and the sidecar records which check the store
 * performed ({@code store_check}). Storage settings: {@link #storageClass(StorageClass)}, {@link #sse} and
 * {@link #expectedBucketOwner(String)}.
 *
 * <p>Credentials, region and endpoint are the {@link S3AsyncClient}'s (built with the SDK's defaults or not: the
 * checksum behaviour above does not depend on its {@code requestChecksumCalculation}); this class never sees a
 * secret. Thread-safe and immutable (the settings methods return copies); the client is not closed by it.
 */
public final class S3Target implements ArchiveTarget {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final int MAX_SIDECAR_BYTES = 64 * 1024;

    /**
     * Which integrity check uploads ask the store for.
     *
     * <ul>
     *   <li>{@link #AUTO} (the default): {@link #SHA256} where the store accepts it; on the first refusal (501
     *       NotImplemented, or a 400 saying it does not implement the checksum), {@link #MD5} for the rest of the run
     *       (one {@link #open() session}), said once to {@link #onChecksumFallback(Consumer)}.</li>
     *   <li>{@link #SHA256}: S3's additional checksum, {@code x-amz-checksum-sha256}, on every PutObject and
     *       UploadPart, and S3's composite checksum compared after a multipart upload. A store without it fails.</li>
     *   <li>{@link #MD5}: {@code Content-MD5} on every PutObject and UploadPart (the MD5 of each part computed as its
     *       blocks arrive), and a single PutObject's ETag compared with the MD5 when it has an MD5's form (it has
     *       not with SSE-KMS). No {@code x-amz-checksum-*} header is sent, not even the SDK's default CRC32.</li>
     *   <li>{@link #NONE}: no checksum at all, for stores that check nothing: a copy is then proven only by the HEAD
     *       (length, ETag) and the sidecar, and a recording is deleted after archiving only when the copy was read
     *       back ({@code ArchiveOptions.verifyRemote(true)}).</li>
     * </ul>
     */
    public enum Checksum { AUTO, SHA256, MD5, NONE }

    private final S3AsyncClient s3;
    private final S3Upload upload;
    private final String bucket;
    private final String prefix;
    private final Checksum checksum;
    private final Consumer<String> fallbackNotice;

    private S3Target(S3AsyncClient s3, S3Upload upload, String bucket, String prefix, Checksum checksum,
            Consumer<String> fallbackNotice) {
        this.s3 = s3;
        this.upload = upload;
        this.bucket = bucket;
        this.prefix = prefix;
        this.checksum = checksum;
        this.fallbackNotice = fallbackNotice;
    }

    /**
     * The target {@code s3://bucket/prefix/}.
     *
     * @param prefix the key prefix, without leading or trailing {@code /} (they are stripped); empty for the bucket's
     *               root. No {@code .} or {@code ..} segments.
     * @throws IllegalArgumentException if the client is null, the bucket is not a valid S3 bucket name, or the
     *                                  prefix is null or has a {@code .}/{@code ..} segment or control characters
     */
    public static S3Target of(S3AsyncClient s3, String bucket, String prefix) {
        return of(s3, bucket, prefix, 0, 0);
    }

    /**
     * As {@link #of(S3AsyncClient, String, String)}, with the upload's part size (5 MiB to 1 GiB; 0: 8 MiB) and parts
     * in flight per upload (0: 3). Memory per recording in flight is at most their product.
     *
     * @throws IllegalArgumentException as {@link #of(S3AsyncClient, String, String)}, or for sizes out of range
     */
    public static S3Target of(S3AsyncClient s3, String bucket, String prefix, int partSize, int partsInFlight) {
        if (s3 == null) {
            throw new IllegalArgumentException("s3 client must not be null");
        }
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("not an S3 bucket name (3 to 63 lower-case letters, digits, '.' and "
                    + "'-'): " + (bucket == null ? null : "'" + printable(bucket) + "'"));
        }
        String p = normalizePrefix(prefix);
        S3Upload.Settings settings = S3Upload.Settings.defaults();
        if (partSize != 0) {
            settings = settings.withPartSize(partSize);
        }
        if (partsInFlight != 0) {
            settings = settings.withPartsInFlight(partsInFlight);
        }
        return new S3Target(s3, new S3Upload(s3, settings), bucket, p, Checksum.AUTO, null);
    }

    /**
     * A copy that asks the store for {@code checksum} (see {@link Checksum}); {@link Checksum#AUTO} by default.
     *
     * @throws IllegalArgumentException if {@code checksum} is null
     */
    public S3Target checksum(Checksum checksum) {
        if (checksum == null) {
            throw new IllegalArgumentException("checksum must not be null");
        }
        return new S3Target(s3, upload, bucket, prefix, checksum, fallbackNotice);
    }

    /** The integrity check asked for. */
    public Checksum checksum() {
        return checksum;
    }

    /**
     * A copy that tells {@code notice} (one line, in words, naming the bucket and the store's answer) when
     * {@link Checksum#AUTO} falls back to MD5: once per run. Called from an SDK thread; must be quick. Null: nobody.
     */
    public S3Target onChecksumFallback(Consumer<String> notice) {
        return new S3Target(s3, upload, bucket, prefix, checksum, notice);
    }

    /**
     * A copy that stores audio in {@code storageClass} ({@code x-amz-storage-class}: {@code STANDARD_IA},
     * {@code GLACIER_IR}, ...); null for the bucket's default. Sidecars stay in the bucket's default class: they are
     * read on every rerun (a GLACIER object cannot be), and the infrequent-access classes bill an object below 128 KiB
     * as 128 KiB. A rerun's check does not look at the class: an object stored with another class counts as stored.
     * (A copy in GLACIER or DEEP_ARCHIVE cannot be read back without a restore, so {@code verifyRemote} fails there.)
     */
    public S3Target storageClass(@Nullable StorageClass storageClass) {
        if (storageClass == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("storage class unknown to this SDK version");
        }
        return withOptions(new S3Upload.ObjectOptions(storageClass, options().sse(), options().kmsKeyId(),
                options().expectedBucketOwner()));
    }

    /**
     * A copy that asks for server-side encryption {@code sse} ({@code AES256}: SSE-S3; {@code aws:kms}: SSE-KMS with
     * the account's default key) on every PutObject and CreateMultipartUpload; null for the bucket's default.
     *
     * @throws IllegalArgumentException for {@code UNKNOWN_TO_SDK_VERSION}
     */
    public S3Target sse(@Nullable ServerSideEncryption sse) {
        return sse(sse, null);
    }

    /**
     * As {@link #sse(ServerSideEncryption)}, with the KMS key {@code kmsKeyId} (a key id, ARN or alias) for
     * {@code aws:kms}.
     *
     * @throws IllegalArgumentException for a key id without {@code aws:kms}, or {@code UNKNOWN_TO_SDK_VERSION}
     */
    public S3Target sse(@Nullable ServerSideEncryption sse, @Nullable String kmsKeyId) {
        if (sse == ServerSideEncryption.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("server-side encryption unknown to this SDK version");
        }
        if (kmsKeyId != null && (kmsKeyId.isBlank() || !kmsKeyId.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("a KMS key id is printable ASCII without spaces");
        }
        return withOptions(new S3Upload.ObjectOptions(options().storageClass(), sse, kmsKeyId,
                options().expectedBucketOwner()));
    }

    /**
     * A copy that sends {@code x-amz-expected-bucket-owner: accountId} on every request (HeadBucket, HeadObject,
     * GetObject, PutObject, the multipart requests, DeleteObject): S3 answers 403 when another account owns the
     * bucket, so that a bucket name taken over by someone else never receives a recording. Null: not sent.
     *
     * @throws IllegalArgumentException unless {@code accountId} is a 12-digit AWS account id
     */
    public S3Target expectedBucketOwner(String accountId) {
        if (accountId != null && !accountId.matches("[0-9]{12}")) {
            throw new IllegalArgumentException("the expected bucket owner is a 12-digit AWS account id");
        }
        return withOptions(new S3Upload.ObjectOptions(options().storageClass(), options().sse(), options().kmsKeyId(),
                accountId));
    }

    private S3Upload.ObjectOptions options() {
        return upload.settings().objectOptions();
    }

    private S3Target withOptions(S3Upload.ObjectOptions options) {
        return new S3Target(s3, new S3Upload(s3, upload.settings().withObjectOptions(options)), bucket, prefix,
                checksum, fallbackNotice);
    }

    private static String normalizePrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null (use \"\" for the bucket's root)");
        }
        String p = prefix;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (String segment : p.split("/", -1)) {
            if (!p.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
                throw new IllegalArgumentException("prefix must not have empty, '.' or '..' segments: '"
                        + printable(prefix) + "'");
            }
        }
        if (!p.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw new IllegalArgumentException("prefix must not contain control characters");
        }
        return p;
    }

    /** The bucket. */
    public String bucket() {
        return bucket;
    }

    /** The key prefix, without leading or trailing {@code /}; empty for the bucket's root. */
    public String prefix() {
        return prefix;
    }

    /**
     * Checks that the bucket exists and is reachable with the client's credentials (one {@code HeadBucket}); fails
     * with an {@link S3StorageException} otherwise, before anything is listed or downloaded.
     */
    @Override
    public Mono<Session> open() {
        return Mono.fromFuture(() -> s3.headBucket(HeadBucketRequest.builder().bucket(bucket)
                        .expectedBucketOwner(options().expectedBucketOwner()).build()))
                .onErrorMap(e -> S3Errors.of("HeadBucket", bucket, null, e))
                .then(Mono.fromCallable(() -> new S3Session(new Integrity(Integrity.Mode.valueOf(checksum.name()),
                        fallbackNotice))));
    }

    /** {@code s3://bucket/prefix}; the settings are not shown. */
    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private String fullKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    private final class S3Session implements Session {

        /** This run's integrity check: AUTO's decision is learnt once per run and shared by its uploads. */
        private final Integrity integrity;

        S3Session(Integrity integrity) {
            this.integrity = Objects.requireNonNull(integrity);
        }

        @Override
        public URI location(String key) {
            return URI.create("s3://" + bucket + "/" + encodePath(fullKey(key)));
        }

        @Override
        public Mono<byte[]> read(String key, int maxBytes) {
            String full = fullKey(key);
            int cap = Math.min(maxBytes, MAX_SIDECAR_BYTES);
            return upload.head(bucket, full)
                    .filter(info -> info.size() <= cap)
                    .flatMap(info -> Mono.fromFuture(() -> s3.getObject(upload.getRequest(bucket, full),
                                    AsyncResponseTransformer.toBytes()))
                            .map(bytes -> bytes.asByteArray())
                            .onErrorResume(e -> S3Errors.hasStatus(e, 404), e -> Mono.empty())
                            .onErrorMap(e -> S3Errors.of("GetObject", bucket, full, e)))
                    .filter(bytes -> bytes.length <= cap);
        }

        @Override
        public Mono<Boolean> holds(String key, long size, String sha256, String fingerprint, boolean readBack) {
            String full = fullKey(key);
            if (readBack) {
                return upload.head(bucket, full)
                        .filter(info -> info.size() == size) // a wrong length is not worth reading
                        .flatMap(info -> upload.digest(bucket, full))
                        .map(d -> d.size() == size && d.sha256().equalsIgnoreCase(sha256))
                        .defaultIfEmpty(false);
            }
            return upload.head(bucket, full)
                    .map(info -> info.size() == size && proves(info, sha256, fingerprint))
                    .defaultIfEmpty(false);
        }

        @Override
        public Mono<Stored> write(String key, Flux<ByteBuffer> audio, long contentLength, String contentType,
                Map<String, String> metadata) {
            String full = fullKey(key);
            // The fingerprint is what a HEAD says after the upload, not what the upload's answer said: stores differ
            // (S3Proxy gives a multipart object one ETag in CompleteMultipartUpload and another in HEAD, and no
            // checksum in HEAD), and the later checks are HEADs. One HEAD per upload also proves it landed whole.
            return upload.upload(new Destination(bucket, full, contentType, metadata), audio, contentLength, integrity)
                    .flatMap(u -> upload.head(bucket, full)
                            .switchIfEmpty(Mono.error(() -> new S3StorageException("s3://" + bucket + "/" + full
                                    + " is missing right after its upload completed", "HeadObject", bucket, full, 404,
                                    null, null)))
                            .flatMap(info -> info.size() == u.size() ? Mono.just(new Stored(u.size(),
                                    fingerprint(info.checksumSha256(), info.eTag()), u.check().wireName()))
                                    : Mono.error(new S3StorageException("s3://" + bucket + "/" + full + " has "
                                    + info.size() + " bytes right after an upload of " + u.size(), "HeadObject",
                                    bucket, full, 200, null, null))));
        }

        @Override
        public Mono<Void> put(String key, byte[] bytes, String contentType) {
            return upload.put(new Destination(bucket, fullKey(key), contentType, null), bytes, integrity).then();
        }
    }

    /**
     * What a later HEAD can compare: S3's checksum record (whole or composite) and the ETag, both of which change
     * whenever the object is replaced; stores differ in which of them a HEAD returns (S3Proxy, for one, returns no
     * checksum for a multipart object), so both are kept: {@code checksum-sha256:<base64>;etag:<etag>}.
     */
    private static String fingerprint(String checksum, String eTag) {
        if (checksum == null && eTag == null) {
            return null;
        }
        return "checksum-sha256:" + (checksum == null ? "" : checksum) + ";etag:" + (eTag == null ? "" : eTag);
    }

    /**
     * Whether a HEAD proves the object is the one recorded: its SHA-256 metadata (a one-request upload) equals the
     * sidecar's; else its checksum record, when the store returns one, equals the recorded one; else its ETag does.
     * Nothing to compare proves nothing.
     */
    private static boolean proves(ObjectInfo info, String sha256, String fingerprint) {
        if (info.sha256() != null) {
            return info.sha256().equalsIgnoreCase(sha256);
        }
        if (fingerprint == null || !fingerprint.startsWith("checksum-sha256:")) {
            return false;
        }
        int split = fingerprint.indexOf(";etag:");
        String checksum = split < 0 ? "" : fingerprint.substring("checksum-sha256:".length(), split);
        String eTag = split < 0 ? "" : fingerprint.substring(split + ";etag:".length());
        if (!checksum.isEmpty() && info.checksumSha256() != null) {
            return checksum.equals(info.checksumSha256());
        }
        return !eTag.isEmpty() && eTag.equals(info.eTag());
    }

    /** A key in a URI path: each segment percent-encoded as needed. */
    private static String encodePath(String key) {
        StringBuilder sb = new StringBuilder(key.length() + 8);
        for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
